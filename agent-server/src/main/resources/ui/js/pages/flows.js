import { api } from "../api.js";
import { ago, fill, h, state, table, time } from "../dom.js";
import { go, session, showError } from "../app.js";
import { runLink } from "./overview.js";
import { settings } from "./run.js";

/** Every flow's newest version. */
export async function flowsPage(main) {
  const flows = await api.get("/flows");
  fill(
    main,
    h("h1", {}, "Flows"),
    table(
      "Flows",
      ["Flow", "Version", "Labels", "Schedule", "Limit", "Registered"],
      flows.map((flow) => [
        h("a", { href: `#/flows/${encodeURIComponent(flow.name)}` }, flow.name),
        `v${flow.version}`,
        flow.labels.map((label) => label.label).join(", "),
        schedule(flow),
        flow.concurrencyLimit == null ? "none" : `${flow.concurrencyLimit} (${flow.whenLimited})`,
        ago(flow.registeredAt),
      ]),
      "No flow is registered yet: see `gantry flow register`.",
    ),
  );
}

/** A flow: its versions, storage, labels with sources, schedule, recent runs and a run form. */
export async function flowPage(main, _query, name) {
  const [versions, runs, schedules, fireFailure] = await Promise.all([
    api.get(`/flows/${encodeURIComponent(name)}/versions`),
    api.get("/runs", { flow: name, limit: 10 }),
    api.get("/flows").then((flows) => flows.find((flow) => flow.name === name)),
    api.get("/schedules/failures").then((failures) => failures.find((f) => f.flow === name)),
  ]);
  const newest = versions[0];
  fill(
    main,
    h("h1", {}, `Flow ${newest.name}`),
    h(
      "dl",
      { class: "facts" },
      [
        ["Newest version", `v${newest.version}`],
        ["Storage", h("code", {}, newest.location)],
        ["Digest", h("code", {}, newest.digest || "—")],
        ["Image", newest.image || "—"],
        ["Factory", h("code", {}, newest.factory || "—")],
        ["Labels", newest.labels.map((label) => `${label.label} (${label.source})`).join(", ") || "—"],
        ["Secrets", [...newest.secrets].join(", ") || "—"],
        ["Run settings", settings(newest)],
        ["Schedule", [schedule(schedules || newest), lastFireFailed(fireFailure)]],
        ["Concurrency limit", newest.concurrencyLimit == null ? "none" : `${newest.concurrencyLimit} (${newest.whenLimited})`],
      ].flatMap(([key, value]) => [h("dt", {}, key), h("dd", {}, value)]),
    ),
    scheduleButtons(newest),
    session.can("operator") ? runForm(newest) : null,
    h("h2", {}, "Recent runs"),
    table("Recent runs", ["Run", "Version", "State", "Created"], runs.items.map((run) => [runLink(run), `v${run.flowVersion}`, state(run.state), ago(run.createdAt)])),
    h("h2", {}, "Versions"),
    table("Versions", ["Version", "Registered", "Digest", "Storage"], versions.map((v) => [`v${v.version}`, time(v.registeredAt), h("code", {}, (v.digest || "").slice(0, 19)), h("code", {}, v.location)])),
  );
}

function schedule(flow) {
  if (flow.scheduleCron) return `cron ${flow.scheduleCron}`;
  if (flow.scheduleIntervalSeconds) return `every ${flow.scheduleIntervalSeconds} s`;
  return "none";
}

/** The schedule's latest fire that created no run, until a later fire creates its run. */
function lastFireFailed(failure) {
  if (!failure) return null;
  return h(
    "p",
    { class: "fire-failure", id: "last-fire-failed", role: "status" },
    "Last fire failed ",
    h("time", { datetime: failure.fireAt, title: failure.fireAt }, ago(failure.fireAt)),
    ` (due ${new Date(failure.fireAt).toLocaleString()}): ${failure.reason}`,
  );
}

function scheduleButtons(flow) {
  if (!session.can("operator") || (!flow.scheduleCron && !flow.scheduleIntervalSeconds)) return null;
  const change = (action) => async () => {
    try {
      await api.post(`/flows/${encodeURIComponent(flow.name)}/schedule/${action}`);
      fill(document.getElementById("schedule-status"), `Schedule ${action === "pause" ? "paused" : "resumed"}.`);
    } catch (e) {
      showError(e);
    }
  };
  return h(
    "div",
    { class: "actions" },
    h("button", { type: "button", onclick: change("pause") }, "Pause schedule"),
    h("button", { type: "button", onclick: change("resume") }, "Resume schedule"),
    h("span", { id: "schedule-status", role: "status" }),
  );
}

/** A form with one field per typed parameter, defaults shown; errors are the CLI's one line. */
function runForm(flow) {
  const inputs = flow.parameters.map((p) =>
    h(
      "label",
      { for: `param-${p.name}` },
      `${p.name} (${p.type}${p.required ? ", required" : ""})`,
      h("input", { id: `param-${p.name}`, name: p.name, placeholder: p.defaultValue === null ? "" : p.defaultValue, required: p.required }),
    ),
  );
  const labels = h("input", { id: "run-labels", name: "__labels", placeholder: "gpu, eu" });
  return h(
    "form",
    {
      class: "filters",
      id: "run-form",
      "aria-label": "Run this flow",
      onsubmit: async (event) => {
        event.preventDefault();
        const data = new FormData(event.target);
        const parameters = {};
        for (const p of flow.parameters) {
          const value = data.get(p.name);
          if (value !== "") parameters[p.name] = value;
        }
        const extra = String(data.get("__labels") || "").split(",").map((s) => s.trim()).filter(Boolean);
        try {
          const created = await api.post("/runs", { flow: flow.name, parameters, labels: extra });
          go(`/runs/${created[0].id}`);
        } catch (e) {
          showError(e);
        }
      },
    },
    h("h2", {}, "Run this flow"),
    inputs,
    h("label", { for: "run-labels" }, "Extra labels (comma-separated)", labels),
    h("button", { type: "submit", class: "primary" }, "Run"),
  );
}
