package dev.gantry.cli;

import dev.gantry.agent.AgentOptions;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import dev.gantry.flow.TaskState;
import dev.gantry.flow.storage.Local;
import dev.gantry.home.GantryHome;
import dev.gantry.launch.local.LocalLauncher;
import dev.gantry.process.AgentProcess;
import dev.gantry.registration.Registration;
import dev.gantry.supervision.SecretSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gantry bench ...}: the benchmarks recorded in docs/benchmarks.md. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks whose figures are recorded in docs/benchmarks.md.",
    subcommands = {
      BenchCommand.LocalStart.class,
      BenchDispatchCommand.class,
      BenchApiCommand.class,
      BenchScrapeCommand.class
    })
public final class BenchCommand {

  @Command(
      name = "local-start",
      mixinStandardHelpOptions = true,
      description = {
        "Time from a run becoming due to its first task starting under the local launcher,"
            + " beside a bare `java -version` on the same machine, in one run.",
        "Uses a fresh embedded backend in a temporary home and the example ETL flow."
      })
  static final class LocalStart implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--runs",
        defaultValue = "20",
        paramLabel = "N",
        description = "Runs of each (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(
        names = "--poll-interval",
        defaultValue = "20ms",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "The agent's poll interval (default ${DEFAULT-VALUE}).")
    Duration pollInterval;

    @Option(
        names = "--java-opt",
        paramLabel = "OPTION",
        description = "JVM options for the runs' JVMs (default: the local launcher's).")
    List<String> javaOptions;

    @Option(
        names = "--no-warm-start",
        negatable = true,
        defaultValue = "true",
        description = "Measure with (default) or without the local launcher's warm JVM.")
    boolean warmStart;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Path home = Files.createTempDirectory("gantry-bench-");
      List<Long> baseline = new ArrayList<>();
      List<Long> dueToTask = new ArrayList<>();
      List<Long> dueToClaim = new ArrayList<>();
      List<Long> claimToRunning = new ArrayList<>();
      try (DatabaseGantryClient gantry = GantryClient.open(new GantryHome(home), null);
          LocalLauncher launcher =
              new LocalLauncher(
                  javaOptions == null ? LocalLauncher.DEFAULT_JVM_OPTIONS : javaOptions,
                  warmStart)) {
        Path jar = DemoCommand.extractExamplesJar(home.resolve("demo"));
        RegisteredFlow flow = gantry.register(Registration.of(jar, DemoCommand.FACTORY));
        AgentOptions options =
            AgentOptions.defaults("bench@" + Local.hostName(), flow.labelSet())
                .withPollInterval(pollInterval)
                .withMaxConcurrent(1);
        try (AgentProcess agent =
            AgentProcess.start(
                gantry, launcher, options, SecretSource.NONE, AgentProcess.Settings.embedded())) {
          // warm the file cache and the database
          measureOne(gantry, flow, new ArrayList<>());
          measureOne(gantry, flow, new ArrayList<>());
          for (int i = 0; i < runs; i++) {
            baseline.add(bareJavaVersion());
            FlowRun run = measureOne(gantry, flow, dueToTask);
            var history = gantry.history(run.id());
            Instant submitted = at(history, RunState.Submitted);
            Instant running = at(history, RunState.Running);
            dueToClaim.add(Duration.between(run.scheduledAt(), submitted).toMillis());
            claimToRunning.add(Duration.between(submitted, running).toMillis());
          }
        }
      }
      long base = median(baseline);
      long ours = median(dueToTask);
      out.printf(
          "runs: %d, agent poll interval %d ms, warm start %s%n",
          runs, pollInterval.toMillis(), warmStart ? "on" : "off");
      out.printf(
          "bare `java -version`:            median %4d ms, p90 %4d ms%n",
          base, percentile(baseline, 90));
      out.printf(
          "run due -> first task started:   median %4d ms, p90 %4d ms%n",
          ours, percentile(dueToTask, 90));
      out.printf(
          "  of which due -> claimed:       median %4d ms; claimed -> bootstrap running: median"
              + " %4d ms%n",
          median(dueToClaim), median(claimToRunning));
      out.printf("ratio (medians): %.2f (goal: at most 1.5)%n", (double) ours / base);
      out.flush();
      return 0;
    }

    private static Instant at(List<StateChange> history, RunState state) {
      return history.stream()
          .filter(c -> c.state() == state)
          .map(StateChange::at)
          .findFirst()
          .orElseThrow();
    }

    /** Creates a run due now and returns it once it ended; adds due -> first task to into. */
    private static FlowRun measureOne(
        DatabaseGantryClient gantry, RegisteredFlow flow, List<Long> into) throws Exception {
      FlowRun run = gantry.createRun(flow.name(), Map.of("rows", "10"), Set.of());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      Instant firstTask = null;
      while (firstTask == null) {
        if (System.nanoTime() > deadline) {
          throw new UserError("run " + run.id() + " did not start a task within 60 s");
        }
        Thread.sleep(2);
        firstTask = firstTaskStart(gantry.tasks(run.id()));
      }
      into.add(Duration.between(run.scheduledAt(), firstTask).toMillis());
      while (!gantry.run(run.id()).state().isTerminal()) {
        Thread.sleep(5);
      }
      return run;
    }

    private static Instant firstTaskStart(List<TaskRun> tasks) {
      Optional<Instant> earliest =
          tasks.stream()
              .filter(t -> t.state() != TaskState.PENDING && t.startedAt() != null)
              .map(TaskRun::startedAt)
              .min(Instant::compareTo);
      return earliest.orElse(null);
    }

    private static long bareJavaVersion() throws Exception {
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      long start = System.nanoTime();
      Process p =
          new ProcessBuilder(java.toString(), "-version")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      p.waitFor();
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static long median(List<Long> values) {
      return percentile(values, 50);
    }

    private static long percentile(List<Long> values, int p) {
      List<Long> sorted = new ArrayList<>(values);
      Collections.sort(sorted);
      int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
      return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }
  }
}
