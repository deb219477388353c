package dev.gantry.supervision;

import dev.gantry.launch.ExitReport;
import dev.gantry.launch.Infrastructure;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.Launcher;
import dev.gantry.launch.OutputSink;
import dev.gantry.launch.RunExecution;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A launcher for unit tests of the agent's tasks: the test scripts what it finds and discovers and
 * ends the executions it handed out; it records launches, cancels and removals.
 */
public final class ScriptedLauncher implements Launcher {
  public static final String KIND = "scripted";

  /** One run attempt's infrastructure, ended by the test. */
  public static final class Execution implements RunExecution {
    private final String runId;
    private final CompletableFuture<ExitReport> exit = new CompletableFuture<>();
    private volatile OutputSink output;

    Execution(String runId) {
      this.runId = runId;
    }

    @Override
    public String runId() {
      return runId;
    }

    @Override
    public CompletableFuture<ExitReport> exit() {
      return exit;
    }

    /** Writes an output line to the attached agent. */
    public void print(String line) {
      output.line(line);
    }

    public void exit(int code) {
      exit.complete(ExitReport.exited(code));
    }
  }

  private final Map<String, Execution> findable = new ConcurrentHashMap<>();
  private final Map<String, Execution> launched = new ConcurrentHashMap<>();
  private final List<Infrastructure> discoverable = new CopyOnWriteArrayList<>();
  public final List<String> cancels = new CopyOnWriteArrayList<>();
  public final List<Infrastructure> removals = new CopyOnWriteArrayList<>();
  private volatile LaunchException nextLaunchFailure;

  /** Makes {@link #find} return an execution for this attempt; returns it. */
  public Execution findable(String runId, int attempt) {
    Execution execution = new Execution(runId);
    findable.put(runId + "#" + attempt, execution);
    return execution;
  }

  /** Makes {@link #discover} list this infrastructure. */
  public void discoverable(Infrastructure infrastructure) {
    discoverable.add(infrastructure);
  }

  /** Makes the next launch fail with {@code failure}. */
  public void failNextLaunch(LaunchException failure) {
    nextLaunchFailure = failure;
  }

  /** The execution launched for the run, or null. */
  public Execution launched(String runId) {
    return launched.get(runId);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public RunExecution launch(LaunchRequest request, OutputSink output) throws LaunchException {
    LaunchException failure = nextLaunchFailure;
    if (failure != null) {
      nextLaunchFailure = null;
      throw failure;
    }
    Execution execution = new Execution(request.runId());
    execution.output = output;
    launched.put(request.runId(), execution);
    return execution;
  }

  @Override
  public Optional<RunExecution> find(
      String runId, int attempt, Instant outputSince, OutputSink output) {
    Execution execution = findable.get(runId + "#" + attempt);
    if (execution != null) {
      execution.output = output;
    }
    return Optional.ofNullable(execution);
  }

  @Override
  public List<Infrastructure> discover() {
    return List.copyOf(discoverable);
  }

  @Override
  public void cancel(String runId, Duration grace) {
    cancels.add(runId);
  }

  @Override
  public void remove(Infrastructure infrastructure) {
    removals.add(infrastructure);
    discoverable.remove(infrastructure);
  }

  @Override
  public void close() {}
}
