import { api } from "../api.js";
import { duration, fill, h, state, table, time } from "../dom.js";
import { LogView } from "../logview.js";
import { timeline } from "../timeline.js";
import { go, session, showError } from "../app.js";

const TERMINAL = ["Success", "Failed", "Cancelled", "Crashed"];
const LOG_PAGE = 5000; // the API's largest page of log lines

/** A run: facts, actions, explain while waiting, state history, timeline, live logs. */
export async function runPage(main, _query, id) {
  let detail = await api.get(`/runs/${id}`);
  const flow = await flowVersion(detail.run);
  const tasks = new Map(detail.tasks.map((task) => [task.taskName, task]));
  const logs = new LogView();
  const top = h("div", { id: "run-top" });
  const timelineSlot = h("div");
  fill(main, top, timelineSlot, logs.element());

  const drawTop = async () => {
    const explain = detail.run.state === "Scheduled" ? await api.get(`/runs/${detail.run.id}/explain`).catch(() => null) : null;
    fill(top, ...header(detail, flow, explain));
  };
  const drawTimeline = () => fill(timelineSlot, timeline(detail.run, [...tasks.values()]));
  await drawTop();
  drawTimeline();

  // The log so far in big pages (quicker than the stream's batches), then everything after the
  // page's first look on the run's event stream: states, tasks, logs.
  let lastLogId = 0;
  for (;;) {
    const page = await api.get(`/runs/${detail.run.id}/logs`, { after: lastLogId, limit: LOG_PAGE });
    logs.add(page.items);
    lastLogId = Number(page.next);
    if (page.items.length < LOG_PAGE || !main.isConnected) break;
  }
  if (!main.isConnected) return null; // the reader moved on while the log loaded
  const source = api.events(`/runs/${detail.run.id}/events`, { from: `${detail.history.length}:${lastLogId}` });
  let refreshing = null;
  const refresh = () => {
    if (refreshing) return;
    refreshing = setTimeout(async () => {
      refreshing = null;
      try {
        detail = await api.get(`/runs/${detail.run.id}`);
        await drawTop();
        drawTimeline();
      } catch (e) {
        showError(e);
      }
    }, 300);
  };
  source.addEventListener("state", refresh);
  source.addEventListener("task", (event) => {
    const task = JSON.parse(event.data);
    tasks.set(task.taskName, task);
    drawTimeline();
  });
  let batch = [];
  source.addEventListener("log", (event) => {
    batch.push(JSON.parse(event.data));
    if (batch.length === 1) {
      queueMicrotask(() => {
        logs.add(batch);
        batch = [];
      });
    }
  });
  source.addEventListener("end", () => {
    source.close(); // the run is over and everything is sent: no reconnect
    refresh();
  });
  const ticker = setInterval(() => {
    if (!TERMINAL.includes(detail.run.state)) drawTimeline();
  }, 1000);
  return () => {
    source.close();
    clearInterval(ticker);
    if (refreshing) clearTimeout(refreshing);
  };
}

async function flowVersion(run) {
  const versions = await api.get(`/flows/${encodeURIComponent(run.flowName)}/versions`).catch(() => []);
  return versions.find((version) => version.id === run.flowId) || null;
}

function header(detail, flow, explain) {
  const run = detail.run;
  return [
    h("h1", {}, "Run ", h("span", { class: "mono" }, run.id.slice(0, 8)), " ", h("span", { id: "run-state", "data-state": run.state }, state(run.state))),
    actions(run),
    run.message ? h("p", { id: "run-message" }, run.message) : null,
    explain ? h("section", { class: "tile", id: "explain", "aria-labelledby": "explain-title" }, h("h2", { id: "explain-title" }, "Why it is not running"), h("ul", {}, explain.lines.map((line) => h("li", {}, line)))) : null,
    facts(run, flow, detail.bundle),
    h("h2", {}, "State history"),
    table(
      "State history",
      ["State", "Attempt", "Agent", "At", "Message"],
      detail.history.map((change) => [state(change.state), change.attempt, change.agentId ? change.agentId.slice(0, 8) : "—", time(change.at), change.message || ""]),
    ),
  ];
}

function facts(run, flow, bundle) {
  const flowLabels = flow ? flow.labels : [];
  const fromFlow = new Set(flowLabels.map((label) => label.label));
  const labels = [
    ...flowLabels.map((label) => `${label.label} (${label.source.toLowerCase()})`),
    ...[...run.labels].filter((label) => !fromFlow.has(label)).map((label) => `${label} (run)`),
  ];
  const entries = [
    ["Flow", h("a", { href: `#/flows/${encodeURIComponent(run.flowName)}` }, `${run.flowName} v${run.flowVersion}`)],
    ["Labels", labels.join(", ") || "—"],
    ["Parameters", Object.entries(run.parameters).map(([k, v]) => `${k}=${v}`).join(", ") || "(defaults)"],
    ["Agent", run.agentId || "—"],
    ["Attempt", String(run.attempt)],
    ["Due", time(run.scheduledAt)],
    ["Started", time(run.startedAt)],
    ["Ended", time(run.endedAt)],
    ["Duration", duration(run.startedAt, run.endedAt)],
  ];
  if (flow) {
    entries.push(["Image", flow.image || "—"], ["Storage", flow.location || "—"]);
    entries.push(["Run settings", settings(flow)]);
  }
  entries.push(["Bundle", bundleText(bundle)]);
  return h("dl", { class: "facts" }, entries.flatMap(([name, value]) => [h("dt", {}, name), h("dd", {}, value)]));
}

/** Which bundle the run's attempt ran, as `gantry run show` prints it. */
function bundleText(bundle) {
  if (!bundle) return "(not reported yet)";
  const digest = `sha256:${bundle.digest}`;
  if (bundle.build) return `build ${bundle.build} (${digest})`;
  if (bundle.push) return `${digest} pushed ${time(bundle.push.pushedAt)} by ${bundle.push.pushedBy}`;
  return bundle.asRegistered ? `${digest} as registered` : `${digest} (neither registered nor pushed)`;
}

function actions(run) {
  if (!session.can("operator")) return null;
  const buttons = [];
  if (!TERMINAL.includes(run.state)) {
    buttons.push(
      h("button", {
        type: "button",
        class: "danger",
        id: "cancel",
        onclick: async () => {
          try {
            await api.post(`/runs/${run.id}/cancel`);
            window.dispatchEvent(new HashChangeEvent("hashchange"));
          } catch (e) {
            showError(e);
          }
        },
      }, "Cancel run"),
    );
  }
  buttons.push(
    h("button", {
      type: "button",
      id: "run-again",
      onclick: async () => {
        try {
          const created = await api.post("/runs", { flow: run.flowName, version: run.flowVersion, parameters: run.parameters });
          go(`/runs/${created[0].id}`);
        } catch (e) {
          showError(e);
        }
      },
    }, "Run again with these parameters"),
  );
  return h("div", { class: "actions" }, buttons);
}

/** A flow version's run settings, each with where it came from: memory=2g (flow). */
export function settings(flow) {
  const values = flow.runConfig || [];
  return values.map((s) => `${s.name}=${s.name === "job-template" ? "(template)" : s.value} (${s.source})`).join(", ") || "—";
}
