package dev.gantry.storage.s3;

import dev.gantry.flow.storage.S3;
import dev.gantry.flow.storage.Storage;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageContext;
import dev.gantry.storage.StorageProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** S3 as a storage kind: {@code s3://} locations, the SDK's {@link S3}. */
public final class S3StorageProvider implements StorageProvider {

  @Override
  public String scheme() {
    return S3Location.SCHEME;
  }

  @Override
  public boolean handles(String location) {
    return S3Location.isS3(location);
  }

  @Override
  public boolean describes(Storage description) {
    return description instanceof S3;
  }

  @Override
  public BundleStorage open(Storage description, StorageContext context) {
    S3 s3 = (S3) description;
    return new S3BundleStorage(s3, UploadCredentials.forStorage(s3, context.secrets()));
  }

  @Override
  public void fetch(String flowName, String location, Path target, Map<String, String> environment)
      throws IOException {
    S3BundleStorage.fetch(flowName, S3Location.parse(location), target, environment);
  }

  /** The bucket, prefix, region, endpoint and credentials secret the location names. */
  @Override
  public Optional<Storage> sourceStorageAt(String flowName, String location) {
    S3Location parsed = S3Location.parse(location);
    return StorageProvider.sourcePrefix(parsed.key(), flowName)
        .map(
            prefix -> {
              S3 s3 = S3.bucket(parsed.bucket()).storedAsSource();
              s3 = prefix.isEmpty() ? s3 : s3.prefix(prefix);
              s3 = parsed.region() == null ? s3 : s3.region(parsed.region());
              s3 = parsed.endpoint() == null ? s3 : s3.endpoint(parsed.endpoint());
              return parsed.credentialsSecret() == null
                  ? s3
                  : s3.credentials(parsed.credentialsSecret());
            });
  }
}
