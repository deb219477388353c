package dev.gantry.storage.maven;

import dev.gantry.bundle.BundleWriter;
import dev.gantry.flow.FlowFactory;
import dev.gantry.flow.Secrets;
import dev.gantry.storage.ResolvedBuild;
import dev.gantry.storage.StorageException;
import dev.gantry.storage.maven.MavenArtifacts.Resolved;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the bootstrap does with a Maven location: resolve the artifacts anew, check a release
 * against the SHA-256 frozen at registration, record in the run's log which build and digest it
 * runs, and hand the loader a source bundle of the resolved jars.
 */
final class MavenRun {
  private static final Logger log = LoggerFactory.getLogger(MavenRun.class);

  private MavenRun() {}

  static void fetch(
      String flowName, MavenLocation location, Path target, MavenCredentials credentials)
      throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    Path repository = Files.createTempDirectory(parent, "maven-repository-");
    List<Resolved> resolved =
        MavenArtifacts.resolve(
            location.coordinate(), location.repository(), credentials, repository);
    if (!location.snapshot()) {
      checkFrozen(location, resolved);
    }
    Resolved main = resolved.get(0);
    log.info(
        "flow '{}' runs {} {} (sha256 {}) from {}",
        flowName,
        location.snapshot() ? "snapshot build" : "frozen release",
        main.artifact(),
        main.sha256(),
        location.repository());
    List<Path> jars = new ArrayList<>();
    resolved.forEach(r -> jars.add(r.path()));
    BundleWriter.writeSource(flowName, FlowFactory.parse(location.factory()), jars, target);
    new ResolvedBuild(main.artifact().toString(), main.sha256()).writeBeside(target);
  }

  /** The credentials for a run, from the secret's {@code GANTRY_SECRET_<NAME>} variable. */
  static MavenCredentials credentials(
      String flowName, MavenLocation location, Map<String, String> environment) {
    String secret = location.credentialsSecret();
    if (secret == null) {
      return null;
    }
    String value = environment.get(Secrets.variable(secret));
    if (value == null) {
      throw new StorageException(
          "flow '"
              + flowName
              + "' is read from "
              + location.describe()
              + " with the credentials in secret "
              + secret
              + ", but this run was not given it ("
              + Secrets.variable(secret)
              + " is not set); register the flow again so the secret is among its secrets");
    }
    return MavenCredentials.parse(secret, value);
  }

  /** A release runs only the exact files registered: a replaced jar is refused. */
  static void checkFrozen(MavenLocation location, List<Resolved> resolved) {
    Map<String, String> now = new TreeMap<>();
    resolved.forEach(r -> now.put(r.key(), r.sha256()));
    for (Map.Entry<String, String> frozen : location.frozen().entrySet()) {
      String actual = now.get(frozen.getKey());
      if (!frozen.getValue().equals(actual)) {
        throw new StorageException(
            location.describe()
                + ": "
                + frozen.getKey()
                + (actual == null
                    ? " is no longer among the resolved artifacts"
                    : " has SHA-256 " + actual)
                + ", not the "
                + frozen.getValue()
                + " frozen at registration: the release was replaced in the repository; refusing"
                + " to run it (deploy a new version and register it)");
      }
    }
    for (String key : now.keySet()) {
      if (!location.frozen().containsKey(key)) {
        throw new StorageException(
            location.describe()
                + ": it now also resolves "
                + key
                + ", which was not frozen at registration: the release was replaced in the"
                + " repository; refusing to run it (deploy a new version and register it)");
      }
    }
  }
}
