package dev.gantry.flow.run;

import static org.awaitility.Awaitility.await;

import dev.gantry.flow.Flow;
import java.time.Duration;
import java.util.Map;

/** A flow run on a thread of its own, so a test can watch it, and interrupt it, while it runs. */
final class BackgroundRun {
  private final Thread thread;
  private volatile FlowRunResult result;
  private volatile Throwable failure;

  private BackgroundRun(FlowRunner runner, Flow flow, Map<String, String> parameters) {
    thread =
        new Thread(
            () -> {
              try {
                result = runner.run(flow, parameters);
              } catch (Throwable e) {
                failure = e;
              }
            },
            "test-flow-run");
  }

  static BackgroundRun start(FlowRunner runner, Flow flow) {
    BackgroundRun run = new BackgroundRun(runner, flow, Map.of());
    run.thread.start();
    return run;
  }

  /** Cancels the run the way an agent does: by interrupting the thread that runs it. */
  void interrupt() {
    thread.interrupt();
  }

  FlowRunResult awaitResult() {
    awaitEnd();
    if (failure != null) {
      throw new AssertionError("the run threw instead of returning a result", failure);
    }
    return result;
  }

  Throwable awaitFailure() {
    awaitEnd();
    if (failure == null) {
      throw new AssertionError("the run returned " + result + " instead of throwing");
    }
    return failure;
  }

  private void awaitEnd() {
    await().atMost(Duration.ofSeconds(30)).until(() -> !thread.isAlive());
  }
}
