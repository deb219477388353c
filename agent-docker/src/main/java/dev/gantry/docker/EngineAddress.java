package dev.gantry.docker;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the Docker engine listens, for the agent's own non-blocking log connections.
 *
 * @param unixSocket true for a Unix socket path, false for a plain TCP port
 */
record EngineAddress(SocketAddress socketAddress, boolean unixSocket, String hostHeader) {

  /**
   * The address of {@code dockerHost} ({@code unix:///var/run/docker.sock}, {@code tcp://h:2375}),
   * or empty when the agent cannot open plain connections to it itself (TLS, named pipes, SSH):
   * then docker-java follows the logs.
   */
  static Optional<EngineAddress> of(URI dockerHost, boolean tls) {
    if (dockerHost == null || tls) {
      return Optional.empty();
    }
    String scheme = dockerHost.getScheme() == null ? "" : dockerHost.getScheme();
    switch (scheme) {
      case "unix" -> {
        String path = dockerHost.getPath();
        if (path == null || path.isEmpty()) {
          return Optional.empty();
        }
        return Optional.of(
            new EngineAddress(UnixDomainSocketAddress.of(Path.of(path)), true, "docker"));
      }
      case "tcp", "http" -> {
        if (dockerHost.getHost() == null) {
          return Optional.empty();
        }
        int port = dockerHost.getPort() > 0 ? dockerHost.getPort() : 2375;
        return Optional.of(
            new EngineAddress(
                new InetSocketAddress(dockerHost.getHost(), port),
                false,
                dockerHost.getHost() + ":" + port));
      }
      default -> {
        return Optional.empty();
      }
    }
  }
}
