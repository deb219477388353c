// The web UI through a real nginx that serves the server under a base path (/gantry/), in the
// machine's headless Chromium. UiBehindProxyTest (JUnit) starts the server, the agent and nginx,
// creates the runs and the token, and passes them in GANTRY_UI_* variables.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; UiBehindProxyTest sets it`);
  return value;
};
const BASE = env("GANTRY_UI_URL"); // http://127.0.0.1:NGINX/gantry/ui/
const PREFIX = env("GANTRY_UI_PREFIX"); // /gantry/
const SHOTS = env("GANTRY_UI_SCREENSHOTS");
const RUNS = JSON.parse(env("GANTRY_UI_RUNS")); // {done, streaming, sleepy}
const TOKEN = env("GANTRY_UI_TOKEN");
mkdirSync(SHOTS, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.GANTRY_CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const failures = [];
const outside = []; // requests that left the base path

async function step(name, body) {
  try {
    await body();
    console.log(`ok - ${name}`);
  } catch (e) {
    failures.push(name);
    console.log(`not ok - ${name}\n  ${String(e.stack || e).split("\n").join("\n  ")}`);
  }
}

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.log(`  page error: ${error.message}`));
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (!path.startsWith(PREFIX)) outside.push(request.url());
  });
  return page;
}

async function signedIn() {
  const page = await newPage();
  await page.goto(BASE);
  await page.getByLabel("API token").fill(TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#who").filter({ hasText: "(operator)" }).waitFor();
  return page;
}

await step("a run page's logs stream through the proxy while the run is Running", async () => {
  const page = await signedIn();
  await page.goto(`${BASE}#/runs/${RUNS.streaming}`);
  await page.locator("#run-state[data-state=Running]").waitFor({ timeout: 30_000 });
  const count = async () => Number(((await page.locator("#log-count").textContent()) || "0").split(" ")[0]);
  const first = await count();
  await page.waitForFunction((n) => {
    const text = document.getElementById("log-count")?.textContent || "";
    return Number(text.split(" ")[0]) > n;
  }, first, { timeout: 20_000 });
  assert.equal(await page.locator("#run-state[data-state=Running]").count(), 1, "still Running while lines arrived");
  await page.locator("#run-state[data-state=Success]").waitFor({ timeout: 90_000 });
  await page.context().close();
});

await step("signing in through the proxy scopes the session cookie to its base path", async () => {
  const page = await signedIn();
  const cookies = await page.context().cookies();
  const session = cookies.find((cookie) => cookie.name === "gantry_session");
  assert.ok(session, "a session cookie");
  assert.equal(session.path, PREFIX);
  assert.equal(session.httpOnly, true);
  await page.context().close();
});

await step("the overview loads through the proxy with the finished run", async () => {
  const page = await signedIn();
  const row = page.locator("#recent tr", { hasText: RUNS.done.slice(0, 8) });
  await row.locator(".state-Success").waitFor({ timeout: 30_000 });
  await page.screenshot({ path: `${SHOTS}/proxy-overview.png`, fullPage: true });
  await page.context().close();
});

await step("cancelling a running run through the proxy ends it Cancelled", async () => {
  const page = await signedIn();
  await page.goto(`${BASE}#/runs/${RUNS.sleepy}`);
  await page.locator("#run-state[data-state=Running]").waitFor({ timeout: 30_000 });
  await page.getByRole("button", { name: "Cancel run" }).click();
  await page.locator("#run-state[data-state=Cancelled]").waitFor({ timeout: 60_000 });
  await page.context().close();
});

await step("the one-time link with the proxy's address signs in", async () => {
  const page = await newPage();
  await page.goto(env("GANTRY_UI_LINK"));
  await page.locator("#who").filter({ hasText: "(operator)" }).waitFor();
  assert.ok(!page.url().includes("code="), page.url());
  assert.ok(new URL(page.url()).pathname.startsWith(`${PREFIX}ui/`), page.url());
  await page.context().close();
});

await step("no request left the proxy's base path", async () => {
  assert.deepEqual(outside, []);
});

await browser.close();
if (failures.length) {
  console.log(`${failures.length} step(s) failed: ${failures.join("; ")}`);
  process.exit(1);
}
