package dev.gantry.testing;

import dev.gantry.bootstrap.Bootstrap;
import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.bootstrap.ProtocolOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code gantry execute flow-run} as a launcher does, in a child JVM with this JVM's class
 * path, and returns its exit code and output lines: the bootstrap contract seen from outside.
 */
public final class BootstrapProcess {
  private BootstrapProcess() {}

  /** What the bootstrap printed and how it exited. */
  public record Result(int exitCode, List<String> lines, Duration took) {

    /** The final {@code result} protocol line. */
    public String resultLine() {
      return lines.stream()
          .filter(l -> l.startsWith(ProtocolOutput.MARKER) && l.contains("\"event\":\"result\""))
          .reduce((first, second) -> second)
          .orElseThrow(() -> new AssertionError("no result line in " + lines));
    }
  }

  /**
   * Runs the bootstrap with these variables (on top of this process's environment, minus any {@code
   * GANTRY_SECRET_*}) and JVM options, waiting up to {@code timeout}.
   */
  public static Result run(
      Map<String, String> environment, List<String> jvmOptions, Path workDir, Duration timeout) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-Djava.io.tmpdir=" + workDir);
    command.add("-Dlogback.configurationFile=" + Bootstrap.LOGBACK_CONFIG);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Bootstrap.class.getName());
    Path output = workDir.resolve("bootstrap-" + System.nanoTime() + ".out");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().keySet().removeIf(n -> n.startsWith(BootstrapSpec.SECRET_PREFIX));
    builder.environment().putAll(environment);
    long start = System.nanoTime();
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(
            "the bootstrap did not end within " + timeout + ": " + Files.readString(output));
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      return new Result(
          process.exitValue(), Files.readAllLines(output, StandardCharsets.UTF_8), took);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
