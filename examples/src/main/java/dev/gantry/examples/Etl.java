package dev.gantry.examples;

import dev.gantry.flow.Flow;
import dev.gantry.flow.Parameter;
import dev.gantry.flow.Task;
import java.util.List;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quickstart flow: extract rows, transform and count them in parallel, load a summary.
 *
 * <pre>
 *   rows ─▶ extract ─┬─▶ transform ─┬─▶ load
 *                    └─▶ count ─────┘
 * </pre>
 */
public final class Etl {
  private static final Logger log = LoggerFactory.getLogger(Etl.class);

  private Etl() {}

  /** Flow "etl"; parameter {@code rows} (default 100). */
  public static Flow etl() {
    return named("etl");
  }

  /** The etl tasks in a flow of the given name, for variants stored or run elsewhere. */
  static Flow named(String flowName) {
    Flow flow = new Flow(flowName);
    Parameter<Integer> rows = flow.parameter("rows", Integer.class, 100);
    Task<List<Integer>> extract =
        flow.task(
            "extract",
            rows,
            n -> {
              log.info("extracting {} rows", n);
              return IntStream.range(0, n).boxed().toList();
            });
    Task<List<Long>> transform =
        flow.task(
            "transform",
            extract,
            values -> {
              log.info("squaring {} rows", values.size());
              return values.stream().map(v -> (long) v * v).toList();
            });
    Task<Integer> count =
        flow.task(
            "count",
            extract,
            values -> {
              log.info("counting {} rows", values.size());
              return values.size();
            });
    flow.task(
        "load",
        transform,
        count,
        (squares, n) -> {
          long sum = squares.stream().mapToLong(Long::longValue).sum();
          String summary = "loaded " + n + " rows, sum of squares " + sum;
          log.info(summary);
          System.out.println(summary);
          return summary;
        });
    return flow;
  }
}
