package dev.gantry.backend.jdbc;

import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Another process on the same database, driven by {@link H2CrossProcessTest} over stdin and stdout.
 * Lines meant for the test start with {@code "@@ "}, since log output shares stdout.
 *
 * <pre>
 * claim URL AGENT NOW  print "ready", wait for a line, claim as AGENT (no labels) until nothing
 *                      is due at NOW, printing "claimed ID" for each run, then "done"
 * hold URL FLOW        register FLOW, print "registered ID", keep the database open until a line
 * once URL MILLIS      open, list runs, keep it open MILLIS ms (an agent's life or a CLI command's),
 *                      close; print "ok", or "failed MESSAGE" and exit 1
 * </pre>
 */
public final class BackendProcess {

  private BackendProcess() {}

  public static void main(String[] args) throws IOException {
    String command = args[0];
    if (command.equals("once")) {
      try (JdbcBackend backend = JdbcBackend.open(args[1])) {
        backend.runs().list(null, null, 10);
        Thread.sleep(Long.parseLong(args[2]));
        backend.runs().list(null, null, 10);
      } catch (RuntimeException | InterruptedException e) {
        say("failed " + e.getMessage());
        System.exit(1);
      }
      say("ok");
      return;
    }
    BufferedReader stdin =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (JdbcBackend backend = JdbcBackend.open(args[1])) {
      switch (command) {
        case "claim" -> {
          say("ready");
          stdin.readLine();
          Instant now = Instant.parse(args[3]);
          List<FlowRun> batch;
          do {
            batch = backend.runs().claimDue(args[2], Set.of(), 5, now);
            batch.forEach(run -> say("claimed " + run.id()));
          } while (!batch.isEmpty());
          say("done");
        }
        case "hold" -> {
          RegisteredFlow flow =
              backend
                  .flows()
                  .register(
                      new NewFlowVersion(
                          args[2],
                          BundleFormat.module,
                          "module:com.acme.Flows#" + args[2],
                          null,
                          "com.acme.Flows#" + args[2],
                          null,
                          List.of(),
                          Set.of(),
                          List.of()));
          say("registered " + flow.id());
          stdin.readLine();
        }
        default -> throw new IllegalArgumentException("unknown command " + command);
      }
    }
  }

  private static void say(String line) {
    System.out.println("@@ " + line);
    System.out.flush();
  }
}
