package dev.gantry.flow;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * When a flow's runs are created by themselves, once registered: a plain description that Gantry's
 * scheduler reads (like storage). A Quartz cron expression, seconds first and evaluated in UTC, or
 * a fixed interval of at least one second.
 *
 * <pre>{@code
 * flow.schedule(Schedule.cron("0 0 2 * * ?"));       // every day at 02:00 UTC
 * flow.schedule(Schedule.every(Duration.ofMinutes(15)));
 * }</pre>
 *
 * {@code gantry flow register --cron} or {@code --interval} overrides it. Every required parameter
 * of a scheduled flow needs a default value, since nobody passes one.
 *
 * @param cron the cron expression, or null
 * @param interval the interval, or null
 */
public record Schedule(String cron, Duration interval) implements Serializable {

  public Schedule {
    if ((cron == null) == (interval == null)) {
      throw new IllegalArgumentException("a schedule is either a cron expression or an interval");
    }
    if (cron != null && cron.isBlank()) {
      throw new IllegalArgumentException("a cron expression cannot be blank");
    }
    if (interval != null && interval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException(
          "a schedule interval must be at least 1 s, not " + interval);
    }
  }

  /** A Quartz cron expression: {@code "0 * * * * ?"} is every minute, on the minute (UTC). */
  public static Schedule cron(String expression) {
    return new Schedule(Objects.requireNonNull(expression, "expression").strip(), null);
  }

  /** Every {@code interval}, from registration on. */
  public static Schedule every(Duration interval) {
    return new Schedule(null, Objects.requireNonNull(interval, "interval"));
  }
}
