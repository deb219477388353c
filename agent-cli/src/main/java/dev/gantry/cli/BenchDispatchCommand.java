package dev.gantry.cli;

import dev.gantry.bench.DispatchBenchmark;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gantry bench dispatch}: dispatch latency, throughput and exactness on PostgreSQL. */
@Command(
    name = "dispatch",
    mixinStandardHelpOptions = true,
    description = {
      "Dispatch on PostgreSQL with a no-op launcher, in one run: due -> launched latency (p50,"
          + " p99) and backlog throughput for 1 and 3 agents, duplicates and lost runs, beside the"
          + " rate of single-row UPDATEs on the same database and the poll query's time with"
          + " 100,000 finished runs in the table: idle, with 100,000 due runs no agent can take"
          + " (labels no agent has), and with 1,000 takable runs beside them.",
      "Works in a schema of its own in the given database and drops it afterwards. Exits 1 if a"
          + " run was launched twice or lost."
    })
final class BenchDispatchCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--db",
      required = true,
      paramLabel = "JDBC_URL",
      description =
          "The PostgreSQL database, e.g. jdbc:postgresql://127.0.0.1:5432/test?user=postgres")
  String db;

  @Option(
      names = "--runs",
      defaultValue = "10000",
      paramLabel = "N",
      description = "Runs per phase and agent count (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--rate",
      defaultValue = "200",
      paramLabel = "PER_SECOND",
      description = "Creation rate of the latency phase (default ${DEFAULT-VALUE}/s).")
  int rate;

  @Option(
      names = "--agents",
      split = ",",
      paramLabel = "N",
      description = "Agent counts to measure (default 1,3).")
  List<Integer> agents = new ArrayList<>(List.of(1, 3));

  @Option(
      names = "--max-concurrent",
      defaultValue = "64",
      paramLabel = "N",
      description = "Each agent's slots (default ${DEFAULT-VALUE}).")
  int maxConcurrent;

  @Option(
      names = "--finished-runs",
      defaultValue = "100000",
      paramLabel = "N",
      description = "Finished runs in the table when the poll is timed (default ${DEFAULT-VALUE}).")
  int finishedRuns;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    DispatchBenchmark.Report report =
        new DispatchBenchmark(
                new DispatchBenchmark.Settings(db, runs, rate, agents, maxConcurrent, finishedRuns),
                out)
            .run();
    return report.exact() ? 0 : 1;
  }
}
