package dev.gantry.bench;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One measurement of the agents' claim statement on PostgreSQL, taken by {@link
 * ClaimStatementProbe}.
 *
 * @param claimed how many runs the claim statement would have claimed
 * @param claimRoundTripMillis the whole claim statement's time as the client saw it
 * @param pollPlan {@code EXPLAIN (ANALYZE, BUFFERS)} of the poll: the selection of due runs
 * @param claimPlan {@code EXPLAIN (ANALYZE, BUFFERS)} of the whole claim statement: the poll, the
 *     claim of the selected runs and their history rows
 */
record PollMeasurement(
    int claimed, double claimRoundTripMillis, List<String> pollPlan, List<String> claimPlan) {
  private static final Pattern EXECUTION_TIME = Pattern.compile("Execution Time: ([0-9.]+) ms");

  PollMeasurement {
    pollPlan = List.copyOf(pollPlan);
    claimPlan = List.copyOf(claimPlan);
  }

  /** The server's execution time of the poll, in milliseconds. */
  double pollMillis() {
    return executionMillis(pollPlan);
  }

  /** The server's execution time of the whole claim statement, in milliseconds. */
  double claimMillis() {
    return executionMillis(claimPlan);
  }

  private static double executionMillis(List<String> plan) {
    for (String line : plan) {
      Matcher m = EXECUTION_TIME.matcher(line);
      if (m.find()) {
        return Double.parseDouble(m.group(1));
      }
    }
    throw new IllegalStateException("no execution time in the plan: " + plan);
  }
}
