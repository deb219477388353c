package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.LocalGantry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** flow run --count, --flow-version, flow list --all-versions and --watch with no agent. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlowRunOptionsTest {
  @TempDir static Path home;
  private LocalGantry gantry;

  @BeforeAll
  void registerTwoVersions() {
    gantry = new LocalGantry(home);
    for (int i = 0; i < 2; i++) {
      CliResult register =
          gantry(
              "flow",
              "register",
              "--jar",
              ExamplesJar.path().toString(),
              "--factory",
              "dev.gantry.examples.Greeting#greeting");
      assertThat(register.exitCode()).as(register.err()).isZero();
    }
  }

  @AfterAll
  void close() {
    gantry.close();
  }

  private CliResult gantry(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home=" + home);
    return CliResult.run(all.toArray(String[]::new));
  }

  @Test
  void countCreatesThatManyRunsInOneCommand() {
    long start = System.nanoTime();
    CliResult run =
        gantry("flow", "run", "greeting", "-p", "name=Ada", "--count", "300", "-l", "count-test");
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("flow run --count 300 took " + millis + " ms");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().lines().filter(l -> l.startsWith("Created run "))).hasSize(300);
    assertThat(gantry.client.runs("greeting", java.util.Set.of(), 1000))
        .filteredOn(r -> r.labels().contains("count-test"))
        .hasSize(300);
  }

  @Test
  void aBadCountIsOneLine() {
    CliResult run = gantry("flow", "run", "greeting", "-p", "name=Ada", "--count", "0");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().strip()).isEqualTo("error: --count must be at least 1, not 0");
  }

  @Test
  void flowVersionRunsThatVersion() {
    CliResult run = gantry("flow", "run", "greeting", "-p", "name=Ada", "--flow-version", "1");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("of flow greeting v1,");

    CliResult missing = gantry("flow", "run", "greeting", "-p", "name=Ada", "--flow-version", "9");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err().strip().lines()).hasSize(1);
    assertThat(missing.err()).contains("flow 'greeting' has no version 9");
  }

  @Test
  void listAllVersionsShowsEveryVersion() {
    CliResult latest = gantry("flow", "list");
    assertThat(latest.out().lines().filter(l -> l.startsWith("greeting"))).hasSize(1);
    CliResult all = gantry("flow", "list", "--all-versions");
    assertThat(all.exitCode()).as(all.err()).isZero();
    assertThat(all.out().lines().filter(l -> l.startsWith("greeting"))).hasSize(2);
  }

  @Test
  void watchWithNoAgentSaysAtOnceWhyTheRunWaits() throws Exception {
    CompletableFuture<CliResult> watch =
        CompletableFuture.supplyAsync(
            () ->
                gantry(
                    "flow",
                    "run",
                    "greeting",
                    "-p",
                    "name=Ada",
                    "-l",
                    "nobody-has-this",
                    "--watch"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                gantry.client.runs("greeting", java.util.Set.of(), 1000).stream()
                    .anyMatch(r -> r.labels().contains("nobody-has-this")));
    Thread.sleep(1_500);
    String id =
        gantry.client.runs("greeting", java.util.Set.of(), 1000).stream()
            .filter(r -> r.labels().contains("nobody-has-this"))
            .findFirst()
            .orElseThrow()
            .id();
    gantry.client.cancel(id);
    CliResult result = watch.get(30, java.util.concurrent.TimeUnit.SECONDS);
    String out = result.out();
    assertThat(out).contains(" waiting: ").contains("nobody-has-this");
    assertThat(out.indexOf(" waiting: ")).isLessThan(out.indexOf("state Cancelled"));
  }
}
