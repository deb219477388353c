package dev.gantry.storage.s3;

import dev.gantry.catalog.BundleFormat;
import dev.gantry.flow.Secrets;
import dev.gantry.flow.storage.S3;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageException;
import dev.gantry.storage.s3.S3Failure.Operation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Bundles in an S3 bucket (or an S3-compatible store). Keys are {@code PREFIX/FLOW/SHA256.gantry}
 * for serialized bundles, so a stored object can never silently change a registered flow, and
 * {@code PREFIX/FLOW/source.gantry} for source bundles, so replacing it hot-reloads.
 *
 * <p>Both directions stream with flat memory: a bundle up to {@link #DEFAULT_PART_SIZE} is one PUT
 * straight from its file, a larger one a multipart upload of file slices; a download goes straight
 * to the target file, whose digest the loader checks afterwards.
 */
public final class S3BundleStorage implements BundleStorage {
  /** Part size of multipart uploads, and the size above which they are used. */
  public static final long DEFAULT_PART_SIZE = 16L * 1024 * 1024;

  private final String bucket;
  private final String prefix;
  private final String credentialsSecret;
  private final S3Connection connection;
  private final long partSize;

  public S3BundleStorage(S3 storage, S3Credentials credentials) {
    this(storage, credentials, DEFAULT_PART_SIZE);
  }

  S3BundleStorage(S3 storage, S3Credentials credentials, long partSize) {
    if (partSize < 5L * 1024 * 1024) {
      throw new IllegalArgumentException("S3 parts are at least 5 MiB");
    }
    this.bucket = storage.bucket();
    this.prefix = normalizePrefix(storage.prefix());
    // The run signs with the storage's secret even when registration used the default chain.
    this.credentialsSecret = storage.credentialsSecretName();
    this.connection = new S3Connection(storage.region(), storage.endpoint(), credentials);
    this.partSize = partSize;
  }

  /** The object key of a bundle: the storage's prefix, then {@link BundleStorage#key}. */
  public String objectKey(String flowName, BundleFormat format, String digest) {
    String key = BundleStorage.key(flowName, format, digest);
    return prefix.isEmpty() ? key : prefix + "/" + key;
  }

  @Override
  public String store(String flowName, BundleFormat format, String digest, Path bundle)
      throws IOException {
    String key = objectKey(flowName, format, digest);
    long size = Files.size(bundle);
    try (S3Client s3 = connection.open()) {
      if (size <= partSize) {
        s3.putObject(
            put -> put.bucket(bucket).key(key).contentLength(size), RequestBody.fromFile(bundle));
      } else {
        uploadInParts(s3, key, bundle, size);
      }
    } catch (SdkException e) {
      throw S3Failure.describe(Operation.UPLOAD, bucket, key, connection, e);
    }
    return new S3Location(
            bucket, key, connection.region(), connection.endpoint(), credentialsSecret)
        .toUri();
  }

  /** A multipart upload of file slices; aborted on failure so no parts are left billed. */
  private void uploadInParts(S3Client s3, String key, Path bundle, long size) {
    String uploadId = s3.createMultipartUpload(create -> create.bucket(bucket).key(key)).uploadId();
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int number = 1;
      for (long offset = 0; offset < size; offset += partSize, number++) {
        long length = Math.min(partSize, size - offset);
        FileSlice slice = new FileSlice(bundle, offset, length);
        int partNumber = number;
        String etag =
            s3.uploadPart(
                    part ->
                        part.bucket(bucket)
                            .key(key)
                            .uploadId(uploadId)
                            .partNumber(partNumber)
                            .contentLength(length),
                    RequestBody.fromContentProvider(slice, length, "application/octet-stream"))
                .eTag();
        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
      }
      s3.completeMultipartUpload(
          complete ->
              complete
                  .bucket(bucket)
                  .key(key)
                  .uploadId(uploadId)
                  .multipartUpload(upload -> upload.parts(parts)));
    } catch (RuntimeException e) {
      try {
        s3.abortMultipartUpload(abort -> abort.bucket(bucket).key(key).uploadId(uploadId));
      } catch (SdkException abortFailure) {
        e.addSuppressed(abortFailure);
      }
      throw e;
    }
  }

  @Override
  public void fetch(String flowName, String location, Path target) throws IOException {
    S3Location parsed = S3Location.parse(location);
    download(
        parsed,
        new S3Connection(parsed.region(), parsed.endpoint(), connection.credentials()),
        target);
  }

  /**
   * Fetches the bundle at an S3 location as the bootstrap does: with the access key of the secret
   * the location names, read from its {@code GANTRY_SECRET_<NAME>} variable, else the default
   * chain.
   *
   * @throws StorageException naming the object (or the secret) and what to do
   */
  public static void fetch(
      String flowName, S3Location location, Path target, Map<String, String> environment)
      throws IOException {
    S3Credentials credentials = S3Credentials.defaultChain();
    String secret = location.credentialsSecret();
    if (secret != null) {
      String value = environment.get(Secrets.variable(secret));
      if (value == null) {
        throw new StorageException(
            "the bundle of flow '"
                + flowName
                + "' at "
                + location.objectName()
                + " is read with the access key in secret "
                + secret
                + ", but this run was not given it ("
                + Secrets.variable(secret)
                + " is not set); register the flow again so the secret is among its secrets");
      }
      credentials = S3Credentials.fromSecret(secret, value);
    }
    download(
        location, new S3Connection(location.region(), location.endpoint(), credentials), target);
  }

  private static void download(S3Location location, S3Connection connection, Path target)
      throws IOException {
    try (S3Client s3 = connection.open();
        ResponseInputStream<GetObjectResponse> in =
            s3.getObject(get -> get.bucket(location.bucket()).key(location.key()))) {
      long copied = Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      Long expected = in.response().contentLength();
      if (expected != null && expected != copied) {
        throw new StorageException(
            "download of "
                + location.objectName()
                + " ended after "
                + copied
                + " of "
                + expected
                + " bytes: the connection broke off; run the flow again");
      }
    } catch (SdkException e) {
      throw S3Failure.describe(
          Operation.DOWNLOAD, location.bucket(), location.key(), connection, e);
    } catch (IOException e) {
      throw new StorageException(
          "download of "
              + location.objectName()
              + " into "
              + target
              + " failed: "
              + e.getMessage()
              + "; check the space in the run's temporary directory and run the flow again",
          e);
    }
  }

  private static String normalizePrefix(String prefix) {
    if (prefix == null) {
      return "";
    }
    String out = prefix.strip();
    while (out.startsWith("/")) {
      out = out.substring(1);
    }
    while (out.endsWith("/")) {
      out = out.substring(0, out.length() - 1);
    }
    return out;
  }

  @Override
  public String toString() {
    String where = prefix.isEmpty() ? bucket : bucket + "/" + prefix;
    return "S3 storage s3://" + where + " (" + connection.describe() + ")";
  }
}
