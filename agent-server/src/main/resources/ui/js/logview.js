// A run's log as a virtualised list: only the rows in view are in the page, so 100,000 lines stay
// quick. It follows new lines while the reader is at the bottom, stops when they scroll up, and
// offers to resume.
import { fill, h } from "./dom.js";

const ROW = 18; // px, as .log-line in app.css

export class LogView {
  constructor() {
    this.lines = [];
    this.shown = [];
    this.filter = { task: "", level: "", text: "" };
    this.following = true;
    this.spacer = h("div", { class: "log-spacer" });
    this.box = h("div", { class: "logs", id: "logs", tabindex: "0", role: "log", "aria-label": "Run log" }, this.spacer);
    this.resume = h("button", { type: "button", hidden: true, onclick: () => this.follow() }, "Resume following");
    this.status = h("span", { class: "muted", id: "log-count" });
    this.tasks = h("select", { id: "log-task", onchange: (e) => this.setFilter({ task: e.target.value }) }, h("option", { value: "" }, "all tasks"));
    this.box.addEventListener("scroll", () => this.onScroll());
    this.pendingDraw = false;
    this.taskNames = new Set(); // the filter's task options, looked up per line
  }

  element() {
    const level = h(
      "select",
      { id: "log-level", onchange: (e) => this.setFilter({ level: e.target.value }) },
      ["", "INFO", "WARN", "ERROR"].map((name) => h("option", { value: name }, name || "all levels")),
    );
    const text = h("input", { id: "log-text", type: "search", oninput: (e) => this.setFilter({ text: e.target.value }) });
    return h(
      "section",
      { "aria-labelledby": "logs-title" },
      h("h2", { id: "logs-title" }, "Logs"),
      h(
        "div",
        { class: "actions" },
        h("label", { for: "log-task" }, "Task", this.tasks),
        h("label", { for: "log-level" }, "Level", level),
        h("label", { for: "log-text" }, "Text", text),
        h("button", { type: "button", onclick: () => this.download() }, "Download"),
        this.status,
        h("span", { class: "follow-slot" }, this.resume),
      ),
      this.box,
    );
  }

  /** Adds lines (oldest first) and redraws once per frame. */
  add(records) {
    for (const record of records) {
      this.lines.push(record);
      if (record.taskName && !this.taskNames.has(record.taskName)) {
        this.taskNames.add(record.taskName);
        this.tasks.append(h("option", { value: record.taskName }, record.taskName));
      }
      if (this.matches(record)) this.shown.push(record);
    }
    this.scheduleDraw();
  }

  matches(record) {
    const { task, level, text } = this.filter;
    return (
      (!task || record.taskName === task) &&
      (!level || record.level === level) &&
      (!text || record.message.toLowerCase().includes(text.toLowerCase()))
    );
  }

  setFilter(change) {
    Object.assign(this.filter, change);
    this.shown = this.lines.filter((record) => this.matches(record));
    this.scheduleDraw();
  }

  follow() {
    this.following = true;
    this.resume.hidden = true;
    this.box.scrollTop = this.box.scrollHeight;
    this.scheduleDraw();
  }

  onScroll() {
    const atBottom = this.box.scrollTop + this.box.clientHeight >= this.box.scrollHeight - ROW;
    if (!atBottom && this.following) {
      this.following = false;
      this.resume.hidden = false;
    } else if (atBottom && !this.following) {
      this.follow();
    }
    this.scheduleDraw();
  }

  scheduleDraw() {
    if (this.pendingDraw) return;
    this.pendingDraw = true;
    requestAnimationFrame(() => {
      this.pendingDraw = false;
      this.draw();
    });
  }

  draw() {
    this.spacer.style.height = `${this.shown.length * ROW}px`;
    if (this.following) this.box.scrollTop = this.box.scrollHeight;
    const first = Math.max(0, Math.floor(this.box.scrollTop / ROW) - 20);
    const last = Math.min(this.shown.length, first + Math.ceil((this.box.clientHeight || 420) / ROW) + 40);
    const rows = [];
    for (let i = first; i < last; i++) {
      const record = this.shown[i];
      const row = h("div", { class: `log-line log-${record.level}`, "data-id": record.id }, lineText(record));
      row.style.top = `${i * ROW}px`;
      rows.push(row);
    }
    fill(this.spacer, rows);
    fill(this.status, `${this.shown.length} of ${this.lines.length} lines`);
  }

  download() {
    const text = this.shown.map(lineText).join("\n") + "\n";
    const link = h("a", { href: URL.createObjectURL(new Blob([text], { type: "text/plain" })), download: "run.log" });
    document.body.append(link);
    link.click();
    link.remove();
  }
}

function lineText(record) {
  const task = record.taskName ? ` [${record.taskName}]` : "";
  return `${record.at} ${record.level}${task} ${record.message}`;
}
