package dev.gantry.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** What a gantry command printed and returned, run in this JVM. */
public record CliResult(int exitCode, String out, String err) {

  public static CliResult run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Gantry.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new CliResult(code, out.toString(), err.toString());
  }
}
