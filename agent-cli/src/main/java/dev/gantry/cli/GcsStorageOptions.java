package dev.gantry.cli;

import dev.gantry.flow.Secrets;
import dev.gantry.flow.storage.Gcs;
import picocli.CommandLine.Option;

/**
 * The options of {@code flow register --storage gs://BUCKET/PREFIX}: the bundle goes to Google
 * Cloud Storage, uploaded and fetched with the service-account key in a named secret, or with
 * Google's Application Default Credentials when none is named.
 */
public final class GcsStorageOptions {
  static final String SCHEME = "gs://";

  @Option(
      names = "--gcs-credentials-secret",
      paramLabel = "NAME",
      description =
          "The secret holding a service-account key (the JSON Google's console downloads, as"
              + " Prefect's GCP_CREDENTIALS) that uploads the bundle and fetches it in the runs;"
              + " it becomes one of the flow's secrets. Default: Application Default Credentials"
              + " (GOOGLE_APPLICATION_CREDENTIALS, gcloud, workload identity, the instance's"
              + " service account).")
  String credentialsSecret;

  static boolean isGcs(String storage) {
    return storage != null && storage.startsWith(SCHEME);
  }

  boolean anyGiven() {
    return credentialsSecret != null;
  }

  /** The GCS storage {@code gs://BUCKET[/PREFIX]} with these options. */
  Gcs storage(String uri) {
    String rest = uri.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isBlank() || uri.contains("?") || uri.contains("#")) {
      throw new UserError(
          "--storage "
              + uri
              + " is not gs://BUCKET or gs://BUCKET/PREFIX (no query; name the key's secret with"
              + " --gcs-credentials-secret)");
    }
    Gcs storage;
    try {
      storage = Gcs.bucket(bucket);
    } catch (IllegalArgumentException e) {
      throw new UserError("--storage " + uri + ": " + e.getMessage());
    }
    if (!prefix.isBlank()) {
      storage = storage.prefix(prefix);
    }
    if (credentialsSecret != null) {
      try {
        Secrets.checkName(credentialsSecret);
      } catch (IllegalArgumentException e) {
        throw new UserError("--gcs-credentials-secret: " + e.getMessage());
      }
      storage = storage.credentials(credentialsSecret);
    }
    return storage;
  }
}
