package dev.gantry.flow.storage;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A container in an Azure Blob Storage account. Its default label is {@value #DEFAULT_LABEL}.
 *
 * <pre>{@code flow.storage(AzureBlob.container("acmeflows", "flows").prefix("team-a"));}</pre>
 *
 * <p>Credentials: registration and the run's bootstrap connect with the storage account's
 * connection string held in a secret, {@value #DEFAULT_CREDENTIALS_SECRET} unless {@link
 * #credentials(String)} names another (Prefect's Azure storage read the same variable). The secret
 * is always one of the storage's secrets; the connection string's account must be {@link
 * #account()}.
 *
 * @param account the storage account's name
 * @param container the blob container
 * @param prefix the blob name prefix under the container, or null for its root
 * @param credentialsSecret the secret holding the connection string, or null for {@value
 *     #DEFAULT_CREDENTIALS_SECRET}
 */
public record AzureBlob(
    String account,
    String container,
    String prefix,
    Format format,
    boolean defaultLabelsEnabled,
    Set<String> secrets,
    String credentialsSecret)
    implements Storage {

  public static final String DEFAULT_LABEL = "azure-flow-storage";

  /** Prefect's variable for Azure: the storage account's connection string. */
  public static final String DEFAULT_CREDENTIALS_SECRET = "AZURE_STORAGE_CONNECTION_STRING";

  private static final Pattern ACCOUNT_NAME = Pattern.compile("[a-z0-9]{3,24}");
  private static final Pattern CONTAINER_NAME =
      Pattern.compile("(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*|\\$root");

  public AzureBlob {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(container, "container");
    Objects.requireNonNull(format, "format");
    if (!ACCOUNT_NAME.matcher(account).matches()) {
      throw new IllegalArgumentException(
          "invalid Azure storage account name '"
              + account
              + "': 3 to 24 lower-case letters and digits");
    }
    if (!CONTAINER_NAME.matcher(container).matches()) {
      throw new IllegalArgumentException(
          "invalid Azure blob container name '"
              + container
              + "': 3 to 63 lower-case letters, digits and single hyphens, starting and ending"
              + " with a letter or digit");
    }
    if (format == Format.MODULE) {
      throw new IllegalArgumentException(
          "Azure Blob storage stores bundles; use Module for MODULE");
    }
    Set<String> all = new LinkedHashSet<>(secrets);
    all.add(credentialsSecret != null ? credentialsSecret : DEFAULT_CREDENTIALS_SECRET);
    secrets = Set.copyOf(all);
  }

  public static AzureBlob container(String account, String container) {
    return new AzureBlob(account, container, null, Format.SERIALIZED, true, Set.of(), null);
  }

  public AzureBlob prefix(String prefix) {
    return new AzureBlob(
        account, container, prefix, format, defaultLabelsEnabled, secrets, credentialsSecret);
  }

  public AzureBlob storedAsSource() {
    return new AzureBlob(
        account,
        container,
        prefix,
        Format.SOURCE,
        defaultLabelsEnabled,
        secrets,
        credentialsSecret);
  }

  public AzureBlob withoutDefaultLabels() {
    return new AzureBlob(account, container, prefix, format, false, secrets, credentialsSecret);
  }

  /** More secrets the flow's runs receive. */
  public AzureBlob secrets(String... names) {
    Set<String> all = new LinkedHashSet<>(secrets);
    all.addAll(Set.of(names));
    return new AzureBlob(
        account, container, prefix, format, defaultLabelsEnabled, all, credentialsSecret);
  }

  /**
   * Connects with the connection string in the named secret instead of {@value
   * #DEFAULT_CREDENTIALS_SECRET}.
   */
  public AzureBlob credentials(String secretName) {
    Objects.requireNonNull(secretName, "secretName");
    Set<String> all = new LinkedHashSet<>(secrets);
    all.remove(credentialsSecretName());
    return new AzureBlob(account, container, prefix, format, defaultLabelsEnabled, all, secretName);
  }

  /** The secret holding the connection string. */
  public String credentialsSecretName() {
    return credentialsSecret != null ? credentialsSecret : DEFAULT_CREDENTIALS_SECRET;
  }

  @Override
  public Set<String> defaultLabels() {
    return Set.of(DEFAULT_LABEL);
  }
}
