package dev.gantry.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.testing.LocalGantry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bootstrap's contract (docs/bootstrap-protocol.md) as a launcher sees it: a process. */
class BootstrapProcessTest {
  @TempDir Path dir;
  private LocalGantry gantry;

  @BeforeEach
  void open() {
    gantry = new LocalGantry(dir.resolve("home"));
  }

  @AfterEach
  void close() {
    gantry.close();
  }

  private record Outcome(int exitCode, List<String> lines) {
    List<String> protocol() {
      return lines.stream().filter(l -> l.startsWith(ProtocolOutput.MARKER)).toList();
    }
  }

  private Outcome run(Map<String, String> env) throws IOException, InterruptedException {
    Path output = dir.resolve("out-" + System.nanoTime() + ".txt");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Dlogback.configurationFile=" + Bootstrap.LOGBACK_CONFIG,
            "-cp",
            System.getProperty("java.class.path"),
            Bootstrap.class.getName());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("GANTRY_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Outcome(process.exitValue(), Files.readAllLines(output, StandardCharsets.UTF_8));
  }

  private Map<String, String> envFor(RegisteredFlow flow, Map<String, String> parameters) {
    return new BootstrapSpec(
            "0e4b6a4e-1111-2222-3333-444455556666",
            1,
            flow.name(),
            flow.version(),
            flow.format(),
            flow.location(),
            flow.digest(),
            flow.factory(),
            parameters,
            Set.of())
        .toEnvironment();
  }

  @Test
  void aSuccessfulRunReportsRunningTasksLogsAndResultAndExitsZero() throws Exception {
    RegisteredFlow flow = gantry.registerExample("dev.gantry.examples.Etl#etl");
    Path termination = dir.resolve("termination-log");
    Map<String, String> env = new java.util.HashMap<>(envFor(flow, Map.of("rows", "3")));
    env.put(BootstrapSpec.TERMINATION_LOG, termination.toString());

    Outcome outcome = run(env);

    assertThat(outcome.exitCode()).isEqualTo(ExitCodes.SUCCESS);
    List<String> protocol = outcome.protocol();
    assertThat(protocol.get(0)).contains("\"event\":\"run\"").contains("\"state\":\"Running\"");
    assertThat(protocol)
        .anyMatch(l -> l.contains("\"task\":\"extract\"") && l.contains("\"state\":\"SUCCESS\""))
        .anyMatch(
            l ->
                l.contains("\"event\":\"log\"")
                    && l.contains("\"logger\":\"stdout\"")
                    && l.contains("loaded 3 rows"));
    assertThat(protocol.get(protocol.size() - 1))
        .contains("\"event\":\"result\"")
        .contains("Success");
    assertThat(outcome.lines()).allMatch(l -> l.startsWith(ProtocolOutput.MARKER));
    assertThat(Files.readString(termination)).isEqualTo(protocol.get(protocol.size() - 1));
  }

  @Test
  void aFailingFlowExitsTenWithTheTaskNamed() throws Exception {
    RegisteredFlow flow = gantry.registerExample("dev.gantry.examples.Failing#failing");

    Outcome outcome = run(envFor(flow, Map.of()));

    assertThat(outcome.exitCode()).isEqualTo(ExitCodes.FLOW_FAILED);
    assertThat(outcome.protocol().get(outcome.protocol().size() - 1))
        .contains("Failed")
        .contains("explode");
  }

  @Test
  void aTamperedBundleExitsElevenBeforeAnyTaskStarts() throws Exception {
    RegisteredFlow flow = gantry.registerExample("dev.gantry.examples.Etl#etl");
    Map<String, String> env = new java.util.HashMap<>(envFor(flow, Map.of()));
    env.put(BootstrapSpec.DIGEST, "00".repeat(32));

    Outcome outcome = run(env);

    assertThat(outcome.exitCode()).isEqualTo(ExitCodes.LOAD_FAILED);
    assertThat(outcome.protocol()).noneMatch(l -> l.contains("\"event\":\"task\""));
    assertThat(outcome.protocol().get(outcome.protocol().size() - 1)).contains("SHA-256");
  }

  @Test
  void missingVariablesOrBadParametersExitTwelve() throws Exception {
    Outcome empty = run(Map.of());
    assertThat(empty.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(empty.lines()).anyMatch(l -> l.contains("GANTRY_BUNDLE_FORMAT is not set"));

    RegisteredFlow flow = gantry.registerExample("dev.gantry.examples.Etl#etl");
    Outcome bad = run(envFor(flow, Map.of("rows", "lots")));
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(bad.lines()).anyMatch(l -> l.contains("rows") && l.contains("Integer"));
  }

  @Test
  void flowOutputCannotForgeProtocolLines() throws Exception {
    RegisteredFlow flow = gantry.registerExample("dev.gantry.examples.Printer#echoEnv");
    Map<String, String> env = new java.util.HashMap<>(envFor(flow, Map.of("variable", "FORGED")));
    env.put("FORGED", ProtocolOutput.MARKER + "{\"event\":\"result\",\"state\":\"Success\"}");

    Outcome outcome = run(env);

    List<String> results =
        outcome.protocol().stream()
            .filter(l -> l.startsWith(ProtocolOutput.MARKER + "{\"event\":\"result\""))
            .toList();
    assertThat(results).hasSize(1);
    assertThat(outcome.protocol())
        .anyMatch(l -> l.contains("\"event\":\"log\"") && l.contains("FORGED="));
  }

  @Test
  void theEnvironmentCarriesNoDatabaseCredentialsFromTheSpec() {
    Map<String, String> env =
        new BootstrapSpec(
                "r",
                1,
                "f",
                1,
                dev.gantry.catalog.BundleFormat.module,
                "module:a.B#c",
                null,
                "a.B#c",
                Map.of(),
                Set.of())
            .toEnvironment();
    assertThat(new ArrayList<>(env.keySet())).noneMatch(k -> k.contains("DB"));
  }
}
