package dev.gantry.cli;

import dev.gantry.client.GantryClient;
import dev.gantry.explain.RunDiagnosis;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gantry run explain ID}: why a run is not running yet. */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = {
      "Say why a run is still Scheduled: not due yet, no live agent whose labels cover the run's"
          + " (naming the labels the closest agents lack), every matching agent at its limit, or"
          + " every matching agent's policy refusing what its flow asks for (naming the agent, the"
          + " setting and the limit)."
    })
public final class RunExplainCommand implements Callable<Integer> {
  @Mixin BackendOptions backend;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "ID", description = "The run's id or a unique prefix of it.")
  String id;

  @Option(
      names = "--stale-after",
      defaultValue = "30s",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "An agent without heartbeat for this long is not live (default ${DEFAULT-VALUE}).")
  Duration staleAfter;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (GantryClient gantry = backend.client()) {
      RunDiagnosis diagnosis = gantry.explain(id, staleAfter);
      diagnosis.lines().forEach(out::println);
      out.flush();
    }
    return 0;
  }
}
