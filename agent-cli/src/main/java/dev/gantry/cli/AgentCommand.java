package dev.gantry.cli;

import dev.gantry.client.AgentStatus;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.AgentInfo;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gantry agent ...}: start agents and list them. */
@Command(
    name = "agent",
    description = "Start agents and see which are alive.",
    mixinStandardHelpOptions = true,
    subcommands = {
      AgentCommand.Start.class,
      AgentCommand.Install.class,
      AgentCommand.ListAgents.class
    })
public final class AgentCommand {

  /** {@code gantry agent start KIND}: one subcommand per launcher found with ServiceLoader. */
  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = "Start an agent of a kind: local, or the kinds of the launchers installed.")
  static final class Start {}

  /** {@code gantry agent install KIND}: for the launcher kinds that can be deployed. */
  @Command(
      name = "install",
      mixinStandardHelpOptions = true,
      description = "Print what deploys an agent of a kind, e.g. Kubernetes manifests.")
  static final class Install {}

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List agents.")
  static final class ListAgents implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--stale-after",
        defaultValue = "30s",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description =
            "An agent without heartbeat for this long shows as stale (default ${DEFAULT-VALUE}).")
    Duration staleAfter;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (GantryClient gantry = backend.client()) {
        Table table =
            new Table("NAME", "KIND", "HOST", "LABELS", "RUNS", "STATUS", "LAST HEARTBEAT", "ID");
        Instant now = Instant.now();
        for (AgentInfo agent : gantry.agents()) {
          AgentStatus status = AgentStatus.of(agent, now, staleAfter);
          table.row(
              agent.name(),
              agent.kind(),
              agent.host(),
              Render.labels(agent.labels()),
              runs(agent, status),
              status,
              Render.time(agent.heartbeatAt()),
              agent.id());
        }
        if (table.isEmpty()) {
          out.println("No agents have started. Start one with `gantry agent start local`.");
        } else {
          table.print(out);
        }
        out.flush();
      }
      return 0;
    }

    /**
     * Active runs out of the agent's maximum, known only while it is alive: a stopped or stale
     * agent's last count is not what it runs now ("-").
     */
    static String runs(AgentInfo agent, AgentStatus status) {
      String running = status == AgentStatus.alive ? Integer.toString(agent.running()) : "-";
      return running + "/" + agent.maxConcurrent();
    }
  }
}
