package dev.gantry.flow.storage;

import java.io.Serializable;
import java.util.Set;

/**
 * Where a registered flow is kept and how it is frozen. These are plain descriptions; the agent
 * side implements them. A storage adds default labels to the flow (so only agents that can reach it
 * take its runs) unless {@link #defaultLabelsEnabled()} is false, and names the secrets it needs.
 */
public sealed interface Storage extends Serializable
    permits Local, S3, Module, Maven, Http, Gcs, AzureBlob, OciImage {

  /** How the flow travels in the bundle. */
  enum Format {
    /** The flow object is serialized at registration; the bundle is frozen by its digest. */
    SERIALIZED,
    /** The bundle holds the jars and a factory reference; the flow is built at every run. */
    SOURCE,
    /** Nothing is stored: the flow's classes are already in the image. */
    MODULE
  }

  Format format();

  /** The labels this storage adds to a flow, before {@link #defaultLabelsEnabled()} applies. */
  Set<String> defaultLabels();

  boolean defaultLabelsEnabled();

  /** Secrets the storage needs to fetch bundles, such as {@code AWS_CREDENTIALS}. */
  Set<String> secrets();
}
