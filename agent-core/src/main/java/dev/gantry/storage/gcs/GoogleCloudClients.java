package dev.gantry.storage.gcs;

import com.google.api.gax.retrying.RetrySettings;
import com.google.auth.Credentials;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import java.time.Duration;

/** Google's own client over the JSON API (HTTP transport), as every production run uses. */
final class GoogleCloudClients implements GcsClients {
  /** Bounded retries, so an unreachable service fails the run instead of stalling it. */
  private static final RetrySettings RETRIES =
      StorageOptions.getDefaultRetrySettings().toBuilder()
          .setMaxAttempts(4)
          .setTotalTimeoutDuration(Duration.ofMinutes(5))
          .build();

  @Override
  public Storage open(Credentials credentials, String projectId) {
    StorageOptions.Builder options =
        StorageOptions.http().setCredentials(credentials).setRetrySettings(RETRIES);
    if (projectId != null) {
      options.setProjectId(projectId);
    }
    return options.build().getService();
  }
}
