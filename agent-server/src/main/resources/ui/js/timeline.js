// The task timeline: one lane per task, a bar from its start to its end (or now), coloured by
// state, scaled to the run's span.
import { h } from "./dom.js";

export function timeline(run, tasks) {
  const starts = tasks.map((t) => t.startedAt).filter(Boolean).map(Date.parse);
  const start = run.startedAt ? Date.parse(run.startedAt) : Math.min(...starts, Date.now());
  const end = run.endedAt ? Date.parse(run.endedAt) : Date.now();
  const span = Math.max(1, end - start);
  const lanes = tasks.map((task) => {
    const bar = h("div", {
      class: `bar bar-${task.state}`,
      title: `${task.taskName}: ${task.state}${task.taskAttempt > 1 ? ` (attempt ${task.taskAttempt})` : ""}`,
    });
    if (task.startedAt) {
      const from = Date.parse(task.startedAt) - start;
      const to = (task.endedAt ? Date.parse(task.endedAt) : end) - start;
      bar.style.left = `${(100 * Math.max(0, from)) / span}%`;
      bar.style.width = `${(100 * Math.max(0, to - from)) / span}%`;
    } else {
      bar.hidden = true;
    }
    return h(
      "div",
      { class: "lane", "data-task": task.taskName, "data-state": task.state },
      h("span", { class: "lane-name" }, `${task.taskName} · ${task.state}${task.taskAttempt > 1 ? ` ×${task.taskAttempt}` : ""}`),
      h("div", { class: "track" }, bar),
    );
  });
  return h(
    "section",
    { "aria-labelledby": "timeline-title" },
    h("h2", { id: "timeline-title" }, "Timeline"),
    h("div", { class: "timeline", id: "timeline" }, lanes.length ? lanes : h("p", { class: "muted" }, "No task has started.")),
  );
}
