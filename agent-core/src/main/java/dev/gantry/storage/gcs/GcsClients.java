package dev.gantry.storage.gcs;

import com.google.auth.Credentials;
import com.google.cloud.storage.Storage;
import java.util.ServiceLoader;

/**
 * Opens the {@link Storage} service the GCS storage talks to. Production uses Google's HTTP client
 * ({@link GoogleCloudClients}). Because no GCS server can run in a test, a test class path may list
 * another implementation in {@code META-INF/services/dev.gantry.storage.gcs.GcsClients} backed by
 * Google's in-process test storage: only this object differs, every other line of the GCS storage
 * runs as in production.
 */
public interface GcsClients {

  /**
   * A service signing with {@code credentials}.
   *
   * @param projectId the project of the credentials, or null
   */
  Storage open(Credentials credentials, String projectId);

  /** The implementation listed on the class path, else Google's HTTP client. */
  static GcsClients installed() {
    return ServiceLoader.load(GcsClients.class, GcsClients.class.getClassLoader())
        .findFirst()
        .orElseGet(GoogleCloudClients::new);
  }
}
