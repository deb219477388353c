import { api } from "../api.js";
import { ago, fill, h, table } from "../dom.js";
import { health, uncoveredFlows } from "../live.js";

/** Agents with their health and slots, and the flows no live agent can take. */
export async function agentsPage(main) {
  const [agents, flows, running] = await Promise.all([
    api.get("/agents"),
    api.get("/flows"),
    api.get("/runs", { state: "Submitted,Running,Cancelling", limit: 500 }),
  ]);
  const uncovered = uncoveredFlows(flows, agents);
  fill(
    main,
    h("h1", {}, "Agents"),
    table(
      "Agents",
      ["Agent", "Kind", "Host", "Labels", "Heartbeat", "Health", "Slots", "Current runs"],
      agents.map((agent) => [
        agent.name,
        agent.kind,
        agent.host,
        [...agent.labels].join(", "),
        ago(agent.heartbeatAt),
        h("span", { class: `health-${health(agent)}`, "data-health": health(agent) }, health(agent)),
        `${agent.running} of ${agent.maxConcurrent}`,
        running.items.filter((run) => run.agentId === agent.id).map((run) =>
          h("a", { href: `#/runs/${run.id}`, class: "mono" }, `${run.id.slice(0, 8)} `),
        ),
      ]),
      "No agent has started: run `gantry agent start local`.",
    ),
    h("h2", {}, "Flows no live agent can run"),
    table(
      "Flows no live agent can run",
      ["Flow", "Needs labels"],
      uncovered.map((flow) => [flow.name, flow.labels.map((label) => label.label).join(", ")]),
      "Every flow has a live agent with its labels.",
    ),
  );
}
