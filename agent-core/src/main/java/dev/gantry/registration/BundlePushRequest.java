package dev.gantry.registration;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A request to replace the source bundle of a flow's newest version in place ({@code gantry flow
 * push}).
 *
 * @param jars the user jars: the first holds the factory, the others its dependencies
 * @param factory the factory reference, or null for the one the version was registered with
 * @param pushedBy who pushes: the OS user, or the API token's name through the server
 */
public record BundlePushRequest(String flowName, List<Path> jars, String factory, String pushedBy) {

  public BundlePushRequest {
    Objects.requireNonNull(flowName, "flowName");
    jars = List.copyOf(jars);
    if (jars.isEmpty()) {
      throw new IllegalArgumentException("give at least one jar with --jar");
    }
    Objects.requireNonNull(pushedBy, "pushedBy");
  }
}
