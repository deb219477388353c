package dev.gantry.launch;

import java.util.concurrent.CompletableFuture;

/** Infrastructure running one attempt of a run. */
public interface RunExecution {

  String runId();

  /**
   * Completes when the infrastructure has ended and all its output has been delivered to the sink.
   */
  CompletableFuture<ExitReport> exit();
}
