package dev.gantry.server.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads a {@code text/event-stream} body into events, as the HTML standard's EventSource does:
 * {@code event:}, {@code data:} (joined by line breaks), {@code id:}, comments ({@code :...})
 * ignored, a blank line dispatches. The event id is kept across events, as EventSource keeps its
 * last event id for a reconnect.
 */
final class ServerSentEvents implements AutoCloseable {

  /** One dispatched event; {@code lastId} is the stream's last event id at that point. */
  record Event(String type, String data, String lastId) {}

  private final BufferedReader reader;
  private String lastId;

  ServerSentEvents(InputStream body, String lastId) {
    this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    this.lastId = lastId;
  }

  /** The next event, or null once the stream has ended. */
  Event next() throws IOException {
    String type = null;
    StringBuilder data = null;
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isEmpty()) {
        if (data != null) {
          return new Event(type == null ? "message" : type, data.toString(), lastId);
        }
        type = null;
        continue;
      }
      if (line.startsWith(":")) {
        continue; // a comment: the server's keep-alive
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "event" -> type = value;
        case "data" ->
            data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        case "id" -> {
          if (value.indexOf('\0') < 0) {
            lastId = value;
          }
        }
        default -> {
          // retry and unknown fields: this client reconnects on its own schedule
        }
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
