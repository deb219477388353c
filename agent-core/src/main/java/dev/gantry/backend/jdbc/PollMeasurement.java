package dev.gantry.backend.jdbc;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One measurement of the agents' claim statement on PostgreSQL (see {@link
 * JdbcBackend#measureClaim}).
 *
 * @param claimed how many runs it would have claimed
 * @param roundTripMillis the statement's time as the client saw it
 * @param plan the lines of {@code EXPLAIN (ANALYZE, BUFFERS)} for it
 */
public record PollMeasurement(int claimed, double roundTripMillis, List<String> plan) {
  private static final Pattern EXECUTION_TIME = Pattern.compile("Execution Time: ([0-9.]+) ms");

  public PollMeasurement {
    plan = List.copyOf(plan);
  }

  /** The server's execution time from the plan, in milliseconds. */
  public double executionMillis() {
    for (String line : plan) {
      Matcher m = EXECUTION_TIME.matcher(line);
      if (m.find()) {
        return Double.parseDouble(m.group(1));
      }
    }
    throw new IllegalStateException("no execution time in the plan: " + plan);
  }
}
