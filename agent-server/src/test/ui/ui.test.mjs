// The web UI in the machine's headless Chromium against a real `gantry server` with a local agent.
// UiBrowserTest (JUnit) starts the server, registers the flows, creates the runs and tokens, and
// passes them here in GANTRY_UI_* variables. Each step prints "ok - ..." or fails the process.
import assert from "node:assert/strict";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; UiBrowserTest sets it`);
  return value;
};
const BASE = env("GANTRY_UI_URL"); // e.g. http://127.0.0.1:PORT/ui/
const SHOTS = env("GANTRY_UI_SCREENSHOTS");
const RUNS = JSON.parse(env("GANTRY_UI_RUNS")); // {done, streaming, sleepy, late}
const TOKENS = JSON.parse(env("GANTRY_UI_TOKENS")); // {viewer, operator, admin}
mkdirSync(SHOTS, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.GANTRY_CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const failures = [];
const cspViolations = [];

async function step(name, body) {
  try {
    await body();
    console.log(`ok - ${name}`);
  } catch (e) {
    failures.push(name);
    console.log(`not ok - ${name}\n  ${String(e.stack || e).split("\n").join("\n  ")}`);
  }
}

async function signedIn(token) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.log(`  page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  await page.goto(BASE);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#who").filter({ hasText: "(" }).waitFor();
  return page;
}

async function accessible(page, name) {
  // The page's CSP refuses inline scripts (as it should): axe goes in through the debugger.
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`), [], `accessibility of ${name}`);
}

const shot = (page, name) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

await step("a viewer signs in and sees the finished run Success on the overview", async () => {
  const page = await signedIn(TOKENS.viewer);
  const row = page.locator("#recent tr", { hasText: RUNS.done.slice(0, 8) });
  await row.locator(".state-Success").waitFor({ timeout: 30_000 });
  await accessible(page, "the overview");
  await shot(page, "overview");
  await page.context().close();
});

await step("the late run is on the overview with the reason run explain gives", async () => {
  const page = await signedIn(TOKENS.viewer);
  const row = page.locator("#late tr", { hasText: RUNS.late.slice(0, 8) });
  await row.waitFor({ timeout: 30_000 });
  assert.match(await row.innerText(), /no live agent|label/i);
  await page.context().close();
});

await step("the run page shows the timeline and logs streaming while the run is Running", async () => {
  const page = await signedIn(TOKENS.operator);
  await page.goto(`${BASE}#/runs/${RUNS.streaming}`);
  await page.locator("#run-state[data-state=Running]").waitFor({ timeout: 30_000 });
  await page.locator("#timeline .lane").first().waitFor();
  const firstCount = await lineCount(page);
  await page.waitForFunction((n) => {
    const text = document.getElementById("log-count")?.textContent || "";
    return Number(text.split(" ")[0]) > n;
  }, firstCount, { timeout: 20_000 });
  assert.equal(await page.locator("#run-state[data-state=Running]").count(), 1, "still Running while lines arrived");
  await accessible(page, "the run page");
  await shot(page, "run");
  await page.locator("#run-state[data-state=Success]").waitFor({ timeout: 90_000 });
  assert.equal(await page.locator("#timeline .lane[data-state=SUCCESS]").count(), 3);
  const bundle = page.locator("dl.facts dt", { hasText: "Bundle" }).locator("xpath=following-sibling::dd[1]");
  await page.waitForFunction(() => /^sha256:[0-9a-f]{64} as registered$/.test(
    [...document.querySelectorAll("dl.facts dt")].find((dt) => dt.textContent === "Bundle")?.nextElementSibling?.textContent || ""),
    null, { timeout: 20_000 });
  assert.match(await bundle.textContent(), /^sha256:[0-9a-f]{64} as registered$/, "the bundle the run ran");
  await page.context().close();
});

async function lineCount(page) {
  const text = (await page.locator("#log-count").textContent()) || "0";
  return Number(text.split(" ")[0]);
}

