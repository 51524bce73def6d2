// Loads the packaged bundle (dist/extension.js) with a stand-in for the
// `vscode` module and activates it, as VS Code would: the commands of the
// manifest get registered, nothing starts for a plain YAML file, and opening
// a workflow with gwk.server.path pointing nowhere shows the error that says
// so, with its buttons. VS Code itself cannot run here.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import Module from "node:module";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { RelativePattern, parseFileUri, score, type Doc, type Filter } from "../test/vscodeMatch";

const root = resolve(__dirname, "..", "..");

interface Recorded {
  commands: string[];
  errors: { message: string; buttons: string[] }[];
  onOpen: ((doc: unknown) => void)[];
  contexts: [string, unknown][];
}

/** Anything not modelled below: callable, constructible, every property another stand-in. */
function anything(): unknown {
  const target = function (): void {};
  return new Proxy(target, {
    get: (_t, key) => (key === "then" ? undefined : key === Symbol.toPrimitive ? () => "" : anything()),
    apply: () => anything(),
    construct: () => anything() as object,
  });
}

function fakeVscode(rec: Recorded, settings: Record<string, unknown>): unknown {
  const disposable = { dispose: () => undefined };
  const event = () => disposable;
  class EventEmitter {
    event = event;
    fire(): void {}
    dispose(): void {}
  }
  const api: Record<string, unknown> = {
    EventEmitter,
    StatusBarAlignment: { Left: 1, Right: 2 },
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    ViewColumn: { One: 1, Beside: -2 },
    RelativePattern,
    Uri: { file: (p: string) => ({ fsPath: p, scheme: "file", toString: () => `file://${p}` }), parse: parseFileUri, joinPath: () => anything() },
    commands: {
      registerCommand: (name: string) => {
        rec.commands.push(name);
        return disposable;
      },
      executeCommand: (name: string, key: string, value: unknown) => {
        if (name === "setContext") rec.contexts.push([key, value]);
        return Promise.resolve();
      },
    },
    window: {
      createOutputChannel: () => ({ info() {}, warn() {}, error() {}, show() {}, appendLine() {}, append() {}, clear() {}, dispose() {} }),
      createStatusBarItem: () => ({ show() {}, hide() {}, dispose() {} }),
      showErrorMessage: (message: string, ...buttons: string[]) => {
        rec.errors.push({ message, buttons });
        return Promise.resolve(undefined);
      },
      showWarningMessage: () => Promise.resolve(undefined),
      onDidChangeActiveTextEditor: event,
      activeTextEditor: undefined,
      visibleTextEditors: [],
    },
    workspace: {
      textDocuments: [],
      workspaceFolders: [{ uri: parseFileUri("file:///nowhere/project"), name: "project", index: 0 }],
      getConfiguration: () => ({ get: (key: string, dflt?: unknown) => settings[key] ?? dflt }),
      onDidOpenTextDocument: (f: (doc: unknown) => void) => {
        rec.onOpen.push(f);
        return disposable;
      },
      onDidChangeConfiguration: event,
      onDidChangeWorkspaceFolders: event,
      onDidChangeTextDocument: event,
      createFileSystemWatcher: () => anything(),
    },
    languages: {
      // VS Code's own semantics (test/vscodeMatch.ts): the selector the
      // extension builds decides, so a wrong selector fails these tests.
      match: (selector: Filter | Filter[], doc: Doc) => score(selector, doc),
      registerCodeLensProvider: () => disposable,
      onDidChangeDiagnostics: event,
      getDiagnostics: () => [],
    },
    env: { clipboard: { writeText: () => Promise.resolve() } },
  };
  return new Proxy(api, { get: (t, key: string) => (key in t ? t[key] : anything()) });
}

function loadExtension(vscode: unknown): { activate: (ctx: unknown) => void } {
  // Resolve `require("vscode")` from the bundle to the stand-in.
  const m = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
  const original = m._load;
  m._load = (req: string, ...rest: unknown[]) => (req === "vscode" ? vscode : original(req, ...rest));
  try {
    const path = join(root, "dist", "extension.js");
    // A fresh copy per stand-in: the bundle binds `vscode` when it loads.
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
    delete require.cache[path];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is CommonJS, loaded at run time
    return require(path) as { activate: (ctx: unknown) => void };
  } finally {
    m._load = original;
  }
}

