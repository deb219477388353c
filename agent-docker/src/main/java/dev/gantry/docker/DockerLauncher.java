package dev.gantry.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.PullImageCmd;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.gantry.agent.Redactor;
import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.domain.RunState;
import dev.gantry.launch.ExitReport;
import dev.gantry.launch.Infrastructure;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.Launcher;
import dev.gantry.launch.OutputSink;
import dev.gantry.launch.RunExecution;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each flow run as a Docker container of the image its flow names (else the default image),
 * running {@code gantry execute flow-run} with the run's bootstrap environment and secrets.
 *
 * <p>Watching costs no thread per run: exits come from one event stream of the engine (die, oom,
 * destroy of containers labelled {@value ContainerLabels#MANAGED}), output from non-blocking log
 * connections multiplexed on one thread, and the rest (inspecting, removing, signalling) runs on a
 * small shared pool. A run's {@link RunExecution#exit()} completes once the engine reported the
 * container's end and its output was read to the end; the container is removed right after (for a
 * cancelled run: right before, so it is gone when the run becomes Cancelled).
 */
public final class DockerLauncher implements Launcher {
  private static final Logger log = LoggerFactory.getLogger(DockerLauncher.class);

  /** After a die event, how long to wait for the destroy or oom event that may follow it. */
  static final Duration SETTLE = Duration.ofMillis(300);

  /** After a die event, how long the rest of the output may take before the run is finished. */
  static final Duration OUTPUT_WAIT = Duration.ofSeconds(10);

  /** After the output ended without a die event, when to ask the engine whether it exited. */
  static final Duration EXIT_PROBE = Duration.ofSeconds(1);

  private static final Duration MAX_LOG_RETRY = Duration.ofSeconds(30);

  private final DockerSettings settings;
  private final DockerClientConfig config;
  private final DockerClient docker;
  private final LogStreams logs;
  private final ContainerEvents events;
  private final LocalBundleMounts bundles;
  private final ScheduledExecutorService timers;
  private final ThreadPoolExecutor workers;
  private final Map<String, ContainerRun> byContainer = new ConcurrentHashMap<>();
  private final Map<String, ContainerRun> byRun = new ConcurrentHashMap<>();
  private final Map<String, Integer> logRetries = new ConcurrentHashMap<>();
  private final Map<String, Duration> cancelsBeforeStart = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public DockerLauncher(DockerSettings settings) {
    this(settings, LocalBundleMounts.inTempDir());
  }

  DockerLauncher(DockerSettings settings, LocalBundleMounts bundles) {
    this.settings = settings;
    this.bundles = bundles;
    DefaultDockerClientConfig.Builder builder =
        DefaultDockerClientConfig.createDefaultConfigBuilder();
    if (settings.dockerHost() != null) {
      builder.withDockerHost(settings.dockerHost());
    }
    this.config = builder.build();
    DockerHttpClient http =
        new ApacheDockerHttpClient.Builder()
            .dockerHost(config.getDockerHost())
            .sslConfig(config.getSSLConfig())
            .maxConnections(settings.maxStreams())
            .connectionTimeout(Duration.ofSeconds(10))
            .responseTimeout(Duration.ofMinutes(10))
            .build();
    this.docker = DockerClientImpl.getInstance(config, http);
    this.timers = Executors.newSingleThreadScheduledExecutor(daemon("gantry-docker-timer", null));
    this.workers =
        new ThreadPoolExecutor(
            4,
            4,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemon("gantry-docker-worker-", new AtomicInteger()));
    workers.allowCoreThreadTimeOut(true);
    this.logs =
        EngineAddress.of(config.getDockerHost(), config.getSSLConfig() != null)
            .<LogStreams>map(SelectorLogStreams::new)
            .orElseGet(
                () -> {
                  log.info(
                      "the Docker engine at {} is reached through TLS or a pipe: each run's"
                          + " output is followed on a thread of its own",
                      config.getDockerHost());
                  return new DockerJavaLogStreams(docker);
                });
    this.events =
        new ContainerEvents(
            docker,
            timers,
            new ContainerEvents.Handler() {
              @Override
              public void event(Event event) {
                onEvent(event);
              }

              @Override
              public void reconnected() {
                byContainer.values().forEach(run -> work(() -> probe(run)));
              }
            });
    events.start();
  }

  /** Containers and Jobs keep running without their agent; the next agent adopts them. */
  @Override
  public boolean infrastructureOutlivesAgent() {
    return true;
  }

  @Override
  public String kind() {
    return "docker";
  }

  /** The settings this launcher was made with. */
  public DockerSettings settings() {
    return settings;
  }

  /** The engine's address, for messages. */
  public String engine() {
    return String.valueOf(config.getDockerHost());
  }

  // ---- launch -------------------------------------------------------------------------------

  @Override
  public RunExecution launch(LaunchRequest request, OutputSink output) throws LaunchException {
    try {
      ContainerRun run = start(request, output);
      Duration cancelledMeanwhile = cancelsBeforeStart.remove(run.runId);
      if (cancelledMeanwhile != null) {
        cancel(run.runId, cancelledMeanwhile);
      }
      return run;
    } finally {
      cancelsBeforeStart.remove(request.runId());
    }
  }

  private ContainerRun start(LaunchRequest request, OutputSink output) throws LaunchException {
    String image = imageOf(request);
    long began = System.nanoTime();
    Optional<Bind> bundle = bundles.mountFor(request);
    String containerId;
    try {
      // Create straight away: an image that is present costs no extra round trip.
      try {
        containerId = create(request, image, bundle);
      } catch (ImageAbsent absent) {
        ensureImage(request, image);
        containerId = create(request, image, bundle);
      }
    } catch (ImageAbsent e) {
      bundles.release(request.runId(), request.run().attempt());
      throw new LaunchException(
          "run "
              + request.runId()
              + ": image '"
              + image
              + "' is not on the Docker engine: "
              + EngineErrors.message(e.getCause()),
          RunState.Failed,
          "ImageNotFound",
          e.getCause());
    } catch (LaunchException e) {
      bundles.release(request.runId(), request.run().attempt());
      throw e;
    }
    ContainerRun run =
        new ContainerRun(
            request.runId(),
            request.run().attempt(),
            containerId,
            image,
            sinkFor(request.runId(), secretValues(request.environment()), output),
            null);
    byContainer.put(containerId, run);
    byRun.put(run.runId, run);
    long created = System.nanoTime();
    try {
      for (String network :
          settings
              .networks()
              .subList(Math.min(1, settings.networks().size()), settings.networks().size())) {
        docker.connectToNetworkCmd().withNetworkId(network).withContainerId(containerId).exec();
      }
      docker.startContainerCmd(containerId).exec();
    } catch (RuntimeException e) {
      forget(run);
      removeQuietly(containerId);
      bundles.release(run.runId, run.attempt);
      String message = EngineErrors.message(e);
      boolean imageAtFault =
          message.contains("executable file not found") || message.contains("no such file");
      throw new LaunchException(
          "run "
              + request.runId()
              + ": container "
              + run.shortId()
              + " of image '"
              + image
              + "' did not start: "
              + message,
          imageAtFault ? RunState.Failed : RunState.Crashed,
          imageAtFault ? "ImageNotRunnable" : "ContainerStartFailed",
          e);
    }
    long started = System.nanoTime();
    follow(run, null, true);
    log.debug(
        "run {} started in container {} of image {} (created in {} ms, started in {} ms)",
        run.runId,
        run.shortId(),
        image,
        (created - began) / 1_000_000,
        (started - created) / 1_000_000);
    return run;
  }

  /** The flow environment's image, else the default image. */
  String imageOf(LaunchRequest request) {
    String image = request.image();
    return image != null && !image.isBlank() ? image.trim() : settings.effectiveDefaultImage();
  }

  private void ensureImage(LaunchRequest request, String image) throws LaunchException {
    try {
      docker.inspectImageCmd(image).exec();
      return;
    } catch (NotFoundException absent) {
      // pull it below, if allowed
    } catch (RuntimeException e) {
      throw unavailable(request, "inspecting image '" + image + "'", e);
    }
    if (!settings.pull()) {
      throw new LaunchException(
          "run "
              + request.runId()
              + ": image '"
              + image
              + "' is not on the Docker engine and this agent does not pull (--no-pull);"
              + " build or pull it there, or start the agent without --no-pull",
          RunState.Failed,
          "ImageNotFound",
          null);
    }
    pull(request, image);
  }

  private void pull(LaunchRequest request, String image) throws LaunchException {
    log.info("run {}: pulling image {}", request.runId(), image);
    PullImageCmd command;
    if (image.contains("@")) {
      command = docker.pullImageCmd(image);
    } else {
      int slash = image.lastIndexOf('/');
      int colon = image.lastIndexOf(':');
      if (colon > slash) {
        command =
            docker.pullImageCmd(image.substring(0, colon)).withTag(image.substring(colon + 1));
      } else {
        command = docker.pullImageCmd(image).withTag("latest");
      }
    }
    AuthConfig auth = registryAuth(image);
    if (auth != null) {
      command.withAuthConfig(auth);
    }
    PullImageResultCallback callback = command.exec(new PullImageResultCallback());
    try {
      if (!callback.awaitCompletion(settings.pullTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        throw new LaunchException(
            "run "
                + request.runId()
                + ": pulling image '"
                + image
                + "' took longer than "
                + settings.pullTimeout().toSeconds()
                + " s",
            RunState.Failed,
            "ImagePullTimeout",
            null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LaunchException(
          "run " + request.runId() + ": interrupted while pulling image '" + image + "'",
          RunState.Crashed,
          "LaunchInterrupted",
          e);
    } catch (RuntimeException e) {
      throw new LaunchException(
          "run "
              + request.runId()
              + ": pulling image '"
              + image
              + "' failed: "
              + EngineErrors.message(e),
          RunState.Failed,
          "ImagePullFailed",
          e);
    } finally {
      closeQuietly(callback);
    }
  }

  /** Credentials for the image's registry from the usual Docker configuration, if any. */
  private AuthConfig registryAuth(String image) {
    try {
      return config.effectiveAuthConfig(image);
    } catch (RuntimeException e) {
      log.warn("no registry credentials for image {}: {}", image, EngineErrors.message(e));
      return null;
    }
  }

  private String create(LaunchRequest request, String image, Optional<Bind> bundle)
      throws LaunchException, ImageAbsent {
    List<String> env = new ArrayList<>();
    // The agent's --env first: the run's own bootstrap variables and secrets win over them.
    settings.environment().forEach((name, value) -> env.add(name + "=" + value));
    request.environment().forEach((name, value) -> env.add(name + "=" + value));

    List<Bind> binds = new ArrayList<>();
    for (VolumeMount volume : settings.volumes()) {
      binds.add(Bind.parse(volume.toString()));
    }
    bundle.ifPresent(binds::add);

    HostConfig host =
        HostConfig.newHostConfig()
            .withBinds(binds)
            .withLogConfig(new LogConfig(LogConfig.LoggingType.JSON_FILE, Map.of()));
    if (!settings.networks().isEmpty()) {
      host.withNetworkMode(settings.networks().get(0));
    }
    if (settings.memoryBytes() != null) {
      host.withMemory(settings.memoryBytes()).withMemorySwap(settings.memoryBytes());
    }
    CreateContainerCmd command =
        docker
            .createContainerCmd(image)
            .withName("gantry-" + request.runId() + "-" + request.run().attempt())
            .withLabels(ContainerLabels.of(request))
            .withEnv(env)
            .withCmd("execute", "flow-run")
            .withHostConfig(host);
    try {
      return command.exec().getId();
    } catch (NotFoundException e) {
      String message = EngineErrors.message(e);
      if (message.toLowerCase(java.util.Locale.ROOT).contains("no such image")) {
        throw new ImageAbsent(e);
      }
      throw new LaunchException(
          "run "
              + request.runId()
              + ": cannot create a container of image '"
              + image
              + "': "
              + message,
          RunState.Crashed,
          "ContainerCreateFailed",
          e);
    } catch (ConflictException e) {
      throw new LaunchException(
          "run " + request.runId() + ": cannot create its container: " + EngineErrors.message(e),
          RunState.Crashed,
          "ContainerCreateFailed",
          e);
    } catch (RuntimeException e) {
      throw unavailable(request, "creating a container of image '" + image + "'", e);
    }
  }

  private LaunchException unavailable(LaunchRequest request, String doing, RuntimeException e) {
    return new LaunchException(
        "run "
            + request.runId()
            + ": the Docker engine at "
            + engine()
            + " failed while "
            + doing
            + ": "
            + EngineErrors.message(e),
        RunState.Crashed,
        "DockerUnavailable",
        e);
  }

  private OutputSink sinkFor(String runId, List<String> secretValues, OutputSink output) {
    if (!settings.showFlowLogs()) {
      return output;
    }
    return new FlowOutputPrinter(runId, new Redactor(secretValues), output);
  }

  private static List<String> secretValues(Map<String, String> environment) {
    List<String> values = new ArrayList<>();
    environment.forEach(
        (name, value) -> {
          if (name.startsWith(BootstrapSpec.SECRET_PREFIX)
              && !name.equals(BootstrapSpec.SECRET_NAMES)) {
            values.add(value);
          }
        });
    return values;
  }

  // ---- watching -----------------------------------------------------------------------------

  /** Reads the container's output: following it, or (after it stopped) what remains. */
  private void follow(ContainerRun run, Instant since, boolean following) {
    run.following(
        logs.read(
            run.containerId,
            since,
            following,
            new LogStreams.Listener() {
              @Override
              public void line(Instant at, String line) {
                run.deliver(at, line);
              }

              @Override
              public void ended(Throwable error) {
                onOutputEnded(run, error, following);
              }
            }));
  }

  private void onOutputEnded(ContainerRun run, Throwable error, boolean wasFollowing) {
    if (closed || byContainer.get(run.containerId) != run) {
      return;
    }
    if (LogStreams.containerGone(error)) {
      run.removedFromOutside();
      run.markOutputEnded();
      maybeFinish(run);
      return;
    }
    if (error != null) {
      int failures = logRetries.merge(run.containerId, 1, Integer::sum);
      long wait = Math.min(MAX_LOG_RETRY.toMillis(), 500L << Math.min(failures, 6));
      log.warn(
          "{}: reading its output failed ({}); resuming in {} ms",
          run,
          EngineErrors.message(error),
          wait);
      schedule(
          () -> {
            if (!closed && byContainer.get(run.containerId) == run) {
              follow(run, run.resumePoint(), true);
            }
          },
          wait);
      return;
    }
    logRetries.remove(run.containerId);
    if (wasFollowing) {
      // The engine can end a followed stream before the last lines of a stopping container;
      // read the rest once more, skipping what was delivered.
      follow(run, run.resumePoint(), false);
      return;
    }
    run.markOutputEnded();
    if (!run.hasDied()) {
      schedule(() -> work(() -> probe(run)), EXIT_PROBE.toMillis());
    }
    maybeFinish(run);
  }

  private void onEvent(Event event) {
    ContainerRun run = event.getId() == null ? null : byContainer.get(event.getId());
    if (run == null) {
      return;
    }
    String action = event.getAction() != null ? event.getAction() : event.getStatus();
    if (action == null) {
      return;
    }
    switch (action) {
      case "oom" -> run.oomKilled();
      case "die" -> {
        if (run.died(exitCodeOf(event))) {
          scheduleFinishChecks(run);
        }
      }
      case "destroy" -> {
        run.removedFromOutside();
        scheduleFinishChecks(run);
        maybeFinish(run);
      }
      default -> {
        // other events are not subscribed to
      }
    }
  }

  private static Integer exitCodeOf(Event event) {
    if (event.getActor() == null || event.getActor().getAttributes() == null) {
      return null;
    }
    String code = event.getActor().getAttributes().get("exitCode");
    try {
      return code == null ? null : Integer.valueOf(code);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Asks the engine about a container whose end may have gone unreported. */
  private void probe(ContainerRun run) {
    if (closed || byContainer.get(run.containerId) != run) {
      return;
    }
    try {
      InspectContainerResponse.ContainerState state =
          docker.inspectContainerCmd(run.containerId).exec().getState();
      if (Boolean.TRUE.equals(state.getOOMKilled())) {
        run.oomKilled();
      }
      if (!Boolean.TRUE.equals(state.getRunning()) && run.died(exitCodeOf(state))) {
        scheduleFinishChecks(run);
      }
    } catch (NotFoundException gone) {
      run.removedFromOutside();
      scheduleFinishChecks(run);
    } catch (RuntimeException e) {
      log.warn("{}: inspecting it failed ({}); trying again", run, EngineErrors.message(e));
      schedule(() -> work(() -> probe(run)), EXIT_PROBE.toMillis() * 5);
      return;
    }
    maybeFinish(run);
  }

  private static Integer exitCodeOf(InspectContainerResponse.ContainerState state) {
    Long code = state.getExitCodeLong();
    return code == null ? null : code.intValue();
  }

  private void scheduleFinishChecks(ContainerRun run) {
    schedule(() -> maybeFinish(run), SETTLE.toMillis());
    schedule(() -> maybeFinish(run), OUTPUT_WAIT.toMillis());
  }

  private void maybeFinish(ContainerRun run) {
    if (run.claimFinish(SETTLE.toNanos(), OUTPUT_WAIT.toNanos())) {
      work(() -> finish(run));
    }
  }

  /** Decides the exit report, completes the run, removes the container. */
  private void finish(ContainerRun run) {
    if (!run.outputEnded()) {
      log.warn("{}: its output did not end within {} s of its exit", run, OUTPUT_WAIT.toSeconds());
    }
    run.stopFollowing();
    ExitReport report = exitReport(run);
    try {
      if (run.cancelRequested()) {
        removeQuietly(run.containerId);
        run.complete(report);
      } else {
        run.complete(report);
        removeQuietly(run.containerId);
      }
    } finally {
      bundles.release(run.runId, run.attempt);
      forget(run);
    }
    log.debug("{} ended: {}", run, report.describe());
  }

  private ExitReport exitReport(ContainerRun run) {
    Integer code = run.exitCodeFromEvents();
    boolean oom = run.oomFromEvents();
    boolean removed = run.isRemovedFromOutside();
    Long memory = null;
    if (!removed) {
      try {
        InspectContainerResponse inspected = docker.inspectContainerCmd(run.containerId).exec();
        InspectContainerResponse.ContainerState state = inspected.getState();
        oom |= Boolean.TRUE.equals(state.getOOMKilled());
        if (state.getExitCodeLong() != null) {
          code = state.getExitCodeLong().intValue();
        }
        removed = "removing".equals(state.getStatus());
        if (inspected.getHostConfig() != null) {
          memory = inspected.getHostConfig().getMemory();
        }
      } catch (NotFoundException gone) {
        removed = true;
      } catch (RuntimeException e) {
        log.warn("{}: inspecting its end failed: {}", run, EngineErrors.message(e));
      }
    }
    String reason = null;
    if (oom) {
      reason =
          "OOMKilled: container "
              + run.shortId()
              + " exceeded its memory limit"
              + (memory != null && memory > 0 ? " of " + (memory / (1024 * 1024)) + " MiB" : "");
    } else if (removed && !run.cancelRequested()) {
      reason =
          "container "
              + run.shortId()
              + " of run "
              + run.runId
              + " was removed from outside the agent";
    }
    return new ExitReport(code == null ? -1 : code, reason);
  }

  private void forget(ContainerRun run) {
    byContainer.remove(run.containerId, run);
    byRun.remove(run.runId, run);
    logRetries.remove(run.containerId);
  }

  private void removeQuietly(String containerId) {
    try {
      docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException gone) {
      // already removed
    } catch (ConflictException e) {
      if (!EngineErrors.message(e).contains("already in progress")) {
        log.warn("container {} could not be removed: {}", containerId, EngineErrors.message(e));
      }
    } catch (RuntimeException e) {
      log.warn("container {} could not be removed: {}", containerId, EngineErrors.message(e));
    }
  }

  // ---- find, discover, cancel ---------------------------------------------------------------

  /**
   * Finds the container of a run attempt by its labels and takes it over: a running one is followed
   * from here on, an exited one has its remaining output delivered and completes with its exit code
   * (or OOM kill). Output the backend already holds (log lines up to {@code outputSince}) is not
   * delivered again; the bootstrap's state events are, so the final result is known whenever the
   * container reported it.
   *
   * @throws IllegalStateException when the engine cannot be asked
   */
  @Override
  public Optional<RunExecution> find(
      String runId, int attempt, Instant outputSince, OutputSink output) {
    ContainerRun known = byRun.get(runId);
    if (known != null && known.attempt == attempt) {
      return Optional.of(known);
    }
    List<Container> found;
    InspectContainerResponse inspected;
    try {
      found =
          docker
              .listContainersCmd()
              .withShowAll(true)
              .withLabelFilter(ContainerLabels.ofAttempt(runId, attempt))
              .exec();
      if (found.isEmpty()) {
        return Optional.empty();
      }
      inspected = docker.inspectContainerCmd(found.get(0).getId()).exec();
    } catch (NotFoundException gone) {
      return Optional.empty();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot look for the container of run "
              + runId
              + " on the Docker engine at "
              + engine()
              + ": "
              + EngineErrors.message(e),
          e);
    }
    Map<String, String> env = new java.util.LinkedHashMap<>();
    if (inspected.getConfig() != null && inspected.getConfig().getEnv() != null) {
      for (String pair : inspected.getConfig().getEnv()) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          env.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
      }
    }
    ContainerRun run =
        new ContainerRun(
            runId,
            attempt,
            inspected.getId(),
            inspected.getConfig() != null
                ? inspected.getConfig().getImage()
                : found.get(0).getImage(),
            sinkFor(runId, secretValues(env), output),
            outputSince);
    byContainer.put(run.containerId, run);
    byRun.put(runId, run);
    InspectContainerResponse.ContainerState state = inspected.getState();
    if (Boolean.TRUE.equals(state.getOOMKilled())) {
      run.oomKilled();
    }
    if (!Boolean.TRUE.equals(state.getRunning())) {
      run.died(exitCodeOf(state));
      scheduleFinishChecks(run);
    }
    follow(run, null, true);
    log.info(
        "run {}: found its container {} ({})",
        runId,
        run.shortId(),
        Boolean.TRUE.equals(state.getRunning()) ? "running; re-attached" : "exited");
    return Optional.of(run);
  }

  @Override
  public List<Infrastructure> discover() {
    List<Container> containers;
    try {
      containers =
          docker
              .listContainersCmd()
              .withShowAll(true)
              .withLabelFilter(Map.of(ContainerLabels.MANAGED, "true"))
              .exec();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot list the run containers on the Docker engine at "
              + engine()
              + ": "
              + EngineErrors.message(e),
          e);
    }
    List<Infrastructure> found = new ArrayList<>();
    for (Container container : containers) {
      Map<String, String> labels = container.getLabels() == null ? Map.of() : container.getLabels();
      String runId = labels.get(ContainerLabels.RUN_ID);
      if (runId == null) {
        continue;
      }
      found.add(
          new Infrastructure(
              container.getId(),
              runId,
              ContainerLabels.attempt(labels),
              labels.get(ContainerLabels.AGENT_ID),
              "running".equals(container.getState())));
    }
    return found;
  }

  /**
   * Stops the run's container: SIGTERM now (the bootstrap stops its tasks and reports Cancelled),
   * SIGKILL after {@code grace}. The run's exit completes once the container is removed.
   */
  @Override
  public void cancel(String runId, Duration grace) {
    ContainerRun run = byRun.get(runId);
    if (run == null) {
      // Its launch may be under way (pulling the image, creating the container): it is stopped
      // as soon as it started.
      cancelsBeforeStart.put(runId, grace);
      return;
    }
    run.requestCancel();
    work(() -> signal(run, "SIGTERM"));
    schedule(
        () -> {
          if (byContainer.get(run.containerId) == run && !run.hasDied()) {
            log.warn("{} did not stop within {} s; killing it", run, grace.toSeconds());
            work(() -> signal(run, "SIGKILL"));
          }
        },
        grace.toMillis());
  }

  /**
   * Removes a container the agent's reconciliation found left over (its run ended, or it belongs to
   * an older attempt), with the bundle copy made for it. A container this launcher still follows is
   * left to its own end.
   */
  @Override
  public void remove(Infrastructure infrastructure) {
    ContainerRun followed = byContainer.get(infrastructure.id());
    if (followed != null) {
      return;
    }
    removeQuietly(infrastructure.id());
    bundles.release(infrastructure.runId(), infrastructure.attempt());
  }

  private void signal(ContainerRun run, String signal) {
    try {
      docker.killContainerCmd(run.containerId).withSignal(signal).exec();
    } catch (NotFoundException | ConflictException | NotModifiedException notRunning) {
      // it already stopped or is gone; its exit is on its way
    } catch (RuntimeException e) {
      log.warn("{}: sending {} failed: {}", run, signal, EngineErrors.message(e));
    }
  }

  /** Says which engine the agent uses, or that it does not answer yet. */
  @Override
  public void prepare() {
    try {
      var version = docker.versionCmd().exec();
      log.info(
          "Docker engine {} (API {}) at {}; default image {}{}",
          version.getVersion(),
          version.getApiVersion(),
          engine(),
          settings.effectiveDefaultImage(),
          settings.pull() ? "" : ", never pulling");
    } catch (RuntimeException e) {
      log.warn(
          "the Docker engine at {} does not answer ({}); runs fail to launch until it does",
          engine(),
          EngineErrors.message(e));
    }
  }

  @Override
  public boolean isPlatformReachable() {
    try {
      docker.pingCmd().exec();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Run containers this launcher watches now. */
  public int watchedContainers() {
    return byContainer.size();
  }

  /** Stops watching. Containers keep running: a later agent finds them by their labels. */
  @Override
  public void close() {
    closed = true;
    events.close();
    byContainer.values().forEach(ContainerRun::stopFollowing);
    logs.close();
    timers.shutdownNow();
    workers.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      docker.close();
    } catch (IOException e) {
      log.debug("closing the Docker client: {}", e.toString());
    }
  }

  // ---- small helpers ------------------------------------------------------------------------

  private void work(Runnable task) {
    try {
      workers.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.warn("Docker launcher task failed: {}", e.toString());
            }
          });
    } catch (RejectedExecutionException closing) {
      // the launcher is closing
    }
  }

  private void schedule(Runnable task, long delayMillis) {
    try {
      timers.schedule(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.warn("Docker launcher timer failed: {}", e.toString());
            }
          },
          delayMillis,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // the launcher is closing
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // nothing more to release
    }
  }

  /** The engine does not have the image a container was to be created from. */
  private static final class ImageAbsent extends Exception {
    private static final long serialVersionUID = 1L;

    ImageAbsent(NotFoundException cause) {
      super(cause.getMessage(), cause);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name, AtomicInteger counter) {
    return r -> {
      Thread t = new Thread(r, counter == null ? name : name + counter.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
