package dev.gantry.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.protocol.LogEvent;
import dev.gantry.protocol.ProtocolParser;
import dev.gantry.protocol.ResultEvent;
import dev.gantry.protocol.RunEvent;
import dev.gantry.protocol.TaskEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bootstrap's output: one parseable line per event, the result also as termination message. */
class ProtocolOutputTest {
  private static final Instant AT = Instant.parse("2026-11-26T01:25:28.686Z");
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final ProtocolOutput output =
      new ProtocolOutput(new PrintStream(bytes, true, StandardCharsets.UTF_8));

  @Test
  void everyCallWritesOneLineThatReadsBackAsItsEvent() {
    output.runState("Running");
    output.taskState("extract", "SUCCESS", 2, AT, null);
    output.log(AT, "INFO", "stdout", "extract", "line \"quoted\"\nand more");
    output.result("Failed", "task load failed");

    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(4).allMatch(l -> l.startsWith(ProtocolOutput.MARKER));
    assertThat(ProtocolParser.parse(lines.get(0)).orElseThrow())
        .isInstanceOfSatisfying(RunEvent.class, e -> assertThat(e.running()).isTrue());
    assertThat(ProtocolParser.parse(lines.get(1)))
        .contains(new TaskEvent(AT, "extract", "SUCCESS", 2, null));
    assertThat(ProtocolParser.parse(lines.get(2)))
        .contains(new LogEvent(AT, "INFO", "stdout", "extract", "line \"quoted\"\nand more"));
    assertThat(ProtocolParser.parse(lines.get(3)).orElseThrow())
        .isInstanceOfSatisfying(
            ResultEvent.class,
            e -> {
              assertThat(e.state()).isEqualTo("Failed");
              assertThat(e.message()).isEqualTo("task load failed");
            });
  }

  @Test
  void theResultIsAlsoTheTerminationMessageCutToItsLimit(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("termination-log");
    output.terminationLog(file);

    output.result("Failed", "x".repeat(5000));

    String line = bytes.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
    byte[] written = Files.readAllBytes(file);
    assertThat(written).hasSize(4000);
    assertThat(line).startsWith(new String(written, StandardCharsets.UTF_8));
  }
}
