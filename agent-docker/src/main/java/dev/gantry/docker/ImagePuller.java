package dev.gantry.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.core.DockerClientConfig;
import dev.gantry.domain.RunState;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the engine has a run's image: pulls it (with the registry credentials of the usual
 * Docker configuration) unless the agent does not pull, within the pull timeout.
 */
final class ImagePuller {
  private static final Logger log = LoggerFactory.getLogger(ImagePuller.class);

  private final DockerClient docker;
  private final DockerClientConfig config;
  private final DockerSettings settings;

  ImagePuller(DockerClient docker, DockerClientConfig config, DockerSettings settings) {
    this.docker = docker;
    this.config = config;
    this.settings = settings;
  }

  /** Pulls {@code image} when the engine does not have it. */
  void ensure(LaunchRequest request, String image) throws LaunchException {
    try {
      docker.inspectImageCmd(image).exec();
      return;
    } catch (NotFoundException absent) {
      // pull it below, if allowed
    } catch (RuntimeException e) {
      throw LaunchFailures.unavailable(
          request, String.valueOf(config.getDockerHost()), "inspecting image '" + image + "'", e);
    }
    if (!settings.pull()) {
      throw new LaunchException(
          "run "
              + request.runId()
              + ": image '"
              + image
              + "' is not on the Docker engine and this agent does not pull (--no-pull);"
              + " build or pull it there, or start the agent without --no-pull",
          RunState.Failed,
          "ImageNotFound",
          null);
    }
    pull(request, image);
  }

  private void pull(LaunchRequest request, String image) throws LaunchException {
    log.info("run {}: pulling image {}", request.runId(), image);
    ImageReference reference;
    try {
      reference = ImageReference.parse(image);
    } catch (IllegalArgumentException e) {
      throw new LaunchException(
          "run " + request.runId() + ": pulling image '" + image + "' failed: " + e.getMessage(),
          RunState.Failed,
          "InvalidImageName",
          e);
    }
    PullImageCmd command =
        reference.digest() != null
            ? docker.pullImageCmd(reference.toString())
            : docker.pullImageCmd(reference.name()).withTag(reference.tag());
    AuthConfig auth =
        RegistrySecretAuth.of(request, reference).orElseGet(() -> registryAuth(image));
    if (auth != null) {
      command.withAuthConfig(auth);
    }
    PullProgress progress = new PullProgress();
    try {
      command.exec(progress);
      if (!progress.await(settings.pullTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        throw LaunchFailures.pullTimedOut(request, image, settings.pullTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LaunchException(
          "run " + request.runId() + ": interrupted while pulling image '" + image + "'",
          RunState.Crashed,
          "LaunchInterrupted",
          e);
    } catch (RuntimeException e) {
      throw LaunchFailures.pullFailed(request, image, e);
    } finally {
      try {
        progress.close();
      } catch (IOException e) {
        // nothing more to release
      }
    }
  }

  /** Credentials for the image's registry from the usual Docker configuration, if any. */
  private AuthConfig registryAuth(String image) {
    try {
      return config.effectiveAuthConfig(image);
    } catch (RuntimeException e) {
      log.warn("no registry credentials for image {}: {}", image, EngineErrors.message(e));
      return null;
    }
  }
}
