package dev.gantry.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's connection to the Docker engine: its configuration (DOCKER_HOST or the settings'
 * host, TLS and registry credentials from the usual Docker configuration), the client, and the way
 * run output is followed on it.
 */
final class EngineConnection {
  private static final Logger log = LoggerFactory.getLogger(EngineConnection.class);

  private final DockerClientConfig config;
  private final DockerClient client;

  EngineConnection(DockerSettings settings) {
    DefaultDockerClientConfig.Builder builder =
        DefaultDockerClientConfig.createDefaultConfigBuilder();
    if (settings.dockerHost() != null) {
      builder.withDockerHost(settings.dockerHost());
    }
    this.config = builder.build();
    DockerHttpClient http =
        new ApacheDockerHttpClient.Builder()
            .dockerHost(config.getDockerHost())
            .sslConfig(config.getSSLConfig())
            .maxConnections(settings.maxStreams())
            .connectionTimeout(Duration.ofSeconds(10))
            .responseTimeout(Duration.ofMinutes(10))
            .build();
    this.client = DockerClientImpl.getInstance(config, http);
  }

  DockerClientConfig config() {
    return config;
  }

  DockerClient client() {
    return client;
  }

  /** The engine's address, for messages. */
  String address() {
    return String.valueOf(config.getDockerHost());
  }

  /** The engine's plain socket or TCP port, unless it is reached through TLS or a pipe. */
  java.util.Optional<EngineAddress> engineAddress() {
    return EngineAddress.of(config.getDockerHost(), config.getSSLConfig() != null);
  }

  /**
   * Output streams multiplexed on one thread when the engine is reached over plain TCP or a unix
   * socket; else (TLS, a named pipe) a thread per followed run.
   */
  LogStreams logStreams() {
    return engineAddress()
        .<LogStreams>map(SelectorLogStreams::new)
        .orElseGet(
            () -> {
              log.info(
                  "the Docker engine at {} is reached through TLS or a pipe: each run's"
                      + " output is followed on a thread of its own",
                  config.getDockerHost());
              return new DockerJavaLogStreams(client);
            });
  }
}
