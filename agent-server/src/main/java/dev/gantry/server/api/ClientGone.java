package dev.gantry.server.api;

import io.javalin.http.sse.SseClient;

/**
 * An event stream's client has gone (it closed the connection, or a write to it failed). Thrown
 * before writing to it, so a poll stops at once: Javalin logs a warning for every write to a
 * terminated client, and a poll that went on would write its whole batch.
 */
final class ClientGone extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private ClientGone() {
    super(null, null, false, false); // a signal, not an error: no stack trace
  }

  static void check(SseClient client) {
    if (client.terminated()) {
      throw new ClientGone();
    }
  }
}
