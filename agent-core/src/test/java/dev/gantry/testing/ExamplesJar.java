package dev.gantry.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The examples module's jar: a real user jar, registered by tests as users register theirs. */
public final class ExamplesJar {
  private ExamplesJar() {}

  public static Path path() {
    String value = System.getProperty("gantry.test.examplesJar");
    if (value == null || !Files.isRegularFile(Path.of(value))) {
      throw new IllegalStateException(
          "the examples jar is missing (" + value + "); build with mvn, which copies it");
    }
    return Path.of(value);
  }
}
