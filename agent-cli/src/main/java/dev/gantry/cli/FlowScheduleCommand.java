package dev.gantry.cli;

import dev.gantry.catalog.ScheduledFlow;
import dev.gantry.client.GantryClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gantry flow schedule ...}: list, pause and resume flow schedules. */
@Command(
    name = "schedule",
    mixinStandardHelpOptions = true,
    description = {
      "List, pause and resume the schedules of flows (set with flow register --cron or"
          + " --interval, or flow.schedule(...) in the flow's code).",
      "Agents started without --no-scheduler fire them; see docs/schedules.md."
    },
    subcommands = {
      FlowScheduleCommand.ListSchedules.class,
      FlowScheduleCommand.Pause.class,
      FlowScheduleCommand.Resume.class
    })
public final class FlowScheduleCommand {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List flow schedules.")
  static final class ListSchedules implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (GantryClient gantry = backend.client()) {
        Table table = new Table("FLOW", "VERSION", "SCHEDULE", "STATE");
        for (ScheduledFlow flow : gantry.schedules()) {
          table.row(
              flow.name(),
              flow.version(),
              flow.schedule().describe(),
              flow.paused() ? "paused" : "active");
        }
        if (table.isEmpty()) {
          out.println(
              "No flow has a schedule. Register one with `gantry flow register --cron EXPR` or"
                  + " `--interval DURATION`.");
        } else {
          table.print(out);
        }
        out.flush();
      }
      return 0;
    }
  }

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description =
          "Stop a flow's schedule from creating runs, until resumed (also across new"
              + " registrations of the flow).")
  static final class Pause implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The flow's name.")
    String name;

    @Override
    public Integer call() {
      return setPaused(backend, spec, name, true);
    }
  }

  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = "Let a paused schedule create runs again, from its next fire on.")
  static final class Resume implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The flow's name.")
    String name;

    @Override
    public Integer call() {
      return setPaused(backend, spec, name, false);
    }
  }

  private static int setPaused(
      BackendOptions backend,
      picocli.CommandLine.Model.CommandSpec spec,
      String name,
      boolean paused) {
    try (GantryClient gantry = backend.client()) {
      gantry.pauseSchedule(name, paused);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("Schedule of flow %s %s%n", name, paused ? "paused" : "resumed");
      out.flush();
    }
    return 0;
  }
}
