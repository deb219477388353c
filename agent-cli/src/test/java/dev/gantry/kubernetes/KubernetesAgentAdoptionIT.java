package dev.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.docker.testing.GantryImage;
import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.Local;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubernetes agents as processes of their own ({@code java -jar gantry.jar agent start kubernetes},
 * pointed at the mock API server by a kubeconfig file), killed with SIGKILL while their runs are in
 * flight: the Jobs keep running, and an agent started again finds them by their labels, follows
 * them to their end and stores no log line twice.
 */
@RequiresDocker
class KubernetesAgentAdoptionIT {
  private static final Duration WITHIN = KubernetesGantry.RUN_TIME;
  private static final String LABEL = "k8s-adoption";

  @TempDir Path dir;
  private KubernetesGantry gantry;
  private Path kubeconfig;
  private Path jobTemplate;
  private final List<Process> agents = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    gantry = new KubernetesGantry(dir);
    gantry.local.registerExample("dev.gantry.examples.Sleepy#sleepy");
    kubeconfig =
        gantry.cluster.writeKubeconfig(dir.resolve("kubeconfig"), KubernetesGantry.NAMESPACE);
    jobTemplate =
        Files.writeString(
            dir.resolve("job-template.yaml"),
            ManifestYaml.write(List.of(gantry.sharedStorageTemplate())));
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (Process agent : agents) {
      agent.destroyForcibly();
      agent.waitFor(30, TimeUnit.SECONDS);
    }
    gantry.close();
  }

  @Test
  void anAgentStartedAfterSigkillReattachesToTheRunningJobAndStoresNoLineTwice() throws Exception {
    Process first = startAgent("first");
    FlowRun run = sleepyRun(20);
    gantry.local.awaitState(run.id(), RunState.Running, WITHIN);
    await().atMost(WITHIN).until(() -> logs(run).stream().anyMatch(l -> napping(l, 20)));
    Pod pod = gantry.awaitPod(run.id());
    String container = gantry.simulator.containerOf(pod.getMetadata().getName());

    first.destroyForcibly(); // SIGKILL: the agent cannot stop anything
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> gantry.job(run.id(), 1) != null && gantry.simulator.containerExists(container));
    startAgent("second");

    FlowRun done = gantry.local.awaitEnd(run.id(), WITHIN);
    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
    List<LogRecord> logs = logs(run);
    assertThat(logs.stream().filter(l -> napping(l, 20))).hasSize(1);
    assertThat(gantry.duplicateLogs(run.id())).isEmpty();
    assertThat(logs)
        .anySatisfy(l -> assertThat(l.message()).contains("re-attached by agent second"));
    assertThat(Files.readString(dir.resolve("second.log")))
        .contains("found its Job " + JobLabels.jobName(run.id(), 1));
  }

  @Test
  void anAgentStartedAfterSigkillFinalizesAJobThatEndedWhileNoAgentWatched() throws Exception {
    Process first = startAgent("first");
    FlowRun run = sleepyRun(3);
    gantry.local.awaitState(run.id(), RunState.Running, WITHIN);

    first.destroyForcibly();
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    await()
        .atMost(WITHIN)
        .until(
            () ->
                gantry.job(run.id(), 1).getStatus() != null
                    && KubernetesLauncher.finished(gantry.job(run.id(), 1)));
    assertThat(gantry.local.find(run.id()).state()).isEqualTo(RunState.Running);
    startAgent("second");

    FlowRun done = gantry.local.awaitEnd(run.id(), WITHIN);
    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
    assertThat(gantry.duplicateLogs(run.id())).isEmpty();
  }

  /** {@code gantry agent start kubernetes} as a process of its own, logging to NAME.log. */
  private Process startAgent(String name) throws Exception {
    Path jar = GantryImage.repoRoot().resolve("agent-cli/target/gantry.jar");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-jar",
            jar.toString(),
            "agent",
            "start",
            "kubernetes",
            "--home",
            gantry.home().toString(),
            "--name",
            name,
            "-l",
            Local.hostName(),
            "-l",
            LABEL,
            "--namespace",
            KubernetesGantry.NAMESPACE,
            "--job-template",
            jobTemplate.toString(),
            "--poll-interval",
            "100ms",
            "--heartbeat-interval",
            "500ms",
            "--orphan-timeout",
            "3s");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().remove("KUBERNETES_SERVICE_HOST");
    Process process = builder.start();
    agents.add(process);
    return process;
  }

  private FlowRun sleepyRun(int seconds) {
    return gantry.local.client.createRun(
        "sleepy", Map.of("seconds", Integer.toString(seconds)), Set.of(LABEL));
  }

  private List<LogRecord> logs(FlowRun run) {
    return gantry.logs(run.id());
  }

  private static boolean napping(LogRecord log, int seconds) {
    return log.message().contains("napping " + seconds + " s");
  }
}