await step("a schedule that failed to fire is in the problems banner and on its flow page", async () => {
  const page = await signedIn(TOKENS.viewer);
  const item = page.locator("#problems .fire-failure", { hasText: "nightly-report" });
  await item.waitFor({ timeout: 30_000 });
  assert.match(await item.innerText(), /failed to fire .* ago: .*parameter 'region'/);
  await item.getByRole("link", { name: "nightly-report" }).click();
  const status = page.locator("#last-fire-failed");
  await status.waitFor({ timeout: 15_000 });
  assert.match(await status.innerText(), /^Last fire failed .* ago \(due .*\): .*parameter 'region'/);
  await accessible(page, "a flow page with a failed fire");
  await shot(page, "flow-fire-failed");
  await page.context().close();
});

await step("cancelling a running run from the UI ends it Cancelled", async () => {
  const page = await signedIn(TOKENS.operator);
  await page.goto(`${BASE}#/runs/${RUNS.sleepy}`);
  await page.locator("#run-state[data-state=Running]").waitFor({ timeout: 30_000 });
  await page.getByRole("button", { name: "Cancel run" }).click();
  await page.locator("#run-state[data-state=Cancelled]").waitFor({ timeout: 60_000 });
  await page.context().close();
});

await step("a viewer sees no cancel button and a forged cancel gets 403", async () => {
  const page = await signedIn(TOKENS.viewer);
  await page.goto(`${BASE}#/runs/${RUNS.late}`);
  await page.locator("#run-state").waitFor();
  assert.equal(await page.getByRole("button", { name: "Cancel run" }).count(), 0);
  const status = await page.evaluate(async (id) => {
    const response = await fetch(`../api/v1/runs/${id}/cancel`, { method: "POST", headers: { "X-Gantry-UI": "1" } });
    return response.status;
  }, RUNS.late);
  assert.equal(status, 403);
  const withoutHeader = await page.evaluate(async (id) => (await fetch(`../api/v1/runs/${id}/cancel`, { method: "POST" })).status, RUNS.late);
  assert.equal(withoutHeader, 403);
  await page.context().close();
});

await step("the run list filters by state through the URL", async () => {
  const page = await signedIn(TOKENS.viewer);
  await page.goto(`${BASE}#/runs?state=Success`);
  await page.locator("#runs tbody tr").first().waitFor();
  const states = await page.locator("#runs tbody .state").allInnerTexts();
  assert.ok(states.length > 0);
  assert.deepEqual([...new Set(states)], ["Success"]);
  assert.equal(await page.locator("#f-state").inputValue(), "Success");
  await accessible(page, "the run list");
  await shot(page, "runs");
  await page.context().close();
});

await step("flows, a flow page, agents and admin render for an admin", async () => {
  const page = await signedIn(TOKENS.admin);
  for (const [hash, name, ready] of [
    ["#/flows", "flows", "table"],
    ["#/flows/chatty", "flow", "#run-form"],
    ["#/agents", "agents", "[data-health=healthy]"],
    ["#/admin", "admin", "text=Audit trail"],
  ]) {
    await page.goto(`${BASE}${hash}`);
    await page.locator(ready).first().waitFor({ timeout: 15_000 });
    await accessible(page, name);
    await shot(page, name);
  }
  await page.context().close();
});

await step("the one-time link signs in once, and leaves no code in the URL", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(env("GANTRY_UI_LINK"));
  await page.locator("#who").filter({ hasText: "(admin)" }).waitFor();
  assert.ok(!page.url().includes("code="), page.url());
  const again = await context.newPage();
  await context.clearCookies();
  await again.goto(env("GANTRY_UI_LINK"));
  await again.locator("#error").filter({ hasText: "used or expired" }).waitFor();
  await context.close();
});

await step("no page broke the Content-Security-Policy", async () => {
  assert.deepEqual(cspViolations, []);
});

await browser.close();
if (failures.length) {
  console.log(`${failures.length} step(s) failed: ${failures.join("; ")}`);
  process.exit(1);
}
