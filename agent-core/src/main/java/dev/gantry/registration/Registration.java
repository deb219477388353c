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
 * @param bundle a prebuilt bundle ({@code gantry flow bundle}) to register as it is, instead of
 *     jars and a factory: then {@code jars} is empty, {@code factory} and {@code format} are null
 *     (the bundle's manifest names both), and the bundle is verified, then stored unchanged
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
    Map<String, String> runSettings,
    Path bundle) {

  public Registration {
    jars = List.copyOf(jars);
    if (bundle != null) {
      if (!jars.isEmpty()) {
        throw new IllegalArgumentException(
            "--jar and --bundle exclude each other: a bundle carries its jars");
      }
      if (factory != null) {
        throw new IllegalArgumentException(
            "--factory and --bundle exclude each other: the bundle's manifest names its factory");
      }
      if (format != null) {
        throw new IllegalArgumentException(
            "--as-source and --bundle exclude each other: the bundle's format is fixed when it is"
                + " built (gantry flow bundle --as-source)");
      }
    } else {
      if (jars.isEmpty()) {
        throw new IllegalArgumentException("give at least one jar with --jar");
      }
      Objects.requireNonNull(factory, "factory");
    }
    labels = Set.copyOf(labels);
    Objects.requireNonNull(policy, "policy");
    runSettings = runSettings == null ? Map.of() : Map.copyOf(runSettings);
  }

  /** A registration of jars and a factory, with run settings of its own. */
  public Registration(
      List<Path> jars,
      String factory,
      BundleFormat format,
      Storage storage,
      Set<String> labels,
      boolean defaultLabels,
      RunPolicy policy,
      FlowSchedule schedule,
      Map<String, String> runSettings) {
    this(
        jars, factory, format, storage, labels, defaultLabels, policy, schedule, runSettings, null);
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

  /**
   * A prebuilt bundle, registered as it is with the default policy, its flow's own storage and
   * schedule; the withers add the rest.
   */
  public static Registration ofBundle(Path bundle) {
    Objects.requireNonNull(bundle, "bundle");
    return new Registration(
        List.of(), null, null, null, Set.of(), true, RunPolicy.DEFAULT, null, Map.of(), bundle);
  }

  /** The factory reference, or the bundle's file when registering a prebuilt bundle. */
  public String describe() {
    return bundle != null ? "bundle " + bundle.getFileName() : factory;
  }

  public Registration withFormat(BundleFormat value) {
    return new Registration(
        jars,
        factory,
        value,
        storage,
        labels,
        defaultLabels,
        policy,
        schedule,
        runSettings,
        bundle);
  }

  public Registration withStorage(Storage value) {
    return new Registration(
        jars, factory, format, value, labels, defaultLabels, policy, schedule, runSettings, bundle);
  }

  public Registration withLabels(Set<String> value) {
    return new Registration(
        jars,
        factory,
        format,
        storage,
        value,
        defaultLabels,
        policy,
        schedule,
        runSettings,
        bundle);
  }

  public Registration withoutDefaultLabels() {
    return new Registration(
        jars, factory, format, storage, labels, false, policy, schedule, runSettings, bundle);
  }

  public Registration withPolicy(RunPolicy value) {
    return new Registration(
        jars,
        factory,
        format,
        storage,
        labels,
        defaultLabels,
        value,
        schedule,
        runSettings,
        bundle);
  }

  /** Run settings given at registration; they override the flow's own. */
  public Registration withRunConfig(Map<String, String> value) {
    return new Registration(
        jars, factory, format, storage, labels, defaultLabels, policy, schedule, value, bundle);
  }

  public Registration withSchedule(FlowSchedule value) {
    return new Registration(
        jars, factory, format, storage, labels, defaultLabels, policy, value, runSettings, bundle);
  }
}
