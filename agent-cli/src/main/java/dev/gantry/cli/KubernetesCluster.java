package dev.gantry.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Before {@code gantry agent start kubernetes} builds its launcher: is a cluster configured, and is
 * its API reachable? Without this the Kubernetes client retries an API at {@code
 * kubernetes.default.svc}, logs stack traces and ends with "An error has occurred."; with it the
 * command fails at once with one line naming what is missing and the address it tried.
 */
final class KubernetesCluster {
  static final Path SERVICE_ACCOUNT_TOKEN =
      Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");
  private static final int CONNECT_TIMEOUT_MS = 5_000;

  private final Map<String, String> env;
  private final Path userHome;
  private final Path token;

  KubernetesCluster(Map<String, String> env, Path userHome, Path token) {
    this.env = env;
    this.userHome = userHome;
    this.token = token;
  }

  /** This process's view: its environment, system properties and home directory. */
  static KubernetesCluster ofThisProcess() {
    return new KubernetesCluster(
        System.getenv(), Path.of(System.getProperty("user.home")), SERVICE_ACCOUNT_TOKEN);
  }

  /**
   * Throws a one-line {@link UserError} when no cluster is configured or its API is unreachable.
   */
  void check() {
    String source = configSource();
    String api = Config.autoConfigure(null).getMasterUrl();
    if (source == null) {
      throw new UserError(
          "no Kubernetes cluster configured: no kubeconfig ("
              + kubeconfigWhere()
              + ") and no in-cluster service-account token ("
              + token
              + " does not exist), so the API address would be "
              + api
              + "; set KUBECONFIG to a kubeconfig file or run the agent in a pod (see `gantry"
              + " agent install kubernetes`)");
    }
    String problem = unreachable(api);
    if (problem != null) {
      throw new UserError(
          "cannot reach the Kubernetes API at "
              + api
              + " (from "
              + source
              + "): "
              + problem
              + "; check that the cluster is up and the address is right");
    }
  }

  /** One line for a Kubernetes client failure that got past the check. */
  static String describe(KubernetesClientException e) {
    String api;
    try {
      api = Config.autoConfigure(null).getMasterUrl();
    } catch (RuntimeException unreadable) {
      api = "(unknown)";
    }
    StringBuilder line = new StringBuilder("Kubernetes API at " + api + " failed");
    if (e.getCode() > 0) {
      line.append(" with HTTP ").append(e.getCode());
    }
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    String detail =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : cause == e ? e.getMessage() : cause.toString();
    return line.append(": ").append(detail).toString();
  }

  /** Where the client's configuration comes from, or null when nothing configures a cluster. */
  private String configSource() {
    String master = setting(Config.KUBERNETES_MASTER_SYSTEM_PROPERTY);
    if (master != null) {
      return Config.KUBERNETES_MASTER_SYSTEM_PROPERTY;
    }
    Path kubeconfig = kubeconfig();
    if (Files.isRegularFile(kubeconfig)) {
      return "kubeconfig " + kubeconfig;
    }
    if (Files.isRegularFile(token)) {
      return "the in-cluster service-account token " + token;
    }
    return null;
  }

  private Path kubeconfig() {
    String named = setting(Config.KUBERNETES_KUBECONFIG_FILE);
    if (named != null) {
      return Path.of(named.split(java.io.File.pathSeparator)[0]);
    }
    return userHome.resolve(".kube").resolve("config");
  }

  private String kubeconfigWhere() {
    String named = setting(Config.KUBERNETES_KUBECONFIG_FILE);
    return named != null
        ? "KUBECONFIG names " + kubeconfig() + ", which does not exist"
        : "KUBECONFIG is not set and " + kubeconfig() + " does not exist";
  }

  /**
   * A system property (e.g. {@code kubeconfig}) or its environment variable ({@code KUBECONFIG}).
   */
  private String setting(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      value = env.get(property.toUpperCase().replace('.', '_'));
    }
    return value == null || value.isBlank() ? null : value;
  }

  private static String unreachable(String api) {
    URI uri;
    try {
      uri = URI.create(api);
    } catch (IllegalArgumentException e) {
      return "not a URL";
    }
    if (uri.getHost() == null) {
      return "the address names no host";
    }
    int port = uri.getPort() > 0 ? uri.getPort() : "http".equals(uri.getScheme()) ? 80 : 443;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), port), CONNECT_TIMEOUT_MS);
      return null;
    } catch (IOException e) {
      String why = e.getMessage() == null ? "" : ": " + e.getMessage();
      return e.getClass().getSimpleName() + why;
    }
  }
}
