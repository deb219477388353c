package dev.gantry.storage.maven;

import dev.gantry.storage.StorageException;
import org.eclipse.aether.transfer.ArtifactNotFoundException;
import org.eclipse.aether.transfer.ChecksumFailureException;

/** Turns a Maven Resolver failure into one line naming the artifact, the cause and what to do. */
final class MavenFailure {
  private MavenFailure() {}

  static StorageException describe(String coordinate, String repository, Exception e) {
    String where = "maven:" + coordinate + " in " + repository;
    String all = messages(e);
    String what;
    if (find(e, ChecksumFailureException.class) != null) {
      what =
          "a downloaded file does not match the repository's checksum: the repository's copy is"
              + " corrupt or was tampered with; deploy the artifact again";
    } else if (all.contains("401") || all.contains("403") || all.contains("Unauthorized")) {
      what =
          "the repository refused the credentials (HTTP 401/403); check the user name and token"
              + " in the credentials secret";
    } else if (find(e, ArtifactNotFoundException.class) != null
        || all.contains("Could not find artifact")
        || all.contains("404")) {
      what =
          "the artifact (or one of its dependencies) is not in the repository; deploy it, or"
              + " check the coordinate and --maven-repo";
    } else if (all.contains("Connect") || all.contains("connect")) {
      what = "the repository cannot be reached; check --maven-repo and the network";
    } else {
      what = "cannot resolve it (" + rootMessage(e) + ")";
    }
    return new StorageException(where + ": " + what, e);
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      for (Throwable s : t.getSuppressed()) {
        T found = find(s, type);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static String messages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append(' ');
      for (Throwable s : t.getSuppressed()) {
        all.append(messages(s));
      }
    }
    return all.toString();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage()).lines().findFirst().orElse("");
  }
}
