package dev.gantry.launch;

/**
 * Run infrastructure a launcher found by its labels.
 *
 * @param id the platform's id (container id, Job name, process id)
 * @param runId the run id label
 * @param attempt the attempt label
 * @param agentId the agent label: the agent that launched it
 * @param running whether it still runs (false: exited, not yet removed)
 */
public record Infrastructure(
    String id, String runId, int attempt, String agentId, boolean running) {}
