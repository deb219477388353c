package dev.gantry.examples;

import dev.gantry.flow.Flow;
import dev.gantry.flow.Parameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A flow that writes a lot to standard output, for log capture and streaming tests. */
public final class Chatty {
  private static final Logger log = LoggerFactory.getLogger(Chatty.class);

  private Chatty() {}

  /** Flow "chatty": task {@code talk} prints "line i of N" for i = 1..N, N = {@code lines}. */
  public static Flow chatty() {
    Flow flow = new Flow("chatty");
    Parameter<Integer> lines = flow.parameter("lines", Integer.class, 1000);
    flow.task(
        "talk",
        lines,
        n -> {
          for (int i = 1; i <= n; i++) {
            System.out.println("line " + i + " of " + n);
          }
          log.info("wrote {} lines", n);
          return n;
        });
    return flow;
  }
}
