package dev.gantry.cli;

import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gantry run ...}: inspect and cancel flow runs. */
@Command(
    name = "run",
    description = "List, inspect, follow and cancel flow runs.",
    mixinStandardHelpOptions = true,
    subcommands = {
      RunCommand.ListRuns.class,
      RunCommand.Show.class,
      RunCommand.Logs.class,
      RunCommand.Cancel.class,
      RunExplainCommand.class
    })
public final class RunCommand {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List runs, newest first.")
  static final class ListRuns implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--flow", paramLabel = "NAME", description = "Only runs of this flow.")
    String flow;

    @Option(
        names = "--state",
        paramLabel = "STATE",
        description = "Only runs in this state; repeat for several.")
    List<String> states = new ArrayList<>();

    @Option(
        names = "--limit",
        defaultValue = "50",
        paramLabel = "N",
        description = "At most this many (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      Set<RunState> wanted = EnumSet.noneOf(RunState.class);
      states.forEach(s -> wanted.add(RunState.parse(s)));
      try (GantryClient gantry = backend.client()) {
        Table table = new Table("ID", "FLOW", "STATE", "LABELS", "CREATED", "DURATION", "MESSAGE");
        for (FlowRun run : gantry.runs(flow, wanted, limit)) {
          table.row(
              run.id(),
              run.flowName() + " v" + run.flowVersion(),
              run.state(),
              Render.labels(run.labels()),
              Render.time(run.createdAt()),
              Render.duration(run.startedAt(), run.endedAt()),
              run.message());
        }
        if (table.isEmpty()) {
          out.println("No runs.");
        } else {
          table.print(out);
        }
        out.flush();
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = {
        "Show a run: state, labels and where they came from, history and tasks.",
        "With --follow, its states and logs as they happen until it ends, then its tasks."
      })
  static final class Show implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The run's id or a unique prefix of it.")
    String id;

    @Option(
        names = {"-f", "--follow"},
        description =
            "Follow the run's states and logs until it ends (on a terminal with a line of the"
                + " tasks' progress: done of total, the running ones, elapsed), then show its"
                + " tasks.")
    boolean follow;

    @Option(
        names = "--no-progress",
        description = "With --follow: no progress line, only the plain lines (as in a pipe).")
    boolean noProgress;

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      try (GantryClient gantry = backend.client()) {
        FlowRun run = gantry.run(id);
        RegisteredFlow flow = gantry.flowVersion(run.flowId()).orElse(null);
        printRun(out, run, flow);
        out.printf("Bundle     %s%n", FlowPushCommand.describe(gantry.provenance(run.id())));
        out.println();
        if (follow) {
          out.flush();
          StatusLine status = noProgress ? null : StatusLine.onTerminal(out);
          new RunWatcher(gantry, out, true, true, status).follow(run.id());
        } else {
          printHistory(out, gantry.history(run.id()));
        }
        out.println();
        printTasks(out, gantry.tasks(run.id()));
        out.flush();
      }
      return 0;
    }
  }

  static void printRun(PrintWriter out, FlowRun run, RegisteredFlow flow) {
    out.printf("Run        %s%n", run.id());
    out.printf("Flow       %s v%d%n", run.flowName(), run.flowVersion());
    out.printf(
        "State      %s%s%n", run.state(), run.message() != null ? " — " + run.message() : "");
    out.printf("Labels     %s%n", runLabels(run, flow));
    out.printf("Parameters %s%n", run.parameters().isEmpty() ? "(defaults)" : run.parameters());
    out.printf(
        "Attempt    %d%s%n",
        run.attempt(), run.agentId() != null ? " by agent " + run.agentId() : "");
    if (flow != null && flow.image() != null) {
      out.printf("Image      %s%n", flow.image());
    }
    if (flow != null && !flow.runConfig().isEmpty()) {
      out.printf("Settings   %s%n", String.join(", ", flow.runConfig().describe()));
    }
    out.printf(
        "Times      created %s, started %s, ended %s (%s)%n",
        Render.time(run.createdAt()),
        Render.time(run.startedAt()),
        Render.time(run.endedAt()),
        Render.duration(run.startedAt(), run.endedAt()));
  }

  /** Each label with its source: from the flow's registration, or given for this run. */
  private static String runLabels(FlowRun run, RegisteredFlow flow) {
    if (run.labels().isEmpty()) {
      return "(none)";
    }
    List<String> out = new ArrayList<>();
    for (String label : run.labels().stream().sorted().toList()) {
      String source = "run";
      if (flow != null) {
        for (FlowLabel l : flow.labels()) {
          if (l.label().equals(label)) {
            source = l.source().name();
          }
        }
      }
      out.add(label + " (" + source + ")");
    }
    return String.join(", ", out);
  }

  static void printHistory(PrintWriter out, List<StateChange> history) {
    Table table = new Table("AT", "STATE", "ATTEMPT", "MESSAGE");
    for (StateChange change : history) {
      table.row(Render.clock(change.at()), change.state(), change.attempt(), change.message());
    }
    table.print(out);
  }

  static void printTasks(PrintWriter out, List<TaskRun> tasks) {
    if (tasks.isEmpty()) {
      out.println("No task has reported yet.");
      return;
    }
    Table table = new Table("TASK", "STATE", "ATTEMPT", "STARTED", "DURATION", "MESSAGE");
    for (TaskRun task : tasks) {
      table.row(
          task.taskName(),
          task.state(),
          task.taskAttempt(),
          Render.clock(task.startedAt()),
          Render.duration(task.startedAt(), task.endedAt()),
          task.message());
    }
    table.print(out);
  }

  @Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a run's logs.")
  static final class Logs implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The run's id or a unique prefix of it.")
    String id;

    @Option(
        names = {"-f", "--follow"},
        description = "Keep printing new lines until the run ends.")
    boolean follow;

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      try (GantryClient gantry = backend.client()) {
        FlowRun run = gantry.run(id);
        RunWatcher watcher = new RunWatcher(gantry, out, false, true);
        if (follow) {
          watcher.follow(run.id());
        } else {
          watcher.printLogs(run.id());
        }
      }
      return 0;
    }
  }

  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description =
          "Cancel a run: a scheduled run is cancelled at once; a running one is stopped by its"
              + " agent and becomes Cancelled when its infrastructure is gone.")
  static final class Cancel implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The run's id or a unique prefix of it.")
    String id;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (GantryClient gantry = backend.client()) {
        FlowRun run = gantry.run(id);
        RunState after = gantry.cancel(run.id());
        Map<RunState, String> explain =
            Map.of(
                RunState.Cancelled, "cancelled",
                RunState.Cancelling, "cancelling: its agent is stopping it");
        out.printf(
            "Run %s %s%n",
            run.id(),
            explain.getOrDefault(after, "already ended " + after + "; nothing to cancel"));
        out.flush();
      }
      return 0;
    }
  }
}
