// gwk ui in a real browser: Debian's headless Chromium, driven by
// playwright-core (no browser download). It opens the Runs page, a run
// with its graph, a job's logs and data, and checks what a user sees;
// then starts `gwk run` from a "terminal" (a child process) while the
// pages are open and waits for the new run to show up and turn green
// without a reload. Screenshots of each page go to $ARTEFACTS
// (default target/ui-browser/).
//
// Needs: $GWK (the gwk binary), the Docker test environment
// (/run/gwk-test/env, scripts/docker-test-env.sh), /usr/bin/chromium
// ($CHROMIUM overrides).

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const GWK = process.env.GWK ?? join(repo, "target", "debug", "gwk");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARTEFACTS = process.env.ARTEFACTS ?? join(repo, "target", "ui-browser");
const ENV_FILE = "/run/gwk-test/env";

/** The Docker test environment's variables (docs/testing.md). */
function testEnv() {
  assert.ok(existsSync(ENV_FILE), `${ENV_FILE} is missing: the Docker test environment is not up (run scripts/docker-test-env.sh)`);
  const vars = {};
  for (const line of readFileSync(ENV_FILE, "utf8").split("\n")) {
    const m = /^(?:export )?([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

const QUICK = `jobs:
  Greet:
    uses: container@v1
    with:
      image: bash:5
      args:
        - bash
        - -c
        - |-
          for i in $(seq 1 300); do echo "log line $i of Greet"; done
          echo "needle in the log"
          mkdir -p /outputs/notes/sub
          echo hello > /outputs/notes/hello.txt
          echo deep > /outputs/notes/sub/deep.txt
          printf 42 > /outputs/answer
    outputs:
      notes:
        type: volume
      answer:
        type: string
    resources:
      instance-type: C4
  Report:
    needs: [Greet]
    inputs:
      notes: Greet.outputs.notes
      answer: Greet.outputs.answer
    uses: container@v1
    with:
      image: bash:5
      args: [bash, -c, 'echo "the answer is $(cat /inputs/answer)"']
    resources:
      instance-type: C4
`;

const SLOW = `jobs:
  Wait:
    uses: container@v1
    with:
      image: bash:5
      args: [bash, -c, 'echo waiting; sleep 4; echo done']
    resources:
      instance-type: C4
  After:
    needs: [Wait]
    uses: container@v1
    with:
      image: bash:5
      args: [bash, -c, 'echo after']
    resources:
      instance-type: C4
`;

let dir, home, project, env, ui, url, browser, page;

function gwkEnv() {
  return { ...process.env, GWK_HOME: home, DOCKER_HOST: env.GWK_TEST_DOCKER_HOST, NO_COLOR: "1" };
}

function gwkRun(file) {
  const r = spawnSync(GWK, ["run", file, "--network", "none", "--quiet"], { cwd: project, env: gwkEnv(), encoding: "utf8" });
  assert.equal(r.status, 0, `gwk run ${file}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

async function shot(name) {
  await page.screenshot({ path: join(ARTEFACTS, name), fullPage: true });
}

before(async () => {
  assert.ok(existsSync(GWK), `${GWK} is missing: cargo build -p gwk first`);
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/setup/50-chromium.sh installs it`);
  env = testEnv();
  mkdirSync(ARTEFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), "gwk-ui-browser-"));
  home = join(dir, "home");
  project = join(dir, "project");
  mkdirSync(join(project, ".gradient", "workflows"), { recursive: true });
  writeFileSync(join(project, ".gradient", "workflows", "quick.yaml"), QUICK);
  writeFileSync(join(project, ".gradient", "workflows", "slow.yaml"), SLOW);
  gwkRun(".gradient/workflows/quick.yaml");

  ui = spawn(GWK, ["ui", "--port", "0", "--project", project], { env: gwkEnv(), stdio: ["ignore", "pipe", "pipe"] });
  ui.stderr.on("data", () => {});
  url = await new Promise((ok, fail) => {
    const rl = createInterface({ input: ui.stdout });
    rl.once("line", ok);
    ui.once("exit", (c) => fail(new Error(`gwk ui exited with ${c}`)));
  });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);

  // A fresh profile (--user-data-dir) in the scratch directory.
  browser = await chromium.launchPersistentContext(join(dir, "chromium"), {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 800 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = browser.pages()[0] ?? await browser.newPage();
});

after(async () => {
  await browser?.close();
  ui?.kill("SIGINT");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the printed URL opens the Runs page and the token leaves the address bar", async () => {
  const resp = await page.goto(url);
  assert.equal(resp.status(), 200);
  assert.ok(!page.url().includes("token"), page.url());
  const rows = page.locator("#runs tbody tr");
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().innerText(), /quick\.yaml\s+succeeded/);
  await shot("runs.png");
});

test("a run shows its graph, coloured by state, edges labelled", async () => {
  await page.locator("#runs tbody tr a").first().click();
  await page.waitForSelector("#graph svg");
  const greet = page.locator('#graph g.job[data-job="Greet"]');
  assert.equal(await greet.getAttribute("data-state"), "succeeded");
  const fill = await greet.locator("rect").evaluate((r) => getComputedStyle(r).fill);
  assert.equal(fill, "rgb(220, 252, 231)", "succeeded jobs are green");
  const labels = await page.locator("#graph g.edge-label").allTextContents();
  assert.ok(labels.some((l) => l.includes("notes") && l.includes("answer")), labels.join(" | "));
  assert.match(await page.locator("table.jobs").innerText(), /Report\s+succeeded/);
  await shot("run.png");
});

test("a job's logs load from the end, search, and its data browses", async () => {
  await page.locator('#graph g.job[data-job="Greet"]').click();
  await page.waitForFunction(() => document.getElementById("log")?.dataset.loaded === "1");
  const log = page.locator("#log");
  assert.match(await log.innerText(), /needle in the log/);
  await page.fill('#log-search input[name="q"]', "log line 150 ");
  await page.click('#log-search button');
  await page.waitForSelector("#log-matches a");
  assert.match(await page.locator("#log-matches").innerText(), /1 matching lines/);
  await page.locator("#log-matches a").first().click();
  await page.waitForSelector("#log mark");
  assert.equal(await page.locator("#log mark").innerText(), "log line 150 of Greet");
  await shot("job-logs.png");

  await page.click('nav.tabs a:has-text("Data")');
  assert.equal(await page.locator('section[data-output="answer"] pre.value').innerText(), "42");
  await shot("job-data.png");
  await page.click('section[data-output="notes"] a:has-text("Browse files")');
  assert.match(await page.locator("table.files").innerText(), /sub\/[\s\S]*hello\.txt/);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click('a:has-text("hello.txt")')]);
  assert.equal(download.suggestedFilename(), "hello.txt");
  assert.equal(readFileSync(await download.path(), "utf8"), "hello\n");
  await shot("job-files.png");

  await page.goBack();
  await page.click('nav.tabs a:has-text("Definition")');
  assert.match(await page.locator("dl.definition").innerText(), /bash:5/);
});

