package dev.gantry.kubernetes;

import java.util.List;
import java.util.Locale;

/**
 * Which of the cluster's refusals are definite (the run's own description is wrong: the run ends
 * Failed, it is not retried) and which may pass by themselves (the run ends Crashed and is retried
 * within its flow's infrastructure-retry budget). Decided from the platform's own words: the
 * kubelet's message for an image pull, the Job controller's {@code FailedCreate} Event for a pod
 * that could not be created.
 */
final class PlatformRefusals {
  /** Kubelet reasons that need no message: the reference or the pull policy is wrong. */
  private static final List<String> DEFINITE_PULL_REASONS =
      List.of("InvalidImageName", "ErrImageNeverPull");

  /** What a registry says when the image is not there or not ours to pull. */
  private static final List<String> DEFINITE_PULL_WORDS =
      List.of(
          "not found",
          "manifest unknown",
          "name unknown",
          "unauthorized",
          "authentication required",
          "access denied",
          "pull access denied",
          "does not exist",
          "invalid reference format",
          "403 forbidden",
          "denied:");

  /** FailedCreate messages that may pass: quota frees up, a webhook or the API server answers. */
  private static final List<String> TRANSIENT_CREATION_WORDS =
      List.of(
          "exceeded quota",
          "failed calling webhook",
          "timeout",
          "timed out",
          "deadline exceeded",
          "connection refused",
          "internal error",
          "too many requests",
          "try again",
          "is being terminated",
          "unavailable");

  /** FailedCreate messages that will not pass: admission, policy, service account, validation. */
  private static final List<String> DEFINITE_CREATION_WORDS =
      List.of("forbidden", "denied the request", "not found", "invalid", "violates");

  private PlatformRefusals() {}

  /**
   * Whether the kubelet's pull failure is definite (no such image, unauthorized, an invalid
   * reference). Anything else (a registry timeout, a network error, a 5xx, a rate limit, or a
   * back-off without the cause) may succeed on a later attempt.
   */
  static boolean definitePullFailure(String reason, String message) {
    if (reason != null && DEFINITE_PULL_REASONS.contains(reason)) {
      return true;
    }
    return contains(message, DEFINITE_PULL_WORDS);
  }

  /**
   * Whether the Job controller's FailedCreate message is a definite refusal: admission (Pod
   * Security, a webhook that denied the pod, a LimitRange, a quota the pod does not specify), a
   * missing service account, an invalid pod. An exceeded quota, an unreachable webhook and the API
   * server's own trouble may pass, and so does a message not known here.
   */
  static boolean definiteCreationRefusal(String message) {
    if (contains(message, TRANSIENT_CREATION_WORDS)) {
      return false;
    }
    return contains(message, DEFINITE_CREATION_WORDS);
  }

  private static boolean contains(String message, List<String> words) {
    if (message == null) {
      return false;
    }
    String text = message.toLowerCase(Locale.ROOT);
    return words.stream().anyMatch(text::contains);
  }
}
