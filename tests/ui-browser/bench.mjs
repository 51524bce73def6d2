// Figures for docs/performance.md: time to first paint of gwk ui's Runs
// page with 2,000 runs in the store and of a job page whose log is 100 MB,
// each beside a baseline measured in the same run (the same page on a
// store of one run, with a 1 KB log), and the server's memory meanwhile.
// Prints figures; asserts nothing about time. scripts/bench/ui.sh runs it.
//
//   GWK=target/release/gwk node bench.mjs [RUNS] [LOG_MB]

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const GWK = process.env.GWK;
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const RUNS = Number(process.argv[2] ?? 2000);
const LOG_MB = Number(process.argv[3] ?? 100);
const REPEAT = 5;

function writeRun(home, id, status, jobs, logBytes) {
  const dir = join(home, "runs", id);
  mkdirSync(join(dir, "jobs", "Train"), { recursive: true });
  const record = {
    id, file: `.gradient/workflows/w${Number(id.slice(-4)) % 7}.yaml`, status,
    started: "2026-12-03T10:00:00.000Z", finished: "2026-12-03T10:01:00.000Z", duration_secs: 60.0,
    jobs: jobs.map((name) => ({ name, status: "succeeded", exit_code: 0, duration_secs: 30.0, outputs: [] })),
  };
  writeFileSync(join(dir, "run.json"), JSON.stringify(record, null, 2));
  writeFileSync(join(dir, "spec.yaml"), "jobs:\n  Train:\n    uses: container@v1\n    with:\n      image: bash:5\n    resources:\n      instance-type: C4\n");
  if (logBytes > 0) {
    const fd = openSync(join(dir, "jobs", "Train", "log"), "w");
    const line = "epoch 0001 step 000001 loss 0.123456 accuracy 0.987654 lr 0.001 some more text\n";
    const block = line.repeat(Math.floor((1 << 20) / line.length));
    let written = 0;
    while (written < logBytes) written += writeSync(fd, block.slice(0, Math.min(block.length, logBytes - written)));
    closeSync(fd);
  }
}

function store(runs, logBytes) {
  const dir = mkdtempSync(join(tmpdir(), "gwk-ui-bench-"));
  const home = join(dir, "home");
  for (let i = 0; i < runs; i++) {
    const id = `20261203-100000-000-${String(i).padStart(4, "0")}`;
    writeRun(home, id, i % 5 === 0 ? "failed" : "succeeded", ["Train"], i === runs - 1 ? logBytes : 0);
  }
  mkdirSync(join(dir, "project"), { recursive: true });
  return { dir, home, last: `20261203-100000-000-${String(runs - 1).padStart(4, "0")}` };
}

async function startUi(s) {
  const ui = spawn(GWK, ["ui", "--port", "0", "--project", join(s.dir, "project")], { env: { ...process.env, GWK_HOME: s.home }, stdio: ["ignore", "pipe", "ignore"] });
  const url = await new Promise((ok) => createInterface({ input: ui.stdout }).once("line", ok));
  return { ui, url };
}

function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)[1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** First paint of `path`, ms after navigation start; the page is loaded fresh each time. */
async function firstPaint(context, base, path, ready) {
  const page = await context.newPage();
  await page.goto(base + path);
  if (ready) await page.waitForFunction(ready);
  // The paint entry can come after `load`: wait for it (buffered).
  const t = await page.evaluate(() => new Promise((ok) => {
    new PerformanceObserver((list) => {
      const fp = list.getEntries().find((e) => e.name === "first-contentful-paint") ?? list.getEntries()[0];
      if (fp) ok(fp.startTime);
    }).observe({ type: "paint", buffered: true });
    setTimeout(() => ok(NaN), 10000);
  }));
  await page.close();
  return t;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(label, s) {
  const { ui, url } = await startUi(s);
  const base = url.replace(/\/\?token=.*/, "");
  const context = await chromium.launchPersistentContext(join(s.dir, "chromium"), {
    executablePath: CHROMIUM, headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const first = await context.newPage();
  // The token becomes a cookie; the Runs page is not visited yet.
  await first.goto(url.replace("/?", "/models?"));
  await first.close();
  const cold = await firstPaint(context, base, "/runs");
  const runs = [];
  for (let i = 0; i < REPEAT; i++) runs.push(await firstPaint(context, base, "/runs"));
  const job = [];
  const logReady = () => document.getElementById("log")?.dataset.loaded === "1";
  for (let i = 0; i < REPEAT; i++) job.push(await firstPaint(context, base, `/runs/${s.last}/jobs/Train`, logReady));
  // Log visible: the time until the log's last lines are on screen.
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(`${base}/runs/${s.last}/jobs/Train`);
  await page.waitForFunction(logReady);
  const logShown = Date.now() - t0;
  await page.close();
  const mem = memory(ui.pid);
  await context.close();
  ui.kill("SIGINT");
  return { label, cold, runs: median(runs), job: median(job), logShown, ...mem };
}

const big = store(RUNS, LOG_MB << 20);
const small = store(1, 1024);
try {
  const b = await measure(`1 run, 1 KB log`, small);
  const m = await measure(`${RUNS} runs, ${LOG_MB} MB log`, big);
  const f = (x) => x.toFixed(0).padStart(6);
  console.log(`gwk ui first paint (ms, median of ${REPEAT}; Chromium headless, ${GWK})`);
  console.log(`store                       runs page (cold)  runs page  job page  log on screen  server RSS  peak RSS`);
  for (const r of [b, m]) {
    console.log(`${r.label.padEnd(27)} ${f(r.cold)}            ${f(r.runs)}     ${f(r.job)}    ${f(r.logShown)}         ${r.rss.toFixed(1).padStart(5)} MiB ${r.peak.toFixed(1).padStart(5)} MiB`);
  }
  console.log(`ratios to the baseline: runs page ${(m.runs / b.runs).toFixed(2)}x (cold ${(m.cold / b.cold).toFixed(2)}x), job page ${(m.job / b.job).toFixed(2)}x, log on screen ${(m.logShown / b.logShown).toFixed(2)}x, peak RSS ${(m.peak / b.peak).toFixed(2)}x`);
} finally {
  rmSync(big.dir, { recursive: true, force: true });
  rmSync(small.dir, { recursive: true, force: true });
}
