package dev.gantry.kubernetes;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** The API server's answers in words an operator acts on. */
final class ApiErrors {
  static final int FORBIDDEN = 403;
  static final int NOT_FOUND = 404;
  static final int CONFLICT = 409;

  private ApiErrors() {}

  /**
   * "403 Forbidden: jobs.batch is forbidden: User ... cannot create ..." or the error's message.
   */
  static String describe(RuntimeException e) {
    if (e instanceof KubernetesClientException k && k.getCode() > 0) {
      Status status = k.getStatus();
      String message =
          status != null && status.getMessage() != null ? status.getMessage() : k.getMessage();
      String reason = status != null && status.getReason() != null ? status.getReason() : "";
      return k.getCode()
          + (reason.isEmpty() ? "" : " " + reason)
          + ": "
          + (message == null ? "" : message.replace('\n', ' '));
    }
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (cause != e && cause.getMessage() != null && !message.contains(cause.getMessage())) {
      message += " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")";
    }
    return message.replace('\n', ' ');
  }

  static int code(RuntimeException e) {
    return e instanceof KubernetesClientException k ? k.getCode() : 0;
  }

  /** A hint for errors with an obvious fix. */
  static String hint(RuntimeException e, String namespace) {
    return switch (code(e)) {
      case FORBIDDEN ->
          "; the agent's service account needs the Role that `gantry agent install kubernetes`"
              + " prints, in namespace "
              + namespace;
      case NOT_FOUND -> "; does namespace " + namespace + " exist?";
      default -> "";
    };
  }
}
