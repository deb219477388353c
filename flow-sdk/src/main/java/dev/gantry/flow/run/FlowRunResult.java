package dev.gantry.flow.run;

import dev.gantry.flow.TaskState;
import java.util.Map;

/**
 * The outcome of running a flow in process.
 *
 * @param success true when every task succeeded
 * @param taskStates the final state of every task, in flow order
 * @param results the result of every successful task
 * @param message the first failure, one line (task name and cause), or null on success
 */
public record FlowRunResult(
    boolean success,
    Map<String, TaskState> taskStates,
    Map<String, Object> results,
    String message) {}
