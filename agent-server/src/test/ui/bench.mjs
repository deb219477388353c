// The run page's load in headless Chromium, timed with the page's own clock (performance.now(),
// milliseconds since the navigation started): when the facts, the whole timeline and the first
// screen of logs are drawn ("interactive"), how long a filter takes to answer, and when every log
// line is in. UiPageBenchmark seeds the runs and passes them in GANTRY_UI_BENCH_RUNS.
import { chromium } from "playwright-core";

const BASE = process.env.GANTRY_UI_URL;
const TOKEN = process.env.GANTRY_UI_TOKEN;
const RUNS = JSON.parse(process.env.GANTRY_UI_BENCH_RUNS); // [{label, id, tasks, lines}]
const REPEAT = Number(process.env.GANTRY_UI_BENCH_REPEAT || "5");

const browser = await chromium.launch({
  executablePath: process.env.GANTRY_CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
await page.goto(BASE);
await page.getByLabel("API token").fill(TOKEN);
await page.getByRole("button", { name: "Sign in" }).click();
await page.locator("#who").filter({ hasText: "(" }).waitFor();

const results = {};
for (let round = 0; round < REPEAT; round++) {
  for (const run of RUNS) { // interleaved, so drift on a shared machine hits both alike
    await page.goto(`${BASE}?load=${round}#/runs/${run.id}`);
    await page.waitForFunction((tasks) => document.querySelectorAll("#timeline .lane").length === tasks
      && document.querySelector(".log-line") !== null, run.tasks, { timeout: 60_000, polling: "raf" });
    const interactive = await page.evaluate(() => performance.now());
    const filterStart = await page.evaluate(() => performance.now());
    await page.locator("#log-text").fill("line 7");
    await page.waitForFunction(() => /^\d+ of/.test(document.getElementById("log-count").textContent)
      && Number(document.getElementById("log-count").textContent.split(" ")[0]) <
         Number(document.getElementById("log-count").textContent.split(" ")[2]), null, { polling: "raf" });
    const filter = (await page.evaluate(() => performance.now())) - filterStart;
    await page.locator("#log-text").fill("");
    await page.waitForFunction((lines) => document.getElementById("log-count").textContent === `${lines} of ${lines} lines`,
      run.lines, { timeout: 300_000, polling: 200 });
    const allLines = await page.evaluate(() => performance.now());
    (results[run.label] ||= []).push({ interactive, filter, allLines });
  }
}
await browser.close();
console.log(JSON.stringify(results));
