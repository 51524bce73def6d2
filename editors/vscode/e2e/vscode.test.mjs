/* global document -- used inside page.evaluate(), which runs in the browser */
// The extension in a real VS Code: code-server (VS Code served to a browser,
// installed by scripts/setup/70-code-server.sh) with the packaged
// linux-x64 .vsix installed, driven through Debian's headless Chromium by
// playwright-core, the way a user works: typing, the light bulb, F2, F12,
// the command palette, the Problems panel, the status bar, the graph panel.
//
// Run by scripts/checks/52-vscode-e2e.sh, which builds what it needs and
// sets the environment:
//   CODE_SERVER      the code-server executable (run with CODE_SERVER_NODE first on PATH)
//   CODE_SERVER_NODE the Node 24 it needs
//   VSIX             the platform package with gwk-lsp inside (server/gwk-lsp)
//   GWK              the gwk CLI (put on the server side's PATH, for Plan)
//   GWK_LSP          a gwk-lsp for the workspace-setting test
//   ARTIFACTS        where the screenshots (PNG) and logs go
//   CHROMIUM         the browser (default /usr/bin/chromium)
//
// One code-server and one browser page serve all the tests, in order; each
// test starts from the fixture workflow (e2e/workspace) and leaves a
// screenshot named after it.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { appendFileSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { after, afterEach, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run scripts/checks/52-vscode-e2e.sh`);
  return v;
}
const CODE_SERVER = need("CODE_SERVER");
const CODE_SERVER_NODE = need("CODE_SERVER_NODE");
const VSIX = need("VSIX");
const GWK = need("GWK");
const GWK_LSP = need("GWK_LSP");
const ARTIFACTS = need("ARTIFACTS");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

const WORKFLOW_REL = ".gradient/workflows/pipeline.yaml";
const FIXTURE = readFileSync(join(here, "workspace", WORKFLOW_REL), "utf8");

const scratch = mkdtempSync(join(tmpdir(), "gwk-vscode-e2e-"));
const ws = join(scratch, "workspace");
const userData = join(scratch, "user-data");
const extensionsDir = join(scratch, "extensions");
const serverBin = join(scratch, "server-bin"); // on the server side's PATH: gwk, not gwk-lsp
const workflow = join(ws, WORKFLOW_REL);
mkdirSync(ARTIFACTS, { recursive: true });

let codeServer;
let codeServerLog = "";
let context;
let page;
let shot = 0;

