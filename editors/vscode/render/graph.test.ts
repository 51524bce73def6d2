// Renders the graph webview — the same HTML, script and stylesheet VS Code
// loads — in headless Chromium (Debian's `chromium`), feeds it the sample
// graph the way the extension does (window messages), and checks what is
// drawn and what a click sends back. VS Code itself cannot be run here.
//
// The screenshot in the docs (docs/img/graph.png) is made by this test:
// `npm run screenshot` sets GWK_SCREENSHOT=../../docs/img/graph.png, and
// every run checks that the docs' image exists and has the size the view
// draws now (a pixel diff would be at the mercy of font rendering).
// CHROMIUM overrides the browser's path.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { graphHtml } from "../src/graphHtml";
import { normalizeGraph, type GraphResponse, type ToWebview } from "../src/protocol";

const root = resolve(__dirname, "..", "..");
// The extension hands the webview the server's answer after normalizeGraph().
const sample = ((): GraphResponse => {
  const g = normalizeGraph(JSON.parse(readFileSync(join(root, "test", "fixtures", "sample-graph.json"), "utf8")));
  assert.ok(typeof g !== "string", g as string);
  return g;
})();
const FILE = ".gradient/workflows/fine-tune.yaml";
const DOCS_SCREENSHOT = join(root, "..", "..", "docs", "img", "graph.png");

