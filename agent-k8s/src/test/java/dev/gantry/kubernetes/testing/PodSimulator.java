package dev.gantry.kubernetes.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the cluster's controllers for the mock API: the Job controller (a pod per resumed Job, Job
 * conditions when it ends), the scheduler (one node, {@link #NODE_LABELS}), the kubelet (pulls
 * nothing: runs the pod's container as a real Docker container of a local image, with the pod's
 * environment, Secret references resolved, hostPath volumes, memory and CPU limits, host networking
 * and a termination-message file; writes pod status back, OOMKilled included) and the garbage
 * collector (a deleted Job's pod is stopped within its grace period and removed, its Secrets
 * deleted).
 *
 * <p>Limitations: one container per pod (the run container), no init containers, no TTL controller
 * (finished Jobs stay), logs served as snapshots (see {@link MockCluster}).
 */
public final class PodSimulator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PodSimulator.class);

  /**
   * The labels of the one simulated node; a pod whose nodeSelector asks for others is
   * unschedulable.
   */
  public static final Map<String, String> NODE_LABELS =
      Map.of("kubernetes.io/os", "linux", "kubernetes.io/hostname", "gantry-sim");

  /** Label on every container the simulator starts. */
  public static final String CONTAINER_LABEL = "dev.gantry.test/simulated-pod";

  private static final String NODE = "gantry-sim";
  private static final int TERMINATION_MESSAGE_BYTES = 4096;

  private final MockCluster cluster;
  private final KubernetesClient client;
  private final String namespace;
  private final DockerClient docker;
  private final Path workDir;
  private final ExecutorService kubelet =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "pod-simulator");
            t.setDaemon(true);
            return t;
          });
  private final java.util.concurrent.ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "pod-simulator-timer");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, SimulatedPod> podsByJobUid = new ConcurrentHashMap<>();
  private SharedIndexInformer<Job> jobs;
  private volatile boolean closed;

  public PodSimulator(MockCluster cluster, String namespace, DockerClient docker, Path workDir) {
    this.cluster = cluster;
    this.client = cluster.newClient("pod-simulator");
    this.namespace = namespace;
    this.docker = docker;
    this.workDir = workDir;
  }

  /** Starts watching Jobs; returns once the watch runs. */
  public PodSimulator start() {
    jobs =
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(namespace)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Job job) {
                    maybeStart(job);
                  }

                  @Override
                  public void onUpdate(Job before, Job job) {
                    maybeStart(job);
                  }

                  @Override
                  public void onDelete(Job job, boolean finalStateUnknown) {
                    SimulatedPod pod = podsByJobUid.get(job.getMetadata().getUid());
                    kubelet.execute(() -> collect(job, pod));
                  }
                },
                0);
    return this;
  }

  /** The Docker container that runs the pod's container, if it was created. */
  public String containerOf(String podName) {
    for (SimulatedPod pod : podsByJobUid.values()) {
      if (pod.name.equals(podName)) {
        return pod.containerId;
      }
    }
    return null;
  }

  /** The Docker container running a run's pod, if any. */
  public boolean containerExists(String containerId) {
    try {
      docker.inspectContainerCmd(containerId).exec();
      return true;
    } catch (NotFoundException gone) {
      return false;
    }
  }

  private void maybeStart(Job job) {
    if (closed || Boolean.TRUE.equals(job.getSpec().getSuspend())) {
      return;
    }
    String uid = job.getMetadata().getUid();
    if (finished(job) || podsByJobUid.containsKey(uid)) {
      return;
    }
    SimulatedPod pod = new SimulatedPod(job);
    if (podsByJobUid.putIfAbsent(uid, pod) == null) {
      kubelet.execute(pod::run);
    }
  }

  /** The garbage collector: a deleted Job's pod goes (after its grace period), then its Secrets. */
  private void collect(Job job, SimulatedPod pod) {
    if (pod != null) {
      pod.delete();
    }
    for (Secret secret : client.secrets().inNamespace(namespace).list().getItems()) {
      List<OwnerReference> owners = secret.getMetadata().getOwnerReferences();
      if (owners != null
          && owners.stream().anyMatch(o -> job.getMetadata().getUid().equals(o.getUid()))) {
        client.secrets().inNamespace(namespace).resource(secret).delete();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    if (jobs != null) {
      jobs.close();
    }
    kubelet.shutdownNow();
    timers.shutdownNow();
    for (Container container :
        docker
            .listContainersCmd()
            .withShowAll(true)
            .withLabelFilter(Map.of(CONTAINER_LABEL, namespace))
            .exec()) {
      try {
        docker.removeContainerCmd(container.getId()).withForce(true).exec();
      } catch (NotFoundException gone) {
        // removed meanwhile
      }
    }
    client.close();
  }

  /** One Job's pod, from creation to deletion. */
  private final class SimulatedPod {
    final Job job;
    final String name;
    final String container;
    final CountDownLatch ended = new CountDownLatch(1);
    final List<String> output = new ArrayList<>();
    volatile String containerId;
    volatile boolean deleting;

    SimulatedPod(Job job) {
      this.job = job;
      this.name = job.getMetadata().getName() + "-" + suffix();
      this.container = job.getSpec().getTemplate().getSpec().getContainers().get(0).getName();
    }

    void run() {
      try {
        create();
        PodSpec spec = job.getSpec().getTemplate().getSpec();
        if (!schedule(spec)) {
          return;
        }
        io.fabric8.kubernetes.api.model.Container c = spec.getContainers().get(0);
        if (!pull(c.getImage())) {
          return;
        }
        List<String> env = environment(c);
        if (env == null || deleting) {
          return;
        }
        runContainer(spec, c, env);
      } catch (RuntimeException e) {
        if (!closed) {
          log.warn("simulated pod {} failed: {}", name, e.toString());
        }
      } finally {
        ended.countDown();
      }
    }

    private void create() {
      Map<String, String> labels =
          new LinkedHashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
      labels.put("job-name", job.getMetadata().getName());
      labels.put("batch.kubernetes.io/job-name", job.getMetadata().getName());
      labels.put("controller-uid", job.getMetadata().getUid());
      Pod pod =
          new PodBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace(namespace)
              .withLabels(labels)
              .withOwnerReferences(
                  new OwnerReferenceBuilder()
                      .withApiVersion("batch/v1")
                      .withKind("Job")
                      .withName(job.getMetadata().getName())
                      .withUid(job.getMetadata().getUid())
                      .withController(true)
                      .withBlockOwnerDeletion(true)
                      .build())
              .endMetadata()
              .withSpec(job.getSpec().getTemplate().getSpec())
              .withNewStatus()
              .withPhase("Pending")
              .endStatus()
              .build();
      client.pods().inNamespace(namespace).resource(pod).create();
      cluster.servePodLogs(namespace, name, requested -> containerId == null ? null : snapshot());
      updateJob(
          s -> {
            s.setStartTime(Instant.now().toString());
            s.setActive(1);
            return s;
          });
    }

    private boolean schedule(PodSpec spec) {
      Map<String, String> selector =
          spec.getNodeSelector() == null ? Map.of() : spec.getNodeSelector();
      boolean fits =
          selector.entrySet().stream()
              .allMatch(e -> e.getValue().equals(NODE_LABELS.get(e.getKey())));
      String now = Instant.now().toString();
      if (!fits) {
        updatePod(
            s -> {
              s.setConditions(
                  List.of(
                      new PodConditionBuilder()
                          .withType("PodScheduled")
                          .withStatus("False")
                          .withReason("Unschedulable")
                          .withMessage(
                              "0/1 nodes are available: 1 node(s) didn't match Pod's node"
                                  + " affinity/selector. preemption: 0/1 nodes are available: 1"
                                  + " Preemption is not helpful for scheduling.")
                          .withLastTransitionTime(now)
                          .build()));
              return s;
            });
        return false;
      }
      updatePod(
          s -> {
            s.setConditions(
                List.of(
                    new PodConditionBuilder()
                        .withType("PodScheduled")
                        .withStatus("True")
                        .withLastTransitionTime(now)
                        .build()));
            s.setHostIP("127.0.0.1");
            s.setStartTime(now);
            return s;
          });
      containerState(
          "Pending",
          new ContainerStateBuilder()
              .withNewWaiting()
              .withReason("ContainerCreating")
              .endWaiting()
              .build());
      return true;
    }

    /** Nothing can be pulled here: a local image runs, any other fails as a registry would. */
    private boolean pull(String image) {
      try {
        docker.inspectImageCmd(image).exec();
        return true;
      } catch (NotFoundException absent) {
        String reference = image.contains("/") ? image : "docker.io/library/" + image;
        containerState(
            "Pending",
            waiting(
                "ErrImagePull",
                "failed to pull and unpack image \""
                    + reference
                    + "\": failed to resolve reference \""
                    + reference
                    + "\": pull access denied, repository does not exist or may require"
                    + " authorization"));
        timers.schedule(
            () -> {
              if (!deleting && !closed) {
                containerState(
                    "Pending",
                    waiting("ImagePullBackOff", "Back-off pulling image \"" + image + "\""));
              }
            },
            1,
            TimeUnit.SECONDS);
        return false;
      }
    }

    /** The container's variables, Secret references resolved; null when a Secret is missing. */
    private List<String> environment(io.fabric8.kubernetes.api.model.Container c) {
      List<String> env = new ArrayList<>();
      if (c.getEnv() == null) {
        return env;
      }
      for (EnvVar variable : c.getEnv()) {
        if (variable.getValueFrom() == null) {
          env.add(
              variable.getName() + "=" + (variable.getValue() == null ? "" : variable.getValue()));
          continue;
        }
        SecretKeySelector ref = variable.getValueFrom().getSecretKeyRef();
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
        String encoded =
            secret == null || secret.getData() == null ? null : secret.getData().get(ref.getKey());
        if (encoded == null) {
          containerState(
              "Pending",
              waiting(
                  "CreateContainerConfigError",
                  secret == null
                      ? "secret \"" + ref.getName() + "\" not found"
                      : "couldn't find key "
                          + ref.getKey()
                          + " in Secret "
                          + namespace
                          + "/"
                          + ref.getName()));
          return null;
        }
        env.add(
            variable.getName()
                + "="
                + new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
      }
      return env;
    }

    private void runContainer(
        PodSpec spec, io.fabric8.kubernetes.api.model.Container c, List<String> env) {
      Path terminationLog = terminationLogFile();
      List<Bind> binds = new ArrayList<>();
      binds.add(
          new Bind(
              terminationLog.toString(),
              new Volume(
                  c.getTerminationMessagePath() == null
                      ? "/dev/termination-log"
                      : c.getTerminationMessagePath())));
      if (c.getVolumeMounts() != null) {
        for (VolumeMount mount : c.getVolumeMounts()) {
          spec.getVolumes().stream()
              .filter(v -> v.getName().equals(mount.getName()) && v.getHostPath() != null)
              .findFirst()
              .ifPresent(
                  v ->
                      binds.add(
                          new Bind(
                              v.getHostPath().getPath(),
                              new Volume(mount.getMountPath()),
                              Boolean.TRUE.equals(mount.getReadOnly())
                                  ? AccessMode.ro
                                  : AccessMode.rw)));
        }
      }
      HostConfig host = HostConfig.newHostConfig().withNetworkMode("host").withBinds(binds);
      Map<String, Quantity> limits =
          c.getResources() == null || c.getResources().getLimits() == null
              ? Map.of()
              : c.getResources().getLimits();
      if (limits.containsKey("memory")) {
        long bytes = Quantity.getAmountInBytes(limits.get("memory")).longValue();
        host.withMemory(bytes).withMemorySwap(bytes);
      }
      if (limits.containsKey("cpu")) {
        host.withNanoCPUs(
            Quantity.getAmountInBytes(limits.get("cpu"))
                .multiply(BigDecimal.valueOf(1_000_000_000L))
                .longValue());
      }
      var create =
          docker
              .createContainerCmd(c.getImage())
              .withName("k8s_" + container + "_" + name + "_" + namespace)
              .withEnv(env)
              .withLabels(Map.of(CONTAINER_LABEL, namespace))
              .withHostConfig(host);
      if (c.getCommand() != null && !c.getCommand().isEmpty()) {
        create.withEntrypoint(c.getCommand());
      }
      if (c.getArgs() != null) {
        create.withCmd(c.getArgs());
      }
      if (spec.getSecurityContext() != null && spec.getSecurityContext().getRunAsUser() != null) {
        create.withUser(spec.getSecurityContext().getRunAsUser().toString());
      }
      String id = create.exec().getId();
      docker.startContainerCmd(id).exec();
      containerId = id;
      Instant started = Instant.now();
      LogCollector logs =
          docker
              .logContainerCmd(id)
              .withStdOut(true)
              .withStdErr(true)
              .withTimestamps(true)
              .withFollowStream(true)
              .exec(new LogCollector());
      containerState(
          "Running",
          new ContainerStateBuilder()
              .withNewRunning()
              .withStartedAt(started.toString())
              .endRunning()
              .build());

      int exitCode =
          docker.waitContainerCmd(id).exec(new WaitContainerResultCallback()).awaitStatusCode();
      try {
        // A kubelet has every line before it reports the container terminated; under load the
        // engine's log stream can lag the exit by seconds, so wait generously (returns at once
        // when the stream is complete).
        logs.awaitCompletion(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      InspectContainerResponse inspected = docker.inspectContainerCmd(id).exec();
      boolean oom = Boolean.TRUE.equals(inspected.getState().getOOMKilled());
      String message = terminationMessage(terminationLog, c, exitCode);
      String reason = oom ? "OOMKilled" : exitCode == 0 ? "Completed" : "Error";
      containerState(
          exitCode == 0 ? "Succeeded" : "Failed",
          new ContainerStateBuilder()
              .withNewTerminated()
              .withExitCode(exitCode)
              .withReason(reason)
              .withMessage(message)
              .withStartedAt(started.toString())
              .withFinishedAt(Instant.now().toString())
              .withContainerID("docker://" + id)
              .endTerminated()
              .build());
      if (!deleting) {
        finishJob(exitCode == 0);
      }
    }

    private String terminationMessage(
        Path file, io.fabric8.kubernetes.api.model.Container c, int exitCode) {
      try {
        byte[] written = Files.readAllBytes(file);
        if (written.length > 0) {
          return new String(
              written,
              0,
              Math.min(written.length, TERMINATION_MESSAGE_BYTES),
              StandardCharsets.UTF_8);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (exitCode != 0 && "FallbackToLogsOnError".equals(c.getTerminationMessagePolicy())) {
        List<String> lines = snapshot();
        List<String> tail = lines.subList(Math.max(0, lines.size() - 80), lines.size());
        StringBuilder text = new StringBuilder();
        for (String line : tail) {
          text.append(line.substring(line.indexOf(' ') + 1)).append('\n');
        }
        String all = text.toString();
        return all.length() > 2048 ? all.substring(all.length() - 2048) : all;
      }
      return null;
    }

    private void finishJob(boolean succeeded) {
      String now = Instant.now().toString();
      updateJob(
          s -> {
            s.setActive(0);
            if (succeeded) {
              s.setSucceeded(1);
              s.setCompletionTime(now);
              s.setConditions(
                  List.of(
                      new JobConditionBuilder()
                          .withType("Complete")
                          .withStatus("True")
                          .withLastTransitionTime(now)
                          .build()));
            } else {
              s.setFailed(1);
              s.setConditions(
                  List.of(
                      new JobConditionBuilder()
                          .withType("Failed")
                          .withStatus("True")
                          .withReason("BackoffLimitExceeded")
                          .withMessage("Job has reached the specified backoff limit")
                          .withLastTransitionTime(now)
                          .build()));
            }
            return s;
          });
    }

    /** The Job is gone: SIGTERM, SIGKILL after the grace period, then the pod object goes. */
    void delete() {
      deleting = true;
      String id = containerId;
      if (id != null) {
        Long grace = job.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
        try {
          docker.stopContainerCmd(id).withTimeout(grace == null ? 30 : grace.intValue()).exec();
        } catch (NotFoundException | NotModifiedException alreadyStopped) {
          // it ended by itself
        }
      }
      try {
        ended.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      client.pods().inNamespace(namespace).withName(name).delete();
      if (id != null) {
        try {
          docker.removeContainerCmd(id).withForce(true).exec();
        } catch (NotFoundException gone) {
          // removed meanwhile
        }
      }
    }

    private List<String> snapshot() {
      synchronized (output) {
        return List.copyOf(output);
      }
    }

    private Path terminationLogFile() {
      try {
        Path dir = Files.createDirectories(workDir.resolve(name));
        Path file = dir.resolve("termination-log");
        Files.deleteIfExists(file);
        Files.createFile(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        return file;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot make the termination log of pod " + name, e);
      }
    }

    private void containerState(String phase, ContainerState state) {
      updatePod(
          s -> {
            s.setPhase(phase);
            s.setContainerStatuses(
                List.of(
                    new ContainerStatusBuilder()
                        .withName(container)
                        .withImage(
                            job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                        .withReady(state.getRunning() != null)
                        .withStarted(state.getRunning() != null)
                        .withRestartCount(0)
                        .withState(state)
                        .build()));
            return s;
          });
    }

    private void updatePod(UnaryOperator<PodStatus> change) {
      Pod current = client.pods().inNamespace(namespace).withName(name).get();
      if (current == null) {
        return;
      }
      PodStatus status = current.getStatus() == null ? new PodStatus() : current.getStatus();
      current.setStatus(change.apply(status));
      client.pods().inNamespace(namespace).resource(current).updateStatus();
    }

    private void updateJob(UnaryOperator<JobStatus> change) {
      Job current =
          client
              .batch()
              .v1()
              .jobs()
              .inNamespace(namespace)
              .withName(job.getMetadata().getName())
              .get();
      if (current == null) {
        return;
      }
      JobStatus status = current.getStatus() == null ? new JobStatus() : current.getStatus();
      current.setStatus(change.apply(status));
      client.batch().v1().jobs().inNamespace(namespace).resource(current).updateStatus();
    }

    /** Docker's output of the container, kept as the kubelet keeps it: timestamped lines. */
    private final class LogCollector extends ResultCallback.Adapter<Frame> {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public void onNext(Frame frame) {
        partial.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
        int newline;
        while ((newline = partial.indexOf("\n")) >= 0) {
          String line = partial.substring(0, newline);
          partial.delete(0, newline + 1);
          synchronized (output) {
            output.add(line);
          }
        }
      }
    }
  }

  private static ContainerState waiting(String reason, String message) {
    return new ContainerStateBuilder()
        .withNewWaiting()
        .withReason(reason)
        .withMessage(message)
        .endWaiting()
        .build();
  }

  private static String suffix() {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    SecureRandom random = new SecureRandom();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      out.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return out.toString();
  }

  private static boolean finished(Job job) {
    return job.getStatus() != null
        && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(
                c ->
                    ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
                        && "True".equals(c.getStatus()));
  }
}
