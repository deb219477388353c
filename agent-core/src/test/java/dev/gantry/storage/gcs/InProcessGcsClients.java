package dev.gantry.storage.gcs;

import com.google.auth.Credentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The GCS service of the tests. No GCS server can run here (none is packaged in a registry this
 * build reaches), so this is Google's own in-process test storage, {@link LocalStorageHelper},
 * behind the same {@link Storage} interface: listed in this test class path's {@code
 * META-INF/services}, it replaces only the service object, and every line of the GCS storage around
 * it runs as in production. It keeps objects in this JVM's memory and checks no credentials, so it
 * records which service account each service was opened for instead.
 */
public final class InProcessGcsClients implements GcsClients {
  /** One store for the JVM: registration and the in-process bootstrap must see the same objects. */
  public static final Storage STORAGE = LocalStorageHelper.getOptions().getService();

  private static final List<String> ACCOUNTS = new CopyOnWriteArrayList<>();

  @Override
  public Storage open(Credentials credentials, String projectId) {
    ACCOUNTS.add(
        credentials instanceof ServiceAccountCredentials account
            ? account.getClientEmail()
            : credentials.getClass().getSimpleName());
    return STORAGE;
  }

  /** The service accounts services were opened for, oldest first. */
  public static List<String> accounts() {
    return List.copyOf(ACCOUNTS);
  }
}
