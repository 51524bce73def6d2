// The extension against the real gwk-lsp (GWK_LSP=path): what `gwk/graph`
// answers for the sample workflow must be what the graph view's fixture
// (test/fixtures/sample-graph.json) says, field for field, so the unit and
// render tests draw what the server really sends. Also checks that the graph
// follows edits, and says when it is stale.

import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import { DIAGNOSTIC_SOURCE, GRAPH_REQUEST, normalizeGraph, type GraphResponse } from "../src/protocol";
import { layoutGraph } from "../src/webview/layout";

const root = resolve(__dirname, "..", "..");
const fixtures = join(root, "test", "fixtures");
const sampleText = readFileSync(join(fixtures, "sample.yaml"), "utf8");

let server: ChildProcessWithoutNullStreams;
let conn: MessageConnection;
let dir: string;
let uri: string;
let version = 1;
let stderr = "";
/** Versions of the document whose diagnostics the server has published. */
const checked: (number | undefined)[] = [];
let lastDiagnostics: { severity?: number; source?: string; code?: unknown }[] = [];
let onChecked: (() => void) | undefined;

/**
 * Waits until the server has checked `v`: gwk/graph answers from the last
 * finished check, and a check runs after an edit, not during it.
 */
async function checkedVersion(v: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!checked.some((c) => c === undefined || c >= v)) {
    assert.ok(Date.now() < deadline, `no diagnostics for version ${String(v)} within 20 s\n${stderr}`);
    await new Promise<void>((ok) => {
      onChecked = ok;
      setTimeout(ok, 200);
    });
  }
  checked.length = 0;
}

before(async () => {
  const exe = process.env.GWK_LSP;
  assert.ok(exe, "set GWK_LSP to the gwk-lsp to test");
  dir = mkdtempSync(join(tmpdir(), "gwk-contract-"));
  mkdirSync(join(dir, ".gradient", "workflows"), { recursive: true });
  const file = join(dir, ".gradient", "workflows", "fine-tune.yaml");
  writeFileSync(file, sampleText);
  uri = pathToFileURL(file).href;
  server = spawn(exe, [], { cwd: dir });
  server.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  conn = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  conn.onNotification("textDocument/publishDiagnostics", (p: { uri: string; version?: number; diagnostics: typeof lastDiagnostics }) => {
    if (p.uri === uri) {
      lastDiagnostics = p.diagnostics;
      checked.push(p.version);
      onChecked?.();
    }
  });
  conn.listen();
  await conn.sendRequest("initialize", {
    processId: process.pid,
    rootUri: pathToFileURL(dir).href,
    workspaceFolders: [{ uri: pathToFileURL(dir).href, name: "sample" }],
    capabilities: {},
  });
  await conn.sendNotification("initialized", {});
  await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "yaml", version, text: sampleText } });
  await checkedVersion(version);
});

after(async () => {
  try {
    await conn.sendRequest("shutdown");
    await conn.sendNotification("exit");
  } finally {
    conn.dispose();
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function graph(): Promise<GraphResponse> {
  const answer: unknown = await conn.sendRequest(GRAPH_REQUEST, { textDocument: { uri } });
  const g = normalizeGraph(answer);
  assert.ok(typeof g !== "string", `gwk/graph answer: ${typeof g === "string" ? g : ""}\n${stderr}`);
  return g;
}

async function change(text: string): Promise<void> {
  version++;
  await conn.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text }] });
  await checkedVersion(version);
}

/** The fields the extension reads, in a stable order. */
function essentials(g: GraphResponse): unknown {
  return {
    nodes: g.nodes.map((n) => ({
      id: n.id,
      action: n.action,
      instance_type: n.instance_type,
      gpus: n.gpus,
      gpu: n.gpu,
      stage: n.stage,
      range: n.range,
      errors: n.errors,
      warnings: n.warnings,
    })),
    edges: g.edges
      .map((e) => ({ from: e.from, to: e.to, declared: e.declared, io: e.io }))
      .sort((a, b) => `${a.from}>${a.to}`.localeCompare(`${b.from}>${b.to}`)),
    cycles: g.cycles,
  };
}

test("gwk/graph for the sample is the fixture the view is tested with", async () => {
  const expected = normalizeGraph(JSON.parse(readFileSync(join(fixtures, "sample-graph.json"), "utf8")));
  assert.ok(typeof expected !== "string");
  const got = await graph();
  assert.deepEqual(essentials(got), essentials(expected));
  assert.equal(got.stale, false);
  assert.equal(layoutGraph(got).nodes.length, 6);
});

test("diagnostics carry the source the status bar counts by", () => {
  assert.deepEqual(
    lastDiagnostics.map((d) => [d.source, d.severity, d.code]),
    [
      [DIAGNOSTIC_SOURCE, 1, "missing-needs"],
      [DIAGNOSTIC_SOURCE, 2, "unknown-instance-type"],
    ],
  );
});

test("the graph follows edits, and says when the text does not parse", async () => {
  await change(`${sampleText}\n  Publish:\n    needs: [Report]\n    uses: container@v1\n    with:\n      image: alpine:3.19\n`);
  const grown = await graph();
  assert.deepEqual(
    grown.nodes.map((n) => n.id),
    ["CloneRepo", "FetchData", "Tokenize", "Train", "Evaluate", "Report", "Publish"],
  );
  assert.ok(grown.edges.some((e) => e.from === "Report" && e.to === "Publish"));

  await change(`${sampleText}\n  Publish: [unclosed\n`);
  const broken = await graph();
  assert.equal(broken.stale, true, "a graph of the last good text, marked stale");
  assert.equal(broken.nodes.length, 7);
});