/** The width and height of a PNG file, from its IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  assert.ok(b.length >= 24 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${file} is not a PNG`);
  assert.equal(b.toString("latin1", 12, 16), "IHDR", `${file} has no IHDR chunk first`);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

let server: Server | undefined;
let origin: string;
let browser: Browser | undefined;

/** Serves the page and the two files it loads, on loopback only. */
function serve(html: string): Promise<Server> {
  const files: Record<string, [string, string]> = {
    "/dist/webview.js": [join(root, "dist", "webview.js"), "text/javascript"],
    "/media/graph.css": [join(root, "media", "graph.css"), "text/css"],
  };
  const s = createServer((req, res) => {
    const url = req.url ?? "/";
    const file = files[url];
    if (url === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end(html);
    } else if (url === "/favicon.ico") {
      res.writeHead(204).end(); // the browser asks; VS Code's webviews have none
    } else if (file) {
      res.writeHead(200, { "content-type": file[1] }).end(readFileSync(file[0]));
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => s.listen(0, "127.0.0.1", () => { ok(s); }));
}

before(async () => {
  const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
  assert.ok(existsSync(executablePath), `${executablePath} is missing: install Debian's chromium (scripts/setup/50-chromium.sh does)`);
  assert.ok(existsSync(join(root, "dist", "webview.js")), "dist/webview.js is missing: run `node scripts/bundle.mjs` first");
  const page = graphHtml({
    cspSource: "http://127.0.0.1:*",
    scriptUri: "/dist/webview.js",
    styleUri: "/media/graph.css",
    nonce: randomBytes(12).toString("base64url"),
  });
  server = await serve(page);
  origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  browser = await chromium.launch({
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    // Playwright gives the browser a fresh, empty profile of its own.
    timeout: 60_000,
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

interface Opened {
  page: Page;
  /** Everything the page posted to the (stand-in) extension. */
  posted: () => Promise<unknown[]>;
  problems: string[];
}

async function open(): Promise<Opened> {
  assert.ok(browser, "the browser started");
  const page = await browser.newPage({ viewport: { width: 1240, height: 560 } });
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  // What VS Code injects into a webview: acquireVsCodeApi().
  await page.addInitScript(() => {
    const w = window as unknown as { posted: unknown[]; acquireVsCodeApi: () => unknown };
    w.posted = [];
    w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => w.posted.push(m), getState: () => undefined, setState: () => undefined });
  });
  await page.goto(`${origin}/`);
  const posted = (): Promise<unknown[]> => page.evaluate(() => (window as unknown as { posted: unknown[] }).posted);
  return { page, posted, problems };
}

function send(page: Page, msg: ToWebview): Promise<void> {
  return page.evaluate((m) => { window.postMessage(m, "*"); }, msg);
}

test("the sample workflow is drawn: every job, GPU and error marks, io labels", async () => {
  const { page, posted, problems } = await open();
  assert.deepEqual(await posted(), [{ type: "ready" }], "the page says it is ready");
  await send(page, { type: "graph", file: FILE, graph: sample });
  await page.waitForSelector("g.node");

  const nodes = await page.$$eval("g.node", (els) =>
    els.map((el) => {
      const box = el.querySelector("rect.box")?.getBoundingClientRect();
      const texts = [...el.querySelectorAll("text")].map((t) => ({ text: t.textContent, right: t.getBoundingClientRect().right }));
      return { id: el.getAttribute("data-id"), cls: el.getAttribute("class"), box: box && { x: box.x, y: box.y, w: box.width, h: box.height, right: box.right }, texts };
    }),
  );
  assert.deepEqual(
    nodes.map((n) => n.id),
    ["CloneRepo", "FetchData", "Tokenize", "Train", "Evaluate", "Report"],
  );
  const byId = new Map(nodes.map((n) => [n.id, n]));
  assert.deepEqual(
    nodes.filter((n) => n.cls?.split(" ").includes("gpu")).map((n) => n.id),
    ["Train", "Evaluate"],
  );
  assert.match(byId.get("Train")?.cls ?? "", /\berror\b/);
  assert.match(byId.get("Report")?.cls ?? "", /\bwarning\b/);
  assert.doesNotMatch(byId.get("CloneRepo")?.cls ?? "", /error|warning|gpu/);
  const train = byId.get("Train");
  assert.deepEqual(
    train?.texts.map((t) => t.text),
    ["Train", "script@v1", "A100x2 · GPU ×2", "1"],
    "name, action, machine, and the error badge",
  );

  // Boxes are on screen, apart, and hold their text.
  for (const [i, a] of nodes.entries()) {
    assert.ok(a.box && a.box.w > 50 && a.box.h > 30, `${String(a.id)} has a visible box`);
    for (const t of a.texts) assert.ok(t.right <= a.box.right + 0.5, `${String(a.id)}: "${t.text}" fits in its box`);
    for (const b of nodes.slice(i + 1)) {
      const apart = a.box.x + a.box.w <= (b.box?.x ?? 0) || (b.box?.x ?? 0) + (b.box?.w ?? 0) <= a.box.x || a.box.y + a.box.h <= (b.box?.y ?? 0) || (b.box?.y ?? 0) + (b.box?.h ?? 0) <= a.box.y;
      assert.ok(apart, `${String(a.id)} and ${String(b.id)} do not overlap`);
    }
  }

  const edges = await page.$$eval("g.edge", (els) => els.map((el) => ({ from: el.getAttribute("data-from"), to: el.getAttribute("data-to"), cls: el.getAttribute("class"), label: el.querySelector("text")?.textContent ?? "", d: el.querySelector("path")?.getAttribute("d") ?? "" })));
  assert.equal(edges.length, 7);
  for (const e of edges) assert.match(e.d, /^M/, `${String(e.from)}→${String(e.to)} has a path`);
  const undeclared = edges.filter((e) => e.cls?.includes("undeclared"));
  assert.deepEqual(undeclared.map((e) => `${String(e.from)}→${String(e.to)}`), ["CloneRepo→Train"]);
  assert.ok(edges.some((e) => e.from === "Train" && e.to === "Evaluate" && e.label === "checkpoint"));

  assert.equal(await page.textContent("#title"), FILE);
  assert.equal(await page.textContent("#summary"), "6 jobs · 2 on GPU · 5 stages");

  const shot = process.env.GWK_SCREENSHOT;
  const out = shot ? resolve(shot) : join(root, "out", "graph.png");
  mkdirSync(dirname(out), { recursive: true });
  // The drawing and its header, without the empty page below.
  const bottom = await page.$eval("svg.graph", (el) => el.getBoundingClientRect().bottom);
  const clip = { x: 0, y: 0, width: 1240, height: Math.min(560, Math.ceil(bottom) + 16) };
  await page.screenshot({ path: out, clip });
  assert.deepEqual(pngSize(out), { width: clip.width, height: clip.height }, "the screenshot is the clip");
  assert.ok(existsSync(DOCS_SCREENSHOT), `${DOCS_SCREENSHOT} is missing: run \`npm run screenshot\` in editors/vscode`);
  assert.deepEqual(
    pngSize(DOCS_SCREENSHOT),
    { width: clip.width, height: clip.height },
    "docs/img/graph.png is not the size the view draws now: run `npm run screenshot` in editors/vscode and commit the image",
  );
  assert.deepEqual(problems, [], "no script errors or CSP violations");
  await page.close();
});

test("a click on a job asks the extension to reveal it; Enter does too", async () => {
  const { page, posted } = await open();
  await send(page, { type: "graph", file: FILE, graph: sample });
  await page.click('g.node[data-id="Train"]');
  assert.deepEqual((await posted()).at(-1), { type: "reveal", id: "Train" });
  await page.waitForSelector('g.node.selected[data-id="Train"]');
  await page.focus('g.node[data-id="Report"]');
  await page.keyboard.press("Enter");
  assert.deepEqual((await posted()).at(-1), { type: "reveal", id: "Report" });
  await page.close();
});

test("a new graph (the user typed) redraws; an error keeps the last graph, dimmed", async () => {
  const { page } = await open();
  await send(page, { type: "graph", file: FILE, graph: sample });
  await page.waitForSelector("g.node");
  const more: GraphResponse = {
    ...sample,
    nodes: [...sample.nodes, { id: "Publish", action: "script@v1", instance_type: "C5", gpus: 0, gpu: false, stage: 5, errors: 0, warnings: 0 }],
    edges: [...sample.edges, { from: "Report", to: "Publish", io: [], declared: true }],
  };
  await send(page, { type: "graph", file: FILE, graph: more });
  await page.waitForFunction(() => document.querySelectorAll("g.node").length === 7);
  assert.equal(await page.textContent("#summary"), "7 jobs · 2 on GPU · 6 stages");

  await send(page, { type: "error", file: FILE, message: "The graph could not be made: boom" });
  assert.equal(await page.getAttribute("body", "data-state"), "stale");
  assert.equal(await page.textContent("#message"), "The graph could not be made: boom");
  assert.equal(await page.locator("g.node").count(), 7, "the last graph stays");

  await send(page, { type: "graph", file: FILE, graph: { ...sample, stale: true } });
  assert.equal(await page.getAttribute("body", "data-state"), "stale");
  assert.match((await page.textContent("#message")) ?? "", /last version that did/);
  await send(page, { type: "graph", file: FILE, graph: sample });
  assert.equal(await page.getAttribute("body", "data-state"), "graph");
  assert.equal(await page.isHidden("#message"), true);

  await send(page, { type: "empty", message: "gwk-lsp was not found" });
  assert.equal(await page.locator("g.node").count(), 0);
  assert.equal(await page.textContent("#message"), "gwk-lsp was not found");
  await page.close();
});

test("cycles are drawn, and job names are text, never markup", async () => {
  const { page, problems } = await open();
  const evil = '<img src=x onerror="window.pwned=1">';
  await send(page, {
    type: "graph",
    file: FILE,
    graph: {
      version: 1,
      nodes: [{ id: "A" }, { id: "B" }, { id: evil }],
      edges: [
        { from: "A", to: "B" },
        { from: "B", to: "A" },
        { from: "B", to: evil },
      ],
      cycles: [["A", "B", "A"]],
    },
  });
  await page.waitForSelector("g.node");
  assert.equal(await page.locator("g.edge.cycle").count(), 2);
  assert.equal(await page.locator("img").count(), 0);
  assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
  assert.equal(await page.locator("g.node text.name").nth(2).textContent(), evil);
  assert.match((await page.textContent("#summary")) ?? "", /1 cycle$/);
  assert.deepEqual(problems, []);
  await page.close();
});
