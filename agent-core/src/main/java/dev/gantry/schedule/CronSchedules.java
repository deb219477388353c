package dev.gantry.schedule;

import java.text.ParseException;
import java.util.TimeZone;
import org.quartz.CronExpression;

/** Quartz cron expressions as Gantry uses them: seconds first, evaluated in UTC. */
public final class CronSchedules {

  /** The time zone every cron schedule is evaluated in, whatever the agents' zones are. */
  public static final TimeZone ZONE = TimeZone.getTimeZone("UTC");

  private CronSchedules() {}

  /**
   * Checks that {@code expression} is a valid Quartz cron expression.
   *
   * @throws IllegalArgumentException naming the expression and Quartz's reason
   */
  public static void check(String expression) {
    try {
      CronExpression cron = new CronExpression(expression);
      cron.setTimeZone(ZONE);
    } catch (ParseException e) {
      throw new IllegalArgumentException(
          "invalid cron expression '"
              + expression
              + "': "
              + e.getMessage()
              + " (Quartz cron: seconds minutes hours day-of-month month day-of-week [year], with"
              + " ? in one of the day fields, e.g. '0 0 * * * ?' for every hour)",
          e);
    }
  }
}
