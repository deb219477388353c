package dev.gantry.storage.s3;

import dev.gantry.flow.storage.S3;
import dev.gantry.storage.StorageException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Turns what the AWS SDK throws into one line that names the object, the cause and what to do. It
 * never quotes a request or credentials; S3's own error text is used only for codes not known here.
 */
final class S3Failure {
  private S3Failure() {}

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
      String bucket,
      String key,
      S3Connection connection,
      SdkException failure) {
    String object = "s3://" + bucket + "/" + key + " (" + connection.describe() + ")";
    String message;
    if (failure instanceof S3Exception s3) {
      message = serviceFailure(operation, object, bucket, connection, s3);
    } else if (unreachable(failure)) {
      message =
          "cannot reach S3 for "
              + object
              + ": "
              + rootCause(failure)
              + "; check "
              + (connection.endpoint() != null ? "the endpoint (--s3-endpoint)" : "the network")
              + " and that the store is running";
    } else if (failure instanceof SdkClientException
        && failure.getMessage() != null
        && failure.getMessage().startsWith("Unable to load credentials")) {
      message =
          "no AWS credentials for the "
              + operation.phrase
              + " "
              + object
              + ": set the secret "
              + S3.DEFAULT_CREDENTIALS_SECRET
              + " and name it on the storage (--s3-credentials-secret), or set"
              + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
    } else {
      message =
          "S3 " + operation.phrase + " " + object + " failed: " + oneLine(failure.getMessage());
    }
    return new StorageException(message, failure);
  }

  private static String serviceFailure(
      Operation operation, String object, String bucket, S3Connection connection, S3Exception e) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    int status = e.statusCode();
    String credentials = connection.credentials().describe();
    boolean running = operation == Operation.DOWNLOAD;
    if ("NoSuchBucket".equals(code)) {
      return "S3 bucket '"
          + bucket
          + "' does not exist, for the "
          + operation.phrase
          + " "
          + object
          + (running
              ? ": the bucket was deleted or renamed; register the flow again to an existing bucket"
              : ": create it, or give an existing bucket in --storage s3://BUCKET/PREFIX");
    }
    if ("NoSuchKey".equals(code) || (status == 404 && code == null)) {
      return "no object "
          + object
          + ": it was deleted or moved; register the flow again to store its bundle anew";
    }
    if ("InvalidAccessKeyId".equals(code)
        || "SignatureDoesNotMatch".equals(code)
        || "InvalidToken".equals(code)
        || "ExpiredToken".equals(code)
        || "TokenRefreshRequired".equals(code)) {
      return "S3 refused the credentials ("
          + code
          + ") for the "
          + operation.phrase
          + " "
          + object
          + ": check "
          + credentials
          + fixCredentials(connection);
    }
    if ("AccessDenied".equals(code) || status == 403) {
      return "S3 denied the "
          + operation.phrase
          + " "
          + object
          + " ("
          + (code == null ? "HTTP 403" : code)
          + "): allow "
          + (running ? "s3:GetObject" : "s3:PutObject")
          + " on it for "
          + credentials;
    }
    if ("PermanentRedirect".equals(code)
        || "AuthorizationHeaderMalformed".equals(code)
        || status == 301) {
      return "S3 bucket '"
          + bucket
          + "' is in another region, for the "
          + operation.phrase
          + " "
          + object
          + ": give its region with --s3-region (S3.region(...) in the SDK) and register again";
    }
    String detail =
        e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null
            ? ""
            : ": " + oneLine(e.awsErrorDetails().errorMessage());
    return "S3 "
        + operation.phrase
        + " "
        + object
        + " failed with "
        + (code == null ? "HTTP " + status : code + " (HTTP " + status + ")")
        + detail;
  }

  private static String fixCredentials(S3Connection connection) {
    String secret = connection.credentials().secretName();
    return secret != null ? " (`gantry secret set " + secret + " --from-file FILE`)" : "";
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
    String message = root.getMessage();
    return message == null ? root.getClass().getSimpleName() : oneLine(message);
  }

  private static String oneLine(String text) {
    if (text == null) {
      return "no details";
    }
    return text.replace('\r', ' ').replace('\n', ' ').strip();
  }
}
