package dev.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.cli.KubernetesAgentStartCommand;
import dev.gantry.cli.KubernetesInstallCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code gantry agent install kubernetes}: its output is read back strictly with the fabric8 model,
 * and the Role grants exactly what the agent does and nothing cluster-wide.
 */
class KubernetesInstallCommandTest {
  @Test
  void theDefaultManifestParsesStrictlyIntoAServiceAccountARoleABindingAndADeployment() {
    List<HasMetadata> objects = ManifestYaml.read(install(), "install output");

    assertThat(objects)
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactly(
            "ServiceAccount/gantry-agent",
            "Role/gantry-agent",
            "RoleBinding/gantry-agent",
            "Deployment/gantry-agent");
    assertThat(objects)
        .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo("gantry"));
    assertThat(((ServiceAccount) objects.get(0)).getAutomountServiceAccountToken()).isTrue();
  }

  @Test
  void theRoleGrantsExactlyWhatTheAgentDoesAndNothingClusterWide() {
    List<HasMetadata> objects = ManifestYaml.read(install(), "install output");
    Role role = (Role) objects.get(1);
    RoleBinding binding = (RoleBinding) objects.get(2);

    assertThat(grants(role.getRules())).isEqualTo(new TreeSet<>(AgentManifestTest.LEAST_PRIVILEGE));
    for (PolicyRule rule : role.getRules()) {
      assertThat(rule.getVerbs()).doesNotContain("*");
      assertThat(rule.getResources()).doesNotContain("*");
      assertThat(rule.getApiGroups()).doesNotContain("*");
      assertThat(rule.getResourceNames()).isNullOrEmpty();
      assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
    }
    assertThat(objects).noneMatch(o -> o.getKind().startsWith("Cluster"));
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo("gantry-agent");
              assertThat(s.getNamespace()).isEqualTo("gantry");
            });
  }

  @Test
  void theDeploymentRunsTheAgentNonRootReadOnlyWithProbesRequestsAndTheBackendFromASecret() {
    Deployment deployment =
        (Deployment)
            ManifestYaml.read(
                    install("-l", "s3-flow-storage", "--backend-secret", "prod-db"), "out")
                .get(3);

    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("gantry-agent");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    Container agent = pod.getContainers().get(0);
    assertThat(agent.getImage()).isEqualTo(KubernetesSettings.gantryImage());
    assertThat(agent.getArgs())
        .startsWith("agent", "start", "kubernetes")
        .contains("--namespace=gantry", "--health-port=8080", "--label=s3-flow-storage");
    assertThat(agent.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(agent.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(agent.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(agent.getVolumeMounts())
        .singleElement()
        .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    assertThat(pod.getVolumes())
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    assertThat(agent.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
    assertThat(agent.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
    assertThat(agent.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("health");
    assertThat(agent.getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8080));
    assertThat(agent.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(agent.getResources().getLimits()).containsKey("memory");
    Map<String, EnvVar> env = new java.util.LinkedHashMap<>();
    agent.getEnv().forEach(e -> env.put(e.getName(), e));
    assertThat(env.get("GANTRY_DB_URL").getValue()).isNull();
    assertThat(env.get("GANTRY_DB_URL").getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("prod-db");
    assertThat(env.get("GANTRY_DB_URL").getValueFrom().getSecretKeyRef().getKey())
        .isEqualTo("db-url");
    assertThat(env.get("GANTRY_SECRET_KEY").getValueFrom().getSecretKeyRef().getKey())
        .isEqualTo("secret-key");
    assertThat(env.get("GANTRY_HOME").getValue()).startsWith("/tmp/");
  }

  @Test
  void everyFlagReachesTheAgentsArgumentsOrTheObjects() {
    List<HasMetadata> objects =
        ManifestYaml.read(
            install(
                "--namespace", "flows",
                "-l", "s3-flow-storage",
                "--label", "gpu",
                "--image", "registry.example/gantry:0.1.0",
                "--image-pull-secrets", "regcred,backup",
                "--service-account", "runner-agent",
                "--job-service-account", "flow-runner",
                "--cpu-request", "500m",
                "--cpu-limit", "2",
                "--memory-request", "512Mi",
                "--memory-limit", "1Gi",
                "--env", "TZ=UTC",
                "--max-concurrent", "8"),
            "out");

    Deployment deployment = (Deployment) objects.get(3);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(objects)
        .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo("flows"));
    assertThat(objects.get(0).getMetadata().getName()).isEqualTo("runner-agent");
    assertThat(pod.getServiceAccountName()).isEqualTo("runner-agent");
    assertThat(pod.getImagePullSecrets())
        .extracting(r -> r.getName())
        .containsExactly("regcred", "backup");
    Container agent = pod.getContainers().get(0);
    assertThat(agent.getImage()).isEqualTo("registry.example/gantry:0.1.0");
    assertThat(agent.getArgs())
        .contains(
            "--namespace=flows",
            "--label=s3-flow-storage",
            "--label=gpu",
            "--default-image=registry.example/gantry:0.1.0",
            "--image-pull-secrets=regcred,backup",
            "--service-account=flow-runner",
            "--cpu-request=500m",
            "--cpu-limit=2",
            "--memory-request=512Mi",
            "--memory-limit=1Gi",
            "--env=TZ=UTC",
            "--max-concurrent=8");
  }

  @Test
  void theAgentsArgumentsAreOnesItsStartCommandAccepts() {
    Deployment deployment =
        (Deployment)
            ManifestYaml.read(
                    install("-l", "a", "--cpu-limit", "1", "--env", "K=V", "--max-concurrent", "2"),
                    "out")
                .get(3);
    List<String> args =
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();

    KubernetesAgentStartCommand start = new KubernetesAgentStartCommand();
    new CommandLine(start).parseArgs(args.subList(3, args.size()).toArray(String[]::new));

    KubernetesSettings settings = start.settings();
    assertThat(settings.namespace()).isEqualTo("gantry");
    assertThat(settings.cpuLimit()).isEqualTo("1");
    assertThat(settings.environment()).containsEntry("K", "V");
    assertThat(settings.effectiveDefaultImage()).isEqualTo(KubernetesSettings.gantryImage());
  }

  @Test
  void withoutRbacOnlyTheDeploymentIsPrinted() {
    assertThat(ManifestYaml.read(install("--no-rbac"), "out"))
        .extracting(HasMetadata::getKind)
        .containsExactly("Deployment");
  }

  @Test
  void malformedFlagsAreRefusedNamingTheFlag() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new KubernetesInstallCommand());
    command.setErr(new PrintWriter(err));
    command.setOut(new PrintWriter(new StringWriter()));

    int code = command.execute("--memory-limit", "lots");

    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("--memory-limit 'lots'");
  }

  static String install(String... args) {
    StringWriter out = new StringWriter();
    CommandLine command = new CommandLine(new KubernetesInstallCommand());
    command.setOut(new PrintWriter(out));
    StringWriter err = new StringWriter();
    command.setErr(new PrintWriter(err));
    int code = command.execute(args);
    assertThat(code).as(err.toString()).isZero();
    return out.toString();
  }

  static Set<String> grants(List<PolicyRule> rules) {
    Set<String> grants = new TreeSet<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            grants.add(group + "/" + resource + ":" + verb);
          }
        }
      }
    }
    return grants;
  }
}
