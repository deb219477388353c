package dev.gantry.storage.azure;

import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import dev.gantry.storage.StorageException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;

/**
 * Turns what the Azure SDK throws into one line naming the blob, the cause and what to do. It never
 * quotes a request or the connection string; the service's own text is used only for codes not
 * known here.
 */
final class AzureFailure {
  private AzureFailure() {}

  /** What was being done: the fix differs between registering and running. */
  enum Operation {
    UPLOAD("upload to"),
    DOWNLOAD("download of");

    private final String phrase;

    Operation(String phrase) {
      this.phrase = phrase;
    }
  }

  static StorageException describe(
      Operation operation,
      AzureLocation location,
      AzureConnection connection,
      RuntimeException failure) {
    String blob = location.blobName();
    String message;
    if (failure instanceof BlobStorageException e) {
      message = serviceFailure(operation, location, connection, e);
    } else if (unreachable(failure)) {
      message =
          "cannot reach the Azure storage account '"
              + location.account()
              + "' for "
              + blob
              + ": "
              + rootCause(failure)
              + "; check the endpoint in "
              + connection
              + ", the network, and that the service is running";
    } else {
      message =
          "Azure Blob " + operation.phrase + " " + blob + " failed: " + oneLine(rootCause(failure));
    }
    return new StorageException(message, failure);
  }

  private static String serviceFailure(
      Operation operation,
      AzureLocation location,
      AzureConnection connection,
      BlobStorageException e) {
    String blob = location.blobName();
    BlobErrorCode code = e.getErrorCode();
    int status = e.getStatusCode();
    if (BlobErrorCode.CONTAINER_NOT_FOUND.equals(code)) {
      return "Azure blob container '"
          + location.container()
          + "' does not exist in the account '"
          + location.account()
          + "', for the "
          + operation.phrase
          + " "
          + blob
          + (operation == Operation.DOWNLOAD
              ? ": it was deleted or renamed; register the flow again to an existing container"
              : ": create it (az storage container create --name "
                  + location.container()
                  + "), or give an existing one in --storage azblob://ACCOUNT/CONTAINER/PREFIX");
    }
    if (BlobErrorCode.BLOB_NOT_FOUND.equals(code) || status == 404) {
      return "no blob "
          + blob
          + ": it was deleted or moved; register the flow again to store its bundle anew";
    }
    if (BlobErrorCode.AUTHENTICATION_FAILED.equals(code)
        || BlobErrorCode.INVALID_AUTHENTICATION_INFO.equals(code)
        || status == 401
        || signatureRefused(e)) {
      return "Azure refused the account key for the "
          + operation.phrase
          + " "
          + blob
          + ": check "
          + connection
          + " (`gantry secret set "
          + connection.secretName()
          + " --from-file FILE` with the account's current connection string)";
    }
    if (status == 403) {
      return "Azure denied the "
          + operation.phrase
          + " "
          + blob
          + " ("
          + (code == null ? "HTTP 403" : code)
          + "): give "
          + connection
          + " a key or signature that allows "
          + (operation == Operation.DOWNLOAD ? "reading" : "writing")
          + " blobs in the container '"
          + location.container()
          + "'";
    }
    return "Azure Blob "
        + operation.phrase
        + " "
        + blob
        + " failed with "
        + (code == null ? "HTTP " + status : code + " (HTTP " + status + ")");
  }

  /**
   * Azure says AuthenticationFailed for a wrong key; Azurite says AuthorizationFailure with the
   * same "failed to authenticate" text, which the service's own permission refusals never carry.
   */
  private static boolean signatureRefused(BlobStorageException e) {
    String text = e.getServiceMessage();
    return e.getStatusCode() == 403
        && text != null
        && text.toLowerCase(java.util.Locale.ROOT).contains("failed to authenticate");
  }

  private static boolean unreachable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException
          || t instanceof SocketTimeoutException
          || t instanceof HttpConnectTimeoutException) {
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
