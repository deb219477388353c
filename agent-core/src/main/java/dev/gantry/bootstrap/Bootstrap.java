package dev.gantry.bootstrap;

import dev.gantry.bundle.BundleException;
import dev.gantry.bundle.BundleLoader;
import dev.gantry.bundle.LoadedFlow;
import dev.gantry.bundle.Sha256;
import dev.gantry.bundle.WorkDirectory;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.flow.Flow;
import dev.gantry.flow.FlowFactory;
import dev.gantry.flow.FlowLoadException;
import dev.gantry.flow.ParameterException;
import dev.gantry.flow.Secrets;
import dev.gantry.flow.run.FlowRunResult;
import dev.gantry.flow.run.FlowRunner;
import dev.gantry.protocol.FlatJson;
import dev.gantry.storage.ResolvedBuild;
import dev.gantry.storage.StorageException;
import dev.gantry.storage.StorageRegistry;
import dev.gantry.tracing.RunLogFields;
import dev.gantry.tracing.TraceParent;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code gantry execute flow-run}: runs one attempt of a flow run inside its container or child
 * JVM. Reads its instructions from the environment (and, with {@link
 * BootstrapSpec#SECRETS_ON_STDIN}, the run's secret values from the first line of stdin), fetches
 * the bundle, verifies it, loads it, runs it and reports through protocol lines on stdout and its
 * exit code ({@link ExitCodes}).
 */
public final class Bootstrap {
  /** The Logback configuration of bootstrap processes; set before the first logger is made. */
  public static final String LOGBACK_CONFIG = "logback-bootstrap.xml";

  private static final int DEFAULT_PARALLELISM = 4;

  private final ProtocolOutput output;
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile Thread runner;
  private volatile boolean cancelled;

  private Bootstrap(ProtocolOutput output) {
    this.output = output;
  }

  /** Entry point for launchers that start the JVM directly (faster than the full CLI). */
  public static void main(String[] args) throws IOException {
    System.setProperty("logback.configurationFile", LOGBACK_CONFIG);
    if ("true".equals(System.getenv(BootstrapSpec.STANDBY))) {
      System.exit(Standby.awaitRunAndExecute());
    }
    System.exit(execute(System.getenv()));
  }

  /**
   * Runs the attempt described by {@code env} and returns the exit code. Takes over System.out and
   * System.err of this process for the duration.
   */
  public static int execute(Map<String, String> env) {
    return execute(env, System.in);
  }

  /**
   * As {@link #execute(Map)}, watching {@code stdin} for the agent's end when {@link
   * BootstrapSpec#WATCH_STDIN} is set.
   */
  static int execute(Map<String, String> env, InputStream stdin) {
    PrintStream stdout = System.out;
    ProtocolOutput output = new ProtocolOutput(stdout);
    String terminationLog = env.get(BootstrapSpec.TERMINATION_LOG);
    if (terminationLog != null && !terminationLog.isBlank()) {
      output.terminationLog(Path.of(terminationLog));
    }
    ProtocolOutput.install(output);
    PrintStream forwardOut = new PrintStream(new LineForwardingStream(output, "stdout"), true);
    PrintStream forwardErr = new PrintStream(new LineForwardingStream(output, "stderr"), true);
    System.setOut(forwardOut);
    System.setErr(forwardErr);
    Bootstrap bootstrap = new Bootstrap(output);
    Thread hook = new Thread(bootstrap::onTerminate, "gantry-terminate");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Map<String, String> effective = env;
      if ("true".equals(env.get(BootstrapSpec.SECRETS_ON_STDIN))) {
        try {
          effective = withSecretsFromStdin(env, stdin);
        } catch (IllegalArgumentException | IOException e) {
          return bootstrap.fail(ExitCodes.BAD_INPUT, "bootstrap: " + e.getMessage());
        }
      }
      Secrets.deliver(BootstrapSpec.secretVariables(effective));
      if ("true".equals(env.get(BootstrapSpec.WATCH_STDIN))) {
        bootstrap.watchStdin(stdin);
      }
      return bootstrap.run(effective);
    } finally {
      forwardOut.close();
      forwardErr.close();
      System.setOut(stdout);
      System.setErr(stdout);
      bootstrap.finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already stopping; the hook is running or ran
      }
    }
  }

  /**
   * {@code env} plus the secret values of the one JSON line the launcher writes on stdin first.
   * Only {@code GANTRY_SECRET_<NAME>} variables are taken from it.
   */
  static Map<String, String> withSecretsFromStdin(Map<String, String> env, InputStream stdin)
      throws IOException {
    String line = Standby.readLine(stdin);
    if (line == null) {
      throw new IllegalArgumentException(
          BootstrapSpec.SECRETS_ON_STDIN
              + " is set but stdin ended before the line of secret values; the launcher that"
              + " started this run went away before handing them over");
    }
    Map<String, String> values;
    try {
      values = FlatJson.decodeStrings(line);
    } catch (IllegalArgumentException e) {
      // never echo the line: it holds secret values
      throw new IllegalArgumentException(
          "the line of secret values on stdin is not a JSON object of strings");
    }
    Map<String, String> merged = new java.util.HashMap<>(env);
    merged.putAll(BootstrapSpec.secretVariables(values));
    return merged;
  }

  private int run(Map<String, String> env) {
    BootstrapSpec spec;
    try {
      spec = BootstrapSpec.fromEnvironment(env);
    } catch (IllegalArgumentException e) {
      return fail(ExitCodes.BAD_INPUT, "bootstrap: " + e.getMessage());
    }
    output.runFields(runFields(spec, env));
    output.runState("Running");
    Path workDir = null;
    try {
      workDir = Files.createTempDirectory("gantry-run-");
      runner = Thread.currentThread();
      return runFlow(spec, workDir, env);
    } catch (StorageException | BundleException | FlowLoadException e) {
      return fail(ExitCodes.LOAD_FAILED, e.getMessage());
    } catch (IOException e) {
      return fail(
          ExitCodes.LOAD_FAILED,
          "cannot fetch or open the bundle of flow '" + spec.flowName() + "': " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return cancelledResult();
    } finally {
      runner = null;
      WorkDirectory.deleteQuietly(workDir);
    }
  }

  /**
   * The fields every line of this attempt carries. The trace is the one the agent handed over, or,
   * from an agent that hands none, the same one derived from the run.
   */
  private static Map<String, String> runFields(BootstrapSpec spec, Map<String, String> env) {
    TraceParent trace =
        TraceParent.parse(env.get(TraceParent.VARIABLE))
            .orElseGet(() -> TraceParent.forAttempt(spec.runId(), spec.attempt()));
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(RunLogFields.RUN_ID, spec.runId());
    fields.put(RunLogFields.FLOW, spec.flowName());
    fields.put(RunLogFields.FLOW_VERSION, Integer.toString(spec.flowVersion()));
    fields.put(RunLogFields.ATTEMPT, Integer.toString(spec.attempt()));
    fields.put(RunLogFields.TRACE_ID, trace.traceId());
    fields.put(RunLogFields.SPAN_ID, trace.spanId());
    return fields;
  }

  private int runFlow(BootstrapSpec spec, Path workDir, Map<String, String> env)
      throws IOException, InterruptedException {
    if (spec.format() == BundleFormat.module) {
      Flow flow = FlowFactory.parse(spec.factory()).build(Bootstrap.class.getClassLoader());
      return runLoaded(flow, spec);
    }
    Path bundle = workDir.resolve("flow.gantry");
    StorageRegistry.installed().fetch(spec.flowName(), spec.location(), bundle, env);
    String expectedDigest = spec.format() == BundleFormat.serialized ? spec.digest() : null;
    if (spec.format() == BundleFormat.serialized && expectedDigest == null) {
      return fail(
          ExitCodes.BAD_INPUT,
          "bootstrap: "
              + BootstrapSpec.DIGEST
              + " is not set for serialized flow '"
              + spec.flowName()
              + "'; a serialized bundle is only loaded after its digest is checked");
    }
    try (LoadedFlow loaded =
        BundleLoader.load(bundle, spec.location(), spec.flowName(), expectedDigest, workDir)) {
      reportBundle(bundle);
      Thread.currentThread().setContextClassLoader(loaded.classLoader());
      return runLoaded(loaded.flow(), spec);
    }
  }

  /**
   * Reports the bundle this attempt runs, once it is verified: its SHA-256, or what the storage
   * resolved (a Maven snapshot's build and its main artifact's digest).
   */
  private void reportBundle(Path bundle) throws IOException {
    Optional<ResolvedBuild> resolved = ResolvedBuild.besides(bundle);
    if (resolved.isPresent()) {
      output.bundle(resolved.get().sha256(), resolved.get().build());
    } else {
      output.bundle(Sha256.of(bundle), null);
    }
  }

  private int runLoaded(Flow flow, BootstrapSpec spec) throws InterruptedException {
    FlowRunner flowRunner =
        new FlowRunner(
            parallelism(),
            change ->
                output.taskState(
                    change.task(),
                    change.state().name(),
                    change.attempt(),
                    change.at(),
                    change.message()));
    FlowRunResult result;
    try {
      result = flowRunner.run(flow, spec.parameters());
    } catch (ParameterException e) {
      return fail(ExitCodes.BAD_INPUT, "flow '" + flow.name() + "': " + e.getMessage());
    } catch (InterruptedException e) {
      if (cancelled) {
        return cancelledResult();
      }
      throw e;
    }
    if (cancelled) {
      return cancelledResult();
    }
    if (result.success()) {
      output.result("Success", null);
      return ExitCodes.SUCCESS;
    }
    return fail(ExitCodes.FLOW_FAILED, result.message());
  }

  private int fail(int code, String message) {
    output.result("Failed", message);
    return code;
  }

  private int cancelledResult() {
    output.result("Cancelled", "the run was stopped by a cancel request");
    return ExitCodes.CANCELLED;
  }

  /** SIGTERM: stop the tasks and give the runner a moment to report them Cancelled. */
  private void onTerminate() {
    Thread current = runner;
    if (current == null) {
      return;
    }
    cancelled = true;
    current.interrupt();
    try {
      finished.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The local launcher keeps our stdin open; when it closes, the agent is gone: stop the run. */
  private void watchStdin(InputStream stdin) {
    Thread watcher =
        new Thread(
            () -> {
              try (InputStream in = stdin) {
                while (in.read() >= 0) {
                  // nothing is sent; we only wait for the end of the stream
                }
              } catch (IOException ignored) {
                // a broken pipe means the same as the end of the stream
              }
              output.result("Crashed", "the agent that launched this run went away");
              Runtime.getRuntime().halt(ExitCodes.AGENT_LOST);
            },
            "gantry-agent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  private static int parallelism() {
    String value = System.getenv("GANTRY_TASK_PARALLELISM");
    if (value == null) {
      return DEFAULT_PARALLELISM;
    }
    try {
      return Math.max(1, Integer.parseInt(value.trim()));
    } catch (NumberFormatException e) {
      return DEFAULT_PARALLELISM;
    }
  }
}
