package dev.gantry.cli;

import dev.gantry.catalog.FlowLabel;
import dev.gantry.domain.LogRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/** How values look in command output. */
final class Render {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

  private Render() {}

  static String time(Instant at) {
    return at == null ? "-" : TIME.format(at);
  }

  static String clock(Instant at) {
    return at == null ? "-" : CLOCK.format(at);
  }

  static String duration(Instant from, Instant to) {
    if (from == null) {
      return "-";
    }
    Duration d = Duration.between(from, to == null ? Instant.now() : to);
    long ms = d.toMillis();
    return ms < 10_000 ? String.format("%.2fs", ms / 1000.0) : d.toSeconds() + "s";
  }

  static String labels(Collection<String> labels) {
    return labels.isEmpty() ? "(none)" : String.join(",", labels.stream().sorted().toList());
  }

  /** "etl (flow), host-1 (storage)" */
  static String labelsWithSources(List<FlowLabel> labels) {
    if (labels.isEmpty()) {
      return "(none)";
    }
    return labels.stream()
        .map(l -> l.label() + " (" + l.source() + ")")
        .collect(Collectors.joining(", "));
  }

  static String logLine(LogRecord record) {
    String source = record.source();
    boolean printed = "stdout".equals(source) || "stderr".equals(source);
    String where =
        record.taskName() == null
            ? source
            : printed ? record.taskName() + " " + source : record.taskName();
    return clock(record.at())
        + " "
        + pad(record.level(), 5)
        + " ["
        + where
        + "] "
        + record.message();
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }
}
