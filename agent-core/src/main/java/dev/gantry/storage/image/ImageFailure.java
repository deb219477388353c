package dev.gantry.storage.image;

import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.RegistryAuthenticationFailedException;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import dev.gantry.flow.storage.OciImage;
import dev.gantry.storage.StorageException;
import java.net.ConnectException;
import java.net.UnknownHostException;

/** One line for a failed image build or push: the image, what went wrong, what to do. */
final class ImageFailure {
  private ImageFailure() {}

  static StorageException of(OciImage storage, Throwable cause) {
    String login =
        storage.credentialsSecret() != null
            ? "check the username and password in secret " + storage.credentialsSecret()
            : "log in with `docker login` or give --image-credentials-secret";
    String why;
    if (cause instanceof RegistryUnauthorizedException
        || cause instanceof RegistryAuthenticationFailedException) {
      why = "the registry refused the credentials; " + login;
    } else if (cause instanceof InsecureRegistryException) {
      why =
          "the registry has no valid TLS certificate; give it one (only loopback may be plain HTTP)";
    } else if (causedBy(cause, ConnectException.class)
        || causedBy(cause, UnknownHostException.class)) {
      why = "cannot reach the registry; check the address and that it is up";
    } else if (String.valueOf(cause.getMessage()).contains("docker")
        && storage.effectiveBaseImage().startsWith(OciImage.DOCKER_PREFIX)) {
      why =
          "the base image "
              + storage.effectiveBaseImage()
              + " cannot be read from the local Docker engine; build it there or give a base image"
              + " in a registry";
    } else {
      why = firstLine(cause);
    }
    return new StorageException(
        "building and pushing image " + storage.reference() + " failed: " + why, cause);
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(Throwable t) {
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
