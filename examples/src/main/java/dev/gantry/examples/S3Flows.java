package dev.gantry.examples;

import dev.gantry.flow.Flow;
import dev.gantry.flow.environment.LocalEnvironment;
import dev.gantry.flow.storage.S3;

/**
 * Flows stored in S3: the Java counterpart of Prefect's
 *
 * <pre>
 * flow.storage = S3(bucket="gantry-flows", secrets=["AWS_CREDENTIALS"])
 * flow.environment = LocalEnvironment(metadata={"image": "gantry:latest"})
 * </pre>
 *
 * Only agents labelled {@value S3#DEFAULT_LABEL} take their runs.
 */
public final class S3Flows {
  private S3Flows() {}

  /** The {@link Etl} tasks as flow "etl-s3", registered to the "gantry-flows" bucket. */
  public static Flow etlOnS3() {
    return Etl.named("etl-s3")
        .storage(S3.bucket("gantry-flows").secrets("AWS_CREDENTIALS"))
        .environment(LocalEnvironment.withImage("gantry:latest"));
  }
}
