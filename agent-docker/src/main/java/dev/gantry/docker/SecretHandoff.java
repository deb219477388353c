package dev.gantry.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Hands a run's secret values to its container on stdin, so they are never in the container's
 * configuration ({@code docker inspect}), the engine's events or the image. The container is
 * created with {@code OpenStdin} and {@code StdinOnce}; before it starts the launcher attaches to
 * its stdin, writes one JSON line of {@code GANTRY_SECRET_<NAME>} values and closes its side; the
 * engine then closes the container's stdin. The bootstrap reads that line before anything else.
 *
 * <p>On a plain Unix socket or TCP port the attachment is the launcher's own connection: it
 * half-closes after the line, and the engine closing the connection in turn confirms that the line
 * went into the container. Through TLS or a pipe docker-java attaches, and the attachment stays
 * open until the container ends (its close ends it sooner).
 */
abstract class SecretHandoff implements AutoCloseable {

  /** Attaches to the stdin of a created container and writes {@code line} (with its newline). */
  static SecretHandoff attach(
      Optional<EngineAddress> engine,
      DockerClient docker,
      ScheduledExecutorService timer,
      String containerId,
      String line,
      Duration timeout)
      throws IOException {
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    if (engine.isPresent()) {
      RawAttachment raw = new RawAttachment(engine.get(), timer, timeout);
      try {
        raw.attach(containerId, bytes);
      } catch (IOException | RuntimeException e) {
        raw.close();
        throw new IOException(EngineErrors.message(e), e);
      }
      return raw;
    }
    try {
      return DockerJavaAttachment.attach(docker, containerId, bytes, timeout);
    } catch (RuntimeException e) {
      throw new IOException(EngineErrors.message(e), e);
    }
  }

  /** Closes this attachment when the run ends, whatever its end. */
  <T> java.util.function.BiConsumer<T, Throwable> closer() {
    return (result, error) -> close();
  }

  /**
   * After the container started: waits until the engine took the line (as far as the connection can
   * tell).
   *
   * @throws IOException when it did not within the timeout
   */
  abstract void awaitDelivered() throws IOException;

  @Override
  public abstract void close();

  /** The launcher's own hijacked connection: POST /containers/ID/attach, then raw stdin bytes. */
  private static final class RawAttachment extends SecretHandoff {
    private final EngineAddress engine;
    private final ScheduledExecutorService timer;
    private final Duration timeout;
    private SocketChannel channel;

    RawAttachment(EngineAddress engine, ScheduledExecutorService timer, Duration timeout) {
      this.engine = engine;
      this.timer = timer;
      this.timeout = timeout;
    }

    void attach(String containerId, byte[] line) throws IOException {
      channel =
          SocketChannel.open(
              engine.unixSocket() ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET);
      ScheduledFuture<?> watchdog = closeAfterTimeout();
      try {
        channel.connect(engine.socketAddress());
        String request =
            "POST /containers/"
                + containerId
                + "/attach?stream=1&stdin=1 HTTP/1.1\r\nHost: "
                + engine.hostHeader()
                + "\r\nUser-Agent: gantry\r\nContent-Type: text/plain\r\n"
                + "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n";
        writeFully(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        String status = readStatusAndHeaders();
        if (!status.contains(" 101 ") && !status.contains(" 200 ")) {
          throw new IOException("attaching to the stdin of container answered '" + status + "'");
        }
        writeFully(ByteBuffer.wrap(line));
        channel.shutdownOutput(); // the engine closes the container's stdin (StdinOnce)
      } finally {
        watchdog.cancel(false);
      }
    }

    @Override
    void awaitDelivered() throws IOException {
      ScheduledFuture<?> watchdog = closeAfterTimeout();
      try {
        ByteBuffer sink = ByteBuffer.allocate(1024);
        while (channel.read(sink) >= 0) {
          sink.clear(); // nothing is expected: stdout and stderr are not attached
        }
      } catch (IOException e) {
        throw new IOException(
            "the engine did not confirm within " + timeout.toSeconds() + " s (" + e + ")", e);
      } finally {
        watchdog.cancel(false);
      }
    }

    private ScheduledFuture<?> closeAfterTimeout() {
      return timer.schedule(this::close, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }

    /** Reads up to the blank line ending the response headers; returns the status line. */
    private String readStatusAndHeaders() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      ByteBuffer one = ByteBuffer.allocate(1);
      while (true) {
        one.clear();
        if (channel.read(one) < 0) {
          throw new IOException("the engine closed the attach connection before answering");
        }
        head.write(one.get(0));
        byte[] bytes = head.toByteArray();
        int n = bytes.length;
        if (n >= 4
            && bytes[n - 4] == '\r'
            && bytes[n - 3] == '\n'
            && bytes[n - 2] == '\r'
            && bytes[n - 1] == '\n') {
          String text = new String(bytes, StandardCharsets.US_ASCII);
          return text.substring(0, text.indexOf('\r'));
        }
        if (n > 16 * 1024) {
          throw new IOException("the engine's answer to attaching has no end of headers");
        }
      }
    }

    @Override
    public void close() {
      SocketChannel open = channel;
      if (open != null) {
        try {
          open.close();
        } catch (IOException ignored) {
          // closing is all that is left to do
        }
      }
    }
  }

  /** docker-java's attachment, for engines reached through TLS or a pipe. */
  private static final class DockerJavaAttachment extends SecretHandoff {
    private final ResultCallback.Adapter<Frame> callback;

    private DockerJavaAttachment(ResultCallback.Adapter<Frame> callback) {
      this.callback = callback;
    }

    static DockerJavaAttachment attach(
        DockerClient docker, String containerId, byte[] line, Duration timeout) throws IOException {
      ResultCallback.Adapter<Frame> callback =
          docker
              .attachContainerCmd(containerId)
              .withStdIn(new ByteArrayInputStream(line))
              .withFollowStream(true)
              .exec(new ResultCallback.Adapter<>());
      try {
        if (!callback.awaitStarted(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          callback.close();
          throw new IOException("attaching to its stdin took over " + timeout.toSeconds() + " s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        callback.close();
        throw new IOException("interrupted while attaching to its stdin", e);
      }
      return new DockerJavaAttachment(callback);
    }

    @Override
    void awaitDelivered() {
      // docker-java does not half-close: the engine takes the line as the container reads it,
      // and the attachment ends with the container (or with close()).
    }

    @Override
    public void close() {
      try {
        callback.close();
      } catch (IOException ignored) {
        // closing is all that is left to do
      }
    }
  }
}
