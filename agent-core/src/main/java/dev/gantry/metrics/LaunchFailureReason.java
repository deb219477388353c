package dev.gantry.metrics;

import java.util.Locale;

/**
 * Sorts a launcher's reason code (ImagePullFailed, SecretMissing, ...) into the few reasons an
 * alert needs, so a new code never adds a series.
 */
final class LaunchFailureReason {
  private LaunchFailureReason() {}

  static String of(String reasonCode) {
    String code = reasonCode == null ? "" : reasonCode.toLowerCase(Locale.ROOT);
    if (code.contains("image") || code.contains("pull")) {
      return "image_pull";
    }
    if (code.contains("secret")) {
      return "missing_secret";
    }
    if (code.contains("bundle") || code.contains("flowmissing") || code.contains("digest")) {
      return "bundle_refused";
    }
    if (code.contains("timeout") || code.contains("timedout") || code.contains("deadline")) {
      return "timeout";
    }
    if (code.contains("policy") || code.contains("refused") || code.contains("notallowed")) {
      return "policy";
    }
    if (code.contains("create")
        || code.contains("template")
        || code.contains("forbidden")
        || code.contains("quota")
        || code.contains("invalid")) {
      return "platform_refusal";
    }
    return "other";
  }
}
