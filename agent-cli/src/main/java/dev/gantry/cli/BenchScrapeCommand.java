package dev.gantry.cli;

import dev.gantry.bench.scrape.ScrapeBenchmark;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.launch.Launcher;
import dev.gantry.process.AgentProcess;
import dev.gantry.supervision.SecretSource;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gantry bench scrape}: what a Prometheus scrape of an agent's /metrics costs. */
@Command(
    name = "scrape",
    mixinStandardHelpOptions = true,
    description = {
      "The time to render an agent's /metrics with 1,000,000 runs in PostgreSQL and 100 runs in"
          + " flight on the agent (a no-op launcher holds them Running): p50/p99 of GET /metrics"
          + " over HTTP on the agent's health port beside GET /health/live on the same port, their"
          + " ratio, and a count of the database calls made while serving the scrapes (none"
          + " expected: the run gauges read the database in the background).",
      "Works in a schema of its own in the given database and drops it afterwards. Exits 1 if"
          + " the goal of issue 13 (p99 <= 10 ms, no database call) is missed."
    })
final class BenchScrapeCommand implements Callable<Integer> {
  /** The thread {@code HealthServer} answers on. */
  static final String HEALTH_THREAD = "gantry-health";

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
      names = "--in-flight",
      defaultValue = "100",
      paramLabel = "N",
      description =
          "Runs held Running on the agent while it is scraped (default ${DEFAULT-VALUE}).")
  int inFlight;

  @Option(
      names = "--samples",
      defaultValue = "1000",
      paramLabel = "N",
      description =
          "Timed scrapes and baseline calls, after as many warm-up calls (default"
              + " ${DEFAULT-VALUE}).")
  int samples;

  @Override
  public Integer call() throws Exception {
    if (!db.startsWith("jdbc:postgresql:")) {
      throw new UserError(
          "--db must be a PostgreSQL JDBC URL: jdbc:postgresql://HOST:PORT/DATABASE?user=...");
    }
    if (runs < 100 || inFlight < 1 || samples < 1) {
      throw new UserError("--runs must be at least 100, and --in-flight and --samples at least 1");
    }
    boolean met =
        new ScrapeBenchmark(
                new ScrapeBenchmark.Settings(db, runs, inFlight, samples),
                spec.commandLine().getOut())
            .run(BenchScrapeCommand::startAgent);
    return met ? 0 : 1;
  }

  /** An agent as {@code gantry agent start} wires it, health and metrics on 127.0.0.1. */
  private static ScrapeBenchmark.StartedAgent startAgent(
      DatabaseGantryClient gantry, Launcher launcher, dev.gantry.agent.AgentOptions options)
      throws Exception {
    AgentProcess process =
        AgentProcess.start(
            gantry,
            launcher,
            options,
            SecretSource.NONE,
            new AgentProcess.Settings(false, "127.0.0.1", 0, false));
    return new ScrapeBenchmark.StartedAgent() {
      @Override
      public int healthPort() {
        return process.healthPort();
      }

      @Override
      public String servingThread() {
        return HEALTH_THREAD;
      }

      @Override
      public String render() {
        return process.metrics().scrape();
      }

      @Override
      public void close() {
        process.close();
      }
    };
  }
}
