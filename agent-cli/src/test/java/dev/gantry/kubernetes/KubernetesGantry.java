package dev.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.agent.Agent;
import dev.gantry.agent.AgentOptions;
import dev.gantry.cli.Gantry;
import dev.gantry.docker.testing.GantryImage;
import dev.gantry.docker.testing.TestDocker;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.kubernetes.testing.MockCluster;
import dev.gantry.kubernetes.testing.PodSimulator;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.LocalGantry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * Gantry with Kubernetes agents, end to end on this machine: the embedded backend under a test
 * directory, fabric8's mock API server in CRUD mode as the cluster, and the {@link PodSimulator}
 * running every Job's pod as a real container of the Gantry image (built from the repository's
 * Dockerfile on the local base image).
 */
public final class KubernetesGantry implements AutoCloseable {
  public static final String NAMESPACE = "gantry-e2e";
  static final Duration RUN_TIME = Duration.ofSeconds(120);

  final Path dir;
  final String image;
  public final LocalGantry local;
  public final MockCluster cluster;
  final PodSimulator simulator;
  private final List<Agent> agents = new ArrayList<>();
  private final List<KubernetesLauncher> launchers = new ArrayList<>();

  public KubernetesGantry(Path dir) {
    this.dir = dir;
    this.image = GantryImage.ensureBuilt();
    this.local = new LocalGantry(dir.resolve("home"));
    this.cluster = new MockCluster();
    this.simulator =
        new PodSimulator(cluster, NAMESPACE, TestDocker.client(), dir.resolve("kubelet")).start();
  }

  Path home() {
    return dir.resolve("home");
  }

  /** An in-process agent with these labels whose runs are Jobs in {@link #NAMESPACE}. */
  Agent startAgent(
      String name, Set<String> labels, KubernetesSettings settings, SecretSource secrets) {
    KubernetesLauncher launcher = newLauncher(name, settings);
    AgentOptions quick = LocalGantry.quickOptions(name);
    AgentOptions options =
        new AgentOptions(
            name,
            new LinkedHashSet<>(labels),
            8,
            quick.pollInterval(),
            quick.maxBackoff(),
            quick.heartbeatInterval(),
            quick.orphanTimeout(),
            quick.gracePeriod(),
            quick.cancelGrace());
    Agent agent = new Agent(local.client.backend(), launcher, options, secrets);
    agents.add(agent);
    agent.start();
    return agent;
  }

  /**
   * A launcher of Jobs in {@link #NAMESPACE} with a client of its own named {@code name}; closed
   * with this.
   */
  public KubernetesLauncher newLauncher(String name, KubernetesSettings settings) {
    KubernetesLauncher launcher =
        new KubernetesLauncher(
            settings.toBuilder().namespace(NAMESPACE).build(), cluster.newClient(name), true);
    launchers.add(launcher);
    return launcher;
  }

  /** Where flows registered to local storage are: the home's flow directory. */
  Path flowStorage() {
    return local.home.flowsDir();
  }

  /**
   * A Job template whose pods see the flow storage read-only at the same path, as a cluster would
   * share a volume with its flows' storage; the storage is made readable by the image's user.
   */
  public Job sharedStorageTemplate() {
    Path storage = flowStorage();
    shareWithPods(storage);
    return new JobBuilder()
        .withApiVersion("batch/v1")
        .withKind("Job")
        .withNewSpec()
        .withNewTemplate()
        .withNewSpec()
        .addNewVolume()
        .withName("flow-storage")
        .withNewHostPath()
        .withPath(storage.toString())
        .withType("Directory")
        .endHostPath()
        .endVolume()
        .addNewContainer()
        .withName(JobTemplate.CONTAINER)
        .addNewVolumeMount()
        .withName("flow-storage")
        .withMountPath(storage.toString())
        .withReadOnly(true)
        .endVolumeMount()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /**
   * Makes the storage readable by the pods' user (directories o+rx, files o+r) and its parents
   * passable (o+x only: nothing else of the home, such as its secret key, becomes readable).
   */
  void shareWithPods(Path storage) {
    try {
      Files.createDirectories(storage);
      try (Stream<Path> paths = Files.walk(storage)) {
        for (Path path : paths.toList()) {
          add(path, PosixFilePermission.OTHERS_READ);
          if (Files.isDirectory(path)) {
            add(path, PosixFilePermission.OTHERS_EXECUTE);
          }
        }
      }
      for (Path parent = storage.getParent(); parent != null; parent = parent.getParent()) {
        add(parent, PosixFilePermission.OTHERS_EXECUTE);
        if (parent.equals(dir)) {
          break;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void add(Path path, PosixFilePermission permission) throws IOException {
    var permissions = EnumSet.copyOf(Files.getPosixFilePermissions(path));
    if (permissions.add(permission)) {
      Files.setPosixFilePermissions(path, permissions);
    }
  }

  /** A run of the flow's newest version that only agents with {@code label} take. */
  FlowRun runFor(String label, String flow, Map<String, String> parameters) {
    return local.client.createRun(flow, parameters, Set.of(label));
  }

  Job job(String runId, int attempt) {
    return cluster
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace(NAMESPACE)
        .withName(JobLabels.jobName(runId, attempt))
        .get();
  }

  /** The run's pod, once it exists. */
  Pod awaitPod(String runId) {
    return await()
        .atMost(RUN_TIME)
        .until(
            () ->
                cluster
                    .client()
                    .pods()
                    .inNamespace(NAMESPACE)
                    .withLabel(JobLabels.RUN_ID, runId)
                    .list()
                    .getItems(),
            pods -> !pods.isEmpty())
        .get(0);
  }

  List<Pod> pods(String runId) {
    return cluster
        .client()
        .pods()
        .inNamespace(NAMESPACE)
        .withLabel(JobLabels.RUN_ID, runId)
        .list()
        .getItems();
  }

  List<LogRecord> logs(String runId) {
    return local.client.backend().runs().logs(runId, 0, 10_000);
  }

  /** Log records stored more than once (the example flows write no line twice themselves). */
  List<String> duplicateLogs(String runId) {
    return logs(runId).stream()
        .collect(
            Collectors.groupingBy(
                l -> l.source() + " " + l.taskName() + " " + l.message(), Collectors.counting()))
        .entrySet()
        .stream()
        .filter(e -> e.getValue() > 1)
        .map(Map.Entry::getKey)
        .toList();
  }

  /** {@code gantry ARGS --home HOME} in this JVM; asserts it succeeded and returns its output. */
  String gantry(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home=" + home());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Gantry.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(all.toArray(String[]::new));
    assertThat(code).as(String.join(" ", args) + ": " + out + err).isZero();
    return out.toString();
  }

  @Override
  public void close() {
    agents.forEach(Agent::stop);
    launchers.forEach(KubernetesLauncher::close);
    local.close();
    simulator.close();
    cluster.close();
  }
}
