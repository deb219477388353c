package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gantry agent start kubernetes} without a usable cluster fails at once, in one line. */
class KubernetesClusterTest {
  @TempDir Path dir;

  @BeforeEach
  void notInAPod() {
    assumeFalse(Files.exists(KubernetesCluster.SERVICE_ACCOUNT_TOKEN), "runs inside a pod");
  }

  @AfterEach
  void forgetKubeconfig() {
    System.clearProperty("kubeconfig");
  }

  private CliResult startAgent() {
    return CliResult.run("agent", "start", "kubernetes", "--home=" + dir.resolve("home"));
  }

  @Test
  void noKubeconfigAndNoTokenNamesBothAndTheAddressTried() {
    Path missing = dir.resolve("no-such-kubeconfig");
    System.setProperty("kubeconfig", missing.toString());

    long start = System.nanoTime();
    CliResult result = startAgent();

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err().strip().lines()).hasSize(1);
    assertThat(result.err())
        .startsWith("error: no Kubernetes cluster configured")
        .contains("KUBECONFIG names " + missing + ", which does not exist")
        .contains("no in-cluster service-account token")
        .contains(KubernetesCluster.SERVICE_ACCOUNT_TOKEN.toString())
        .contains("https://kubernetes.default.svc")
        .doesNotContain("An error has occurred");
    assertThat(System.nanoTime() - start).isLessThan(10_000_000_000L);
  }

  @Test
  void anUnreachableApiNamesTheAddressAndTheKubeconfig() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: gone
          cluster:
            server: https://127.0.0.1:%d
        contexts:
        - name: gone
          context:
            cluster: gone
            user: nobody
            namespace: default
        current-context: gone
        users:
        - name: nobody
          user:
            token: t
        """
            .formatted(closedPort));
    System.setProperty("kubeconfig", kubeconfig.toString());

    CliResult result = startAgent();

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err().strip().lines()).hasSize(1);
    assertThat(result.err())
        .startsWith("error: cannot reach the Kubernetes API at https://127.0.0.1:" + closedPort)
        .contains("(from kubeconfig " + kubeconfig + ")")
        .contains("ConnectException");
  }
}
