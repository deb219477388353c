package dev.gantry.docker;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Turns the Docker engine's multiplexed log stream (8-byte frame headers: stream type, three zero
 * bytes, big-endian payload length) of a non-TTY container, requested with {@code timestamps=1},
 * into timestamped lines. A line longer than the engine's 16 KiB message limit arrives as several
 * partial messages; they are joined again. Standard output and error keep separate line buffers.
 */
final class LogLineDecoder {

  /** Receives decoded lines. */
  interface LineHandler {
    /**
     * @param at the engine's timestamp of the line
     * @param line the line without its terminator
     */
    void line(Instant at, String line);
  }

  private static final int HEADER = 8;

  private final LineHandler handler;
  private final ByteBuffer header = ByteBuffer.allocate(HEADER);
  private final PartialLine[] streams = {new PartialLine(), new PartialLine(), new PartialLine()};
  private ByteArrayOutputStream payload;
  private int payloadRemaining = -1;
  private int payloadStream;

  LogLineDecoder(LineHandler handler) {
    this.handler = handler;
  }

  /** Consumes all bytes of {@code data}. */
  void feed(ByteBuffer data) {
    while (data.hasRemaining()) {
      if (payloadRemaining < 0) {
        while (header.hasRemaining() && data.hasRemaining()) {
          header.put(data.get());
        }
        if (header.hasRemaining()) {
          return;
        }
        header.flip();
        payloadStream = Math.min(header.get(0) & 0xff, 2);
        payloadRemaining = header.getInt(4);
        header.clear();
        payload = new ByteArrayOutputStream(Math.max(16, Math.min(payloadRemaining, 1 << 16)));
      }
      int take = Math.min(payloadRemaining, data.remaining());
      if (data.hasArray()) {
        payload.write(data.array(), data.arrayOffset() + data.position(), take);
        data.position(data.position() + take);
      } else {
        byte[] chunk = new byte[take];
        data.get(chunk);
        payload.write(chunk, 0, take);
      }
      payloadRemaining -= take;
      if (payloadRemaining == 0) {
        message(payloadStream, payload.toByteArray());
        payload = null;
        payloadRemaining = -1;
      }
    }
  }

  /** Convenience for whole frames' payloads, as docker-java's callbacks deliver them. */
  void message(int stream, byte[] bytes) {
    PartialLine partial = streams[Math.min(Math.max(stream, 0), 2)];
    int start = 0;
    Instant at = null;
    int space = indexOf(bytes, (byte) ' ', 40);
    if (space > 0) {
      try {
        at = Instant.parse(new String(bytes, 0, space, StandardCharsets.US_ASCII));
        start = space + 1;
      } catch (DateTimeParseException notATimestamp) {
        at = null;
      }
    }
    if (at == null) {
      at = Instant.now();
    }
    if (partial.at == null) {
      partial.at = at;
    }
    // One message may hold several lines when it was not written by the engine's line splitter.
    int from = start;
    for (int i = start; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        partial.text.write(bytes, from, i - from);
        emit(partial);
        partial.at = at;
        from = i + 1;
      }
    }
    partial.text.write(bytes, from, bytes.length - from);
    if (partial.text.size() == 0) {
      partial.at = null;
    }
  }

  /** Delivers what is left of unterminated lines: the stream has ended. */
  void finish() {
    for (PartialLine partial : streams) {
      if (partial.text.size() > 0) {
        emit(partial);
      }
    }
  }

  private void emit(PartialLine partial) {
    byte[] text = partial.text.toByteArray();
    int length = text.length;
    if (length > 0 && text[length - 1] == '\r') {
      length--;
    }
    Instant at = partial.at != null ? partial.at : Instant.now();
    partial.text.reset();
    partial.at = null;
    handler.line(at, new String(text, 0, length, StandardCharsets.UTF_8));
  }

  private static int indexOf(byte[] bytes, byte wanted, int limit) {
    for (int i = 0; i < Math.min(bytes.length, limit); i++) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    return -1;
  }

  private static final class PartialLine {
    final ByteArrayOutputStream text = new ByteArrayOutputStream();
    Instant at;
  }
}
