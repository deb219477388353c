package dev.gantry.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.agent.Agent;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.Infrastructure;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.Launcher;
import dev.gantry.launch.OutputSink;
import dev.gantry.launch.RunExecution;
import dev.gantry.protocol.ProtocolEvent;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.LocalGantry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A local agent runs a flow in a real child JVM (the bootstrap): the agent's log events about the
 * run and every line the bootstrap writes carry the same trace id, the one derived from the run,
 * and the same run fields, so one query joins them.
 */
class RunTraceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;

  @Test
  void theAgentsAndTheBootstrapsLinesOfARunCarryItsTraceId() throws Exception {
    ListAppender<ILoggingEvent> agentLines = new ListAppender<>();
    Logger root =
        ((LoggerContext) LoggerFactory.getILoggerFactory())
            .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    agentLines.start();
    root.addAppender(agentLines);
    try (LocalGantry gantry = new LocalGantry(home)) {
      RecordingLauncher launcher = new RecordingLauncher(gantry.launcher);
      gantry.registerExample("dev.gantry.examples.Etl#etl");
      Agent agent =
          new Agent(
              gantry.client.backend(),
              launcher,
              LocalGantry.quickOptions("traced"),
              SecretSource.NONE);
      agent.start();
      FlowRun run;
      try {
        String created = gantry.run("etl", Map.of("rows", "3")).id();
        run = gantry.awaitEnd(created, Duration.ofSeconds(90));
      } finally {
        agent.stop();
      }
      FlowRun ended = run;
      assertThat(run.state()).isEqualTo(RunState.Success);
      String traceId = TraceParent.forAttempt(run.id(), run.attempt()).traceId();

      String runId = run.id();
      List<ILoggingEvent> aboutRun =
          agentLines.list.stream()
              .filter(e -> runId.equals(e.getMDCPropertyMap().get(RunLogFields.RUN_ID)))
              .toList();
      assertThat(aboutRun)
          .as("the agent's lines about the run: launched, ended")
          .hasSizeGreaterThanOrEqualTo(2)
          .allSatisfy(
              e -> {
                assertThat(e.getMDCPropertyMap())
                    .containsEntry(RunLogFields.TRACE_ID, traceId)
                    .containsEntry(RunLogFields.FLOW, "etl")
                    .containsEntry(RunLogFields.AGENT_KIND, "local")
                    .containsEntry(RunLogFields.AGENT, ended.agentId());
              });

      assertThat(launcher.handedTraceparent)
          .as("the variable the bootstrap was handed")
          .isEqualTo(TraceParent.forAttempt(run.id(), run.attempt()).header());
      List<String> protocolLines =
          launcher.lines.stream().filter(ProtocolEvent::hasMarker).toList();
      assertThat(protocolLines).as("run, task, log and result lines").hasSizeGreaterThan(4);
      for (String line : protocolLines) {
        JsonNode event = JSON.readTree(line.substring(ProtocolEvent.MARKER.length()));
        assertThat(event.path("trace_id").asText()).as(line).isEqualTo(traceId);
        assertThat(event.path("run_id").asText()).as(line).isEqualTo(run.id());
        assertThat(event.path("flow").asText()).as(line).isEqualTo("etl");
        if (event.path("event").asText().equals("task")) {
          // A task event's attempt is the task's own, and the only field of that name.
          assertThat(line.split("\"attempt\":", -1)).as(line).hasSize(2);
        } else {
          assertThat(event.path("attempt").asText()).as(line).isEqualTo("1");
        }
      }
      assertThat(protocolLines).anyMatch(line -> line.contains("\"event\":\"log\""));
    } finally {
      root.detachAppender(agentLines);
    }
  }

  /** The real local launcher, keeping every raw line its child JVMs write (test's own record). */
  private static final class RecordingLauncher implements Launcher {
    private final Launcher real;
    final List<String> lines = new CopyOnWriteArrayList<>();
    volatile String handedTraceparent;

    RecordingLauncher(Launcher real) {
      this.real = real;
    }

    @Override
    public String kind() {
      return real.kind();
    }

    @Override
    public RunExecution launch(LaunchRequest request, OutputSink output) throws LaunchException {
      handedTraceparent = request.environment().get(TraceParent.VARIABLE);
      return real.launch(request, tee(output));
    }

    @Override
    public Optional<RunExecution> find(
        String runId, int attempt, Instant outputSince, OutputSink output) {
      return real.find(runId, attempt, outputSince, tee(output));
    }

    @Override
    public List<Infrastructure> discover() {
      return real.discover();
    }

    @Override
    public void cancel(String runId, Duration grace) {
      real.cancel(runId, grace);
    }

    @Override
    public void close() {
      real.close();
    }

    private OutputSink tee(OutputSink output) {
      return line -> {
        lines.add(line);
        output.line(line);
      };
    }
  }
}
