package dev.gantry.launch.local;

import dev.gantry.bootstrap.Bootstrap;
import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.domain.RunState;
import dev.gantry.flow.environment.RunSetting;
import dev.gantry.launch.ExitReport;
import dev.gantry.launch.Infrastructure;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.Launcher;
import dev.gantry.launch.OutputSink;
import dev.gantry.launch.RunExecution;
import dev.gantry.launch.RunSettingCheck;
import dev.gantry.protocol.FlatJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each flow run's bootstrap in a child JVM on this machine, with the agent's own class path.
 * The child inherits the agent's environment minus the backend's credentials, plus the bootstrap
 * variables; secret values reach it as the first line on its stdin, never in its environment. It
 * watches its stdin and stops if the agent goes away.
 */
public final class LocalLauncher implements Launcher {
  private static final Logger log = LoggerFactory.getLogger(LocalLauncher.class);

  /**
   * The run settings a child JVM applies; the run timeout is the agent's ({@code BoundedLauncher}).
   */
  static final Set<RunSetting> APPLIED = Set.of(RunSetting.ENV, RunSetting.RUN_TIMEOUT);

  /** Variables of the agent that a run must never see. */
  static final Set<String> WITHHELD =
      Set.of("GANTRY_DB_URL", "GANTRY_DB_PASSWORD", "GANTRY_SECRET_KEY", "GANTRY_SECRET_KEY_FILE");

