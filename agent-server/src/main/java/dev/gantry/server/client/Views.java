package dev.gantry.server.client;

import dev.gantry.backend.BundleStore.BundlePush;
import dev.gantry.backend.SecretStore.SecretSummary;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunConfig;
import dev.gantry.catalog.RunPolicy;
import dev.gantry.catalog.ScheduledFlow;
import dev.gantry.catalog.WhenLimited;
import dev.gantry.client.RunProvenance;
import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.explain.RunDiagnosis;
import dev.gantry.server.json.Dtos;
import dev.gantry.server.json.RunDtos;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** The API's JSON views read back into the domain values the database mode returns. */
final class Views {
  private Views() {}

  static RegisteredFlow flow(RunDtos.FlowView view) {
    return new RegisteredFlow(
            view.id(),
            view.name(),
            view.version(),
            BundleFormat.valueOf(view.format()),
            view.location(),
            view.digest(),
            view.factory(),
            view.image(),
            view.labels(),
            view.secrets() == null ? Set.of() : view.secrets(),
            view.parameters(),
            view.registeredAt(),
            new RunPolicy(
                view.infrastructureRetries(),
                view.concurrencyLimit(),
                view.whenLimited() == null
                    ? WhenLimited.wait
                    : WhenLimited.parse(view.whenLimited())),
            schedule(view.scheduleCron(), view.scheduleIntervalMillis()))
        .withRunConfig(
            view.runConfig() == null ? RunConfig.EMPTY : new RunConfig(view.runConfig()));
  }

  private static FlowSchedule schedule(String cron, Long intervalMillis) {
    if (cron != null) {
      return FlowSchedule.cron(cron);
    }
    return intervalMillis == null ? null : FlowSchedule.every(Duration.ofMillis(intervalMillis));
  }

  static FlowRun run(RunDtos.RunView view) {
    return new FlowRun(
        view.id(),
        view.flowId(),
        view.flowName(),
        view.flowVersion(),
        RunState.valueOf(view.state()),
        view.labels() == null ? Set.of() : view.labels(),
        view.parameters() == null ? Map.of() : view.parameters(),
        view.attempt(),
        view.agentId(),
        view.scheduledAt(),
        view.createdAt(),
        view.updatedAt(),
        view.startedAt(),
        view.endedAt(),
        view.message());
  }

  static AgentInfo agent(Dtos.AgentView view) {
    return new AgentInfo(
        view.id(),
        view.name(),
        view.kind(),
        view.host(),
        view.labels() == null ? Set.of() : view.labels(),
        view.maxConcurrent(),
        view.running(),
        view.startedAt(),
        view.heartbeatAt(),
        view.stoppedAt());
  }

  static SecretSummary secret(Dtos.SecretView view) {
    return new SecretSummary(view.name(), view.updatedAt());
  }

  static ScheduledFlow schedule(RunDtos.ScheduleView view) {
    return new ScheduledFlow(
        view.name(),
        view.flowId(),
        view.version(),
        schedule(view.cron(), view.intervalMillis()),
        view.paused());
  }

  static RunDiagnosis diagnosis(RunDtos.Explanation view) {
    return new RunDiagnosis(RunDiagnosis.Verdict.valueOf(view.verdict()), view.lines());
  }

  static BundlePush push(RunDtos.PushView view) {
    return new BundlePush(
        view.id(),
        view.flowId(),
        view.flowName(),
        view.flowVersion(),
        view.digest(),
        view.pushedAt(),
        view.pushedBy());
  }

  static RunProvenance provenance(String runId, RunDtos.BundleView view) {
    return new RunProvenance(
        runId,
        view.attempt(),
        view.digest(),
        view.build(),
        view.asRegistered(),
        view.push() == null ? null : push(view.push()));
  }
}
