// Live updates: an EventSource on an API stream, with the page redrawn at most once a second
// however many events arrive (a busy run list sends many).
import { api } from "./api.js";

/** Follows a stream and calls refresh (throttled); returns the function that stops it. */
export function follow(path, refresh, intervalMs = 1000) {
  const source = api.events(path);
  let pending = null;
  const schedule = () => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = null;
      refresh();
    }, intervalMs);
  };
  source.addEventListener("run", schedule);
  return () => {
    source.close();
    if (pending) clearTimeout(pending);
  };
}

/** Agents whose last heartbeat is older than this are shown stale. */
export const STALE_MS = 60_000;

/** "healthy", "stale" or "gone" (stopped), from an agent view. */
export function health(agent, now = Date.now()) {
  if (agent.stoppedAt) return "gone";
  return now - Date.parse(agent.heartbeatAt) > STALE_MS ? "stale" : "healthy";
}

/** The flow versions whose label set no healthy agent covers (every label of the flow). */
export function uncoveredFlows(flows, agents) {
  const live = agents.filter((agent) => health(agent) === "healthy");
  return flows.filter((flow) => {
    const needed = flow.labels.map((label) => label.label);
    return !live.some((agent) => needed.every((label) => agent.labels.includes(label)));
  });
}
