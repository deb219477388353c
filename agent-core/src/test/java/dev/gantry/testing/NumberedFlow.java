package dev.gantry.testing;

import dev.gantry.bundle.BundleFixtures;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.client.GantryClient;
import dev.gantry.registration.Registration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Flow "numbered", compiled for tests (no example prints numbered lines in several tasks): tasks
 * {@code first}, {@code second} and {@code third}, one after the other, each printing "TASK line i
 * of N" for i = 1..N to standard output, {@code pauseMillis} apart.
 */
public final class NumberedFlow {
  public static final String NAME = "numbered";
  public static final List<String> TASKS = List.of("first", "second", "third");

  private NumberedFlow() {}

  /** The line task {@code task} prints {@code i}-th of {@code lines}. */
  public static String line(String task, int i, int lines) {
    return task + " line " + i + " of " + lines;
  }

  /** Compiles the flow into a jar under {@code dir} and registers it with {@code client}. */
  public static RegisteredFlow register(GantryClient client, Path dir, int lines, int pauseMillis) {
    try {
      Path jar =
          BundleFixtures.compileJar(dir.resolve("numbered.jar"), sources(lines, pauseMillis));
      return client.register(Registration.of(jar, "demo.Numbered#flow"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> sources(int lines, int pauseMillis) {
    return Map.of(
        "demo.Numbered",
        """
        package demo;

        import dev.gantry.flow.Flow;
        import dev.gantry.flow.Task;

        public final class Numbered {
          public static Flow flow() {
            Flow flow = new Flow("numbered");
            Task<Integer> first = flow.task("first", () -> count("first"));
            Task<Integer> second = flow.task("second", first, n -> count("second"));
            flow.task("third", second, n -> count("third"));
            return flow;
          }

          static int count(String task) throws InterruptedException {
            for (int i = 1; i <= %d; i++) {
              System.out.println(task + " line " + i + " of %d");
              Thread.sleep(%d);
            }
            return %d;
          }
        }
        """
            .formatted(lines, lines, pauseMillis, lines));
  }
}
