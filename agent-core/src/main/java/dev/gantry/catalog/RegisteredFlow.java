package dev.gantry.catalog;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One registered version of a flow.
 *
 * @param location where the bundle is, as a URI the bootstrap understands ({@code file:///...},
 *     {@code s3://bucket/key?...}); for module flows {@code module:FACTORY}
 * @param digest SHA-256 (hex) of the bundle as registered; null for module flows. Serialized
 *     bundles are refused at run time if their digest differs.
 * @param factory the factory reference ({@code com.acme.Flows#etl}) for source and module flows
 * @param image the image named in the flow's environment metadata, or null
 * @param policy infrastructure retries and concurrency limit of its runs
 * @param schedule when runs are created by themselves, or null for none
 * @param runConfig the run settings the version asks for, each with its source
 */
public record RegisteredFlow(
    long id,
    String name,
    int version,
    BundleFormat format,
    String location,
    String digest,
    String factory,
    String image,
    List<FlowLabel> labels,
    Set<String> secrets,
    List<ParameterSpec> parameters,
    Instant registeredAt,
    RunPolicy policy,
    FlowSchedule schedule,
    RunConfig runConfig) {

  public RegisteredFlow {
    labels = List.copyOf(labels);
    secrets = Set.copyOf(secrets);
    parameters = List.copyOf(parameters);
    Objects.requireNonNull(policy, "policy");
    runConfig = runConfig == null ? RunConfig.EMPTY : runConfig;
  }

  /** A version without run settings. */
  public RegisteredFlow(
      long id,
      String name,
      int version,
      BundleFormat format,
      String location,
      String digest,
      String factory,
      String image,
      List<FlowLabel> labels,
      Set<String> secrets,
      List<ParameterSpec> parameters,
      Instant registeredAt,
      RunPolicy policy,
      FlowSchedule schedule) {
    this(
        id,
        name,
        version,
        format,
        location,
        digest,
        factory,
        image,
        labels,
        secrets,
        parameters,
        registeredAt,
        policy,
        schedule,
        RunConfig.EMPTY);
  }

  /** This version with other run settings (tests, and the agent's view with its defaults). */
  public RegisteredFlow withRunConfig(RunConfig value) {
    return new RegisteredFlow(
        id,
        name,
        version,
        format,
        location,
        digest,
        factory,
        image,
        labels,
        secrets,
        parameters,
        registeredAt,
        policy,
        schedule,
        value);
  }

  /** A version with the default policy and no schedule. */
  public RegisteredFlow(
      long id,
      String name,
      int version,
      BundleFormat format,
      String location,
      String digest,
      String factory,
      String image,
      List<FlowLabel> labels,
      Set<String> secrets,
      List<ParameterSpec> parameters,
      Instant registeredAt) {
    this(
        id,
        name,
        version,
        format,
        location,
        digest,
        factory,
        image,
        labels,
        secrets,
        parameters,
        registeredAt,
        RunPolicy.DEFAULT,
        null,
        RunConfig.EMPTY);
  }

  /** The labels a run of this flow needs (without their sources). */
  public Set<String> labelSet() {
    Set<String> out = new LinkedHashSet<>();
    labels.forEach(l -> out.add(l.label()));
    return out;
  }
}
