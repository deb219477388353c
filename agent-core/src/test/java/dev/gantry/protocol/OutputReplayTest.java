package dev.gantry.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one rule for output read again after a re-attachment or a broken stream. */
class OutputReplayTest {
  private static final Instant T0 = Instant.parse("2026-11-26T01:00:00Z");
  private static final Instant STORED = T0.plusSeconds(10);

  private static String log(Instant at, String message) {
    return ProtocolWriter.line(new LogEvent(at, "INFO", "flow", null, message));
  }

  private static String task(Instant at) {
    return ProtocolWriter.line(new TaskEvent(at, "t", "RUNNING", 1, null));
  }

  @Test
  void nothingIsStoredWhenTheBackendHeldNothing() {
    assertThat(OutputReplay.isStored(null, T0, ProtocolParser.parse(log(T0, "x")))).isFalse();
    assertThat(OutputReplay.isStored(null, T0, Optional.empty())).isFalse();
  }

  @Test
  void aLogEventIsStoredByItsOwnTimeAtMicrosecondPrecision() {
    Instant later = STORED.plusSeconds(60);
    assertThat(stored(later, log(STORED, "x"))).isTrue();
    assertThat(stored(later, log(STORED.plusNanos(999), "x"))).isTrue(); // same microsecond
    assertThat(stored(later, log(STORED.plusNanos(1000), "x"))).isFalse();
    assertThat(stored(T0, log(STORED.plusSeconds(1), "x"))).isFalse(); // own time wins
    assertThat(stored(null, log(STORED.minusSeconds(1), "x"))).isTrue();
  }

  @Test
  void stateEventsAreNeverStored() {
    assertThat(stored(T0, task(T0))).isFalse();
    assertThat(stored(T0, ProtocolWriter.line(new RunEvent(T0, "Running")))).isFalse();
    assertThat(stored(T0, ProtocolWriter.line(new ResultEvent(T0, "Success", null)))).isFalse();
  }

  @Test
  void otherLinesAreStoredByThePlatformsTimestampAndNewWithoutOne() {
    assertThat(stored(STORED, "plain")).isTrue();
    assertThat(stored(STORED.plusNanos(1), "plain")).isFalse();
    assertThat(stored(null, "plain")).isFalse();
    assertThat(stored(STORED, "::gantry:: {\"event\":")).isTrue(); // malformed: a plain line
    assertThat(stored(STORED, "::gantry:: {\"event\":\"log\",\"at\":\"soon\"}")).isTrue();
    assertThat(stored(null, "::gantry:: {\"event\":\"log\",\"at\":\"soon\"}")).isFalse();
  }

  @Test
  void aResumedStreamSkipsWhatWasDeliveredIncludingLinesAtTheSameInstant() {
    OutputReplay replay = new OutputReplay(null);
    List<String> delivered = new ArrayList<>();
    read(replay, delivered, T0, "one");
    read(replay, delivered, T0.plusSeconds(1), "two");
    read(replay, delivered, T0.plusSeconds(1), "three, same instant");

    assertThat(replay.resume()).isEqualTo(T0.plusSeconds(1));
    read(replay, delivered, T0, "one");
    read(replay, delivered, T0.plusSeconds(1), "two");
    read(replay, delivered, T0.plusSeconds(1), "three, same instant");
    read(replay, delivered, T0.plusSeconds(1), "four, same instant");
    read(replay, delivered, T0.plusSeconds(2), "five");

    assertThat(replay.resume()).isEqualTo(T0.plusSeconds(2));
    read(replay, delivered, T0.plusSeconds(2), "five");
    read(replay, delivered, T0.plusSeconds(3), "six");

    assertThat(delivered)
        .containsExactly("one", "two", "three, same instant", "four, same instant", "five", "six");
  }

  @Test
  void aStreamResumedBeforeAnyLineReadsFromTheStart() {
    OutputReplay replay = new OutputReplay(null);
    assertThat(replay.resume()).isNull();
    assertThat(replay.admit(T0, "first")).isTrue();
  }

  @Test
  void linesWithoutATimestampAreAlwaysNewToTheStream() {
    OutputReplay replay = new OutputReplay(null);
    assertThat(replay.admit(T0, "one")).isTrue();
    replay.resume();
    assertThat(replay.admit(null, "no timestamp")).isTrue();
    assertThat(replay.admit(T0, "one")).isFalse();
  }

  @Test
  void afterReattachingStoredLinesCountAsReadButAreNotDelivered() {
    OutputReplay replay = new OutputReplay(STORED);
    assertThat(replay.storedUpTo()).isEqualTo(STORED);
    assertThat(replay.admit(STORED, "stored plain")).isFalse();
    assertThat(replay.admit(STORED, task(T0))).isTrue();
    assertThat(replay.admit(STORED.plusSeconds(1), log(STORED, "stored log"))).isFalse();
    assertThat(replay.admit(STORED.plusSeconds(1), "new plain")).isTrue();

    assertThat(replay.resume()).isEqualTo(STORED.plusSeconds(1));
    assertThat(replay.admit(STORED.plusSeconds(1), log(STORED, "stored log"))).isFalse();
    assertThat(replay.admit(STORED.plusSeconds(1), "new plain")).isFalse(); // delivered before
    assertThat(replay.admit(STORED.plusSeconds(2), log(STORED.plusSeconds(2), "new"))).isTrue();
  }

  private static boolean stored(Instant platformAt, String line) {
    return OutputReplay.isStored(STORED, platformAt, ProtocolParser.parse(line));
  }

  private static void read(OutputReplay replay, List<String> delivered, Instant at, String line) {
    if (replay.admit(at, line)) {
      delivered.add(line);
    }
  }
}
