package dev.gantry.storage.image;

import dev.gantry.flow.Secrets;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.storage.StorageException;
import java.util.Locale;
import java.util.Optional;

/**
 * The registry login a run's image is pulled with when its flow is kept in image storage: the
 * storage's credentials secret is one of the flow's secrets, so its value is among the run's
 * ({@code GANTRY_SECRET_<NAME>}). It is the first of the flow's secrets that holds {@code
 * {"username":…,"password":…}}; only images recorded by digest (as image storage records them) are
 * pulled with it.
 *
 * @param secretName the Gantry secret's name
 * @param login its value
 */
public record RunRegistryLogin(String secretName, RegistryCredentials login) {

  public static Optional<RunRegistryLogin> of(LaunchRequest request, String image) {
    if (image == null || !image.contains("@sha256:")) {
      return Optional.empty();
    }
    for (String name : request.flow().secrets()) {
      String value = request.environment().get(Secrets.variable(name));
      if (value == null || !value.strip().startsWith("{")) {
        continue;
      }
      try {
        return Optional.of(new RunRegistryLogin(name, RegistryCredentials.parse(name, value)));
      } catch (StorageException notALogin) {
        // another kind of secret: keep looking
      }
    }
    return Optional.empty();
  }

  /**
   * The Kubernetes Secret (of type {@code kubernetes.io/dockerconfigjson}) of the same name: {@code
   * REGISTRY_LOGIN} is {@code registry-login}.
   */
  public String kubernetesName() {
    return secretName.toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
