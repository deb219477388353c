package dev.gantry.kubernetes;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether a run's Job gets its pod: what the Job controller said about creating it ({@code
 * FailedCreate} Events on the Job) and the pod-creation clock. A definite refusal ends the run
 * Failed at once; a Job still without a pod when the timeout passes ends it Crashed, with the last
 * refusal that may have passed (an exceeded quota...) when there was one. Not thread-safe: guarded
 * by its {@link JobRun}.
 */
final class PodCreation {
  /** The Job controller's Event reason when it cannot create a Job's pod. */
  static final String FAILED_CREATE = "FailedCreate";

  private final Duration timeout;
  private final Instant since;
  private String refusal;
  private String lastTrouble;
  private boolean timedOut;

  /**
   * @param since when the clock starts: the Job was created (or adopted)
   */
  PodCreation(Duration timeout, Instant since) {
    this.timeout = timeout;
    this.since = since;
  }

  /**
   * The Job controller reported an Event about the Job.
   *
   * @return whether it is a definite refusal reported for the first time (the Job should go)
   */
  boolean onJobEvent(String reason, String message) {
    if (!FAILED_CREATE.equals(reason) || ended()) {
      return false;
    }
    String words = message == null || message.isBlank() ? "(no message)" : message.strip();
    if (PlatformRefusals.definiteCreationRefusal(words)) {
      refusal = words;
      return true;
    }
    lastTrouble = words;
    return false;
  }

  /**
   * Periodic, while the Job has no pod and has not ended.
   *
   * @return whether the timeout passed just now (the Job should go)
   */
  boolean tick(Instant now) {
    if (ended() || now.isBefore(since.plus(timeout))) {
      return false;
    }
    timedOut = true;
    return true;
  }

  /** Whether the run ended for want of a pod. */
  boolean ended() {
    return refusal != null || timedOut;
  }

  /** Whether it ended by a definite refusal (Failed, not retried). */
  boolean definite() {
    return refusal != null;
  }

  /** Why the run ended, naming the Job. */
  String reason(String jobName) {
    if (refusal != null) {
      return "FailedCreate: "
          + refusal
          + " (Job "
          + jobName
          + ": no pod could be created; the Job was deleted)";
    }
    return "no pod was created for Job "
        + jobName
        + " within "
        + timeout.toSeconds()
        + " s"
        + (lastTrouble == null
            ? ""
            : " (last word of the Job controller: FailedCreate: " + lastTrouble + ")")
        + "; the Job was deleted";
  }
}
