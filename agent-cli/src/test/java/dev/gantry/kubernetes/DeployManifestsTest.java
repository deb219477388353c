package dev.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.gantry.cli.DockerAgentStartCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/**
 * {@code deploy/}: the kustomize base holds exactly what {@code gantry agent install kubernetes}
 * prints with its defaults beside a hardened server, every manifest parses strictly, {@code kubectl
 * kustomize} renders the base and the PostgreSQL overlay, and the docker-compose file runs a Docker
 * agent and a server the CLI accepts.
 */
class DeployManifestsTest {
  private static final Path DEPLOY = repoRoot().resolve("deploy");
  private static final Path BASE = DEPLOY.resolve("kubernetes");
  private static final Path OVERLAY = BASE.resolve("overlays/postgres");

  @Test
  void theBaseHoldsExactlyWhatInstallPrintsWithItsDefaults() throws IOException {
    List<HasMetadata> files = new ArrayList<>();
    for (Path file : manifests(BASE.resolve("agent"))) {
      files.addAll(ManifestYaml.read(Files.readString(file), file.toString()));
    }

    assertThat(byKindAndName(files))
        .isEqualTo(
            byKindAndName(
                ManifestYaml.read(KubernetesInstallCommandTest.install(), "install output")));
  }

  @Test
  void everyManifestUnderDeployParsesStrictly() throws IOException {
    List<Path> files = manifests(DEPLOY.resolve("kubernetes"));
    assertThat(files).hasSizeGreaterThanOrEqualTo(7);
    for (Path file : files) {
      assertThat(ManifestYaml.read(Files.readString(file), file.toString()))
          .as(file.toString())
          .isNotEmpty();
    }
    for (Path kustomization : kustomizations()) {
      JsonNode tree = Serialization.yamlMapper().readTree(Files.readString(kustomization));
      assertThat(tree.path("kind").asString())
          .as(kustomization.toString())
          .isEqualTo("Kustomization");
      for (JsonNode resource : tree.path("resources")) {
        assertThat(kustomization.getParent().resolve(resource.asString()))
            .as(kustomization + " names " + resource.asString())
            .exists();
      }
    }
  }

  @Test
  void kubectlKustomizeRendersTheBaseAsInstallPrintsItAndTheServer() throws Exception {
    List<HasMetadata> rendered = ManifestYaml.read(kustomize(BASE), "kubectl kustomize " + BASE);

    assertThat(byKindAndName(rendered.stream().filter(o -> !isServer(o)).toList()))
        .isEqualTo(
            byKindAndName(
                ManifestYaml.read(KubernetesInstallCommandTest.install(), "install output")));
    assertThat(byKindAndName(rendered.stream().filter(DeployManifestsTest::isServer).toList()))
        .containsOnlyKeys(SERVER_DEPLOYMENT, SERVER_SERVICE);
    assertHardenedServer(rendered);
  }

  private static final String SERVER_DEPLOYMENT = "Deployment/gantry-server";
  private static final String SERVER_SERVICE = "Service/gantry-server";

  private static boolean isServer(HasMetadata object) {
    return object.getMetadata().getName().equals("gantry-server");
  }

