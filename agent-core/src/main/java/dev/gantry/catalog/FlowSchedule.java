package dev.gantry.catalog;

import java.time.Duration;
import java.util.Objects;

/**
 * When a flow's runs are created without anyone asking: a Quartz cron expression (seconds first,
 * evaluated in UTC) or a fixed interval. Exactly one of the two is set.
 */
public record FlowSchedule(String cron, Duration interval) {

  /** The shortest interval: a schedule creates runs, not a busy loop. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  public FlowSchedule {
    if ((cron == null) == (interval == null)) {
      throw new IllegalArgumentException("a schedule is either a cron expression or an interval");
    }
    if (cron != null && cron.isBlank()) {
      throw new IllegalArgumentException("a cron expression cannot be blank");
    }
    if (interval != null && interval.compareTo(MIN_INTERVAL) < 0) {
      throw new IllegalArgumentException(
          "a schedule interval must be at least "
              + MIN_INTERVAL.toSeconds()
              + " s, not "
              + interval);
    }
  }

  public static FlowSchedule cron(String expression) {
    return new FlowSchedule(Objects.requireNonNull(expression, "expression").strip(), null);
  }

  public static FlowSchedule every(Duration interval) {
    return new FlowSchedule(null, Objects.requireNonNull(interval, "interval"));
  }

  /** {@code cron "0 * * * * ?"} or {@code every PT5M}, for listings and logs. */
  public String describe() {
    return cron != null ? "cron \"" + cron + "\" (UTC)" : "every " + interval;
  }
}
