package dev.gantry.bench;

import dev.gantry.bench.DispatchBenchmark.Phase;
import dev.gantry.bench.DispatchBenchmark.Poll;
import dev.gantry.bench.DispatchBenchmark.Report;
import java.io.PrintWriter;
import java.util.List;

/**
 * What the benchmarks print: progress lines as they go; the dispatch report's tables at the end.
 */
public final class BenchOutput {

  private final PrintWriter out;

  public BenchOutput(PrintWriter out) {
    this.out = out;
  }

  public void say(String format, Object... args) {
    out.printf("[bench] " + format + "%n", args);
    out.flush();
  }

  void print(Report report) {
    out.println();
    out.println(
        "| agents | runs | due -> launched p50 | p99 | max | backlog drain | duplicates | lost |");
    out.println("|---|---|---|---|---|---|---|---|");
    for (Phase p : report.phases()) {
      out.printf(
          "| %d | %d at %d/s + %d backlog | %d ms | %d ms | %d ms | %,.0f runs/min | %d | %d |%n",
          p.agents(),
          p.runs(),
          p.ratePerSecond(),
          p.runs(),
          p.p50Millis(),
          p.p99Millis(),
          p.maxMillis(),
          p.backlogRunsPerMinute(),
          p.duplicates(),
          p.lost());
    }
    out.printf(
        "floor: %,.0f single-row UPDATEs/s (1 connection), %,.0f/s (8 connections)%n",
        report.updatesPerSecondOne(), report.updatesPerSecondEight());
    out.println(
        "| finished runs | due runs | unclaimable due runs | poll p50 | poll p99 |"
            + " claim statement p50 | p99 | round trip p99 |");
    out.println("|---|---|---|---|---|---|---|---|");
    for (Poll poll : List.of(report.idle(), report.unclaimable(), report.busy())) {
      out.printf(
          "| %,d | %,d | %,d | %.3f ms | %.3f ms | %.3f ms | %.3f ms | %.3f ms |%n",
          poll.finishedRuns(),
          poll.dueRuns(),
          poll.unclaimableRuns(),
          poll.pollP50(),
          poll.pollP99(),
          poll.claimP50(),
          poll.claimP99(),
          poll.roundTripP99());
    }
    out.printf(
        "unclaimable backlog vs idle: poll p50 x%.2f, p99 x%.2f; claim statement p99 x%.2f%n",
        report.unclaimable().pollP50() / report.idle().pollP50(),
        report.unclaimable().pollP99() / report.idle().pollP99(),
        report.unclaimable().claimP99() / report.idle().claimP99());
    out.println("plan of the claim statement with the unclaimable backlog:");
    report.unclaimable().claimPlan().forEach(line -> out.println("    " + line));
    out.println("plan of the poll with the unclaimable backlog and due runs queued:");
    report.busy().pollPlan().forEach(line -> out.println("    " + line));
    Phase most = report.phases().get(report.phases().size() - 1);
    out.printf(
        "goals: p50 <= 20 ms: %s; p99 <= 200 ms: %s; >= 20,000 runs/min with %d agents: %s;"
            + " no duplicates or lost runs: %s; poll < 5 ms: %s;"
            + " poll p99 <= 1 ms with the unclaimable backlog: %s%n",
        verdict(report.phases().stream().allMatch(p -> p.p50Millis() <= 20)),
        verdict(report.phases().stream().allMatch(p -> p.p99Millis() <= 200)),
        most.agents(),
        verdict(most.backlogRunsPerMinute() >= 20_000),
        verdict(report.exact()),
        verdict(report.idle().pollP99() < 5 && report.busy().pollP99() < 5),
        verdict(report.unclaimable().pollP99() <= 1));
    out.flush();
  }

  private static String verdict(boolean met) {
    return met ? "met" : "MISSED";
  }
}
