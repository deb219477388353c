package dev.gantry.examples;

import dev.gantry.flow.Flow;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A flow whose task outlives its timeout: it ends TIMED_OUT after one second. */
public final class Slow {
  private Slow() {}

  /** Flow "slow": task {@code stuck} sleeps 60 s under a 1 s timeout. */
  public static Flow slow() {
    Flow flow = new Flow("slow");
    flow.task(
            "stuck",
            () -> {
              TimeUnit.SECONDS.sleep(60);
              return "woke up";
            })
        .timeout(Duration.ofSeconds(1));
    return flow;
  }
}
