package dev.gantry.docker.testing;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** See {@link RequiresDocker}. */
public final class DockerEngineCondition implements ExecutionCondition {

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String problem = TestDocker.unavailableReason();
    if (problem == null) {
      return ConditionEvaluationResult.enabled("a Docker engine answers");
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(
          "CI=true but no Docker engine answers ("
              + problem
              + "); .ci/run must start dockerd before the tests");
    }
    return ConditionEvaluationResult.disabled("no Docker engine answers: " + problem);
  }
}
