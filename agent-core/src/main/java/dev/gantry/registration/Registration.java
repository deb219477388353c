package dev.gantry.registration;

import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.RunPolicy;
import dev.gantry.flow.storage.Storage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A request to register a flow.
 *
 * @param jars the user jars: the first holds the factory, the others its dependencies
 * @param factory the factory reference, such as {@code com.acme.Flows#etl}
 * @param format how the flow travels; null to take the flow's storage description's
 * @param storage overrides the storage the flow describes; null to keep it (default: local)
 * @param labels extra labels given at registration
 * @param defaultLabels false to leave out the storage's default labels
 * @param policy infrastructure retries and concurrency limit of the version's runs
 * @param schedule overrides the schedule the flow describes; null to keep it (default: none)
 * @param runSettings run settings given at registration ({@code --memory 2g} as {@code memory} →
 *     {@code 2g}); they override the flow's own, and are checked at registration
 */
public record Registration(
    List<Path> jars,
    String factory,
    BundleFormat format,
    Storage storage,
    Set<String> labels,
    boolean defaultLabels,
    RunPolicy policy,
    FlowSchedule schedule,
    Map<String, String> runSettings) {

  public Registration {
    jars = List.copyOf(jars);
    if (jars.isEmpty()) {
      throw new IllegalArgumentException("give at least one jar with --jar");
    }
    Objects.requireNonNull(factory, "factory");
    labels = Set.copyOf(labels);
    Objects.requireNonNull(policy, "policy");
    runSettings = runSettings == null ? Map.of() : Map.copyOf(runSettings);
  }

  /** A registration without run settings of its own. */
  public Registration(
      List<Path> jars,
      String factory,
      BundleFormat format,
      Storage storage,
      Set<String> labels,
      boolean defaultLabels,
      RunPolicy policy,
      FlowSchedule schedule) {
    this(jars, factory, format, storage, labels, defaultLabels, policy, schedule, Map.of());
  }

  /** A registration with the default run policy and the flow's own schedule. */
  public Registration(
      List<Path> jars,
      String factory,
      BundleFormat format,
      Storage storage,
      Set<String> labels,
      boolean defaultLabels) {
    this(jars, factory, format, storage, labels, defaultLabels, RunPolicy.DEFAULT, null);
  }

  public static Registration of(Path jar, String factory) {
    return new Registration(List.of(jar), factory, null, null, Set.of(), true);
  }

  public Registration withFormat(BundleFormat value) {
    return new Registration(
        jars, factory, value, storage, labels, defaultLabels, policy, schedule, runSettings);
  }

  public Registration withStorage(Storage value) {
    return new Registration(
        jars, factory, format, value, labels, defaultLabels, policy, schedule, runSettings);
  }

  public Registration withLabels(Set<String> value) {
    return new Registration(
        jars, factory, format, storage, value, defaultLabels, policy, schedule, runSettings);
  }

  public Registration withoutDefaultLabels() {
    return new Registration(
        jars, factory, format, storage, labels, false, policy, schedule, runSettings);
  }

  public Registration withPolicy(RunPolicy value) {
    return new Registration(
        jars, factory, format, storage, labels, defaultLabels, value, schedule, runSettings);
  }

  /** Run settings given at registration; they override the flow's own. */
  public Registration withRunConfig(Map<String, String> value) {
    return new Registration(
        jars, factory, format, storage, labels, defaultLabels, policy, schedule, value);
  }

  public Registration withSchedule(FlowSchedule value) {
    return new Registration(
        jars, factory, format, storage, labels, defaultLabels, policy, value, runSettings);
  }
}
