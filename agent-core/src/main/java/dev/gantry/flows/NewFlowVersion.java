package dev.gantry.flows;

import java.util.List;
import java.util.Set;

/** A flow version to record; the store assigns id, version number and registration time. */
public record NewFlowVersion(
    String name,
    BundleFormat format,
    String location,
    String digest,
    String factory,
    String image,
    List<FlowLabel> labels,
    Set<String> secrets,
    List<ParameterSpec> parameters) {

  public NewFlowVersion {
    labels = List.copyOf(labels);
    secrets = Set.copyOf(secrets);
    parameters = List.copyOf(parameters);
  }
}