test("a run started in a terminal appears and goes green without a reload", async () => {
  await page.goto(url.replace(/\?token=.*/, "runs"));
  await page.evaluate(() => { window.notReloaded = true; });
  const before = await page.locator("#runs tbody tr").count();
  const run = spawn(GWK, ["run", ".gradient/workflows/slow.yaml", "--network", "none", "--quiet"], { cwd: project, env: gwkEnv(), stdio: "ignore" });
  const done = new Promise((ok) => run.once("exit", ok));
  const slowRow = page.locator('#runs tbody tr:has-text("slow.yaml")');
  await slowRow.waitFor({ timeout: 30000 });
  assert.equal(await page.locator("#runs tbody tr").count(), before + 1);
  assert.match(await slowRow.innerText(), /running/);
  await shot("runs-live.png");

  // Its run page, open while it runs: the graph follows the run.
  const runPage = await browser.newPage();
  const href = await slowRow.locator("a").first().getAttribute("href");
  await runPage.goto(new URL(href, url).href);
  await runPage.evaluate(() => { window.notReloaded = true; });
  await runPage.waitForSelector('#graph g.job[data-job="Wait"][data-state="running"]', { timeout: 30000 });
  await runPage.screenshot({ path: join(ARTEFACTS, "run-live.png"), fullPage: true });

  assert.equal(await done, 0, "gwk run succeeded");
  await slowRow.locator('[data-status="succeeded"]').waitFor({ timeout: 15000 });
  await runPage.waitForSelector('#graph g.job[data-job="After"][data-state="succeeded"]', { timeout: 15000 });
  await runPage.waitForSelector('#run-status [data-status="succeeded"]', { timeout: 15000 });
  assert.equal(await page.evaluate(() => window.notReloaded), true, "the Runs page was not reloaded");
  assert.equal(await runPage.evaluate(() => window.notReloaded), true, "the run page was not reloaded");
  await shot("runs-done.png");
  await runPage.screenshot({ path: join(ARTEFACTS, "run-done.png"), fullPage: true });
  await runPage.close();
});

test("the Workflows page shows a file's plan and starts a run with its button", async () => {
  await page.click('header nav a:has-text("Workflows")');
  await page.click('a:has-text(".gradient/workflows/quick.yaml")');
  assert.match(await page.locator("pre.plan").innerText(), /Plan of \.gradient\/workflows\/quick\.yaml/);
  await shot("workflow.png");
  await page.click('button:has-text("Start a run")');
  await page.waitForURL(/\/runs\/[0-9]/, { timeout: 30000 }).catch(async (e) => {
    await shot("workflow-start-failed.png");
    throw new Error(`${e.message}\n${await page.locator("main").innerText()}`);
  });
  await page.waitForSelector('#run-status [data-status="succeeded"]', { timeout: 30000 });
  // The same file ran before with the same inputs: the job cache serves it.
  assert.equal(await page.locator('#graph g.job[data-job="Report"]').getAttribute("data-state"), "cached");
});
