package dev.gantry.cli;

import picocli.CommandLine.Command;

/** The root command: {@code gantry}. */
@Command(
    name = "gantry",
    mixinStandardHelpOptions = true,
    versionProvider = Gantry.Version.class,
    description = "Runs stored Java flows in containers through label-matching agents.",
    subcommands = {
      FlowCommand.class,
      RunCommand.class,
      AgentCommand.class,
      ExecuteCommand.class,
      DemoCommand.class,
      SecretCommand.class,
      ServerCommand.class,
      TokenCommand.class,
      BenchCommand.class
    })
public final class GantryCommand {}
