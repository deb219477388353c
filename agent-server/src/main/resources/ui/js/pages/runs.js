import { api } from "../api.js";
import { ago, fill, h, state } from "../dom.js";
import { follow } from "../live.js";
import { go, session, showError } from "../app.js";
import { runLink } from "./overview.js";

const FILTERS = ["flow", "state", "label", "agent", "createdFrom", "createdBefore"];
const STATES = ["", "Scheduled", "Submitted", "Running", "Success", "Failed", "Crashed", "Cancelling", "Cancelled"];

/** The run list: filters kept in the URL, paged by the server's cursor, live, multi-select cancel. */
export async function runsPage(main, query) {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, query.get(name) || ""]));
  const after = query.get("after") || "";
  const draw = async () => {
    try {
      const page = await api.get("/runs", { ...filters, after, limit: 50 });
      fill(main, h("h1", {}, "Runs"), filterForm(filters), list(page, filters));
    } catch (e) {
      showError(e);
    }
  };
  await draw();
  return after ? null : follow("/runs/events", draw); // a later page stays still while read
}

function filterForm(filters) {
  const field = (name, label, control) => h("label", { for: `f-${name}` }, label, control);
  const input = (name, placeholder) =>
    h("input", { id: `f-${name}`, name, value: filters[name], placeholder });
  const stateSelect = h(
    "select",
    { id: "f-state", name: "state" },
    STATES.map((name) => h("option", { value: name, selected: name === filters.state }, name || "any")),
  );
  return h(
    "form",
    {
      class: "filters",
      role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        go("/runs", Object.fromEntries(new FormData(event.target).entries()));
      },
    },
    field("flow", "Flow", input("flow", "etl")),
    field("state", "State", stateSelect),
    field("label", "Label", input("label", "s3-flow-storage")),
    field("agent", "Agent", input("agent", "agent id")),
    field("createdFrom", "Created from", input("createdFrom", "2026-12-01T00:00:00Z")),
    field("createdBefore", "Created before", input("createdBefore", "2026-12-02T00:00:00Z")),
    h("button", { type: "submit" }, "Filter"),
    h("a", { href: "#/runs" }, "Clear"),
  );
}

function list(page, filters) {
  const canCancel = session.can("operator");
  const selected = new Set();
  const cancel = h("button", { type: "button", class: "danger", disabled: true }, "Cancel selected");
  cancel.addEventListener("click", async () => {
    try {
      for (const id of selected) await api.post(`/runs/${id}/cancel`);
      go("/runs", filters);
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    } catch (e) {
      showError(e);
    }
  });
  const rows = page.items.map((run) => {
    const box = canCancel
      ? h("input", {
          type: "checkbox",
          "aria-label": `select run ${run.id.slice(0, 8)}`,
          onchange: (event) => {
            if (event.target.checked) selected.add(run.id);
            else selected.delete(run.id);
            cancel.disabled = selected.size === 0;
          },
        })
      : null;
    return h(
      "tr",
      { "data-run": run.id },
      canCancel ? h("td", {}, box) : null,
      h("td", {}, runLink(run)),
      h("td", {}, h("a", { href: `#/flows/${encodeURIComponent(run.flowName)}` }, run.flowName), ` v${run.flowVersion}`),
      h("td", {}, state(run.state)),
      h("td", {}, [...run.labels].join(", ")),
      h("td", { class: "mono" }, run.agentId ? run.agentId.slice(0, 8) : "—"),
      h("td", {}, ago(run.createdAt)),
      h("td", {}, run.message || ""),
    );
  });
  const headers = ["Run", "Flow", "State", "Labels", "Agent", "Created", "Message"];
  return h(
    "section",
    { "aria-label": "Run list" },
    canCancel ? h("div", { class: "actions" }, cancel) : null,
    page.items.length === 0
      ? h("p", { class: "muted" }, "No run matches.")
      : h(
          "table",
          { id: "runs" },
          h("thead", {}, h("tr", {}, canCancel ? h("th", { scope: "col" }, h("span", { class: "skip" }, "Select")) : null, headers.map((name) => h("th", { scope: "col" }, name)))),
          h("tbody", {}, rows),
        ),
    h(
      "div",
      { class: "pager" },
      page.next ? h("a", { href: pageLink(filters, page.next) }, "Older runs →") : null,
    ),
  );
}

function pageLink(filters, after) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filters, after })) if (value) params.set(key, value);
  return `#/runs?${params}`;
}