// --- helpers ---------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until `ok(value)`; fails saying what it waited for and what it last saw. */
async function until(what, probe, ok = Boolean, timeout = 30000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (ok(last)) return last;
    } catch (err) {
      last = `(error: ${err.message.split("\n")[0]})`;
    }
    if (Date.now() > end) assert.fail(`timed out after ${timeout} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await sleep(200);
  }
}

async function screenshot(name) {
  shot++;
  const file = join(ARTIFACTS, `${String(shot).padStart(2, "0")}-${name.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "")}.png`);
  await page.screenshot({ path: file }).catch(() => {});
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Runs a command from the palette by its full title, e.g. "gwk: Plan Workflow". */
async function command(title) {
  await page.keyboard.press("Escape");
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible" });
  await input.fill(`>${title}`);
  await until(`"${title}" in the command palette`, () =>
    page.locator(".quick-input-list .monaco-list-row").first().getAttribute("aria-label"),
    (l) => typeof l === "string" && l.toLowerCase().startsWith(title.toLowerCase()),
  );
  await page.keyboard.press("Enter");
}

/** Hides the bottom panel (Problems, Output), if it shows. */
async function closePanel() {
  if (await page.locator(".part.panel.bottom").isVisible()) {
    await focusEditor();
    await page.keyboard.press("Control+j");
    await page.locator(".part.panel.bottom").waitFor({ state: "hidden" });
  }
}

/** Moves the cursor to line `line`, column `col` (1-based) with Go to Line. */
async function goTo(line, col = 1) {
  await focusEditor();
  await page.keyboard.press("Control+g");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible" });
  await input.fill(`:${line}:${col}`);
  await page.keyboard.press("Enter");
  await until(`the cursor at ${line}:${col}`, cursor, (c) => c.line === line && c.col === col);
}

/** Line and column of the cursor, from the status bar ("Ln 3, Col 7"). */
async function cursor() {
  const t = await page.locator("#status\\.editor\\.selection").innerText();
  const m = /Ln (\d+), Col (\d+)/.exec(t);
  return m ? { line: Number(m[1]), col: Number(m[2]) } : { text: t };
}

/**
 * Starts a new line below the cursor's and types `text` there as it is:
 * whatever indentation the editor put on the new line is selected and
 * typed over.
 */
async function typeNewLine(text) {
  // A completion list opened by the text typed last (space and ":" are the
  // server's trigger characters) would take the Enter as "accept": close it
  // and wait until it is gone.
  await page.keyboard.press("Escape");
  await until("no completion list", () => page.locator(".editor-widget.suggest-widget:visible").count(), (n) => n === 0, 10000);
  await page.keyboard.press("End");
  const { line } = await until("the cursor's line", cursor, (c) => c.line > 0);
  await page.keyboard.press("Enter");
  // The status bar lags behind the keys on a busy machine: wait for it to
  // show the new line before reading the column. Shift+Home is "smart" (it
  // toggles between column 1 and the first non-blank), so press it once and
  // wait for column 1 rather than pressing again on a stale reading.
  const at = await until("the new line", cursor, (c) => c.line === line + 1);
  if (at.col !== 1) {
    await page.keyboard.press("Shift+Home");
    await until("the new line's start", cursor, (c) => c.line === line + 1 && c.col === 1, 10000);
  }
  await page.keyboard.type(text);
}

/** 1-based line and column just after the first `needle` in the current text. */
function after_(text, needle) {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `"${needle}" in the workflow`);
  const upto = text.slice(0, at + needle.length).split("\n");
  return { line: upto.length, col: upto[upto.length - 1].length + 1 };
}

/** Focuses the editor (the first editor group), keeping its cursor. */
async function focusEditor() {
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+1");
  await until("the editor to have focus", () => page.evaluate(() => document.activeElement?.closest(".editor-instance .monaco-editor") !== null), Boolean, 5000);
}

/** The text of the workflow as the editor holds it: saved, then read from disk. */
async function editorText() {
  await focusEditor();
  await page.keyboard.press("Control+s");
  await until("the editor to be saved", () => page.locator(".tab.active.dirty").count(), (n) => n === 0);
  return readFileSync(workflow, "utf8");
}

/** The gwk status bar item: its text and tooltip-bearing aria label. */
function statusItem() {
  return page.locator(".statusbar-item").filter({ has: page.locator(".codicon-check, .codicon-error, .codicon-alert, .codicon-sync, .codicon-circle-slash") }).filter({ hasText: /gwk|\d/ }).and(page.locator("[id*='gwk']"));
}

async function statusText() {
  return (await statusItem().innerText({ timeout: 2000 })).replace(/\s+/g, " ").trim();
}

/** Hovers the status bar item and reads its tooltip. */
async function statusTooltip() {
  await statusItem().hover();
  const hover = page.locator(".workbench-hover, .monaco-hover").filter({ hasText: "gwk:" }).last();
  const text = await until("the status bar tooltip", () => hover.innerText(), (t) => t.includes("gwk:"));
  await page.mouse.move(5, 5);
  return text.replace(/\s+/g, " ");
}

/** The counts the status bar shows: "$(error) 1 $(warning) 0" renders as icons and "1 0". */
async function statusCounts() {
  const item = statusItem();
  if ((await item.locator(".codicon-error").count()) === 0) return { errors: 0, warnings: 0, clean: (await item.locator(".codicon-check").count()) > 0 };
  const nums = (await item.innerText()).match(/\d+/g) ?? [];
  return { errors: Number(nums[0]), warnings: Number(nums[1]), clean: false };
}

/** The rows of the Problems panel, as text. */
async function problems() {
  return page.locator(".markers-panel .monaco-list-row").allInnerTexts();
}

/**
 * The gwk-lsp processes this suite's editor started: pid and executable.
 * Only executables under the suite's scratch directory count (the bundled
 * one, in the extensions directory, and the workspace setting's copy):
 * other gwk-lsp processes may run on the same machine.
 */
function serverProcesses() {
  const out = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const exe = readlinkSync(`/proc/${pid}/exe`);
      if (basename(exe).startsWith("gwk-lsp") && exe.startsWith(`${scratch}/`)) out.push({ pid: Number(pid), exe });
    } catch {
      // gone, or not ours
    }
  }
  return out;
}

/** The lines the editor shows, top to bottom (Monaco reuses line elements out of order). */
async function visibleLines() {
  return page.locator(".editor-instance .monaco-editor .view-lines").first().evaluate((el) =>
    [...el.querySelectorAll(".view-line")]
      .map((l) => [parseFloat(l.style.top), l.textContent.replace(/\u00a0/g, " ")])
      .sort((a, b) => a[0] - b[0])
      .map((x) => x[1]),
    undefined,
    { timeout: 2000 },
  );
}

/** The first file under `dir` whose name ends with `suffix`. */
function findFile(dir, suffix) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const found = findFile(p, suffix);
      if (found) return found;
    } else if (e.name.endsWith(suffix)) {
      return p;
    }
  }
  return undefined;
}

/** Puts the fixture back on disk and has the editor revert to it. */
async function resetWorkflow(text = FIXTURE) {
  writeFileSync(workflow, text);
  await focusEditor();
  await command("File: Revert File");
  // The view may still be scrolled from the last test (the Problems panel
  // made it shorter), and a Ctrl+Home pressed while the palette was still
  // closing is lost: press it on each look until the view starts at line 1.
  const want = text.split("\n").slice(0, 20);
  // Both on the same look: a view that fits the whole file matches even
  // when the Ctrl+Home was lost, so the cursor must be at 1:1 too.
  await until(
    "the editor to show the fixture from its first line, with the cursor at 1:1",
    async () => {
      await focusEditor();
      await page.keyboard.press("Control+Home");
      return { lines: await visibleLines(), at: await cursor() };
    },
    ({ lines, at }) => want.every((l, i) => lines[i] === l) && at.line === 1 && at.col === 1,
  );
}

// --- set-up ----------------------------------------------------------------

before(async () => {
  cpSync(join(here, "workspace"), ws, { recursive: true });
  mkdirSync(serverBin, { recursive: true });
  copyFileSync(GWK, join(serverBin, "gwk"));
  execFileSync("chmod", ["755", join(serverBin, "gwk")]);
  // The test's editor settings: nothing that moves focus or adds noise.
  // Auto-indent and auto-closing are off so that typed text is the text.
  mkdirSync(join(userData, "User"), { recursive: true });
  writeFileSync(
    join(userData, "User", "settings.json"),
    JSON.stringify(
      {
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "workbench.enableExperiments": false,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "chat.disableAIFeatures": true,
        "telemetry.telemetryLevel": "off",
        "extensions.autoUpdate": false,
        "extensions.autoCheckUpdates": false,
        "extensions.ignoreRecommendations": true,
        "update.mode": "none",
        "security.workspace.trust.enabled": false,
        "editor.minimap.enabled": false,
        "editor.autoIndent": "none",
        "editor.autoClosingBrackets": "never",
        "editor.autoClosingQuotes": "never",
        "editor.autoSurround": "never",
        "editor.formatOnType": false,
        "editor.acceptSuggestionOnEnter": "on",
        "editor.suggest.preview": false,
        "editor.hover.delay": 300,
        "editor.lightbulb.enabled": "on",
        "files.autoSave": "off",
        "terminal.integrated.enablePersistentSessions": false,
      },
      null,
      2,
    ),
  );
  const env = {
    ...process.env,
    // The server side's PATH: Node 24 for code-server, and gwk; no gwk-lsp,
    // and no ~/.cargo/bin, so the bundled server is the one found.
    PATH: `${dirname(CODE_SERVER_NODE)}:${serverBin}:/usr/local/bin:/usr/bin:/bin`,
    CARGO_HOME: join(scratch, "no-cargo"),
    HOME: join(scratch, "home"),
    XDG_CONFIG_HOME: join(scratch, "home", ".config"),
    XDG_DATA_HOME: join(scratch, "home", ".local", "share"),
  };
  mkdirSync(env.HOME, { recursive: true });
  // VS Code's server takes the extension host's PATH from a login shell
  // (code-server's own PATH is replaced): gwk is on the server side's PATH
  // the way a user puts it there, in the shell profile.
  for (const rc of [".profile", ".bashrc"]) writeFileSync(join(env.HOME, rc), `export PATH="${serverBin}:$PATH"\n`);
  const common = ["--user-data-dir", userData, "--extensions-dir", extensionsDir];
  const installed = execFileSync(CODE_SERVER, [...common, "--install-extension", VSIX], { env, encoding: "utf8" });
  writeFileSync(join(ARTIFACTS, "install-extension.log"), installed);
  assert.match(installed, /successfully installed/i, installed);

  const port = await freePort();
  codeServer = spawn(
    CODE_SERVER,
    [
      "--auth", "none",
      "--bind-addr", `127.0.0.1:${port}`,
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      ...common,
      ws,
    ],
    { env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  const collect = (b) => {
    codeServerLog += b.toString();
  };
  codeServer.stdout.on("data", collect);
  codeServer.stderr.on("data", collect);
  await until("code-server to listen", async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, Boolean, 60000);

  context = await chromium.launchPersistentContext(join(scratch, "chromium"), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`, { timeout: 120000 });
  await page.locator(".monaco-workbench").waitFor({ timeout: 60000 });
  await until("the explorer to show the workspace", () => page.locator(".explorer-folders-view").count(), (n) => n > 0, 60000);
  // Open the workflow with Quick Open, as a user would.
  await page.keyboard.press("Control+p");
  await page.locator(".quick-input-widget input").fill("pipeline.yaml");
  // The first search indexes the workspace: slow on a busy machine.
  await until("pipeline.yaml in Quick Open", () => page.locator(".quick-input-list .monaco-list-row").first().innerText({ timeout: 2000 }), (t) => t.includes("pipeline.yaml"), 90000);
  await page.keyboard.press("Enter");
  await page.locator(".tab.active", { hasText: "pipeline.yaml" }).waitFor({ timeout: 30000 });
});