const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { contributes: { commands: { command: string }[] } };
const doc = (p: string): unknown => ({ uri: { fsPath: p, scheme: "file", toString: () => `file://${p}` }, languageId: "yaml" });

test("activation registers the manifest's commands and starts nothing for plain YAML", async () => {
  const rec: Recorded = { commands: [], errors: [], onOpen: [], contexts: [] };
  const ext = loadExtension(fakeVscode(rec, { "server.path": "/nowhere/gwk-lsp" }));
  ext.activate({ subscriptions: [], extensionUri: anything() });
  assert.deepEqual(rec.commands.sort(), manifest.contributes.commands.map((c) => c.command).sort());
  assert.deepEqual(rec.contexts.at(-1), ["gwk.workflowActive", false]);

  for (const f of rec.onOpen) f(doc("/nowhere/project/docker-compose.yaml"));
  await new Promise((ok) => setTimeout(ok, 50));
  assert.equal(rec.errors.length, 0, "no server is looked for on a plain YAML file");

  for (const f of rec.onOpen) f(doc("/nowhere/project/.gradient/workflows/train.yaml"));
  await new Promise((ok) => setTimeout(ok, 50));
  assert.equal(rec.errors.length, 1, "one notification");
  const [e] = rec.errors;
  assert.ok(e);
  assert.match(e.message, /gwk\.server\.path is set to "\/nowhere\/gwk-lsp", but no gwk-lsp executable is there/);
  assert.deepEqual(e.buttons, ["Copy install command", "Set gwk.server.path", "Show log"]);

  for (const f of rec.onOpen) f(doc("/nowhere/project/.gradient/workflows/eval.yaml"));
  await new Promise((ok) => setTimeout(ok, 50));
  assert.equal(rec.errors.length, 1, "opening another workflow does not repeat the error");
});

test("without a setting and without gwk-lsp anywhere, the notification gives the install command", async () => {
  const rec: Recorded = { commands: [], errors: [], onOpen: [], contexts: [] };
  const path = process.env.PATH;
  const cargoHome = process.env.CARGO_HOME;
  process.env.PATH = "/nowhere/bin";
  process.env.CARGO_HOME = "/nowhere/cargo";
  try {
    const ext = loadExtension(fakeVscode(rec, {}));
    ext.activate({ subscriptions: [], extensionUri: anything() });
    for (const f of rec.onOpen) f(doc("/nowhere/project/.gradient/workflows/train.yaml"));
    await new Promise((ok) => setTimeout(ok, 50));
  } finally {
    process.env.PATH = path;
    if (cargoHome === undefined) delete process.env.CARGO_HOME;
    else process.env.CARGO_HOME = cargoHome;
  }
  assert.equal(rec.errors.length, 1);
  assert.match(rec.errors[0]?.message ?? "", /gwk-lsp was not found on PATH nor in \/nowhere\/cargo\/bin\. Install it with `cargo install --locked --git https:\/\/github\.com\/gwk-dev\/gwk gwk-lsp`/);
});

test("a file matching a relative gwk.files glob starts the server; a YAML file beside it does not", async () => {
  const rec: Recorded = { commands: [], errors: [], onOpen: [], contexts: [] };
  const ext = loadExtension(fakeVscode(rec, { "server.path": "/nowhere/gwk-lsp", files: ["ci/*.gradient.yaml"] }));
  ext.activate({ subscriptions: [], extensionUri: anything() });
  for (const f of rec.onOpen) f(doc("/nowhere/project/ci/build.yaml"));
  for (const f of rec.onOpen) f(doc("/nowhere/project/sub/ci/train.gradient.yaml"));
  await new Promise((ok) => setTimeout(ok, 50));
  assert.equal(rec.errors.length, 0, "no server for files the glob does not take");
  // Starting means looking for gwk-lsp: with server.path pointing nowhere,
  // the not-found notification is what shows it was started.
  for (const f of rec.onOpen) f(doc("/nowhere/project/ci/train.gradient.yaml"));
  await new Promise((ok) => setTimeout(ok, 50));
  assert.equal(rec.errors.length, 1);
  assert.match(rec.errors[0]?.message ?? "", /no gwk-lsp executable is there/);
});
