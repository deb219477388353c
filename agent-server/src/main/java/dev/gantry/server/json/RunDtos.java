package dev.gantry.server.json;

import dev.gantry.backend.BundleStore.BundlePush;
import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.ParameterSpec;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunSettingValue;
import dev.gantry.catalog.ScheduledFlow;
import dev.gantry.client.RunProvenance;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The JSON of flows and runs. */
public final class RunDtos {
  private RunDtos() {}

  /**
   * A flow version: where it is stored, its labels with their sources, schedule and limit ({@code
   * scheduleIntervalMillis} exact, {@code scheduleIntervalSeconds} rounded down, for reading).
   */
  public record FlowView(
      long id,
      String name,
      int version,
      String format,
      String location,
      String digest,
      String factory,
      String image,
      List<FlowLabel> labels,
      Set<String> secrets,
      List<ParameterSpec> parameters,
      Instant registeredAt,
      int infrastructureRetries,
      Integer concurrencyLimit,
      String whenLimited,
      String scheduleCron,
      Long scheduleIntervalSeconds,
      Long scheduleIntervalMillis,
      List<RunSettingValue> runConfig) {
    public static FlowView of(RegisteredFlow flow) {
      return new FlowView(
          flow.id(),
          flow.name(),
          flow.version(),
          flow.format().name(),
          flow.location(),
          flow.digest(),
          flow.factory(),
          flow.image(),
          flow.labels(),
          flow.secrets(),
          flow.parameters(),
          flow.registeredAt(),
          flow.policy().infrastructureRetries(),
          flow.policy().concurrencyLimit(),
          flow.policy().whenLimited().name().toLowerCase(java.util.Locale.ROOT),
          flow.schedule() == null ? null : flow.schedule().cron(),
          flow.schedule() == null || flow.schedule().interval() == null
              ? null
              : flow.schedule().interval().toSeconds(),
          flow.schedule() == null || flow.schedule().interval() == null
              ? null
              : flow.schedule().interval().toMillis(),
          flow.runConfig().settings());
    }
  }

  /**
   * {@code POST /api/v1/runs}: runs of a flow (the newest version unless {@code version}), {@code
   * count} of them (default 1), with parameters and extra labels.
   */
  public record NewRuns(
      String flow,
      Integer version,
      Map<String, String> parameters,
      Set<String> labels,
      Integer count) {}

  public record RunView(
      String id,
      long flowId,
      String flowName,
      int flowVersion,
      String state,
      Set<String> labels,
      Map<String, String> parameters,
      int attempt,
      String agentId,
      Instant scheduledAt,
      Instant createdAt,
      Instant updatedAt,
      Instant startedAt,
      Instant endedAt,
      String message) {
    public static RunView of(FlowRun run) {
      return new RunView(
          run.id(),
          run.flowId(),
          run.flowName(),
          run.flowVersion(),
          run.state().name(),
          run.labels(),
          run.parameters(),
          run.attempt(),
          run.agentId(),
          run.scheduledAt(),
          run.createdAt(),
          run.updatedAt(),
          run.startedAt(),
          run.endedAt(),
          run.message());
    }
  }

  /**
   * A run with its state history (oldest first), the tasks of its current attempt and the bundle
   * that attempt ran (null until its bootstrap reported it).
   */
  public record RunDetail(
      RunView run, List<StateChange> history, List<TaskRun> tasks, BundleView bundle) {
    public RunDetail(RunView run, List<StateChange> history, List<TaskRun> tasks) {
      this(run, history, tasks, null);
    }
  }

  /**
   * The bundle a run's attempt ran: its SHA-256 (of a Maven flow's main artifact), the build a
   * storage resolved, whether it is the registered bundle, and the push that wrote it, if any.
   */
  public record BundleView(
      int attempt, String digest, String build, boolean asRegistered, PushView push) {
    public static BundleView of(RunProvenance ran) {
      return new BundleView(
          ran.attempt(),
          ran.digest(),
          ran.build(),
          ran.asRegistered(),
          ran.push() == null ? null : PushView.of(ran.push()));
    }
  }

  /** A push of a source bundle: to which flow version, its digest, when and by whom. */
  public record PushView(
      long id,
      long flowId,
      String flowName,
      int flowVersion,
      String digest,
      Instant pushedAt,
      String pushedBy) {
    public static PushView of(BundlePush push) {
      return new PushView(
          push.id(),
          push.flowId(),
          push.flowName(),
          push.flowVersion(),
          push.digest(),
          push.pushedAt(),
          push.pushedBy());
    }
  }

  /** The {@code push} part of {@code POST /api/v1/flows/{name}/push}. */
  public record PushSettings(String factory) {}

  /** The state a run is in after a cancel request. */
  public record CancelResult(String id, String state) {}

  /** Why a run waits: the verdict and the lines `gantry run explain` prints. */
  public record Explanation(String id, String verdict, List<String> lines) {}

  /** Whether a live agent could run a flow version: the warning register prints, if any. */
  public record Coverage(long flowId, String warning) {}

  /** A flow whose newest version has a schedule. */
  public record ScheduleView(
      String name,
      long flowId,
      int version,
      String cron,
      Long intervalMillis,
      String description,
      boolean paused) {
    public static ScheduleView of(ScheduledFlow flow) {
      return new ScheduleView(
          flow.name(),
          flow.flowId(),
          flow.version(),
          flow.schedule().cron(),
          flow.schedule().interval() == null ? null : flow.schedule().interval().toMillis(),
          flow.schedule().describe(),
          flow.paused());
    }
  }
}
