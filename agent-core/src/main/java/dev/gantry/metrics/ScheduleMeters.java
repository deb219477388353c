package dev.gantry.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a flow scheduler counts: {@code gantry_schedule_fires_total{result}}, one series per result,
 * registered at once so each reads 0 before its first fire. No flow name as a label: an operator
 * finds which schedule failed in the API's {@code /schedules/failures} and the UI, while the
 * counter stays at three series however many flows there are.
 */
public final class ScheduleMeters {

  /** What became of one fire. */
  public enum Result {
    /** The fire created its run. */
    CREATED,
    /** Something went wrong and the fire created no run (recorded on the schedule). */
    FAILED,
    /**
     * The fire created no run on purpose: the schedule is paused or gone, the fire already had its
     * run, or Quartz replaced fires missed while no scheduler ran (a misfire) with one fire now.
     */
    SKIPPED;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Map<Result, Counter> fires = new EnumMap<>(Result.class);

  public ScheduleMeters(MeterRegistry registry) {
    for (Result result : Result.values()) {
      fires.put(
          result,
          Counter.builder("gantry.schedule.fires")
              .description("Schedule fires by what became of them (created, failed, skipped)")
              .tag("result", result.label())
              .register(registry));
    }
  }

  /** Meters that go nowhere, for schedulers started without a registry. */
  public static ScheduleMeters none() {
    return new ScheduleMeters(new CompositeMeterRegistry());
  }

  /** Counts one fire with its result. */
  public void fired(Result result) {
    fires.get(result).increment();
  }
}
