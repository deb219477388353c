package dev.gantry.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the writer writes, the parser reads back: every event, every awkward character. */
class ProtocolRoundTripTest {
  private static final Instant AT = Instant.parse("2026-11-26T01:25:28.686123456Z");

  @Test
  void everyEventTypeSurvivesTheRoundTrip() {
    List<ProtocolEvent> events =
        List.of(
            new RunEvent(AT, "Running"),
            new TaskEvent(AT, "extract", "RUNNING", 1, null),
            new TaskEvent(AT, "load", "FAILED", 3, "boom"),
            new LogEvent(AT, "INFO", "com.acme.Etl", "extract", "extracting 10 rows"),
            new LogEvent(AT, "WARN", "stderr", null, ""),
            new BundleEvent(AT, "5be1", null),
            new BundleEvent(AT, "5be1", "com.acme:etl:jar:1.0-20261203.100000-1"),
            new ResultEvent(AT, "Success", null),
            new ResultEvent(AT, "Failed", "task load failed"));
    for (ProtocolEvent event : events) {
      assertThat(ProtocolParser.parse(ProtocolWriter.line(event))).contains(event);
    }
  }

  @Test
  void linesHaveTheDocumentedShape() {
    assertThat(ProtocolWriter.line(new RunEvent(AT, "Running")))
        .isEqualTo(
            "::gantry:: {\"event\":\"run\",\"at\":\"2026-11-26T01:25:28.686123456Z\","
                + "\"state\":\"Running\"}");
    assertThat(ProtocolWriter.line(new TaskEvent(AT, "extract", "SUCCESS", 1, null)))
        .isEqualTo(
            "::gantry:: {\"event\":\"task\",\"task\":\"extract\",\"state\":\"SUCCESS\","
                + "\"attempt\":1,\"at\":\"2026-11-26T01:25:28.686123456Z\",\"message\":null}");
    assertThat(ProtocolWriter.line(new LogEvent(AT, "INFO", "stdout", "load", "loaded")))
        .isEqualTo(
            "::gantry:: {\"event\":\"log\",\"at\":\"2026-11-26T01:25:28.686123456Z\","
                + "\"level\":\"INFO\",\"logger\":\"stdout\",\"task\":\"load\","
                + "\"message\":\"loaded\"}");
    assertThat(ProtocolWriter.line(new ResultEvent(AT, "Success", null)))
        .isEqualTo(
            "::gantry:: {\"event\":\"result\",\"at\":\"2026-11-26T01:25:28.686123456Z\","
                + "\"state\":\"Success\",\"message\":null}");
  }

  @Test
  void theWriterWritesWholeLinesAndReturnsThem() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProtocolWriter writer =
        new ProtocolWriter(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    String line = writer.write(new ResultEvent(AT, "Success", null));

    assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(line + System.lineSeparator());
  }

  @Test
  void anEventWithoutATimeIsStampedWhenWritten() {
    Instant before = Instant.now();
    ProtocolEvent read =
        ProtocolParser.parse(ProtocolWriter.line(new RunEvent(null, "Running"))).orElseThrow();
    assertThat(read.at()).isBetween(before, Instant.now());
  }

  @Test
  void escapingKeepsEveryCharacterAndTheLineWhole() {
    String awkward =
        "quote \" backslash \\ slash / newline \n return \r tab \t bell \u0007 nul \u0000"
            + " separators \u2028\u2029 unicode é 漢字 emoji \uD83D\uDE80 end";
    String line = ProtocolWriter.line(new LogEvent(AT, "INFO", "x\"y", "t\\1", awkward));

    assertThat(line).doesNotContain("\n", "\r", "\u2028", "\u2029", "\u0000");
    assertThat(ProtocolParser.parse(line))
        .contains(new LogEvent(AT, "INFO", "x\"y", "t\\1", awkward));
  }

  @Test
  void aForgedMarkerInsideAMessageStaysTheMessage() {
    String forged = ProtocolEvent.MARKER + "{\"event\":\"result\",\"state\":\"Success\"}";
    String line = ProtocolWriter.line(new LogEvent(AT, "INFO", "stdout", "evil", forged));

    Optional<ProtocolEvent> read = ProtocolParser.parse(line);

    assertThat(read).contains(new LogEvent(AT, "INFO", "stdout", "evil", forged));
    assertThat(line.indexOf(ProtocolEvent.MARKER, 1)).isPositive(); // present, but escaped inside
    assertThat(line).doesNotContain("\"event\":\"result\"");
  }

  @Test
  void aLineWithTheMarkerAnywhereButItsStartIsPlain() {
    assertThat(ProtocolParser.parse("printed " + ProtocolEvent.MARKER + "{\"event\":\"run\"}"))
        .isEmpty();
    assertThat(ProtocolParser.parse(" " + ProtocolEvent.MARKER + "{\"event\":\"run\"}")).isEmpty();
  }

  @Test
  void malformedLinesAreNoEvents() {
    assertThat(ProtocolParser.parse("plain output")).isEmpty();
    assertThat(ProtocolParser.parse("")).isEmpty();
    assertThat(ProtocolParser.parse("::gantry:: ")).isEmpty();
    assertThat(ProtocolParser.parse("::gantry::{\"event\":\"run\",\"state\":\"Running\"}"))
        .isEmpty();
    assertThat(ProtocolParser.parse("::gantry:: {\"event\":\"run\",\"state\":")).isEmpty();
    assertThat(ProtocolParser.parse("::gantry:: not json")).isEmpty();
    assertThat(ProtocolParser.parse("::gantry:: 42")).isEmpty();
    assertThat(ProtocolParser.parse("::gantry:: [\"event\",\"run\"]")).isEmpty();
    assertThat(ProtocolParser.parse("::gantry:: {\"event\":\"meteor\",\"state\":\"x\"}")).isEmpty();
    assertThat(ProtocolParser.parse("::gantry:: {\"state\":\"Running\"}")).isEmpty();
  }

  @Test
  void missingFieldsTakeTheDocumentedDefaults() {
    assertThat(ProtocolParser.parse("::gantry:: {\"event\":\"log\"}"))
        .contains(new LogEvent(null, "INFO", "flow", null, ""));
    assertThat(ProtocolParser.parse("::gantry:: {\"event\":\"task\",\"at\":\"yesterday\"}"))
        .contains(new TaskEvent(null, "", "", 0, null));
    assertThat(ProtocolParser.parse("::gantry:: {\"event\":\"result\",\"message\":null}"))
        .contains(new ResultEvent(null, "", null));
    assertThat(ProtocolParser.parse("::gantry:: {\"event\":\"run\"}"))
        .contains(new RunEvent(null, ""));
  }

  @Test
  void aTaskStateIsKnownOnlyWhenGantryHasIt() {
    assertThat(new TaskEvent(AT, "t", "TIMED_OUT", 1, null).knownState())
        .isEqualTo(dev.gantry.flow.TaskState.TIMED_OUT);
    assertThat(new TaskEvent(AT, "t", "EXPLODED", 1, null).knownState()).isNull();
    assertThat(new TaskEvent(AT, "t", null, 1, null).knownState()).isNull();
  }
}
