package dev.gantry.examples;

import dev.gantry.flow.Flow;
import dev.gantry.flow.Parameter;
import dev.gantry.flow.Schedule;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** A flow that describes its own schedule: registered, it runs every night without a command. */
public final class Nightly {
  private Nightly() {}

  /**
   * Flow "nightly": every day at 02:00 UTC, task {@code report} returns a line naming the day (UTC)
   * and {@code region} (default "eu").
   */
  public static Flow nightly() {
    Flow flow = new Flow("nightly");
    Parameter<String> region = flow.parameter("region", String.class, "eu");
    flow.task(
        "report", region, r -> "nightly report for " + r + " on " + LocalDate.now(ZoneOffset.UTC));
    flow.schedule(Schedule.cron("0 0 2 * * ?"));
    return flow;
  }
}
