package dev.gantry.catalog;

/** Where a flow's label came from, shown by {@code flow list} and {@code run show}. */
public enum LabelSource {
  /** {@code flow.labels(...)} in the flow's code. */
  flow,
  /** The flow environment's labels. */
  environment,
  /** The storage's default label (host name for local, s3-flow-storage for S3). */
  storage,
  /** {@code --label} at registration. */
  registration
}
