package dev.gantry.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the logs of any number of containers on one thread: each stream is a non-blocking HTTP
 * connection to the engine's Unix socket (or plain TCP port), multiplexed by one {@link Selector}.
 * docker-java would spend a blocking thread on every followed container.
 */
final class SelectorLogStreams implements LogStreams {
  private static final Logger log = LoggerFactory.getLogger(SelectorLogStreams.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SocketAddress address;
  private final ProtocolFamily family;
  private final String hostHeader;
  private final Selector selector;
  private final Thread thread;
  private final Queue<Connection> opening = new ConcurrentLinkedQueue<>();
  private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
  private volatile boolean open = true;

  SelectorLogStreams(EngineAddress engine) {
    this.address = engine.socketAddress();
    this.family = engine.unixSocket() ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET;
    this.hostHeader = engine.hostHeader();
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new IllegalStateException("cannot open a selector for container logs: " + e, e);
    }
    this.thread = new Thread(this::loop, "gantry-docker-logs");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public Stream read(String containerId, Instant since, boolean follow, Listener listener) {
    StringBuilder path =
        new StringBuilder("/containers/")
            .append(containerId)
            .append("/logs?follow=")
            .append(follow ? 1 : 0)
            .append("&stdout=1&stderr=1&timestamps=1");
    if (since != null) {
      path.append("&since=")
          .append(since.getEpochSecond())
          .append('.')
          .append(String.format("%09d", since.getNano()));
    }
    String request =
        "GET "
            + path
            + " HTTP/1.1\r\nHost: "
            + hostHeader
            + "\r\nUser-Agent: gantry\r\nConnection: close\r\n\r\n";
    Connection connection =
        new Connection(
            containerId, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)), listener);
    if (!open) {
      listener.ended(new IOException("the agent's log reader is closed"));
      return connection;
    }
    opening.add(connection);
    selector.wakeup();
    return connection;
  }

  private void loop() {
    while (open) {
      try {
        selector.select(1_000);
        for (Connection c; (c = opening.poll()) != null; ) {
          c.connect();
        }
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          ((Connection) key.attachment()).ready(key);
        }
      } catch (ClosedSelectorException e) {
        return;
      } catch (IOException | RuntimeException e) {
        log.warn("container log reader: {}", e.toString());
      }
    }
  }

  @Override
  public void close() {
    open = false;
    try {
      for (SelectionKey key : selector.keys()) {
        key.channel().close();
      }
      selector.close();
    } catch (IOException | RuntimeException e) {
      log.debug("closing the container log reader: {}", e.toString());
    }
  }

  /** One followed container: its connection, request, and decoders. */
  private final class Connection implements Stream {
    private final String containerId;
    private final ByteBuffer request;
    private final Listener listener;
    private final LogLineDecoder lines;
    private final ByteArrayOutputStream errorBody = new ByteArrayOutputStream();
    private final HttpResponseDecoder response;
    private volatile SocketChannel channel;
    private volatile boolean closed;
    private boolean ended;

    Connection(String containerId, ByteBuffer request, Listener listener) {
      this.containerId = containerId;
      this.request = request;
      this.listener = listener;
      this.lines = new LogLineDecoder(listener::line);
      this.response = new HttpResponseDecoder(this::body);
    }

    void connect() {
      if (closed) {
        return;
      }
      try {
        channel = SocketChannel.open(family);
        channel.configureBlocking(false);
        boolean connected = channel.connect(address);
        channel.register(
            selector, connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, this);
      } catch (IOException | RuntimeException e) {
        end(
            new IOException(
                "cannot connect to the Docker engine at "
                    + address
                    + " for the logs of container "
                    + containerId
                    + ": "
                    + e.getMessage(),
                e));
      }
    }

    void ready(SelectionKey key) {
      if (closed) {
        closeChannel();
        return;
      }
      try {
        if (key.isConnectable()) {
          channel.finishConnect();
          key.interestOps(SelectionKey.OP_WRITE);
        } else if (key.isWritable()) {
          channel.write(request);
          if (!request.hasRemaining()) {
            key.interestOps(SelectionKey.OP_READ);
          }
        } else if (key.isReadable()) {
          readBuffer.clear();
          int read = channel.read(readBuffer);
          if (read < 0) {
            end(null);
            return;
          }
          readBuffer.flip();
          response.feed(readBuffer);
          if (response.complete()) {
            end(null);
          }
        }
      } catch (IOException | RuntimeException e) {
        end(e);
      }
    }

    private void body(ByteBuffer bytes) {
      if (response.status() == 200) {
        lines.feed(bytes);
      } else {
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        errorBody.write(copy, 0, copy.length);
      }
    }

    private void end(Throwable error) {
      if (ended) {
        return;
      }
      ended = true;
      closeChannel();
      if (closed) {
        return;
      }
      Throwable outcome = error;
      if (outcome == null && response.status() != 200) {
        outcome =
            new EngineAnswer(
                response.status(),
                "the Docker engine answered "
                    + (response.status() < 0 ? "nothing" : Integer.toString(response.status()))
                    + " to following the logs of container "
                    + containerId
                    + ": "
                    + engineMessage());
      }
      if (response.status() == 200) {
        lines.finish();
      }
      try {
        listener.ended(outcome);
      } catch (RuntimeException e) {
        log.warn(
            "container {}: handling the end of its logs failed: {}", containerId, e.toString());
      }
    }

    private String engineMessage() {
      String body = errorBody.toString(StandardCharsets.UTF_8).trim();
      try {
        String message = JSON.readTree(body).path("message").asText("");
        return message.isEmpty() ? body : message;
      } catch (IOException | RuntimeException e) {
        return body;
      }
    }

    private void closeChannel() {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException e) {
          log.debug("closing the log stream of container {}: {}", containerId, e.toString());
        }
      }
    }

    @Override
    public void close() {
      closed = true;
      selector.wakeup();
      if (channel != null) {
        closeChannel();
      }
    }
  }

  /** The engine answered a log request with an error status. */
  static final class EngineAnswer extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;

    EngineAnswer(int status, String message) {
      super(message);
      this.status = status;
    }

    int status() {
      return status;
    }
  }
}
