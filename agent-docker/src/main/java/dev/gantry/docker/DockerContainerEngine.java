package dev.gantry.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link ContainerEngine} of a real engine, through docker-java. */
final class DockerContainerEngine implements ContainerEngine {
  private static final Logger log = LoggerFactory.getLogger(DockerContainerEngine.class);

  private final DockerClient docker;

  DockerContainerEngine(DockerClient docker) {
    this.docker = docker;
  }

  @Override
  public Optional<ContainerState> inspect(String containerId) {
    InspectContainerResponse inspected;
    try {
      inspected = docker.inspectContainerCmd(containerId).exec();
    } catch (NotFoundException gone) {
      return Optional.empty();
    }
    return Optional.of(stateOf(inspected));
  }

  /** The state of an inspected container. */
  static ContainerState stateOf(InspectContainerResponse inspected) {
    InspectContainerResponse.ContainerState state = inspected.getState();
    Long code = state.getExitCodeLong();
    return new ContainerState(
        Boolean.TRUE.equals(state.getRunning()),
        code == null ? null : code.intValue(),
        Boolean.TRUE.equals(state.getOOMKilled()),
        state.getStatus(),
        inspected.getHostConfig() != null ? inspected.getHostConfig().getMemory() : null);
  }

  @Override
  public void remove(String containerId) {
    try {
      docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException gone) {
      // already removed
    } catch (ConflictException e) {
      if (!EngineErrors.message(e).contains("already in progress")) {
        log.warn("container {} could not be removed: {}", containerId, EngineErrors.message(e));
      }
    } catch (RuntimeException e) {
      log.warn("container {} could not be removed: {}", containerId, EngineErrors.message(e));
    }
  }

  @Override
  public void signal(String containerId, String signal) {
    try {
      docker.killContainerCmd(containerId).withSignal(signal).exec();
    } catch (NotFoundException | ConflictException | NotModifiedException notRunning) {
      // it already stopped or is gone; its exit is on its way
    }
  }
}
