package dev.gantry.storage.gcs;

import com.google.cloud.BaseServiceException;
import dev.gantry.flow.storage.Gcs;
import dev.gantry.storage.StorageException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/**
 * Turns what Google's client throws into one line naming the object, the cause and what to do. It
 * never quotes a request or a key; the service's own text is used only for codes not known here.
 */
final class GcsFailure {
  private GcsFailure() {}

  /** What was being done: the fix differs between registering and running. */
  enum Operation {
    UPLOAD("upload to", "storage.objects.create"),
    DOWNLOAD("download of", "storage.objects.get");

    private final String phrase;
    private final String permission;

    Operation(String phrase, String permission) {
      this.phrase = phrase;
      this.permission = permission;
    }
  }

  static StorageException describe(
      Operation operation, String object, GcsCredentials credentials, RuntimeException failure) {
    String message;
    int code = failure instanceof BaseServiceException e ? e.getCode() : 0;
    if (code == 401) {
      message =
          "GCS refused the credentials for the "
              + operation.phrase
              + " "
              + object
              + ": check "
              + credentials.describe()
              + fix(credentials);
    } else if (code == 403) {
      message =
          "GCS denied the "
              + operation.phrase
              + " "
              + object
              + ": grant "
              + operation.permission
              + " on the bucket to "
              + credentials.describe();
    } else if (code == 404) {
      message =
          operation == Operation.UPLOAD
              ? "GCS bucket of "
                  + object
                  + " does not exist: create it, or give an existing bucket in --storage"
                  + " gs://BUCKET/PREFIX"
              : missing(object);
    } else if (unreachable(failure)) {
      message =
          "cannot reach GCS for "
              + object
              + ": "
              + rootCause(failure)
              + "; check the network and that the run can reach Google Cloud Storage";
    } else {
      message =
          "GCS " + operation.phrase + " " + object + " failed: " + oneLine(failure.getMessage());
    }
    return new StorageException(message, failure);
  }

  /** The object is not there, as the run sees it. */
  static String missing(String object) {
    return "no object "
        + object
        + ": it was deleted or moved (or its bucket is gone); register the flow again to store its"
        + " bundle anew";
  }

  private static String fix(GcsCredentials credentials) {
    return credentials.secretName() != null
        ? " (`gantry secret set " + credentials.secretName() + " --from-file KEY.json`)"
        : " (or set the secret " + Gcs.DEFAULT_CREDENTIALS_SECRET + " and name it on the storage)";
  }

  private static boolean unreachable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException
          || t instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static String rootCause(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : oneLine(root.getMessage());
  }

  private static String oneLine(String text) {
    return text == null ? "no details" : text.replace('\r', ' ').replace('\n', ' ').strip();
  }
}
