package dev.gantry.storage.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.storage.StorageException;
import java.io.IOException;

/**
 * A registry login kept in a secret as {@code {"username":…,"password":…}}: registration pushes
 * with it, the Docker agent pulls with it, Kubernetes gets it as an image pull secret.
 */
public record RegistryCredentials(String username, String password) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @throws StorageException naming the secret (never its value) when it is not that JSON
   */
  public static RegistryCredentials parse(String secretName, String value) {
    JsonNode node;
    try {
      node = JSON.readTree(value);
    } catch (IOException e) {
      node = null;
    }
    if (node == null
        || !node.isObject()
        || !node.path("username").isTextual()
        || !node.path("password").isTextual()) {
      throw new StorageException(
          "secret "
              + secretName
              + " is not registry credentials; set it to {\"username\":\"…\",\"password\":\"…\"}"
              + " with `gantry secret set "
              + secretName
              + "`");
    }
    return new RegistryCredentials(node.get("username").asText(), node.get("password").asText());
  }

  @Override
  public String toString() {
    return "RegistryCredentials[" + username + ", password hidden]";
  }
}
