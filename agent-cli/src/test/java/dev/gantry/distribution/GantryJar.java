package dev.gantry.distribution;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts the packaged gantry.jar as a separate process, as users and CI run it. */
final class GantryJar {
  private GantryJar() {}

  static Path path() {
    Path jar = Path.of(System.getProperty("gantry.test.jar", "target/gantry.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing; run the tests with mvn verify");
    }
    return jar;
  }

  /** Starts {@code java -jar gantry.jar ARGS}, its output (both streams) going to {@code log}. */
  static Process start(Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-jar");
    command.add(path().toString());
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }
}
