package dev.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.kubernetes.testing.Launches;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HostPathVolumeSource;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The built-in run pod passes Pod Security {@code restricted}: a namespace labelled {@code
 * pod-security.kubernetes.io/enforce: restricted} admits it. The profile's rules (Kubernetes Pod
 * Security Standards, baseline and restricted, as of v1.30) are written out as a checker here; each
 * rule is shown to catch its violation.
 */
class RestrictedPodSecurityTest {

  @Test
  void theBuiltInRunPodPassesTheRestrictedProfile() {
    PodSpec pod = builtInRunPod(Map.of());

    assertThat(Restricted.violations(pod)).isEmpty();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
  }

  @Test
  void aRunPodWithSecretsPassesItToo() {
    assertThat(Restricted.violations(builtInRunPod(Map.of("API_TOKEN", "t0k3n")))).isEmpty();
  }

  @Test
  void theAgentsOwnPodPassesTheRestrictedProfile() throws Exception {
    Path file = repoRoot().resolve("deploy/kubernetes/agent/deployment.yaml");
    Deployment agent =
        ManifestYaml.readOne(Files.readString(file), Deployment.class, file.toString());

    assertThat(Restricted.violations(agent.getSpec().getTemplate().getSpec())).isEmpty();
  }

  @Test
  void aUserTemplatesOwnSecurityContextIsKeptAsWritten() {
    Job template = JobTemplate.defaultTemplate().job();
    PodSpec spec = template.getSpec().getTemplate().getSpec();
    PodSecurityContext own = new PodSecurityContext();
    own.setRunAsUser(2000L);
    own.setRunAsGroup(3000L);
    own.setFsGroup(4000L);
    own.setRunAsNonRoot(true);
    own.setSeccompProfile(new SeccompProfile("profiles/audit.json", "Localhost"));
    spec.setSecurityContext(own);

    PodSpec pod =
        JobTemplate.of(template, "test template")
            .manifestFor(
                Launches.request("etl", null, Map.of()),
                KubernetesSettings.defaults(),
                "flows",
                "gantry:0.1.0")
            .job()
            .getSpec()
            .getTemplate()
            .getSpec();

    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(2000L);
    assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(3000L);
    assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(4000L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("Localhost");
    assertThat(Restricted.violations(pod)).isEmpty();
  }

  @Test
  void theCheckerCatchesEachRule() {
    Map<String, Consumer<PodSpec>> breaks = new java.util.LinkedHashMap<>();
    breaks.put("hostNetwork", p -> p.setHostNetwork(true));
    breaks.put("hostPID", p -> p.setHostPID(true));
    breaks.put("hostIPC", p -> p.setHostIPC(true));
    breaks.put("privileged", p -> container(p).getSecurityContext().setPrivileged(true));
    breaks.put(
        "hostPath",
        p -> {
          Volume v = new Volume();
          v.setName("host");
          v.setHostPath(new HostPathVolumeSource("/var/run", null));
          p.getVolumes().add(v);
        });
    breaks.put(
        "hostPort",
        p -> {
          ContainerPort port = new ContainerPort();
          port.setContainerPort(80);
          port.setHostPort(80);
          container(p).setPorts(List.of(port));
        });
    breaks.put(
        "allowPrivilegeEscalation",
        p -> container(p).getSecurityContext().setAllowPrivilegeEscalation(null));
    breaks.put("runAsNonRoot", p -> p.getSecurityContext().setRunAsNonRoot(null));
    breaks.put("runAsUser", p -> container(p).getSecurityContext().setRunAsUser(0L));
    breaks.put("seccompProfile", p -> p.getSecurityContext().setSeccompProfile(null));
    breaks.put(
        "Unconfined",
        p ->
            container(p)
                .getSecurityContext()
                .setSeccompProfile(new SeccompProfile(null, "Unconfined")));
    breaks.put(
        "drop ALL", p -> container(p).getSecurityContext().getCapabilities().setDrop(List.of()));
    breaks.put(
        "add",
        p -> container(p).getSecurityContext().getCapabilities().setAdd(List.of("SYS_ADMIN")));
    breaks.put("procMount", p -> container(p).getSecurityContext().setProcMount("Unmasked"));

    breaks.forEach(
        (rule, change) -> {
          PodSpec pod = builtInRunPod(Map.of());
          if (pod.getVolumes() == null) {
            pod.setVolumes(new ArrayList<>());
          }
          change.accept(pod);
          assertThat(Restricted.violations(pod))
              .as("a pod breaking rule '%s'", rule)
              .anySatisfy(v -> assertThat(v).contains(rule));
        });
  }

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("deploy/kubernetes"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("deploy/kubernetes above the working directory").isNotNull();
    return dir;
  }

  private static Container container(PodSpec pod) {
    return pod.getContainers().get(0);
  }

  private static PodSpec builtInRunPod(Map<String, String> secrets) {
    return JobTemplate.defaultTemplate()
        .manifestFor(
            Launches.request("etl", null, secrets),
            KubernetesSettings.defaults(),
            "flows",
            "gantry:0.1.0")
        .job()
        .getSpec()
        .getTemplate()
        .getSpec();
  }

  /** The rules of Pod Security {@code restricted} (which includes {@code baseline}). */
  static final class Restricted {
    private static final Set<String> ALLOWED_VOLUMES =
        Set.of(
            "configMap",
            "csi",
            "downwardAPI",
            "emptyDir",
            "ephemeral",
            "persistentVolumeClaim",
            "projected",
            "secret");
    private static final Set<String> SAFE_SYSCTLS =
        Set.of(
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.ip_unprivileged_port_start",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
            "net.ipv4.ip_local_reserved_ports",
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes");

    private Restricted() {}

    static List<String> violations(PodSpec pod) {
      List<String> out = new ArrayList<>();
      PodSecurityContext psc =
          pod.getSecurityContext() == null ? new PodSecurityContext() : pod.getSecurityContext();
      // baseline: host namespaces
      if (Boolean.TRUE.equals(pod.getHostNetwork())) {
        out.add("hostNetwork is true");
      }
      if (Boolean.TRUE.equals(pod.getHostPID())) {
        out.add("hostPID is true");
      }
      if (Boolean.TRUE.equals(pod.getHostIPC())) {
        out.add("hostIPC is true");
      }
      // baseline: hostPath; restricted: only the allowed volume types
      for (Volume v : pod.getVolumes() == null ? List.<Volume>of() : pod.getVolumes()) {
        String type = volumeType(v);
        if ("hostPath".equals(type)) {
          out.add("volume " + v.getName() + " is a hostPath");
        } else if (!ALLOWED_VOLUMES.contains(type)) {
          out.add("volume " + v.getName() + " has type " + type);
        }
      }
      // baseline: Windows host process, sysctls, SELinux, AppArmor (pod level)
      if (psc.getWindowsOptions() != null
          && Boolean.TRUE.equals(psc.getWindowsOptions().getHostProcess())) {
        out.add("pod windowsOptions.hostProcess is true");
      }
      if (psc.getSysctls() != null) {
        psc.getSysctls().stream()
            .filter(s -> !SAFE_SYSCTLS.contains(s.getName()))
            .forEach(s -> out.add("sysctl " + s.getName() + " is not a safe one"));
      }
      seLinux(psc.getSeLinuxOptions(), "pod", out);
      appArmor(psc.getAppArmorProfile(), "pod", out);
      // restricted: seccomp at pod level, else on every container; never Unconfined
      boolean podSeccomp = seccompOk(psc.getSeccompProfile());
      if (psc.getSeccompProfile() != null && !podSeccomp) {
        out.add("pod seccompProfile is " + psc.getSeccompProfile().getType());
      }
      boolean podNonRoot = Boolean.TRUE.equals(psc.getRunAsNonRoot());
      if (psc.getRunAsUser() != null && psc.getRunAsUser() == 0L) {
        out.add("pod runAsUser is 0");
      }
      List<Container> all = new ArrayList<>();
      if (pod.getInitContainers() != null) {
        all.addAll(pod.getInitContainers());
      }
      if (pod.getContainers() != null) {
        all.addAll(pod.getContainers());
      }
      for (Container c : all) {
        container(c, podSeccomp, podNonRoot, out);
      }
      if (pod.getEphemeralContainers() != null && !pod.getEphemeralContainers().isEmpty()) {
        out.add("ephemeral containers are not checked here");
      }
      return out;
    }

    private static void container(
        Container c, boolean podSeccomp, boolean podNonRoot, List<String> out) {
      String name = "container " + c.getName() + ": ";
      SecurityContext sc =
          c.getSecurityContext() == null ? new SecurityContext() : c.getSecurityContext();
      if (c.getPorts() != null) {
        c.getPorts().stream()
            .filter(p -> p.getHostPort() != null && p.getHostPort() != 0)
            .forEach(p -> out.add(name + "hostPort " + p.getHostPort()));
      }
      if (Boolean.TRUE.equals(sc.getPrivileged())) {
        out.add(name + "privileged is true");
      }
      if (sc.getWindowsOptions() != null
          && Boolean.TRUE.equals(sc.getWindowsOptions().getHostProcess())) {
        out.add(name + "windowsOptions.hostProcess is true");
      }
      if (sc.getProcMount() != null && !"Default".equals(sc.getProcMount())) {
        out.add(name + "procMount is " + sc.getProcMount());
      }
      seLinux(sc.getSeLinuxOptions(), name, out);
      appArmor(sc.getAppArmorProfile(), name, out);
      if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
        out.add(name + "allowPrivilegeEscalation is not false");
      }
      if (Boolean.FALSE.equals(sc.getRunAsNonRoot())
          || (!podNonRoot && !Boolean.TRUE.equals(sc.getRunAsNonRoot()))) {
        out.add(name + "runAsNonRoot is not true (neither on the pod nor here)");
      }
      if (sc.getRunAsUser() != null && sc.getRunAsUser() == 0L) {
        out.add(name + "runAsUser is 0");
      }
      if (sc.getSeccompProfile() != null && !seccompOk(sc.getSeccompProfile())) {
        out.add(name + "seccompProfile is " + sc.getSeccompProfile().getType() + " (Unconfined)");
      } else if (sc.getSeccompProfile() == null && !podSeccomp) {
        out.add(name + "seccompProfile is not RuntimeDefault or Localhost (nor on the pod)");
      }
      Capabilities caps = sc.getCapabilities();
      if (caps == null || caps.getDrop() == null || !caps.getDrop().contains("ALL")) {
        out.add(name + "capabilities do not drop ALL");
      }
      if (caps != null && caps.getAdd() != null) {
        caps.getAdd().stream()
            .filter(cap -> !"NET_BIND_SERVICE".equals(cap))
            .forEach(cap -> out.add(name + "capabilities add " + cap));
      }
    }

    private static boolean seccompOk(SeccompProfile profile) {
      return profile != null
          && ("RuntimeDefault".equals(profile.getType()) || "Localhost".equals(profile.getType()));
    }

    private static void seLinux(
        io.fabric8.kubernetes.api.model.SELinuxOptions options, String where, List<String> out) {
      if (options == null) {
        return;
      }
      if (options.getType() != null
          && !Set.of("container_t", "container_init_t", "container_kvm_t")
              .contains(options.getType())) {
        out.add(where + " seLinuxOptions.type " + options.getType());
      }
      if (options.getUser() != null || options.getRole() != null) {
        out.add(where + " seLinuxOptions sets user or role");
      }
    }

    private static void appArmor(
        io.fabric8.kubernetes.api.model.AppArmorProfile profile, String where, List<String> out) {
      if (profile != null && "Unconfined".equals(profile.getType())) {
        out.add(where + " appArmorProfile is Unconfined");
      }
    }

    private static String volumeType(Volume v) {
      Map<String, Object> sources = new java.util.LinkedHashMap<>();
      sources.put("hostPath", v.getHostPath());
      sources.put("configMap", v.getConfigMap());
      sources.put("csi", v.getCsi());
      sources.put("downwardAPI", v.getDownwardAPI());
      sources.put("emptyDir", v.getEmptyDir());
      sources.put("ephemeral", v.getEphemeral());
      sources.put("persistentVolumeClaim", v.getPersistentVolumeClaim());
      sources.put("projected", v.getProjected());
      sources.put("secret", v.getSecret());
      return sources.entrySet().stream()
          .filter(e -> e.getValue() != null)
          .map(Map.Entry::getKey)
          .findFirst()
          .orElse("another type (" + ManifestYaml.json(v) + ")");
    }
  }
}
