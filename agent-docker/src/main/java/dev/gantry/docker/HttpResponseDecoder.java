package dev.gantry.docker;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Incremental decoder of one HTTP/1.1 response as the Docker engine streams it: status line and
 * headers, then a body that is chunked, has a Content-Length, or runs until the connection closes.
 * Body bytes go to a consumer as they arrive.
 */
final class HttpResponseDecoder {
  private enum Phase {
    HEADERS,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_DATA_END,
    TRAILERS,
    IDENTITY,
    DONE
  }

  private final Consumer<ByteBuffer> body;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private Phase phase = Phase.HEADERS;
  private int status = -1;
  private boolean chunked;
  private long remaining = -1;

  HttpResponseDecoder(Consumer<ByteBuffer> body) {
    this.body = body;
  }

  /** The status code, or -1 before the status line arrived. */
  int status() {
    return status;
  }

  /** Whether the headers have been read. */
  boolean headersDone() {
    return phase != Phase.HEADERS;
  }

  /** Whether the body ended by its own framing (the last chunk, or Content-Length reached). */
  boolean complete() {
    return phase == Phase.DONE;
  }

  /** Consumes all bytes of {@code data}. */
  void feed(ByteBuffer data) {
    while (data.hasRemaining() && phase != Phase.DONE) {
      switch (phase) {
        case HEADERS, CHUNK_SIZE, CHUNK_DATA_END, TRAILERS -> {
          String text = readLine(data);
          if (text != null) {
            onLine(text);
          }
        }
        case CHUNK_DATA -> {
          int take = (int) Math.min(remaining, data.remaining());
          deliver(data, take);
          remaining -= take;
          if (remaining == 0) {
            phase = Phase.CHUNK_DATA_END;
          }
        }
        case IDENTITY -> {
          int take = remaining < 0 ? data.remaining() : (int) Math.min(remaining, data.remaining());
          deliver(data, take);
          if (remaining > 0) {
            remaining -= take;
            if (remaining == 0) {
              phase = Phase.DONE;
            }
          }
        }
        case DONE -> {
          return;
        }
      }
    }
  }

  private void onLine(String text) {
    switch (phase) {
      case HEADERS -> {
        if (status < 0) {
          String[] parts = text.split(" ", 3);
          if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IllegalStateException("not an HTTP response: " + text);
          }
          status = Integer.parseInt(parts[1]);
        } else if (text.isEmpty()) {
          if (chunked) {
            phase = Phase.CHUNK_SIZE;
          } else if (remaining == 0) {
            phase = Phase.DONE;
          } else {
            phase = Phase.IDENTITY;
          }
        } else {
          int colon = text.indexOf(':');
          if (colon > 0) {
            String name = text.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = text.substring(colon + 1).trim();
            if (name.equals("transfer-encoding")
                && value.toLowerCase(Locale.ROOT).contains("chunked")) {
              chunked = true;
            } else if (name.equals("content-length")) {
              remaining = Long.parseLong(value);
            }
          }
        }
      }
      case CHUNK_SIZE -> {
        int semicolon = text.indexOf(';');
        String size = (semicolon >= 0 ? text.substring(0, semicolon) : text).trim();
        remaining = Long.parseLong(size, 16);
        phase = remaining == 0 ? Phase.TRAILERS : Phase.CHUNK_DATA;
      }
      case CHUNK_DATA_END -> phase = Phase.CHUNK_SIZE;
      case TRAILERS -> {
        if (text.isEmpty()) {
          phase = Phase.DONE;
        }
      }
      default -> throw new IllegalStateException("no line expected in phase " + phase);
    }
  }

  /** Reads up to and including CRLF; returns the line without it, or null if incomplete. */
  private String readLine(ByteBuffer data) {
    while (data.hasRemaining()) {
      byte b = data.get();
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        line.reset();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
          length--;
        }
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
    return null;
  }

  private void deliver(ByteBuffer data, int length) {
    ByteBuffer slice = data.slice();
    slice.limit(length);
    data.position(data.position() + length);
    body.accept(slice);
  }

  @Override
  public String toString() {
    return "HttpResponseDecoder[status " + status + ", " + phase + "]";
  }
}
