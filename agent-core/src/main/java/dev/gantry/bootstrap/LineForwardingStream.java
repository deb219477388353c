package dev.gantry.bootstrap;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.slf4j.MDC;

/**
 * Replaces System.out and System.err in the bootstrap: collects bytes into lines and forwards each
 * whole line as a {@code log} event through {@link ProtocolOutput#log}, so a flow's prints stay
 * line-atomic beside protocol lines.
 */
final class LineForwardingStream extends OutputStream {
  private static final int MAX_LINE = 64 * 1024;

  private final ProtocolOutput output;
  private final String source;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

  /**
   * @param source {@code stdout} or {@code stderr}
   */
  LineForwardingStream(ProtocolOutput output, String source) {
    this.output = output;
    this.source = source;
  }

  @Override
  public synchronized void write(int b) {
    if (b == '\n') {
      emit();
    } else {
      line.write(b);
      if (line.size() >= MAX_LINE) {
        emit();
      }
    }
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      write(b[i]);
    }
  }

  @Override
  public synchronized void flush() {
    // Lines are forwarded when complete; a partial line waits for its end or for close().
  }

  @Override
  public synchronized void close() {
    if (line.size() > 0) {
      emit();
    }
  }

  private void emit() {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    // Printed from a task's thread, the line is attributed to that task, with its own time.
    output.log(
        Instant.now(), source.equals("stderr") ? "WARN" : "INFO", source, MDC.get("task"), text);
  }
}
