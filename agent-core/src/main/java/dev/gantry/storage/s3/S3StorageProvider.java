package dev.gantry.storage.s3;

import dev.gantry.flow.storage.S3;
import dev.gantry.flow.storage.Storage;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageContext;
import dev.gantry.storage.StorageProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

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
}
