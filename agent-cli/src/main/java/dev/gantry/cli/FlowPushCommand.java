package dev.gantry.cli;

import dev.gantry.backend.BundleStore.BundlePush;
import dev.gantry.client.GantryClient;
import dev.gantry.client.RunProvenance;
import dev.gantry.registration.BundlePushRequest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gantry flow push}: replace a source flow's bundle in place (hot reload). */
@Command(
    name = "push",
    mixinStandardHelpOptions = true,
    description = {
      "Replace the source bundle of a flow's newest version in place, with no new version: the"
          + " version's next run builds the flow from these jars (hot reload).",
      "Works for flows registered with --as-source on local, S3, GCS, Azure Blob or HTTP"
          + " storage; the new bundle is loaded here first, as a run will, and written only if it"
          + " loads. Prints its SHA-256; `gantry flow pushes NAME` lists the pushes and `gantry run"
          + " show` which bundle a run ran."
    })
public final class FlowPushCommand implements Callable<Integer> {
  @Mixin BackendOptions backend;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The flow's name.")
  String name;

  @Option(
      names = "--jar",
      required = true,
      paramLabel = "JAR",
      description = "A jar with the flow's classes, the factory's first; repeat for dependencies.")
  List<Path> jars = new ArrayList<>();

  @Option(
      names = "--factory",
      paramLabel = "CLASS#METHOD",
      description =
          "The factory that builds the flow (default: the one the version was registered with).")
  String factory;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (GantryClient gantry = backend.client()) {
      BundlePush push =
          gantry.push(new BundlePushRequest(name, jars, factory, System.getProperty("user.name")));
      out.printf(
          "Pushed flow %s version %d: sha256:%s%n",
          push.flowName(), push.flowVersion(), push.digest());
      out.printf("  its next run uses this bundle (pushed by %s)%n", push.pushedBy());
      out.flush();
    }
    return 0;
  }

  /** The bundle line of {@code gantry run show}: which bundle the attempt ran, from where. */
  static String describe(Optional<RunProvenance> ran) {
    if (ran.isEmpty()) {
      return "(not reported yet)";
    }
    RunProvenance bundle = ran.get();
    String digest = "sha256:" + bundle.digest();
    if (bundle.build() != null) {
      return "build " + bundle.build() + " (" + digest + ")";
    }
    if (bundle.push() != null) {
      return digest
          + " pushed "
          + Render.time(bundle.push().pushedAt())
          + " by "
          + bundle.push().pushedBy();
    }
    return digest + (bundle.asRegistered() ? " as registered" : " (neither registered nor pushed)");
  }

  /** {@code gantry flow pushes}: the pushes to a flow, newest first. */
  @Command(
      name = "pushes",
      mixinStandardHelpOptions = true,
      description =
          "List the pushes to every version of a flow (`gantry flow push`), newest first.")
  static final class Pushes implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The flow's name.")
    String name;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (GantryClient gantry = backend.client()) {
        Table table = new Table("VERSION", "SHA256", "PUSHED", "BY");
        for (BundlePush push : gantry.pushes(name)) {
          table.row(
              push.flowVersion(), push.digest(), Render.time(push.pushedAt()), push.pushedBy());
        }
        if (table.isEmpty()) {
          out.println("No pushes to flow " + name + "; its runs use the bundle as registered.");
        } else {
          table.print(out);
        }
        out.flush();
      }
      return 0;
    }
  }
}
