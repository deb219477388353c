package dev.gantry.registration;

import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.RunPolicy;
import dev.gantry.flow.storage.Storage;
import java.nio.file.Path;
import java.util.List;
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
 */
public record Registration(
    List<Path> jars,
    String factory,
    BundleFormat format,
    Storage storage,
    Set<String> labels,
    boolean defaultLabels,
    RunPolicy policy,
    FlowSchedule schedule) {

  public Registration {
    jars = List.copyOf(jars);
    if (jars.isEmpty()) {
      throw new IllegalArgumentException("give at least one jar with --jar");
    }
    Objects.requireNonNull(factory, "factory");
    labels = Set.copyOf(labels);
    Objects.requireNonNull(policy, "policy");
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
    return new Registration(jars, factory, value, storage, labels, defaultLabels, policy, schedule);
  }

  public Registration withStorage(Storage value) {
    return new Registration(jars, factory, format, value, labels, defaultLabels, policy, schedule);
  }

  public Registration withLabels(Set<String> value) {
    return new Registration(jars, factory, format, storage, value, defaultLabels, policy, schedule);
  }

  public Registration withoutDefaultLabels() {
    return new Registration(jars, factory, format, storage, labels, false, policy, schedule);
  }

  public Registration withPolicy(RunPolicy value) {
    return new Registration(jars, factory, format, storage, labels, defaultLabels, value, schedule);
  }

  public Registration withSchedule(FlowSchedule value) {
    return new Registration(jars, factory, format, storage, labels, defaultLabels, policy, value);
  }
}
