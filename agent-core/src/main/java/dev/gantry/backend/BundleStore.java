package dev.gantry.backend;

import dev.gantry.domain.RunFence;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Provenance of source bundles: the pushes that replaced a flow version's bundle in place ({@code
 * gantry flow push}) and the bundle each run attempt actually ran.
 */
public interface BundleStore {

  /** Records a push of a new bundle with this SHA-256 to the flow version's stable location. */
  BundlePush recordPush(long flowId, String digest, String pushedBy);

  /** The pushes to every version of the named flow, newest first. */
  List<BundlePush> pushes(String flowName);

  /** The push to this flow version with this digest, the newest if it was pushed twice. */
  Optional<BundlePush> push(long flowId, String digest);

  /**
   * Records what the fenced attempt ran; a second report of the same attempt replaces the first.
   *
   * @return false when the fence is not the run's current attempt (nothing is written)
   */
  boolean recordRunBundle(RunFence fence, String digest, String build);

  /** What the run's attempt ran, if its bootstrap reported it. */
  Optional<RunBundle> runBundle(String runId, int attempt);

  /**
   * One push.
   *
   * @param pushedBy the OS user, or the API token's name through the server
   */
  record BundlePush(
      long id,
      long flowId,
      String flowName,
      int flowVersion,
      String digest,
      Instant pushedAt,
      String pushedBy) {
    public BundlePush {
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(pushedAt, "pushedAt");
      Objects.requireNonNull(pushedBy, "pushedBy");
    }
  }

  /**
   * What one attempt ran.
   *
   * @param digest the SHA-256 of the fetched bundle (of the main artifact for a Maven flow)
   * @param build the resolved build when the storage resolves one (a Maven snapshot's timestamped
   *     version), else null
   */
  record RunBundle(String runId, int attempt, String digest, String build, Instant recordedAt) {
    public RunBundle {
      Objects.requireNonNull(runId, "runId");
      Objects.requireNonNull(digest, "digest");
    }
  }
}
