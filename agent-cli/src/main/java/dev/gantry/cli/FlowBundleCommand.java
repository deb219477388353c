package dev.gantry.cli;

import dev.gantry.registration.FlowBundler;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gantry flow bundle}: write the bundle {@code flow register} would store, and stop. */
@Command(
    name = "bundle",
    mixinStandardHelpOptions = true,
    description = {
      "Build a flow's bundle without registering it: the flow is built with its factory from the"
          + " jars, frozen (or with --as-source its jars and factory kept) and loaded back as a"
          + " run will load it, then written to FILE.",
      "Register the file later, unchanged, with `gantry flow register --bundle FILE` (against the"
          + " database or a server); the version's SHA-256 is the file's.",
      "Needs no database and no server."
    })
public final class FlowBundleCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--jar",
      required = true,
      paramLabel = "JAR",
      description = "A jar with the flow's classes; repeat for its dependencies.")
  List<Path> jars = new ArrayList<>();

  @Option(
      names = "--factory",
      required = true,
      paramLabel = "CLASS#METHOD",
      description = "The public static method that builds the Flow, e.g. com.acme.Flows#etl.")
  String factory;

  @Option(
      names = "--as-source",
      description =
          "Keep the jars and factory, not the flow object (default: serialized, unless the flow's"
              + " own storage is of the source kind).")
  boolean asSource;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "FILE",
      description = "Where to write the bundle, e.g. etl.gantry (replaced if it exists).")
  Path output;

  @Override
  public Integer call() {
    FlowBundler.Bundle bundle = FlowBundler.write(jars, factory, asSource, output);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("Wrote bundle of flow %s (%s) to %s%n", bundle.flowName(), bundle.format(), output);
    out.printf("  factory:  %s%n", bundle.factory());
    out.printf("  sha256:   %s%n", bundle.digest());
    out.flush();
    return 0;
  }
}
