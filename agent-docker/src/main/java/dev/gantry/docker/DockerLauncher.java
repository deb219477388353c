package dev.gantry.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.catalog.RunConfig;
import dev.gantry.launch.Infrastructure;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.Launcher;
import dev.gantry.launch.OutputSink;
import dev.gantry.launch.RunExecution;
import dev.gantry.protocol.FlatJson;
import dev.gantry.supervision.Redactor;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each flow run as a Docker container of the image its flow names (else the default image),
 * running {@code gantry execute flow-run} with the run's bootstrap environment; its secret values
 * reach the bootstrap on the container's stdin ({@link SecretHandoff}), never in its configuration.
 *
 * <p>The launcher creates, starts, finds, discovers, cancels and removes containers; each run's
 * container is then watched by its {@link ContainerSupervisor}. Watching costs no thread per run:
 * exits come from one event stream of the engine ({@link ContainerEvents}: die, oom, destroy of
 * containers labelled {@value ContainerLabels#MANAGED}), output from non-blocking log connections
 * multiplexed on one thread, and the rest (inspecting, removing, signalling) runs on a small shared
 * pool ({@link LauncherThreads}). A run's {@link RunExecution#exit()} completes once the engine
 * reported the container's end and its output was read to the end.
 */
public final class DockerLauncher implements Launcher {
  private static final Logger log = LoggerFactory.getLogger(DockerLauncher.class);

  private final DockerSettings settings;
  private final EngineConnection connection;
  private final DockerClient docker;
  private final ContainerEngine engine;
  private final ImagePuller images;
  private final LogStreams logs;
  private final ContainerEvents events;
  private final LocalBundleMounts bundles;
  private final LauncherThreads threads = new LauncherThreads();
  private final WatchedContainers watched = new WatchedContainers();
  private final Map<String, Duration> cancelsBeforeStart = new ConcurrentHashMap<>();

  /** How long attaching to a container's stdin and the engine's taking the secrets may take. */
  static final Duration SECRET_HANDOFF_TIMEOUT = Duration.ofSeconds(30);

  public DockerLauncher(DockerSettings settings) {
    this(settings, LocalBundleMounts.inTempDir());
  }

  DockerLauncher(DockerSettings settings, LocalBundleMounts bundles) {
    this.settings = settings;
    this.bundles = bundles;
    this.connection = new EngineConnection(settings);
    this.docker = connection.client();
    this.engine = new DockerContainerEngine(docker);
    this.images = new ImagePuller(docker, connection.config(), settings);
    this.logs = connection.logStreams();
    this.events =
        new ContainerEvents(
            docker,
            threads.timer(),
            new ContainerEvents.Handler() {
              @Override
              public void event(Event event) {
                EngineEvent.of(event).ifPresent(DockerLauncher.this::onEvent);
              }

              @Override
              public void reconnected() {
                watched.all().forEach(ContainerSupervisor::reconnected);
              }
            });
    events.start();
    new BundleSweep(docker, bundles, java.time.Clock.systemUTC()).start(threads);
  }

  /** Containers and Jobs keep running without their agent; the next agent adopts them. */
  @Override
  public boolean infrastructureOutlivesAgent() {
    return true;
  }

  /** The flow's settings over this agent's default memory and CPUs. */
  @Override
  public RunConfig asked(LaunchRequest request) {
    return RunResources.asked(settings, request);
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
    return connection.address();
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
    ContainerSpec spec;
    String containerId;
    try {
      // Create straight away: an image that is present costs no extra round trip.
      try {
        spec = ContainerSpec.forRun(settings, request, image, bundles.mountFor(request));
        containerId = create(request, spec);
      } catch (ImageAbsent absent) {
        // No bundle copy while pulling (up to --pull-timeout): a killed agent leaves none.
        bundles.release(request.runId(), request.run().attempt());
        images.ensure(request, image);
        spec = ContainerSpec.forRun(settings, request, image, bundles.mountFor(request));
        containerId = create(request, spec);
      }
    } catch (ImageAbsent e) {
      bundles.release(request.runId(), request.run().attempt());
      throw LaunchFailures.imageNotFound(request, image, e.getCause());
    } catch (LaunchException | RuntimeException e) {
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
    ContainerSupervisor supervisor = supervise(run);
    long created = System.nanoTime();
    SecretHandoff secrets = null;
    try {
      for (String network : spec.extraNetworks()) {
        docker.connectToNetworkCmd().withNetworkId(network).withContainerId(containerId).exec();
      }
      if (spec.secretsOnStdin()) {
        secrets =
            SecretHandoff.attach(
                connection.engineAddress(),
                docker,
                threads.timer(),
                containerId,
                FlatJson.encode(BootstrapSpec.secretVariables(request.environment())),
                SECRET_HANDOFF_TIMEOUT);
      }
      docker.startContainerCmd(containerId).exec();
      if (secrets != null) {
        secrets.awaitDelivered();
        run.exit().whenComplete(secrets.closer());
      }
    } catch (IOException | RuntimeException e) {
      if (secrets != null) {
        secrets.close();
      }
      watched.forget(supervisor);
      engine.remove(containerId);
      bundles.release(run.runId, run.attempt);
      throw e instanceof RuntimeException re
          ? LaunchFailures.notStarted(request, run.shortId(), image, re)
          : LaunchFailures.secretsNotDelivered(request, run.shortId(), e.getMessage(), e);
    }
    long started = System.nanoTime();
    supervisor.startFollowing();
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

  private String create(LaunchRequest request, ContainerSpec spec)
      throws LaunchException, ImageAbsent {
    try {
      return spec.applyTo(docker.createContainerCmd(spec.image())).exec().getId();
    } catch (NotFoundException e) {
      if (EngineErrors.message(e).toLowerCase(Locale.ROOT).contains("no such image")) {
        throw new ImageAbsent(e);
      }
      throw LaunchFailures.createFailed(request, spec.image(), e);
    } catch (ConflictException e) {
      throw LaunchFailures.createConflict(request, e);
    } catch (RuntimeException e) {
      throw LaunchFailures.unavailable(
          request, engine(), "creating a container of image '" + spec.image() + "'", e);
    }
  }

  private ContainerSupervisor supervise(ContainerRun run) {
    ContainerSupervisor supervisor =
        new ContainerSupervisor(
            run,
            engine,
            logs,
            threads,
            watched,
            () -> bundles.release(run.runId, run.attempt),
            ContainerSupervisor.Timings.DEFAULT);
    watched.watch(supervisor);
    return supervisor;
  }

  private OutputSink sinkFor(String runId, List<String> secretValues, OutputSink output) {
    if (!settings.showFlowLogs()) {
      return output;
    }
    return new FlowOutputPrinter(runId, new Redactor(secretValues), output);
  }

  private static List<String> secretValues(Map<String, String> environment) {
    return new ArrayList<>(BootstrapSpec.secretVariables(environment).values());
  }

  /**
   * The console printer of a re-attached run. Its secret values were handed over on stdin and are
   * nowhere on the engine, so they cannot be masked here: a run that has secrets is not printed.
   * (What the agent stores is masked by its own reporter, which resolves the values again.)
   */
  private OutputSink adoptedSinkFor(String runId, Map<String, String> env, OutputSink output) {
    if (settings.showFlowLogs()
        && !env.getOrDefault(BootstrapSpec.SECRET_NAMES, "").isBlank()
        && BootstrapSpec.secretVariables(env).isEmpty()) {
      log.info(
          "run {}: its output is not printed on this console after re-attaching: its secret"
              + " values are unknown to the launcher, so they could not be masked; `gantry run"
              + " logs {}` shows it masked",
          runId,
          runId);
      return output;
    }
    return sinkFor(runId, secretValues(env), output);
  }

  private void onEvent(EngineEvent event) {
    ContainerSupervisor supervisor = watched.ofContainer(event.containerId());
    if (supervisor != null) {
      supervisor.onEvent(event);
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
    ContainerSupervisor known = watched.ofRun(runId);
    if (known != null && known.run().attempt == attempt) {
      return Optional.of(known.run());
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
        bundles.release(runId, attempt); // the run ends without infrastructure
        return Optional.empty();
      }
      inspected = docker.inspectContainerCmd(found.get(0).getId()).exec();
    } catch (NotFoundException gone) {
      bundles.release(runId, attempt);
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
    Map<String, String> env = environmentOf(inspected);
    ContainerRun run =
        new ContainerRun(
            runId,
            attempt,
            inspected.getId(),
            inspected.getConfig() != null
                ? inspected.getConfig().getImage()
                : found.get(0).getImage(),
            adoptedSinkFor(runId, env, output),
            outputSince);
    ContainerSupervisor supervisor = supervise(run);
    ContainerState state = DockerContainerEngine.stateOf(inspected);
    supervisor.adopt(state);
    supervisor.startFollowing();
    log.info(
        "run {}: found its container {} ({})",
        runId,
        run.shortId(),
        state.running() ? "running; re-attached" : "exited");
    return Optional.of(run);
  }

  private static Map<String, String> environmentOf(InspectContainerResponse inspected) {
    Map<String, String> env = new LinkedHashMap<>();
    if (inspected.getConfig() != null && inspected.getConfig().getEnv() != null) {
      for (String pair : inspected.getConfig().getEnv()) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          env.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
      }
    }
    return env;
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
    ContainerSupervisor supervisor = watched.ofRun(runId);
    if (supervisor == null) {
      // Its launch may be under way (pulling the image, creating the container): it is stopped
      // as soon as it started.
      cancelsBeforeStart.put(runId, grace);
      return;
    }
    supervisor.cancel(grace);
  }

  /**
   * Removes a container the agent's reconciliation found left over (its run ended, or it belongs to
   * an older attempt), with the bundle copy made for it. A container this launcher still follows is
   * left to its own end.
   */
  @Override
  public void remove(Infrastructure infrastructure) {
    if (watched.ofContainer(infrastructure.id()) != null) {
      return;
    }
    engine.remove(infrastructure.id());
    bundles.release(infrastructure.runId(), infrastructure.attempt());
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
    return watched.size();
  }

  /** Stops watching. Containers keep running: a later agent finds them by their labels. */
  @Override
  public void close() {
    watched.close();
    events.close();
    watched.all().forEach(ContainerSupervisor::stopFollowing);
    logs.close();
    threads.close();
    try {
      docker.close();
    } catch (IOException e) {
      log.debug("closing the Docker client: {}", e.toString());
    }
  }

  /** The engine does not have the image a container was to be created from. */
  private static final class ImageAbsent extends Exception {
    private static final long serialVersionUID = 1L;

    ImageAbsent(NotFoundException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
