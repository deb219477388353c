package dev.gantry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP forwarder on 127.0.0.1 (a random port) to a server on this machine, which a test can cut —
 * every connection closed and new ones refused, as when the network or the server goes away — and
 * restore on the same port. Used to make PostgreSQL unreachable without touching the shared server.
 */
public final class TcpProxy implements AutoCloseable {
  private static final Pattern HOST_PORT = Pattern.compile("//([^/:?]+)(?::(\\d+))?/");

  private final InetAddress targetHost;
  private final int targetPort;
  private final int port;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket server;

  private TcpProxy(InetAddress targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = listen(0);
    this.port = server.getLocalPort();
    accept(server);
  }

  /** Starts forwarding 127.0.0.1:{@link #port()} to the server of a JDBC URL on this machine. */
  public static TcpProxy toServerOf(String jdbcUrl) throws IOException {
    Matcher m = HOST_PORT.matcher(jdbcUrl);
    if (!m.find()) {
      throw new IllegalArgumentException("no //HOST[:PORT]/ in " + jdbcUrl);
    }
    int port = m.group(2) == null ? 5432 : Integer.parseInt(m.group(2));
    return new TcpProxy(InetAddress.getByName(m.group(1)), port);
  }

  public int port() {
    return port;
  }

  /** The JDBC URL {@code url} with its host and port replaced by this proxy's. */
  public String route(String url) {
    return url.replaceFirst("//[^/]+/", "//127.0.0.1:" + port + "/");
  }

  /** Closes every forwarded connection and refuses new ones until {@link #restore()}. */
  public synchronized void cut() throws IOException {
    ServerSocket listening = server;
    server = null;
    if (listening != null) {
      listening.close();
    }
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
  }

  /** Accepts connections again, on the same port. */
  public synchronized void restore() throws IOException {
    if (server == null) {
      server = listen(port);
      accept(server);
    }
  }

  @Override
  public void close() throws IOException {
    cut();
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return socket;
  }

  private void accept(ServerSocket listening) {
    Thread acceptor =
        new Thread(
            () -> {
              while (!listening.isClosed()) {
                Socket client;
                try {
                  client = listening.accept();
                } catch (IOException e) {
                  continue; // closed by cut(): the loop ends
                }
                try {
                  Socket upstream = new Socket(targetHost, targetPort);
                  sockets.add(client);
                  sockets.add(upstream);
                  if (server != listening) { // cut while this one was being accepted
                    closeQuietly(client);
                    closeQuietly(upstream);
                    continue;
                  }
                  pump(client, upstream);
                  pump(upstream, client);
                } catch (IOException e) {
                  closeQuietly(client); // the target refused: the client sees its socket close
                }
              }
            },
            "tcp-proxy-accept-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void pump(Socket from, Socket to) {
    Thread pump =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // one side closed: close both below
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
              }
            },
            "tcp-proxy-pump-" + port);
    pump.setDaemon(true);
    pump.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
