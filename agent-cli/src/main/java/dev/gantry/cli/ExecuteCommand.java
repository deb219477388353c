package dev.gantry.cli;

import dev.gantry.bootstrap.Bootstrap;
import picocli.CommandLine.Command;

/** {@code gantry execute flow-run}: the bootstrap, as run inside a container or child JVM. */
@Command(
    name = "execute",
    mixinStandardHelpOptions = true,
    description = "Run things inside launched infrastructure.")
public final class ExecuteCommand {

  @Command(
      name = "flow-run",
      mixinStandardHelpOptions = true,
      description = {
        "Run one attempt of a flow run as its agent launched it: read the GANTRY_* environment,"
            + " fetch and verify the bundle, run the flow, report on stdout.",
        "See docs/bootstrap-protocol.md. Exit codes: 0 success, 10 flow failed, 11 load failed,"
            + " 12 bad input, 13 cancelled, 14 agent lost."
      })
  int flowRun() {
    return Bootstrap.execute(System.getenv());
  }
}
