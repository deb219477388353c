package dev.gantry.launch;

import dev.gantry.catalog.RunConfig;
import dev.gantry.catalog.RunSettingValue;
import dev.gantry.flow.environment.RunSetting;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an agent lets its runs ask for (Prefect's {@code reg_allow_list}, and more): images under
 * allowed prefixes, at most so much memory and CPU, allowed service accounts; privileged
 * containers, the host's network, host paths and added capabilities only when explicitly allowed.
 *
 * @param allowedImagePrefixes images must start with one of these; empty for any image
 * @param maxMemoryBytes the most memory a run may ask for (limit or request), or null for no limit
 * @param maxCpuMillis the most CPU a run may ask for, in thousandths, or null for no limit
 * @param allowedServiceAccounts the service accounts runs may use; empty for any
 */
public record LaunchPolicy(
    List<String> allowedImagePrefixes,
    Long maxMemoryBytes,
    Long maxCpuMillis,
    Set<String> allowedServiceAccounts,
    boolean allowPrivileged,
    boolean allowHostNetwork,
    boolean allowHostPaths,
    boolean allowCapabilities) {

  /** Any image, no resource limits, and none of the four host-level escapes. */
  public static final LaunchPolicy DEFAULT =
      new LaunchPolicy(List.of(), null, null, Set.of(), false, false, false, false);

  public LaunchPolicy {
    allowedImagePrefixes = List.copyOf(allowedImagePrefixes);
    allowedServiceAccounts = Set.copyOf(allowedServiceAccounts);
  }

  /**
   * Why a run with these settings and this image may not run here, as one line naming the setting
   * and the limit; empty when it may.
   *
   * @param image the image the run gets, or null for the launcher's default (always allowed)
   */
  public Optional<String> refusal(RunConfig config, String image) {
    List<String> out = new ArrayList<>();
    if (image != null
        && !allowedImagePrefixes.isEmpty()
        && allowedImagePrefixes.stream().noneMatch(image::startsWith)) {
      out.add(
          "image "
              + image
              + " is outside this agent's allowed image prefixes "
              + allowedImagePrefixes
              + " (--allow-image-prefix)");
    }
    for (RunSettingValue s : config.settings()) {
      refusal(s).ifPresent(out::add);
    }
    return out.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", out));
  }

  private Optional<String> refusal(RunSettingValue s) {
    String asked = s.name() + "=" + s.value() + " (" + s.source() + ")";
    RunSetting setting = RunSetting.named(s.name());
    return switch (setting) {
      case MEMORY, MEMORY_LIMIT, MEMORY_REQUEST ->
          maxMemoryBytes != null && RunSetting.memoryBytes(s.value()) > maxMemoryBytes
              ? Optional.of(asked + " is above this agent's --max-memory " + bytes(maxMemoryBytes))
              : Optional.empty();
      case CPUS, CPU_LIMIT, CPU_REQUEST ->
          maxCpuMillis != null && RunSetting.cpuMillis(s.value()) > maxCpuMillis
              ? Optional.of(asked + " is above this agent's --max-cpus " + cpus(maxCpuMillis))
              : Optional.empty();
      case SERVICE_ACCOUNT ->
          !allowedServiceAccounts.isEmpty() && !allowedServiceAccounts.contains(s.value())
              ? Optional.of(
                  asked
                      + " is not among this agent's allowed service accounts "
                      + new java.util.TreeSet<>(allowedServiceAccounts)
                      + " (--allow-service-account)")
              : Optional.empty();
      case PRIVILEGED ->
          "true".equals(s.value()) && !allowPrivileged
              ? Optional.of(
                  asked
                      + " is refused: this agent does not allow privileged runs (--allow-privileged)")
              : Optional.empty();
      case HOST_NETWORK ->
          "true".equals(s.value()) && !allowHostNetwork
              ? Optional.of(
                  asked
                      + " is refused: this agent does not allow the host's network (--allow-host-network)")
              : Optional.empty();
      case HOST_PATHS ->
          !allowHostPaths
              ? Optional.of(
                  asked + " is refused: this agent does not allow host paths (--allow-host-paths)")
              : Optional.empty();
      case CAP_ADD ->
          !allowCapabilities
              ? Optional.of(
                  asked
                      + " is refused: this agent does not allow added capabilities (--allow-capabilities)")
              : Optional.empty();
      default -> Optional.empty();
    };
  }

  static String bytes(long n) {
    long gib = 1024L * 1024 * 1024;
    long mib = 1024L * 1024;
    if (n % gib == 0) {
      return n / gib + "g";
    }
    if (n % mib == 0) {
      return n / mib + "m";
    }
    return n + "b";
  }

  static String cpus(long millis) {
    return java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
  }
}
