package dev.gantry.examples;

import dev.gantry.flow.Flow;
import dev.gantry.flow.Parameter;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A flow that takes its time, for cancellation and long-run tests. */
public final class Sleepy {
  private static final Logger log = LoggerFactory.getLogger(Sleepy.class);

  private Sleepy() {}

  /** Flow "sleepy": task {@code nap} sleeps {@code seconds} (default 30), interruptibly. */
  public static Flow sleepy() {
    Flow flow = new Flow("sleepy");
    Parameter<Integer> seconds = flow.parameter("seconds", Integer.class, 30);
    flow.task(
        "nap",
        seconds,
        n -> {
          log.info("napping {} s", n);
          TimeUnit.SECONDS.sleep(n);
          return "rested";
        });
    return flow;
  }
}
