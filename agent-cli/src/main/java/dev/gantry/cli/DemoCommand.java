package dev.gantry.cli;

import dev.gantry.agent.AgentOptions;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.Local;
import dev.gantry.launch.local.LocalLauncher;
import dev.gantry.process.AgentProcess;
import dev.gantry.registration.Registration;
import dev.gantry.secrets.BackendSecretSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gantry demo}: the whole path on the embedded backend. Registers the example ETL flow to
 * local storage, starts a local agent, runs the flow in a child JVM and prints what happened.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Register the example ETL flow with local storage, start a local agent, run the flow to its"
          + " end and print the state transitions, the tasks and the logs.",
      "Exits 0 when the run ends in Success."
    })
public final class DemoCommand implements Callable<Integer> {
  static final String EXAMPLES_JAR = "/dev/gantry/demo/gantry-examples.jar";
  static final String FACTORY = "dev.gantry.examples.Etl#etl";

  @Mixin BackendOptions backend;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--rows",
      defaultValue = "1000",
      paramLabel = "N",
      description = "Rows the ETL flow makes (default ${DEFAULT-VALUE}).")
  int rows;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    try (DatabaseGantryClient gantry = backend.open();
        LocalLauncher launcher = new LocalLauncher(List.of())) {
      out.println("Gantry demo — home " + gantry.home().dir());
      Path jar = extractExamplesJar(gantry.home().dir().resolve("demo"));
      RegisteredFlow flow = gantry.register(Registration.of(jar, FACTORY));
      out.printf(
          "1. Registered flow %s v%d to local storage: %s%n   labels %s%n",
          flow.name(), flow.version(), flow.location(), Render.labelsWithSources(flow.labels()));

      AgentOptions options =
          AgentOptions.defaults("demo@" + Local.hostName(), flow.labelSet())
              .withPollInterval(Duration.ofMillis(100));
      try (AgentProcess agent =
          AgentProcess.start(
              gantry,
              launcher,
              options,
              BackendSecretSource.of(gantry.backend(), gantry.home().dir()),
              AgentProcess.Settings.embedded())) {
        out.printf("2. Started local agent %s with labels %s%n", options.name(), options.labels());
        FlowRun run =
            gantry.createRun(flow.name(), Map.of("rows", Integer.toString(rows)), Set.of());
        out.printf("3. Created run %s; following it:%n", run.id());
        out.flush();
        RunState end = new RunWatcher(gantry, out, true, false).follow(run.id());

        FlowRun finished = gantry.run(run.id());
        out.println();
        RunCommand.printRun(out, finished, flow);
        out.println();
        RunCommand.printTasks(out, gantry.tasks(run.id()));
        out.println();
        out.println("Logs:");
        new RunWatcher(gantry, out, false, true).printLogs(run.id());
        out.println();
        out.printf("Run %s ended %s%n", run.id(), end);
        out.flush();
        return end == RunState.Success ? 0 : 1;
      }
    }
  }

  /** The examples jar travels inside the gantry jar; flows must load from a jar, not our path. */
  static Path extractExamplesJar(Path dir) throws IOException {
    try (InputStream in = DemoCommand.class.getResourceAsStream(EXAMPLES_JAR)) {
      if (in == null) {
        throw new UserError(
            "this gantry build has no example flows jar ("
                + EXAMPLES_JAR
                + "); build the distribution with ./gantry or mvn package");
      }
      Files.createDirectories(dir);
      Path jar = dir.resolve("gantry-examples.jar");
      Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
      return jar;
    }
  }
}
