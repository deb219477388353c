package dev.gantry.docker;

import dev.gantry.domain.RunState;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import java.time.Duration;

/**
 * Classifies what went wrong launching a run container: whether the run failed (the image is at
 * fault: retrying does not help) or crashed (the engine is: a later attempt may succeed), with the
 * reason code and a message that names the run, the image and the engine's own words.
 */
final class LaunchFailures {
  private LaunchFailures() {}

  /** The engine does not have the image, after pulling it or without pulling. */
  static LaunchException imageNotFound(LaunchRequest request, String image, Throwable cause) {
    return new LaunchException(
        "run "
            + request.runId()
            + ": image '"
            + image
            + "' is not on the Docker engine: "
            + EngineErrors.message(cause),
        RunState.Failed,
        "ImageNotFound",
        cause);
  }

  /**
   * A pull failed: Failed at once when the registry definitely refused the image (not there, or not
   * for this agent), else Crashed (registry or network down), so that it is retried within the
   * flow's infrastructure-retry budget.
   */
  static LaunchException pullFailed(LaunchRequest request, String image, Throwable cause) {
    String words = EngineErrors.message(cause);
    String start = "run " + request.runId() + ": pulling image '" + image + "' failed: " + words;
    return switch (PullErrors.of(cause)) {
      case NOT_FOUND ->
          new LaunchException(
              start
                  + "; check the image name and tag in the flow's environment (or the agent's"
                  + " --default-image), or push the image",
              RunState.Failed,
              "ImageNotFound",
              cause);
      case DENIED ->
          new LaunchException(
              start
                  + "; run `docker login` for its registry as the agent's user (or point"
                  + " DOCKER_CONFIG at credentials that may pull it) and start the agent again",
              RunState.Failed,
              "ImagePullDenied",
              cause);
      case TRANSIENT ->
          new LaunchException(
              start
                  + "; the registry could not be reached: check it and the engine's network to it"
                  + " (retried within the flow's --infrastructure-retries)",
              RunState.Crashed,
              "ImagePullFailed",
              cause);
    };
  }

  /** A pull took longer than the agent's pull timeout: the registry is slow or hangs. */
  static LaunchException pullTimedOut(LaunchRequest request, String image, Duration timeout) {
    return new LaunchException(
        "run "
            + request.runId()
            + ": pulling image '"
            + image
            + "' took longer than "
            + timeout.toSeconds()
            + " s (--pull-timeout); check the registry and the engine's network to it (retried"
            + " within the flow's --infrastructure-retries)",
        RunState.Crashed,
        "ImagePullTimeout",
        null);
  }

  /** The engine refused to create the container. */
  static LaunchException createFailed(LaunchRequest request, String image, RuntimeException e) {
    return new LaunchException(
        "run "
            + request.runId()
            + ": cannot create a container of image '"
            + image
            + "': "
            + EngineErrors.message(e),
        RunState.Crashed,
        "ContainerCreateFailed",
        e);
  }

  /** A container of that name exists already (an earlier launch of the same attempt). */
  static LaunchException createConflict(LaunchRequest request, RuntimeException e) {
    return new LaunchException(
        "run " + request.runId() + ": cannot create its container: " + EngineErrors.message(e),
        RunState.Crashed,
        "ContainerCreateFailed",
        e);
  }

  /**
   * The container was created but did not start: the image is at fault when its entry point is
   * missing, else the engine is.
   */
  static LaunchException notStarted(
      LaunchRequest request, String shortId, String image, RuntimeException e) {
    String message = EngineErrors.message(e);
    boolean imageAtFault =
        message.contains("executable file not found") || message.contains("no such file");
    return new LaunchException(
        "run "
            + request.runId()
            + ": container "
            + shortId
            + " of image '"
            + image
            + "' did not start: "
            + message,
        imageAtFault ? RunState.Failed : RunState.Crashed,
        imageAtFault ? "ImageNotRunnable" : "ContainerStartFailed",
        e);
  }

  /** The run's secret values could not be handed to its container on stdin: the engine's fault. */
  static LaunchException secretsNotDelivered(
      LaunchRequest request, String shortId, String why, Throwable cause) {
    return new LaunchException(
        "run "
            + request.runId()
            + ": could not hand its secrets to container "
            + shortId
            + " on its stdin: "
            + why,
        RunState.Crashed,
        "SecretHandoffFailed",
        cause);
  }

  /** The engine failed while doing something it normally does. */
  static LaunchException unavailable(
      LaunchRequest request, String engine, String doing, RuntimeException e) {
    return new LaunchException(
        "run "
            + request.runId()
            + ": the Docker engine at "
            + engine
            + " failed while "
            + doing
            + ": "
            + EngineErrors.message(e),
        RunState.Crashed,
        "DockerUnavailable",
        e);
  }
}
