package dev.gantry.docker;

import com.github.dockerjava.api.model.AuthConfig;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.storage.image.RunRegistryLogin;
import java.util.Optional;

/**
 * The login an image-storage flow's image is pulled with ({@link RunRegistryLogin}), for the
 * image's registry; without one the usual Docker configuration applies.
 */
final class RegistrySecretAuth {
  private RegistrySecretAuth() {}

  static Optional<AuthConfig> of(LaunchRequest request, ImageReference image) {
    return RunRegistryLogin.of(request, image.toString())
        .map(
            found ->
                new AuthConfig()
                    .withUsername(found.login().username())
                    .withPassword(found.login().password())
                    .withRegistryAddress(image.registry()));
  }
}
