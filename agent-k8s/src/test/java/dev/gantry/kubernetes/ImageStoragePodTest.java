package dev.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.kubernetes.testing.Launches;
import dev.gantry.launch.LaunchRequest;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Job of an image-storage flow's run: its container runs the image by digest and its pod pulls
 * with the Kubernetes Secret named as the flow's registry login secret. (The Job is rendered as the
 * launcher sends it; no kube-apiserver can run here.)
 */
class ImageStoragePodTest {
  private static final String IMAGE =
      "127.0.0.1:5000/flows/chatty@sha256:" + "0123456789abcdef".repeat(4);
  private static final String LOGIN = "{\"username\":\"ci\",\"password\":\"pw-9d1e\"}";

  private static PodSpec pod(LaunchRequest request) {
    KubernetesSettings settings =
        KubernetesSettings.builder().imagePullSecrets(java.util.List.of("agent-pull")).build();
    return JobTemplate.defaultTemplate()
        .manifestFor(request, settings, "flows", request.image())
        .job()
        .getSpec()
        .getTemplate()
        .getSpec();
  }

  @Test
  void theRunsPodRunsTheImageByDigestAndPullsWithTheLoginsSecret() {
    LaunchRequest request =
        Launches.request("chatty", IMAGE, Map.of("API_TOKEN", "tok-1", "REGISTRY_LOGIN", LOGIN));

    PodSpec pod = pod(request);

    assertThat(pod.getContainers()).anySatisfy(c -> assertThat(c.getImage()).isEqualTo(IMAGE));
    assertThat(pod.getImagePullSecrets())
        .extracting(LocalObjectReference::getName)
        .containsExactly("agent-pull", "registry-login");
    assertThat(pod.toString()).doesNotContain("pw-9d1e");
  }

  @Test
  void anImageByTagOrAFlowWithoutALoginAddsNoPullSecret() {
    PodSpec byTag =
        pod(Launches.request("chatty", "127.0.0.1:5000/flows/chatty:1", Map.of("L", LOGIN)));
    PodSpec noLogin = pod(Launches.request("chatty", IMAGE, Map.of("API_TOKEN", "tok-1")));

    assertThat(byTag.getImagePullSecrets())
        .extracting(LocalObjectReference::getName)
        .containsExactly("agent-pull");
    assertThat(noLogin.getImagePullSecrets())
        .extracting(LocalObjectReference::getName)
        .containsExactly("agent-pull");
  }
}