afterEach(async (t) => {
  await screenshot(t.name);
  const status = await statusText().catch(() => "(none)");
  appendFileSync(join(ARTIFACTS, "status.log"), `${t.name}: status bar "${status}"\n`);
});

after(async () => {
  try {
    await context?.close();
  } finally {
    if (codeServer?.pid) {
      try {
        process.kill(-codeServer.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    writeFileSync(join(ARTIFACTS, "code-server.log"), codeServerLog);
    // The extension's own log (the gwk output) and the extension host's.
    try {
      cpSync(join(userData, "logs"), join(ARTIFACTS, "logs"), { recursive: true });
    } catch {
      // no logs: code-server did not start
    }
    rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  }
});

// --- the tests -------------------------------------------------------------

test("the bundled server starts with no setting, and the status bar says which one runs", async () => {
  // The first start waits for the extension host and the activation: slow on a busy machine.
  await until("the status bar to show gwk running", statusText, (t) => /gwk/.test(t) && !/starting|no server/.test(t), 120000);
  const tooltip = await statusTooltip();
  assert.match(tooltip, /running gwk-lsp \S+, bundled with the extension \(.*\/server\/gwk-lsp\)/, tooltip);
  const procs = serverProcesses();
  assert.equal(procs.length, 1, JSON.stringify(procs));
  assert.ok(procs[0].exe.startsWith(extensionsDir) && procs[0].exe.endsWith("/server/gwk-lsp"), procs[0].exe);
});

test("diagnostics appear as you type, in the editor, the Problems panel and the status bar counts", async () => {
  await resetWorkflow();
  const at = after_(FIXTURE, "data: Prepare.outputs.prepare");
  await goTo(at.line, at.col);
  await page.keyboard.press("Delete"); // "prepared" -> "prepare", then type the typo
  await page.keyboard.type("x");
  await until("an error squiggle", () => page.locator(".editor-instance .squiggly-error").count(), (n) => n > 0);
  assert.deepEqual(await until("the status bar to count 1 error", statusCounts, (c) => c.errors === 1), { errors: 1, warnings: 0, clean: false });
  await command("View: Focus Problems (Errors, Warnings, Infos)");
  const rows = await until("the problem in the Problems panel", problems, (r) => r.some((t) => t.includes("preparex")));
  assert.ok(rows.some((t) => /job `Prepare` has no output `preparex`; did you mean `prepared`\?/.test(t) && /gwk/.test(t)), rows.join("\n"));
  await screenshot("problems panel");
  // Fixed by typing: the error goes away.
  await goTo(at.line, at.col);
  await page.keyboard.press("Delete");
  await page.keyboard.type("d");
  await until("the squiggle to go", () => page.locator(".editor-instance .squiggly-error").count(), (n) => n === 0);
  assert.equal((await until("the status bar to show a clean file", statusCounts, (c) => c.clean)).errors, 0);
  await closePanel();
});

test("the quick fix for a typo, applied from the light bulb", async () => {
  await resetWorkflow(FIXTURE.replace("data: Prepare.outputs.prepared", "data: Prepare.outputs.prepard"));
  await until("the typo's squiggle", () => page.locator(".editor-instance .squiggly-error").count(), (n) => n > 0);
  const at = after_(FIXTURE, "data: Prepare.outputs.prepa");
  await goTo(at.line, at.col);
  // The light bulb in the gutter (VS Code 1.139 draws it there when the line has room).
  const bulb = page.locator(".editor-instance [class*=\"codicon-\"][class*=\"lightbulb\"]:visible");
  await bulb.first().waitFor({ state: "visible", timeout: 15000 });
  await bulb.first().click();
  const menu = page.locator(".action-widget .monaco-list-row");
  const titles = await until("the quick fix menu", () => menu.allInnerTexts(), (t) => t.some((s) => s.includes("prepared")));
  await screenshot("light bulb menu");
  await menu.filter({ hasText: "prepared" }).first().click();
  await until("the squiggle to go", () => page.locator(".editor-instance .squiggly-error").count(), (n) => n === 0);
  const text = await editorText();
  assert.ok(text.includes("data: Prepare.outputs.prepared\n"), `${titles.join(" | ")}\n${text}`);
});

test("completion after needs: and after Job.outputs. (which adds the needs entry)", async () => {
  await resetWorkflow();
  const at = after_(FIXTURE, '      args: ["echo", "done"]');
  await goTo(at.line, at.col);
  await typeNewLine("    needs: [");
  await page.keyboard.press("Control+Space");
  const suggest = page.locator(".editor-widget.suggest-widget .monaco-list-row");
  const jobs = await until("job names in the completion list", () => suggest.allInnerTexts(), (t) => t.some((s) => s.startsWith("Prepare")));
  assert.ok(!jobs.some((s) => s.startsWith("Report")), `a job does not need itself: ${jobs.join(", ")}`);
  await screenshot("completion after needs");
  await suggest.filter({ hasText: /^Prepare/ }).first().click();
  await page.keyboard.type("]");
  await typeNewLine("    inputs:");
  await typeNewLine("      model: Train.outputs.");
  const outputs = await until("Train's outputs in the completion list", () => suggest.allInnerTexts(), (t) => t.some((s) => s.startsWith("model")));
  await screenshot("completion after outputs");
  assert.ok(!outputs.some((s) => s.startsWith("prepared")), outputs.join(", "));
  await suggest.filter({ hasText: /^model/ }).first().click();
  const text = await editorText();
  assert.ok(text.endsWith(["  Report:", "    uses: container@v1", "    with:", "      image: alpine:3.19", '      args: ["echo", "done"]', "    needs: [Prepare, Train]", "    inputs:", "      model: Train.outputs.model"].join("\n") + "\n"), text);
  await until("no error left", () => page.locator(".editor-instance .squiggly-error").count(), (n) => n === 0);
});

test("hover over a job reference", async () => {
  await resetWorkflow();
  const at = after_(FIXTURE, "data: Prep");
  await goTo(at.line, at.col);
  await page.keyboard.press("Control+k");
  await page.keyboard.press("Control+i");
  const hover = page.locator(".monaco-editor .monaco-hover:not(.hidden)");
  const text = await until("the hover", () => hover.first().innerText(), (t) => t.includes("Prepare"));
  assert.match(text, /container@v1|prepared/, text);
  await screenshot("hover");
  await page.keyboard.press("Escape");
});

test("go to definition of a job", async () => {
  await resetWorkflow();
  const at = after_(FIXTURE, "data: Prep");
  await goTo(at.line, at.col);
  await page.keyboard.press("F12");
  const def = after_(FIXTURE, "\n  Prepare");
  await until("the cursor on the job's key", cursor, (c) => c.line === def.line && c.col <= 3 + "Prepare".length);
});

test("rename a job across its references", async () => {
  await resetWorkflow();
  const at = after_(FIXTURE, "\n  Prep");
  await goTo(at.line, at.col);
  const box = page.locator(".rename-box input");
  // F2 asks the server first (prepareRename); on a busy machine a key
  // press can land before the editor is ready for it: ask again.
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press("F2");
    try {
      await box.waitFor({ state: "visible", timeout: 10000 });
      break;
    } catch (err) {
      if (attempt === 2) throw err;
      await goTo(at.line, at.col);
    }
  }
  await box.fill("Build");
  await page.keyboard.press("Enter");
  await box.waitFor({ state: "hidden" });
  const text = await editorText();
  assert.ok(!text.includes("Prepare"), text);
  assert.ok(text.includes("\n  Build:\n") && text.includes("needs: [Build]") && text.includes("data: Build.outputs.prepared"), text);
});

test("the graph panel: its nodes, an error badge, redrawn on edit", async () => {
  await resetWorkflow();
  await command("gwk: Show Workflow Graph");
  const frame = page.frameLocator("iframe.webview.ready").frameLocator("iframe#active-frame");
  const names = await until("the graph's nodes", () => frame.locator("g.node text.name").allTextContents(), (n) => n.length === 3, 30000);
  assert.deepEqual([...names].sort(), ["Prepare", "Report", "Train"]);
  await screenshot("graph");
  // An error in Train: its node gets a red outline and a badge.
  const at = after_(FIXTURE, "data: Prepare.outputs.prepare");
  await goTo(at.line, at.col);
  await page.keyboard.press("Delete");
  await page.keyboard.type("x");
  const train = frame.locator('g.node[data-id="Train"]');
  await until("Train's node to show an error", () => train.getAttribute("class"), (c) => /\berror\b/.test(c ?? ""));
  assert.equal(((await train.locator("text.badge-count").first().textContent()) ?? "").trim(), "1");
  await screenshot("graph with error");
  // A new job appears as you type.
  const end = after_(FIXTURE, '["echo", "done"]');
  await goTo(end.line, end.col);
  for (const line of ["  Publish:", "    uses: container@v1", "    needs: [Report]", "    with:", "      image: alpine:3.19"]) await typeNewLine(line);
  await until("the new job's node", () => frame.locator("g.node text.name").allTextContents(), (n) => n.includes("Publish"));
  await editorText();
  await command("View: Close All Editor Groups");
  await page.keyboard.press("Control+p");
  await page.locator(".quick-input-widget input").fill("pipeline.yaml");
  await until("pipeline.yaml in Quick Open", () => page.locator(".quick-input-list .monaco-list-row").first().innerText({ timeout: 2000 }), (t) => t.includes("pipeline.yaml"));
  await page.keyboard.press("Enter");
  await page.locator(".tab.active", { hasText: "pipeline.yaml" }).waitFor();
});

test("the Plan command prints gwk plan in its output", async () => {
  await resetWorkflow();
  await command("gwk: Plan Workflow");
  // The output shows the end of the plan; then its top, scrolled to.
  const output = page.locator(".part.panel .monaco-editor .view-lines").first();
  const lines = () => output.evaluate((el) =>
    [...el.querySelectorAll(".view-line")]
      .map((l) => [parseFloat(l.style.top), l.textContent.replace(/\u00a0/g, " ")])
      .sort((a, b) => a[0] - b[0])
      .map((x) => x[1])
      .join("\n"),
    undefined,
    { timeout: 2000 },
  );
  const shown = await until("the end of the plan in the output", lines, (t) => t.includes("Nothing is missing"));
  assert.match(shown, /Stage 2/, shown);
  // All of it, as the channel holds it (VS Code writes each output channel
  // to a file under the logs directory; the panel shows only its end).
  const channel = await until("the gwk plan channel's file", () => findFile(join(userData, "logs"), "gwk plan.log"), Boolean);
  const text = readFileSync(channel, "utf8");
  assert.match(text, /^\$ \S+\/gwk plan \S+\/\.gradient\/workflows\/pipeline\.yaml$/m, text);
  assert.match(text, /3 jobs in 2 stages/, text);
  assert.match(text, /Critical path: Prepare → Train/, text);
  await screenshot("plan");
  await closePanel();
});

test("Restart Server starts a new gwk-lsp, which checks as before", async () => {
  await resetWorkflow();
  const [before] = serverProcesses();
  assert.ok(before, "a server runs");
  await command("gwk: Restart Server");
  const now = await until("a new gwk-lsp process", serverProcesses, (p) => p.length === 1 && p[0].pid !== before.pid, 20000);
  assert.equal(now[0].exe, before.exe);
  await until("the status bar to show it running", statusText, (t) => /gwk/.test(t) && !/starting|stopped|no server/.test(t));
  const at = after_(FIXTURE, "data: Prepare.outputs.prepare");
  await goTo(at.line, at.col);
  await page.keyboard.press("Delete");
  await page.keyboard.type("x");
  await until("the restarted server's diagnostic", statusCounts, (c) => c.errors === 1);
});

test("a workspace setting gwk.server.path wins over the bundled server", async () => {
  await resetWorkflow();
  const custom = join(scratch, "custom-bin", "gwk-lsp-workspace");
  mkdirSync(dirname(custom), { recursive: true });
  copyFileSync(GWK_LSP, custom);
  execFileSync("chmod", ["755", custom]);
  mkdirSync(join(ws, ".vscode"), { recursive: true });
  writeFileSync(join(ws, ".vscode", "settings.json"), JSON.stringify({ "gwk.server.path": custom }));
  await until("the workspace's gwk-lsp to run", serverProcesses, (p) => p.length === 1 && p[0].exe === custom, 30000);
  const tooltip = await until("the tooltip to name the setting", statusTooltip, (t) => t.includes("gwk.server.path"));
  assert.match(tooltip, /from the gwk\.server\.path setting \(.*gwk-lsp-workspace\)/, tooltip);
  // Still checks.
  const at = after_(FIXTURE, "data: Prepare.outputs.prepare");
  await goTo(at.line, at.col);
  await page.keyboard.press("Delete");
  await page.keyboard.type("x");
  await until("a diagnostic from the workspace's server", statusCounts, (c) => c.errors === 1);
  // A workspace setting naming nothing: the status bar says no server, and where it looked.
  writeFileSync(join(ws, ".vscode", "settings.json"), JSON.stringify({ "gwk.server.path": "./no/such/gwk-lsp" }));
  await until("no server", statusText, (t) => t.includes("no server"), 30000);
  assert.match(await statusTooltip(), /Looked for: gwk\.server\.path = \.\/no\/such\/gwk-lsp/);
  rmSync(join(ws, ".vscode"), { recursive: true });
  await command("gwk: Restart Server");
  await until("the bundled server again", serverProcesses, (p) => p.length === 1 && p[0].exe.startsWith(extensionsDir), 30000);
});

test("other YAML files are left alone", async () => {
  await page.keyboard.press("Control+p");
  await page.locator(".quick-input-widget input").fill("notes.yaml");
  await until("notes.yaml in Quick Open", () => page.locator(".quick-input-list .monaco-list-row").first().innerText({ timeout: 2000 }), (t) => t.includes("notes.yaml"));
  await page.keyboard.press("Enter");
  await page.locator(".tab.active", { hasText: "notes.yaml" }).waitFor();
  await sleep(2000); // time for a diagnostic that must not come
  assert.equal(await page.locator(".editor-instance .squiggly-error").count(), 0);
  assert.equal(await statusItem().count(), 0, "no gwk status on a plain YAML file");
});
