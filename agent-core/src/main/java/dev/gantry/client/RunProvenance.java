package dev.gantry.client;

import dev.gantry.backend.BundleStore.BundlePush;
import java.util.Objects;

/**
 * Which bundle a run's current attempt ran, and where it came from.
 *
 * @param digest the SHA-256 the bootstrap reported: of the fetched bundle, or of a Maven flow's
 *     main artifact
 * @param build the build the storage resolved (a Maven snapshot's timestamped version), or null
 * @param asRegistered whether it is the bundle stored at registration
 * @param push the push that wrote it, or null when no push of the flow version has the digest
 */
public record RunProvenance(
    String runId, int attempt, String digest, String build, boolean asRegistered, BundlePush push) {
  public RunProvenance {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(digest, "digest");
  }
}
