package dev.gantry.testing;

import static org.awaitility.Awaitility.await;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A pretend container platform for agent tests, shared by the agents of a test like one Docker
 * engine: each agent gets a {@link #launcher()} onto it. The test plays the runs' containers: it
 * makes them report, succeed, die or vanish, and places leftover infrastructure. Every output line
 * goes to every agent attached to the run, as two log followers of one container would see it.
 */
public final class ScriptedPlatform {

  /** The launcher kind the platform's launchers report. */
  public static final String KIND = "scripted";

  private final Map<String, Container> containers = new ConcurrentHashMap<>();
  private final List<Infrastructure> removed = new CopyOnWriteArrayList<>();

  /** One run attempt's container. */
  public static final class Container implements RunExecution {
    private final String runId;
    private final int attempt;
    private final String agentId;
    private final List<OutputSink> sinks = new CopyOnWriteArrayList<>();
    private final CompletableFuture<ExitReport> exit = new CompletableFuture<>();

    Container(String runId, int attempt, String agentId) {
      this.runId = runId;
      this.attempt = attempt;
      this.agentId = agentId;
    }

    public int attempt() {
      return attempt;
    }

    /** How many agents follow its output. */
    public int followers() {
      return sinks.size();
    }

    /** Writes a line to every agent attached. */
    public void print(String line) {
      for (OutputSink sink : sinks) {
        try {
          sink.line(line);
        } catch (RuntimeException e) {
          // an agent that cannot record a line does not stop the container
        }
      }
    }

    public void reportRunning() {
      print(event("run", Map.of("state", "Running")));
    }

    public void log(String message) {
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("level", "INFO");
      fields.put("logger", "flow");
      fields.put("message", message);
      print(event("log", fields));
    }

    /** Reports the result and exits 0. */
    public void succeed() {
      print(event("result", Map.of("state", "Success")));
      exit.complete(ExitReport.exited(0));
    }

    /** Reports that the flow failed and exits 1. */
    public void fail(String message) {
      print(event("result", Map.of("state", "Failed", "message", message)));
      exit.complete(ExitReport.exited(1));
    }

    /** Exits without reporting a result, e.g. 137 for a SIGKILL or an OOM kill. */
    public void die(int exitCode) {
      exit.complete(ExitReport.exited(exitCode));
    }

    public boolean exited() {
      return exit.isDone();
    }

    @Override
    public String runId() {
      return runId;
    }

    @Override
    public CompletableFuture<ExitReport> exit() {
      return exit;
    }

    private static String event(String name, Map<String, String> fields) {
      Map<String, Object> all = new LinkedHashMap<>();
      all.put("event", name);
      all.put("at", Instant.now().toString());
      all.putAll(fields);
      return ProtocolOutput.MARKER + FlatJson.encode(all);
    }
  }

  /** A launcher onto this platform, for one agent. */
  public Launcher launcher() {
    return new Launcher() {
      @Override
      public String kind() {
        return KIND;
      }

      @Override
      public RunExecution launch(LaunchRequest request, OutputSink output) {
        Container container = place(request.runId(), request.run().attempt(), request.agentId());
        container.sinks.add(output);
        return container;
      }

      @Override
      public Optional<RunExecution> find(
          String runId, int attempt, Instant outputSince, OutputSink output) {
        Container container = containers.get(key(runId, attempt));
        if (container == null || container.exited()) {
          return Optional.empty();
        }
        container.sinks.add(output);
        return Optional.of(container);
      }

      @Override
      public List<Infrastructure> discover() {
        List<Infrastructure> found = new ArrayList<>();
        containers.forEach(
            (key, c) ->
                found.add(new Infrastructure(key, c.runId, c.attempt, c.agentId, !c.exited())));
        return found;
      }

      @Override
      public void cancel(String runId, Duration grace) {
        containers.values().stream()
            .filter(c -> c.runId.equals(runId) && !c.exited())
            .forEach(
                c -> {
                  c.print(Container.event("result", Map.of("state", "Cancelled")));
                  c.exit.complete(ExitReport.exited(143));
                });
      }

      @Override
      public void remove(Infrastructure infrastructure) {
        Container container = containers.remove(infrastructure.id());
        if (container != null) {
          container.exit.complete(new ExitReport(137, "removed"));
          removed.add(infrastructure);
        }
      }

      @Override
      public void close() {}
    };
  }

  /** Creates a container for a run attempt, as if some agent had launched it. */
  public Container place(String runId, int attempt, String agentId) {
    Container container = new Container(runId, attempt, agentId);
    containers.put(key(runId, attempt), container);
    return container;
  }

  /** Waits until an agent launched (or the test placed) the container of this attempt. */
  public Container awaitContainer(String runId, int attempt) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> containers.containsKey(key(runId, attempt)));
    return containers.get(key(runId, attempt));
  }

  /** Makes the container disappear without a trace, as a deleted container or lost node does. */
  public void vanish(String runId, int attempt) {
    Container container = containers.remove(key(runId, attempt));
    if (container != null) {
      container.exit.complete(new ExitReport(-1, "vanished"));
    }
  }

  /** Infrastructure removed through {@link Launcher#remove}, in order. */
  public List<Infrastructure> removed() {
    return List.copyOf(removed);
  }

  private static String key(String runId, int attempt) {
    return runId + "#" + attempt;
  }
}
