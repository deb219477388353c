package dev.gantry.cli;

import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunParameters;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gantry flow ...}: register, list and run flows. */
@Command(
    name = "flow",
    description = "Register, list and run flows.",
    mixinStandardHelpOptions = true,
    subcommands = {
      FlowRegisterCommand.class,
      FlowBundleCommand.class,
      FlowCommand.ListFlows.class,
      FlowCommand.Run.class,
      FlowScheduleCommand.class,
      FlowPushCommand.class,
      FlowPushCommand.Pushes.class
    })
public final class FlowCommand {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List registered flows.")
  static final class ListFlows implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--all-versions",
        description = "Every version of each flow, newest first, not only the newest.")
    boolean allVersions;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (GantryClient gantry = backend.client()) {
        Table table =
            new Table("NAME", "VERSION", "FORMAT", "IMAGE", "LABELS (SOURCE)", "REGISTERED");
        List<RegisteredFlow> listed = allVersions ? gantry.allVersions() : gantry.flows();
        for (RegisteredFlow flow : listed) {
          table.row(
              flow.name(),
              flow.version(),
              flow.format(),
              flow.image(),
              Render.labelsWithSources(flow.labels()),
              Render.time(flow.registeredAt()));
        }
        if (table.isEmpty()) {
          out.println("No flows registered. Register one with `gantry flow register`.");
        } else {
          table.print(out);
          for (RegisteredFlow flow : listed) {
            if (!flow.runConfig().isEmpty()) {
              out.printf("%s v%d%n", flow.name(), flow.version());
              RunConfigOptions.describe(flow.runConfig()).forEach(out::println);
            }
          }
        }
        out.flush();
      }
      return 0;
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description =
          "Create a run (or --count N runs) of the newest version of a flow (or --flow-version V),"
              + " due now.")
  static final class Run implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The flow's name.")
    String name;

    @Option(
        names = {"-p", "--param"},
        paramLabel = "NAME=VALUE",
        description = "A parameter value; repeat for several.")
    List<String> params = new ArrayList<>();

    @Option(
        names = {"-l", "--label"},
        paramLabel = "LABEL",
        description = "A label added to the flow's for this run.")
    List<String> labels = new ArrayList<>();

    @Option(
        names = "--count",
        defaultValue = "1",
        paramLabel = "N",
        description = "Create N runs at once, in this one command (default ${DEFAULT-VALUE}).")
    int count;

    @Option(
        names = "--flow-version",
        paramLabel = "V",
        description = "Run this version of the flow (default: the newest).")
    Integer flowVersion;

    @ArgGroup(exclusive = true)
    Follow follow;

    @Option(
        names = "--no-progress",
        description = "With --watch: no progress line, only the plain lines (as in a pipe).")
    boolean noProgress;

    static final class Follow {
      @Option(
          names = {"-w", "--watch"},
          description = "Follow the run's states and logs until it ends; exit 0 only on Success.")
      boolean watch;
    }

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      try (GantryClient gantry = backend.client()) {
        if (count < 1) {
          throw new UserError("--count must be at least 1, not " + count);
        }
        if (count > 1 && follow != null && follow.watch) {
          throw new UserError("--watch follows one run; leave it out with --count " + count);
        }
        List<FlowRun> runs =
            gantry.createRuns(
                name,
                flowVersion,
                RunParameters.parsePairs(params),
                new LinkedHashSet<>(labels),
                count);
        for (FlowRun created : runs) {
          out.printf(
              "Created run %s of flow %s v%d, labels %s%n",
              created.id(),
              created.flowName(),
              created.flowVersion(),
              Render.labels(created.labels()));
        }
        out.flush();
        FlowRun run = runs.get(0);
        if (follow == null || !follow.watch) {
          return 0;
        }
        RunState end =
            new RunWatcher(gantry, out, true, true, noProgress ? null : StatusLine.onTerminal(out))
                .follow(run.id());
        FlowRun finished = gantry.run(run.id());
        out.printf(
            "Run %s ended %s%s%n",
            run.id(), end, finished.message() != null ? ": " + finished.message() : "");
        out.flush();
        return end == RunState.Success ? 0 : 1;
      }
    }
  }
}
