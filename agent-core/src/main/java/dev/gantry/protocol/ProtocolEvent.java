package dev.gantry.protocol;

import java.time.Instant;

/**
 * One event of the bootstrap protocol (docs/bootstrap-protocol.md): what a line that starts with
 * {@value #MARKER} carries. {@link ProtocolWriter} turns events into lines, {@link ProtocolParser}
 * lines into events.
 */
public sealed interface ProtocolEvent
    permits RunEvent, TaskEvent, LogEvent, ResultEvent, BundleEvent {
  /** The start of every protocol line: the marker and one space, then one flat JSON object. */
  String MARKER = "::gantry:: ";

  /** When it happened, as the bootstrap stamped it; null when a parsed line had no valid time. */
  Instant at();

  /** Whether a line starts with the marker (it may still fail to parse). */
  static boolean hasMarker(String line) {
    return line.startsWith(MARKER);
  }
}
