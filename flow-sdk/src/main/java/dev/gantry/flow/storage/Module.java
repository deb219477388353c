package dev.gantry.flow.storage;

import java.util.Objects;
import java.util.Set;

/**
 * The flow's classes are already on the image's class path: nothing is stored, nothing is
 * deserialized; the run builds the flow with its factory, for example {@code com.acme.Flows#etl}.
 * No default label.
 */
public record Module(String factory) implements Storage {

  public Module {
    Objects.requireNonNull(factory, "factory");
  }

  public static Module factory(String factory) {
    return new Module(factory);
  }

  @Override
  public Format format() {
    return Format.MODULE;
  }

  @Override
  public Set<String> defaultLabels() {
    return Set.of();
  }

  @Override
  public boolean defaultLabelsEnabled() {
    return false;
  }

  @Override
  public Set<String> secrets() {
    return Set.of();
  }
}
