package dev.gantry.cli;

import dev.gantry.bench.ApiBenchmark;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.server.GantryServer;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gantry bench api}: the API's run list, filters, log pages and SSE at scale. */
@Command(
    name = "api",
    mixinStandardHelpOptions = true,
    description = {
      "The API with 1,000,000 runs (and their state history) in PostgreSQL, in one run: p50/p99"
          + " of the run list's first page, a page filtered by flow and state and a run's page of"
          + " 1,000 log lines, each over HTTP (a gantry server in this process on 127.0.0.1,"
          + " an admin token) beside the same backend call the route makes, and their ratio; and"
          + " how long a log line stored as an agent stores it takes to reach an SSE subscriber.",
      "Works in a schema of its own in the given database and drops it afterwards. Exits 1 if a"
          + " goal of issue 11 is missed."
    })
final class BenchApiCommand implements Callable<Integer> {
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
      defaultValue = "1000000",
      paramLabel = "N",
      description = "Runs to seed (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--samples",
      defaultValue = "500",
      paramLabel = "N",
      description =
          "Timed calls of each kind, after as many warm-up calls (default ${DEFAULT-VALUE}).")
  int samples;

  @Option(
      names = "--sse-lines",
      defaultValue = "200",
      paramLabel = "N",
      description = "Log lines timed over SSE (default ${DEFAULT-VALUE}).")
  int sseLines;

  @Override
  public Integer call() throws Exception {
    if (!db.startsWith("jdbc:postgresql:")) {
      throw new UserError(
          "--db must be a PostgreSQL JDBC URL: jdbc:postgresql://HOST:PORT/DATABASE?user=...");
    }
    if (runs < 1000 || samples < 1 || sseLines < 1) {
      throw new UserError("--runs must be at least 1000, and --samples and --sse-lines at least 1");
    }
    boolean met =
        new ApiBenchmark(
                new ApiBenchmark.Settings(db, runs, samples, sseLines), spec.commandLine().getOut())
            .run(BenchApiCommand::serve);
    return met ? 0 : 1;
  }

  private static ApiBenchmark.Server serve(DatabaseGantryClient gantry) {
    String token =
        new ApiTokens(gantry.backend().tokens(), Clock.systemUTC())
            .create("bench", Role.ADMIN, null)
            .value();
    GantryServer server =
        GantryServer.start(
            gantry,
            new GantryServer.Settings(
                GantryServer.Settings.DEFAULT_BIND,
                0,
                GantryServer.Settings.DEFAULT_MAX_BODY_BYTES));
    return new ApiBenchmark.Server() {
      @Override
      public int port() {
        return server.port();
      }

      @Override
      public String token() {
        return token;
      }

      @Override
      public void close() {
        server.close();
      }
    };
  }
}
