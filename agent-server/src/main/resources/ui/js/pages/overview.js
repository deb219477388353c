import { api } from "../api.js";
import { ago, fill, h, state, table } from "../dom.js";
import { follow, health, uncoveredFlows } from "../live.js";
import { showError } from "../app.js";

const WINDOWS = { "1h": 3600e3, "24h": 86400e3, "7d": 7 * 86400e3 };
const COUNTED = ["Scheduled", "Submitted", "Running", "Success", "Failed", "Crashed", "Cancelled"];
const COUNT_PAGES = 4; // at most 2,000 runs are counted; the chart says when there are more

/** Overview: runs by state over a window, runs in progress, failures, late runs, problems. */
export async function overviewPage(main, query) {
  const windowKey = WINDOWS[query.get("window")] ? query.get("window") : "24h";
  const draw = async () => {
    try {
      fill(main, ...(await sections(windowKey)));
    } catch (e) {
      showError(e);
    }
  };
  await draw();
  return follow("/runs/events", draw, 2000);
}

async function sections(windowKey) {
  const from = new Date(Date.now() - WINDOWS[windowKey]).toISOString();
  const [counts, recent, active, failed, scheduled, agents, flows, fireFailures] = await Promise.all([
    countByState(from),
    api.get("/runs", { limit: 10 }),
    api.get("/runs", { state: "Submitted,Running,Cancelling", limit: 20 }),
    api.get("/runs", { state: "Failed,Crashed", limit: 10 }),
    api.get("/runs", { state: "Scheduled", limit: 50 }),
    api.get("/agents"),
    api.get("/flows"),
    api.get("/schedules/failures"),
  ]);
  const late = scheduled.items.filter((run) => Date.parse(run.scheduledAt) < Date.now());
  const reasons = await Promise.all(
    late.slice(0, 10).map((run) => api.get(`/runs/${run.id}/explain`).catch(() => null)),
  );
  problems(agents, flows, fireFailures);
  return [
    h("h1", {}, "Overview"),
    h(
      "nav",
      { class: "actions", "aria-label": "Window" },
      "Runs created in the last ",
      Object.keys(WINDOWS).map((key) =>
        h("a", { href: `#/?window=${key}`, "aria-current": key === windowKey ? "true" : null }, key),
      ),
    ),
    chart(counts),
    h(
      "div",
      { class: "tiles" },
      tile("Late runs", "late", lateRows(late, reasons), "wide"),
      tile(
        "Recent runs",
        "recent",
        table("Recent runs", ["Run", "Flow", "State", "Updated"], recent.items.map((run) => [
          runLink(run), run.flowName, state(run.state), ago(run.updatedAt),
        ])),
      ),
      tile(
        "In progress",
        "active",
        table("Runs in progress", ["Run", "Flow", "State", "Started"], active.items.map((run) => [
          runLink(run), run.flowName, state(run.state), ago(run.startedAt || run.updatedAt),
        ])),
      ),
      tile(
        "Recent failures",
        "failures",
        table("Recent failures", ["Run", "Flow", "Reason"], failed.items.map((run) => [
          runLink(run), run.flowName, run.message || state(run.state),
        ])),
      ),
    ),
  ];
}

async function countByState(from) {
  const counts = Object.fromEntries(COUNTED.map((name) => [name, 0]));
  let after = null;
  let more = false;
  for (let page = 0; page < COUNT_PAGES; page++) {
    const result = await api.get("/runs", { createdFrom: from, limit: 500, after });
    for (const run of result.items) counts[run.state] = (counts[run.state] || 0) + 1;
    after = result.next;
    if (!after) break;
    more = page === COUNT_PAGES - 1;
  }
  return { counts, more };
}

function chart({ counts, more }) {
  const max = Math.max(1, ...Object.values(counts));
  return h(
    "figure",
    {},
    h(
      "div",
      { class: "chart", role: "img", "aria-label": Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(", ") },
      Object.entries(counts).map(([name, count]) => {
        const bar = h("div", { class: "bar-v" });
        bar.style.height = `${Math.round((count / max) * 80)}px`;
        return h("div", { class: "col", "data-state": name }, h("span", {}, String(count)), bar, h("span", {}, name));
      }),
    ),
    h("figcaption", { class: "muted" }, more ? "Counted over the newest 2,000 runs of the window." : "Runs by state."),
  );
}

function lateRows(late, reasons) {
  return table(
    "Late runs",
    ["Run", "Flow", "Due", "Why it waits"],
    late.slice(0, 10).map((run, i) => [
      runLink(run),
      run.flowName,
      ago(run.scheduledAt),
      reasons[i] ? h("ul", { class: "reason" }, reasons[i].lines.map((line) => h("li", {}, line.trim()))) : "—",
    ]),
    "No run is late.",
  );
}

function problems(agents, flows, fireFailures) {
  const items = [];
  for (const agent of agents) {
    if (health(agent) === "stale") {
      items.push(`agent ${agent.name} (${agent.kind}) has been silent since ${ago(agent.heartbeatAt)}`);
    }
  }
  for (const flow of uncoveredFlows(flows, agents)) {
    const labels = flow.labels.map((label) => label.label).join(", ");
    items.push(`flow ${flow.name} needs labels [${labels}] that no live agent has`);
  }
  for (const failure of fireFailures) {
    items.push(
      h(
        "span",
        { class: "fire-failure" },
        "the schedule of flow ",
        h("a", { href: `#/flows/${encodeURIComponent(failure.flow)}` }, failure.flow),
        " failed to fire ",
        h("time", { datetime: failure.fireAt, title: failure.fireAt }, ago(failure.fireAt)),
        `: ${failure.reason}`,
      ),
    );
  }
  const region = document.getElementById("problems");
  if (items.length === 0) fill(region);
  else fill(region, h("div", { class: "banner" }, h("strong", {}, "Problems"), h("ul", {}, items.map((text) => h("li", {}, text)))));
}

function tile(title, id, content, wide) {
  return h("section", { class: wide ? "tile wide" : "tile", id, "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title` }, title), content);
}

export function runLink(run) {
  return h("a", { href: `#/runs/${run.id}`, class: "mono" }, run.id.slice(0, 8));
}
