package dev.gantry.catalog;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A flow version to record; the store assigns id, version number and registration time.
 *
 * @param policy infrastructure retries and concurrency limit of its runs
 * @param schedule when runs are created by themselves, or null for none
 * @param runConfig the run settings asked for, each with its source
 */
public record NewFlowVersion(
    String name,
    BundleFormat format,
    String location,
    String digest,
    String factory,
    String image,
    List<FlowLabel> labels,
    Set<String> secrets,
    List<ParameterSpec> parameters,
    RunPolicy policy,
    FlowSchedule schedule,
    RunConfig runConfig) {

  public NewFlowVersion {
    labels = List.copyOf(labels);
    secrets = Set.copyOf(secrets);
    parameters = List.copyOf(parameters);
    Objects.requireNonNull(policy, "policy");
    runConfig = runConfig == null ? RunConfig.EMPTY : runConfig;
  }

  /** A version without run settings. */
  public NewFlowVersion(
      String name,
      BundleFormat format,
      String location,
      String digest,
      String factory,
      String image,
      List<FlowLabel> labels,
      Set<String> secrets,
      List<ParameterSpec> parameters,
      RunPolicy policy,
      FlowSchedule schedule) {
    this(
        name,
        format,
        location,
        digest,
        factory,
        image,
        labels,
        secrets,
        parameters,
        policy,
        schedule,
        RunConfig.EMPTY);
  }

  /** A version with the default policy and no schedule. */
  public NewFlowVersion(
      String name,
      BundleFormat format,
      String location,
      String digest,
      String factory,
      String image,
      List<FlowLabel> labels,
      Set<String> secrets,
      List<ParameterSpec> parameters) {
    this(
        name,
        format,
        location,
        digest,
        factory,
        image,
        labels,
        secrets,
        parameters,
        RunPolicy.DEFAULT,
        null);
  }

  public NewFlowVersion withPolicy(RunPolicy value) {
    return new NewFlowVersion(
        name,
        format,
        location,
        digest,
        factory,
        image,
        labels,
        secrets,
        parameters,
        value,
        schedule,
        runConfig);
  }

  public NewFlowVersion withSchedule(FlowSchedule value) {
    return new NewFlowVersion(
        name,
        format,
        location,
        digest,
        factory,
        image,
        labels,
        secrets,
        parameters,
        policy,
        value,
        runConfig);
  }

  public NewFlowVersion withRunConfig(RunConfig value) {
    return new NewFlowVersion(
        name,
        format,
        location,
        digest,
        factory,
        image,
        labels,
        secrets,
        parameters,
        policy,
        schedule,
        value);
  }
}
