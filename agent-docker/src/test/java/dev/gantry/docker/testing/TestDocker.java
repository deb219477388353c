package dev.gantry.docker.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.gantry.docker.ContainerLabels;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A docker-java client for tests to look at and act on what agents create. */
public final class TestDocker {
  private static volatile DockerClient client;

  private TestDocker() {}

  /** The shared client; DOCKER_HOST is respected. */
  public static DockerClient client() {
    if (client == null) {
      synchronized (TestDocker.class) {
        if (client == null) {
          DockerClientConfig config =
              DefaultDockerClientConfig.createDefaultConfigBuilder().build();
          client =
              DockerClientImpl.getInstance(
                  config,
                  new ApacheDockerHttpClient.Builder()
                      .dockerHost(config.getDockerHost())
                      .sslConfig(config.getSSLConfig())
                      .connectionTimeout(Duration.ofSeconds(5))
                      .responseTimeout(Duration.ofMinutes(5))
                      .build());
        }
      }
    }
    return client;
  }

  /** Null when the engine answers, else what is wrong. */
  static String unavailableReason() {
    try {
      client().pingCmd().exec();
      return null;
    } catch (RuntimeException e) {
      return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
  }

  /** The container of a run (any attempt), if it exists. */
  public static Optional<Container> containerOfRun(String runId) {
    List<Container> found =
        client()
            .listContainersCmd()
            .withShowAll(true)
            .withLabelFilter(Map.of(ContainerLabels.RUN_ID, runId))
            .exec();
    return found.stream().findFirst();
  }

  /** Whether the container exists and runs. */
  public static boolean isRunning(String containerId) {
    try {
      return Boolean.TRUE.equals(
          client().inspectContainerCmd(containerId).exec().getState().getRunning());
    } catch (NotFoundException gone) {
      return false;
    }
  }

  /** Whether the container still exists (running or not). */
  public static boolean exists(String containerId) {
    try {
      client().inspectContainerCmd(containerId).exec();
      return true;
    } catch (NotFoundException gone) {
      return false;
    }
  }

  /** Removes every container a Gantry agent created on this engine (test cleanup). */
  public static void removeGantryContainers() {
    for (Container c :
        client()
            .listContainersCmd()
            .withShowAll(true)
            .withLabelFilter(Map.of(ContainerLabels.MANAGED, "true"))
            .exec()) {
      try {
        client().removeContainerCmd(c.getId()).withForce(true).exec();
      } catch (NotFoundException gone) {
        // removed meanwhile
      }
    }
  }
}