  /**
   * The server's Deployment is hardened like the agent's, probes the health routes on the port its
   * Service targets, reads the backend from the Secret, and starts with arguments the CLI accepts.
   */
  private static void assertHardenedServer(List<HasMetadata> objects) {
    Deployment deployment =
        (Deployment)
            objects.stream()
                .filter(
                    o -> (o.getKind() + "/" + o.getMetadata().getName()).equals(SERVER_DEPLOYMENT))
                .findFirst()
                .orElseThrow();
    Service service =
        (Service)
            objects.stream()
                .filter(o -> (o.getKind() + "/" + o.getMetadata().getName()).equals(SERVER_SERVICE))
                .findFirst()
                .orElseThrow();
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getContainers()).hasSize(1);
    var container = pod.getContainers().get(0);
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getVolumeMounts()).extracting(m -> m.getMountPath()).contains("/tmp");
    String port = service.getSpec().getPorts().get(0).getTargetPort().getStrVal();
    assertThat(container.getPorts()).extracting(p -> p.getName()).containsExactly(port);
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
    assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo(port);
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
    assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo(port);
    assertThat(service.getSpec().getSelector())
        .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
    var dbUrl =
        container.getEnv().stream()
            .filter(e -> e.getName().equals("GANTRY_DB_URL"))
            .findFirst()
            .orElseThrow();
    assertThat(dbUrl.getValue()).isNull();
    assertThat(dbUrl.getValueFrom().getSecretKeyRef().getName()).isEqualTo("gantry-backend");
    assertThat(dbUrl.getValueFrom().getSecretKeyRef().getKey()).isEqualTo(AgentManifest.DB_URL_KEY);
    assertThat(container.getImage()).isEqualTo(KubernetesSettings.gantryImage());
    assertServerCommand(container.getArgs());
  }

  /** Arguments {@code gantry server start} accepts, listening beyond the pod's loopback. */
  private static void assertServerCommand(List<String> args) {
    assertThat(args).startsWith("server", "start").contains("--bind=0.0.0.0");
    new CommandLine(new dev.gantry.cli.ServerCommand())
        .parseArgs(args.subList(1, args.size()).toArray(String[]::new));
  }

  @Test
  void kubectlKustomizeRendersACompleteInstallWithPostgres() throws Exception {
    List<HasMetadata> objects =
        ManifestYaml.read(kustomize(OVERLAY), "kubectl kustomize " + OVERLAY);

    Map<String, HasMetadata> byName = new TreeMap<>();
    objects.forEach(o -> byName.put(o.getKind() + "/" + o.getMetadata().getName(), o));
    assertThat(byName)
        .containsKeys(
            "Namespace/gantry",
            "ServiceAccount/gantry-agent",
            "Role/gantry-agent",
            "RoleBinding/gantry-agent",
            "Deployment/gantry-agent",
            "Secret/gantry-backend",
            "Secret/gantry-postgres",
            "Service/gantry-postgres",
            "StatefulSet/gantry-postgres",
            SERVER_DEPLOYMENT,
            SERVER_SERVICE);
    assertHardenedServer(objects);
    objects.stream()
        .filter(o -> !o.getKind().equals("Namespace"))
        .forEach(
            o -> assertThat(o.getMetadata().getNamespace()).as(o.getKind()).isEqualTo("gantry"));
    Deployment agent = (Deployment) byName.get("Deployment/gantry-agent");
    assertThat(agent.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .contains("--label=s3-flow-storage");
    Secret backend = (Secret) byName.get("Secret/gantry-backend");
    Map<String, String> values = backend.getStringData();
    Service postgres = (Service) byName.get("Service/gantry-postgres");
    assertThat(values.get(AgentManifest.DB_URL_KEY))
        .startsWith(
            "jdbc:postgresql://"
                + postgres.getMetadata().getName()
                + ":"
                + postgres.getSpec().getPorts().get(0).getPort()
                + "/");
    assertThat(Base64.getDecoder().decode(values.get(AgentManifest.SECRET_KEY_KEY)))
        .as("GANTRY_SECRET_KEY is 32 bytes, base64")
        .hasSize(32);
  }

  @Test
  void theComposeFileRunsPostgresAndADockerAgentTheCliAccepts() throws IOException {
    JsonNode compose =
        Serialization.yamlMapper().readTree(Files.readString(DEPLOY.resolve("docker-compose.yml")));

    JsonNode postgres = compose.path("services").path("postgres");
    JsonNode agent = compose.path("services").path("agent");
    assertThat(postgres.path("image").asString()).startsWith("postgres:");
    assertThat(agent.path("image").asString()).isEqualTo(KubernetesSettings.gantryImage());
    List<String> command = new ArrayList<>();
    agent.path("command").forEach(part -> command.add(part.asString()));
    assertThat(command).startsWith("agent", "start", "docker");
    new CommandLine(new DockerAgentStartCommand())
        .parseArgs(command.subList(3, command.size()).toArray(String[]::new));
    List<String> volumes = new ArrayList<>();
    agent.path("volumes").forEach(v -> volumes.add(v.asString()));
    assertThat(volumes).contains("/var/run/docker.sock:/var/run/docker.sock");
    assertThat(agent.path("environment").path("GANTRY_DB_URL").asString())
        .startsWith("jdbc:postgresql://postgres:5432/");
    assertThat(agent.path("depends_on").path("postgres").path("condition").asString())
        .isEqualTo("service_healthy");

    JsonNode server = compose.path("services").path("server");
    assertThat(server.path("image").asString()).isEqualTo(KubernetesSettings.gantryImage());
    List<String> serverCommand = new ArrayList<>();
    server.path("command").forEach(part -> serverCommand.add(part.asString()));
    assertServerCommand(serverCommand);
    assertThat(server.path("environment").path("GANTRY_DB_URL").asString())
        .startsWith("jdbc:postgresql://postgres:5432/");
    assertThat(server.path("depends_on").path("postgres").path("condition").asString())
        .isEqualTo("service_healthy");
    List<String> ports = new ArrayList<>();
    server.path("ports").forEach(p -> ports.add(p.asString()));
    assertThat(ports).containsExactly("127.0.0.1:8420:8420");
    assertThat(server.path("read_only").asBoolean()).isTrue();
  }

  /** {@code kubectl kustomize DIR}; CI must have kubectl, a developer's machine may lack it. */
  private static String kustomize(Path dir) throws Exception {
    String kubectl = onPath("kubectl");
    if (kubectl == null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(
            "CI=true but kubectl is not on PATH; .ci/run must install it: apt-get install -y kubernetes-client");
      }
      Assumptions.abort("kubectl is not on PATH (apt-get install -y kubernetes-client)");
    }
    Process process =
        new ProcessBuilder(kubectl, "kustomize", dir.toString())
            .redirectError(ProcessBuilder.Redirect.PIPE)
            .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("kubectl kustomize " + dir + ": " + err).isZero();
    return out;
  }

  private static String onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  private static Map<String, String> byKindAndName(List<HasMetadata> objects) {
    Map<String, String> out = new TreeMap<>();
    for (HasMetadata object : objects) {
      out.put(
          object.getKind() + "/" + object.getMetadata().getName(),
          Serialization.jsonMapper().readTree(ManifestYaml.json(object)).toString());
    }
    return out;
  }

  /** The Kubernetes manifests under {@code dir}: every .yaml but kustomization.yaml. */
  private static List<Path> manifests(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(f -> f.toString().endsWith(".yaml"))
          .filter(f -> !f.getFileName().toString().equals("kustomization.yaml"))
          .sorted()
          .toList();
    }
  }

  private static List<Path> kustomizations() throws IOException {
    try (Stream<Path> files = Files.walk(BASE)) {
      return files.filter(f -> f.getFileName().toString().equals("kustomization.yaml")).toList();
    }
  }

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("deploy/kubernetes"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no deploy/kubernetes above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
