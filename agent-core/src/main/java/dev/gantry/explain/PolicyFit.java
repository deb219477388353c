package dev.gantry.explain;

import dev.gantry.catalog.RunConfig;
import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.launch.LaunchPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code run explain} for a waiting run whose flow asks for more than the agents that would take it
 * allow: those agents would claim it only to fail it at launch, so they are named with the setting
 * and the limit, and the rest of the diagnosis is about the agents that would run it.
 */
public final class PolicyFit {
  private PolicyFit() {}

  /**
   * @param asked the run settings of the run's flow version
   * @param image the image the run would get, or null for the agent's default
   * @param policies each agent's policy by agent id; an agent without one is not bounded
   */
  public static RunDiagnosis diagnose(
      FlowRun run,
      List<AgentInfo> agents,
      Instant now,
      Duration staleAfter,
      RunConfig asked,
      String image,
      Map<String, LaunchPolicy> policies) {
    RunDiagnosis base = RunDiagnosis.of(run, agents, now, staleAfter);
    if (base.verdict() == RunDiagnosis.Verdict.NOT_WAITING
        || base.verdict() == RunDiagnosis.Verdict.NOT_DUE) {
      return base;
    }
    Map<AgentInfo, String> refusing = new LinkedHashMap<>();
    for (LabelFit fit : LabelFit.rank(run.labels(), agents)) {
      LaunchPolicy policy = policies.get(fit.agent().id());
      if (fit.takes() && LabelFit.isLive(fit.agent(), now, staleAfter) && policy != null) {
        policy.refusal(asked, image).ifPresent(why -> refusing.put(fit.agent(), why));
      }
    }
    if (refusing.isEmpty()) {
      return base;
    }
    List<AgentInfo> willing = new ArrayList<>(agents);
    willing.removeAll(refusing.keySet());
    RunDiagnosis rest = RunDiagnosis.of(run, willing, now, staleAfter);
    List<String> lines = new ArrayList<>();
    if (rest.verdict() == RunDiagnosis.Verdict.NO_MATCHING_AGENT) {
      lines.add(
          "Run "
              + run.id()
              + " is due, but every live agent that takes its labels refuses what its flow asks"
              + " for (it would fail at launch):");
      refusing.forEach((agent, why) -> lines.add("    - " + agent.name() + ": " + why));
      lines.add(
          "  Register the flow without those settings, or start an agent whose policy allows"
              + " them.");
      return new RunDiagnosis(RunDiagnosis.Verdict.REFUSED_BY_POLICY, lines);
    }
    lines.addAll(rest.lines());
    lines.add("  These agents take its labels but refuse what its flow asks for:");
    refusing.forEach((agent, why) -> lines.add("    - " + agent.name() + ": " + why));
    return new RunDiagnosis(rest.verdict(), lines);
  }
}
