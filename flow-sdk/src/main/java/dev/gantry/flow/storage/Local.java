package dev.gantry.flow.storage;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Set;

/**
 * A directory on this machine. Its default label is the host name, because only agents on this host
 * can read the directory.
 *
 * <pre>{@code flow.storage(Local.directory("/srv/gantry/flows"));}</pre>
 *
 * @param directory the directory, or null for {@code flows/} under the Gantry home
 */
public record Local(String directory, Format format, boolean defaultLabelsEnabled)
    implements Storage {

  public Local {
    Objects.requireNonNull(format, "format");
    if (format == Format.MODULE) {
      throw new IllegalArgumentException("local storage stores bundles; use Module for MODULE");
    }
  }

  /** Local storage under the Gantry home. */
  public static Local defaults() {
    return new Local(null, Format.SERIALIZED, true);
  }

  public static Local directory(String directory) {
    return new Local(Objects.requireNonNull(directory, "directory"), Format.SERIALIZED, true);
  }

  /** Stores jars and factory reference: the flow is rebuilt at every run (hot reload). */
  public Local storedAsSource() {
    return new Local(directory, Format.SOURCE, defaultLabelsEnabled);
  }

  public Local withoutDefaultLabels() {
    return new Local(directory, format, false);
  }

  @Override
  public Set<String> defaultLabels() {
    return Set.of(hostName());
  }

  @Override
  public Set<String> secrets() {
    return Set.of();
  }

  /** The label local storage adds: this machine's host name. */
  public static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env.trim();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
