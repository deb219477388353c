package dev.gantry.docker;

import java.util.Objects;

/**
 * A host path mounted into every run container, as given by {@code --volume HOST:CONTAINER[:MODE]}.
 *
 * @param mode {@code rw} or {@code ro}
 */
public record VolumeMount(String hostPath, String containerPath, String mode) {

  public VolumeMount {
    Objects.requireNonNull(hostPath, "hostPath");
    Objects.requireNonNull(containerPath, "containerPath");
    if (!mode.equals("rw") && !mode.equals("ro")) {
      throw new IllegalArgumentException(
          "volume mode '" + mode + "' of " + hostPath + " is neither rw nor ro");
    }
    if (!containerPath.startsWith("/")) {
      throw new IllegalArgumentException(
          "volume target '" + containerPath + "' is not an absolute path in the container");
    }
  }

  /**
   * Parses {@code HOST:CONTAINER[:MODE]}.
   *
   * @throws IllegalArgumentException saying what is wrong with the value
   */
  public static VolumeMount parse(String value) {
    String[] parts = value.split(":", -1);
    if (parts.length < 2 || parts.length > 3 || parts[0].isBlank() || parts[1].isBlank()) {
      throw new IllegalArgumentException(
          "--volume '" + value + "' is not HOST:CONTAINER[:MODE] (MODE rw or ro)");
    }
    return new VolumeMount(parts[0], parts[1], parts.length == 3 ? parts[2] : "rw");
  }

  public boolean readOnly() {
    return mode.equals("ro");
  }

  @Override
  public String toString() {
    return hostPath + ":" + containerPath + ":" + mode;
  }
}
