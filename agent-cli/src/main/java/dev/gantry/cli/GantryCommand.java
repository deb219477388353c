package dev.gantry.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

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
public final class GantryCommand {
  // Read by Gantry.main before the command line is parsed (Logback is configured first); declared
  // here so every command accepts and documents it.
  @Option(
      names = LogFormat.OPTION,
      scope = ScopeType.INHERIT,
      paramLabel = "text|json",
      description =
          "Log lines as readable text (default) or one JSON object per line (also"
              + " GANTRY_LOG_FORMAT).")
  LogFormat logFormat;
}