  private final Path javaExecutable;
  private final String classPath;
  private final List<String> jvmOptions;
  private final boolean warmStart;
  private static final String TMPDIR_OPTION = "-Djava.io.tmpdir=";
  private final ChildTempDirs tempDirs;
  private final Object warmLock = new Object();
  private Process warm; // guarded by warmLock
  private volatile boolean closed;
  private final Map<String, Child> children = new ConcurrentHashMap<>();
  private final ScheduledExecutorService housekeeping =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "gantry-local-housekeeping");
            t.setDaemon(true);
            return t;
          });

  /** JVM options for runs when the user gives none: quick start, modest footprint. */
  public static final List<String> DEFAULT_JVM_OPTIONS =
      List.of("-XX:+UseSerialGC", "-Xshare:auto");

  public LocalLauncher() {
    this(DEFAULT_JVM_OPTIONS);
  }

  public LocalLauncher(List<String> jvmOptions) {
    this(jvmOptions, true);
  }

  /**
   * @param warmStart keep one bootstrap JVM started and warmed up ahead of the next run, so a run
   *     starts without waiting for a JVM (its variables and secret values reach it as a line on
   *     stdin)
   */
  public LocalLauncher(List<String> jvmOptions, boolean warmStart) {
    this(
        Path.of(System.getProperty("java.home"), "bin", "java"),
        System.getProperty("java.class.path"),
        jvmOptions,
        warmStart);
  }

  public LocalLauncher(
      Path javaExecutable, String classPath, List<String> jvmOptions, boolean warmStart) {
    this.javaExecutable = javaExecutable;
    this.classPath = classPath;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.warmStart = warmStart;
    this.tempDirs = new ChildTempDirs(tempBase(this.jvmOptions));
  }

  /** Where child JVMs get their temporary directories: the options' java.io.tmpdir, or ours. */
  private static Path tempBase(List<String> jvmOptions) {
    String base = System.getProperty("java.io.tmpdir");
    for (String option : jvmOptions) {
      if (option.startsWith(TMPDIR_OPTION)) {
        base = option.substring(TMPDIR_OPTION.length());
      }
    }
    return Path.of(base);
  }

  @Override
  public String kind() {
    return "local";
  }

  @Override
  public RunExecution launch(LaunchRequest request, OutputSink output) throws LaunchException {
    RunSettingCheck.applicable(request, request.flow().runConfig(), kind(), APPLIED);
    Map<String, String> flowEnv = request.flow().runConfig().environment();
    // A warm JVM's environment is fixed: a run with variables of its own gets a fresh JVM.
    Process process = warmStart && flowEnv.isEmpty() ? takeWarm(request) : null;
    if (process == null) {
      process = start(request.environment(), flowEnv, false, request.runId());
    }
    if (warmStart) {
      refillWarm();
    }
    Child child =
        new Child(request.runId(), request.run().attempt(), request.agentId(), process, output);
    children.put(request.runId(), child);
    child.exit.whenComplete((report, error) -> children.remove(request.runId(), child));
    child.start();
    log.debug("run {} started as process {}", request.runId(), process.pid());
    return child;
  }

  /** Hands the run to the warm JVM, if one is alive; returns null otherwise. */
  private Process takeWarm(LaunchRequest request) {
    Process process;
    synchronized (warmLock) {
      process = warm;
      warm = null;
    }
    if (process == null || !process.isAlive()) {
      return null;
    }
    try {
      OutputStream stdin = process.getOutputStream();
      stdin.write((FlatJson.encode(request.environment()) + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush(); // keep it open: the run watches it to know this agent is alive
      return process;
    } catch (IOException e) {
      process.destroyForcibly();
      return null;
    }
  }

  /** Starts the next warm JVM in the background, so launching never waits for it. */
  private void refillWarm() {
    housekeeping.execute(
        () -> {
          synchronized (warmLock) {
            if (closed || (warm != null && warm.isAlive())) {
              return;
            }
            try {
              warm = start(Map.of(), Map.of(), true, "warm");
            } catch (LaunchException e) {
              log.warn("cannot start a warm JVM for the next run: {}", e.getMessage());
            }
          }
        });
  }

  /** Starts the warm JVM now, so the first run is quick too. */
  @Override
  public void prepare() {
    // Directories of children gone with a killed agent (nobody saw them exit).
    housekeeping.execute(tempDirs::sweep);
    if (warmStart) {
      refillWarm();
    }
  }

  /**
   * @param flowEnv the flow's own variables ({@code env.NAME} run settings), set before the
   *     bootstrap's, which win over them
   */
  private Process start(
      Map<String, String> runEnvironment,
      Map<String, String> flowEnv,
      boolean standby,
      String runId)
      throws LaunchException {
    Path tempDir;
    try {
      tempDir = tempDirs.create();
    } catch (IOException e) {
      throw new LaunchException(
          "cannot create a temporary directory for run "
              + runId
              + " in "
              + tempDirs.base()
              + ": "
              + e.getMessage(),
          RunState.Crashed,
          "ProcessStartFailed",
          e);
    }
    List<String> command = new ArrayList<>();
    command.add(javaExecutable.toString());
    command.addAll(jvmOptions);
    // Its own temporary directory (the run's work directory and bundle go there), deleted when
    // it exits however it ends.
    command.add(TMPDIR_OPTION + tempDir);
    command.add("-Dlogback.configurationFile=" + Bootstrap.LOGBACK_CONFIG);
    command.add("-cp");
    command.add(classPath);
    command.add(Bootstrap.class.getName());

    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.keySet().removeAll(WITHHELD);
    env.keySet().removeIf(name -> name.startsWith(BootstrapSpec.SECRET_PREFIX));
    // Secret values never go into the environment (readable in /proc/PID/environ): the first
    // line on stdin carries them.
    Map<String, String> secrets = BootstrapSpec.secretVariables(runEnvironment);
    env.putAll(flowEnv);
    env.putAll(BootstrapSpec.withoutSecretValues(runEnvironment));
    env.put(BootstrapSpec.WATCH_STDIN, "true");
    if (standby) {
      env.put(BootstrapSpec.STANDBY, "true");
    }
    if (!secrets.isEmpty()) {
      env.put(BootstrapSpec.SECRETS_ON_STDIN, "true");
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      tempDirs.delete(tempDir);
      throw new LaunchException(
          "cannot start a JVM for run " + runId + " with " + javaExecutable + ": " + e.getMessage(),
          RunState.Crashed,
          "ProcessStartFailed",
          e);
    }
    tempDirs.owned(tempDir, process.toHandle());
    process.onExit().whenComplete((p, error) -> tempDirs.delete(tempDir));
    if (!secrets.isEmpty()) {
      try {
        OutputStream stdin = process.getOutputStream();
        stdin.write((FlatJson.encode(secrets) + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush(); // keep it open: the run watches it to know this agent is alive
      } catch (IOException e) {
        process.destroyForcibly();
        throw new LaunchException(
            "cannot hand run " + runId + " its secrets on the stdin of its JVM: " + e.getMessage(),
            RunState.Crashed,
            "ProcessStartFailed",
            e);
      }
    }
    return process;
  }

  @Override
  public Optional<RunExecution> find(
      String runId, int attempt, Instant outputSince, OutputSink output) {
    // Child JVMs are tied to the agent that started them (they stop when its pipe closes), so
    // only this launcher's own children can be found, and their output already goes to the agent.
    return Optional.ofNullable(children.get(runId));
  }

  @Override
  public List<Infrastructure> discover() {
    List<Infrastructure> found = new ArrayList<>();
    children.forEach(
        (runId, child) ->
            found.add(
                new Infrastructure(
                    Long.toString(child.process.pid()),
                    runId,
                    child.attempt,
                    child.agentId,
                    child.process.isAlive())));
    return found;
  }

  @Override
  public void cancel(String runId, Duration grace) {
    Child child = children.get(runId);
    if (child == null) {
      return;
    }
    ProcessHandle handle = child.process.toHandle();
    handle.descendants().forEach(ProcessHandle::destroy);
    handle.destroy(); // SIGTERM: the bootstrap stops its tasks and reports Cancelled
    housekeeping.schedule(
        () -> {
          if (handle.isAlive()) {
            log.warn("run {} did not stop within {}; killing it", runId, grace);
            handle.descendants().forEach(ProcessHandle::destroyForcibly);
            handle.destroyForcibly();
          }
        },
        grace.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Kills the child JVM (and what it started) if it still runs; it leaves nothing else behind. */
  @Override
  public void remove(Infrastructure infrastructure) {
    Child child = children.get(infrastructure.runId());
    if (child == null || !Long.toString(child.process.pid()).equals(infrastructure.id())) {
      return; // already gone, or a newer attempt's process by now
    }
    ProcessHandle handle = child.process.toHandle();
    if (handle.isAlive()) {
      log.info(
          "run {} (attempt {}): removing its process {}, which its run no longer needs",
          infrastructure.runId(),
          infrastructure.attempt(),
          handle.pid());
      handle.descendants().forEach(ProcessHandle::destroyForcibly);
      handle.destroyForcibly();
    }
  }

  /** The process ids of the children, for tests and diagnostics. */
  public Map<String, Long> childPids() {
    Map<String, Long> pids = new java.util.TreeMap<>();
    children.forEach((id, child) -> pids.put(id, child.process.pid()));
    return pids;
  }

  @Override
  public void close() {
    closed = true;
    synchronized (warmLock) {
      if (warm != null) {
        warm.destroy(); // a warm JVM has no run: it ends quietly
        warm = null;
      }
    }
    housekeeping.shutdownNow();
  }

  /** One child JVM and the thread that reads its output. */
  private static final class Child implements RunExecution {
    private final String runId;
    private final int attempt;
    private final String agentId;
    private final Process process;
    private final OutputSink output;
    private final CompletableFuture<ExitReport> exit = new CompletableFuture<>();

    Child(String runId, int attempt, String agentId, Process process, OutputSink output) {
      this.runId = runId;
      this.attempt = attempt;
      this.agentId = agentId;
      this.process = process;
      this.output = output;
    }

    void start() {
      Thread reader = new Thread(this::pump, "gantry-run-" + runId.substring(0, 8));
      reader.setDaemon(true);
      reader.start();
    }

    /** Reads every line until the child closes its output, then reports its exit. */
    private void pump() {
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          try {
            output.line(line);
          } catch (RuntimeException e) {
            log.warn("run {}: could not record an output line: {}", runId, e.toString());
          }
        }
      } catch (IOException e) {
        log.warn("run {}: reading its output failed: {}", runId, e.toString());
      }
      try {
        exit.complete(ExitReport.exited(process.waitFor()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exit.complete(new ExitReport(-1, "agent interrupted while waiting for the process"));
      }
    }

    @Override
    public String runId() {
      return runId;
    }

    @Override
    public CompletableFuture<ExitReport> exit() {
      return exit;
    }
  }
}
