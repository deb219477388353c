package dev.gantry.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.bootstrap.ProtocolOutput;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.ExitReport;
import dev.gantry.protocol.FlatJson;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EndRecorderTest {
  @TempDir Path home;
  private TaskFixture fx;

  @BeforeEach
  void setUp() {
    fx = new TaskFixture(home);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void recordsWhatTheBootstrapReportedAndFreesTheSlot() {
    SupervisedRun run = running("reported", 0);
    run.reporter().line(event("result", Map.of("state", "Success")));

    fx.ends.ended(run, ExitReport.exited(0), null);

    assertThat(fx.state(run.run())).isEqualTo(RunState.Success);
    assertThat(fx.supervised.activeIds()).isEmpty();
  }

  @Test
  void aProcessThatDiedWithoutAResultCrashes() {
    SupervisedRun run = running("killed", 0);

    fx.ends.ended(run, ExitReport.exited(137), null);

    FlowRun crashed = fx.find(run.run());
    assertThat(crashed.state()).isEqualTo(RunState.Crashed);
    assertThat(crashed.message()).contains("ended with exit code 137");
  }

  @Test
  void aCrashIsScheduledAgainWhileTheRetryBudgetLasts() {
    SupervisedRun run = running("retried", 1);

    fx.ends.ended(run, ExitReport.exited(137), null);

    assertThat(fx.state(run.run())).isEqualTo(RunState.Scheduled);
  }

  @Test
  void aRunEndedWhileItsAgentStopsCrashesNamingTheGracePeriod() {
    SupervisedRun run = running("stopped", 0);
    fx.stopping = true;

    fx.ends.ended(run, ExitReport.exited(143), null);

    assertThat(fx.find(run.run()).message()).contains("agent unit stopped before run");
  }

  @Test
  void anEndTheDatabaseDidNotTakeIsRecordedAgainAndKeepsItsSlotMeanwhile() {
    SupervisedRun run = running("outage", 0);
    run.reporter().line(event("result", Map.of("state", "Success")));
    fx.failNext(1);

    fx.ends.ended(run, ExitReport.exited(0), null);

    assertThat(fx.supervised.activeIds()).containsExactly(run.id());
    await().atMost(Duration.ofSeconds(10)).until(() -> fx.state(run.run()) == RunState.Success);
    await().atMost(Duration.ofSeconds(5)).until(() -> fx.supervised.activeIds().isEmpty());
  }

  @Test
  void aRunLeftForAdoptionIsNotRecorded() {
    SupervisedRun run = running("left", 0);
    fx.supervised.leaveForAdoption();

    fx.ends.ended(run, ExitReport.exited(137), null);

    assertThat(fx.state(run.run())).isEqualTo(RunState.Running);
  }

  private SupervisedRun running(String flow, int infrastructureRetries) {
    SupervisedRun run = fx.superviseClaimed(fx.create(fx.register(flow, infrastructureRetries)));
    run.reporter().line(event("run", Map.of("state", "Running")));
    return run;
  }

  private static String event(String name, Map<String, String> fields) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("event", name);
    all.put("at", Instant.now().toString());
    all.putAll(fields);
    return ProtocolOutput.MARKER + FlatJson.encode(all);
  }
}
