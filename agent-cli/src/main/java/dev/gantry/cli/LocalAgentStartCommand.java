package dev.gantry.cli;

import dev.gantry.launch.local.LocalLauncherProvider;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gantry agent start local}: runs each flow run in a child JVM on this machine. */
@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    description = {
      "Start an agent that runs each flow run in a child JVM on this machine.",
      "Stops gracefully on SIGTERM or Ctrl-C: no new claims, running runs get the grace period."
    })
public final class LocalAgentStartCommand
    extends AgentStartCommand<LocalLauncherProvider.Settings> {

  @Option(
      names = "--java-opt",
      paramLabel = "OPTION",
      description = "A JVM option for the runs' JVMs, e.g. --java-opt=-Xmx512m. Repeatable.")
  List<String> javaOptions = new ArrayList<>();

  @Option(
      names = "--no-warm-start",
      negatable = true,
      defaultValue = "true",
      description =
          "Keep one JVM started and warmed up ahead of the next run (default on), so runs"
              + " without secrets start without waiting for a JVM.")
  boolean warmStart;

  @Override
  protected String kind() {
    return "local";
  }

  @Override
  protected Class<LocalLauncherProvider.Settings> settingsType() {
    return LocalLauncherProvider.Settings.class;
  }

  @Override
  public LocalLauncherProvider.Settings settings() {
    return new LocalLauncherProvider.Settings(javaOptions, warmStart);
  }
}
