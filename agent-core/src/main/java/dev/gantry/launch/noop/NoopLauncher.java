package dev.gantry.launch.noop;

import dev.gantry.bootstrap.ProtocolOutput;
import dev.gantry.launch.ExitReport;
import dev.gantry.launch.Infrastructure;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.Launcher;
import dev.gantry.launch.OutputSink;
import dev.gantry.launch.RunExecution;
import dev.gantry.protocol.FlatJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A launcher whose "infrastructure" does nothing: each run reports Running, then Success, and exits
 * 0 after {@code runTime} (at once by default), like a bootstrap whose flow has no tasks. The agent
 * still claims, launches, supervises and finishes every run on its normal path, so measuring with
 * it measures dispatch. It records every launch, to count duplicates and measure latency.
 */
public final class NoopLauncher implements Launcher {
  private static final Logger log = LoggerFactory.getLogger(NoopLauncher.class);

  /** One call of {@link #launch}: which attempt, by which agent, when. */
  public record Launch(String runId, int attempt, String agentId, Instant at) {}

  private final Duration runTime;
  private final ScheduledExecutorService platform;
  private final Map<String, Execution> running = new ConcurrentHashMap<>();
  private final List<Launch> launches = Collections.synchronizedList(new ArrayList<>());

  /**
   * @param runTime how long each run takes between reporting Running and exiting
   * @param threads the threads that play the runs' processes (their output and exit)
   */
  public NoopLauncher(Duration runTime, int threads) {
    this.runTime = runTime;
    this.platform =
        Executors.newScheduledThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "gantry-noop-run");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public String kind() {
    return "noop";
  }

  @Override
  public RunExecution launch(LaunchRequest request, OutputSink output) {
    launches.add(
        new Launch(request.runId(), request.run().attempt(), request.agentId(), Instant.now()));
    Execution execution =
        new Execution(request.runId(), request.run().attempt(), request.agentId(), output);
    running.put(request.runId(), execution);
    execution.exit.whenComplete((report, error) -> running.remove(request.runId(), execution));
    platform.execute(
        () -> {
          execution.line(event("run", Map.of("state", "Running")));
          if (runTime.isZero()) {
            execution.end("Success", 0);
          } else {
            platform.schedule(
                () -> execution.end("Success", 0), runTime.toMillis(), TimeUnit.MILLISECONDS);
          }
        });
    return execution;
  }

  @Override
  public Optional<RunExecution> find(
      String runId, int attempt, Instant outputSince, OutputSink output) {
    Execution execution = running.get(runId);
    return execution != null && execution.attempt == attempt
        ? Optional.of(execution)
        : Optional.empty();
  }

  @Override
  public List<Infrastructure> discover() {
    List<Infrastructure> found = new ArrayList<>();
    running.forEach(
        (runId, e) ->
            found.add(new Infrastructure("noop-" + runId, runId, e.attempt, e.agentId, true)));
    return found;
  }

  @Override
  public void cancel(String runId, Duration grace) {
    Execution execution = running.get(runId);
    if (execution != null) {
      platform.execute(() -> execution.end("Cancelled", 143));
    }
  }

  @Override
  public void remove(Infrastructure infrastructure) {
    Execution execution = running.get(infrastructure.runId());
    if (execution != null && execution.attempt == infrastructure.attempt()) {
      execution.exit.complete(new ExitReport(137, "removed"));
    }
  }

  /** Every launch so far, in order. */
  public List<Launch> launches() {
    synchronized (launches) {
      return List.copyOf(launches);
    }
  }

  @Override
  public void close() {
    platform.shutdownNow();
  }

  private static String event(String name, Map<String, String> fields) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("event", name);
    all.put("at", Instant.now().toString());
    all.putAll(fields);
    return ProtocolOutput.MARKER + FlatJson.encode(all);
  }

  /** One pretend process: its output goes to the agent's sink, its exit completes once. */
  private static final class Execution implements RunExecution {
    final String runId;
    final int attempt;
    final String agentId;
    final OutputSink output;
    final CompletableFuture<ExitReport> exit = new CompletableFuture<>();

    Execution(String runId, int attempt, String agentId, OutputSink output) {
      this.runId = runId;
      this.attempt = attempt;
      this.agentId = agentId;
      this.output = output;
    }

    synchronized void line(String line) {
      if (!exit.isDone()) {
        deliver(line);
      }
    }

    synchronized void end(String state, int exitCode) {
      if (exit.isDone()) {
        return;
      }
      deliver(event("result", Map.of("state", state)));
      exit.complete(ExitReport.exited(exitCode));
    }

    /** Like a real process, the run goes on when the agent cannot record a line. */
    private void deliver(String line) {
      try {
        output.line(line);
      } catch (RuntimeException e) {
        log.debug("run {}: a line was not recorded: {}", runId, e.toString());
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
