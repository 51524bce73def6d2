// Loads the packaged bundle (dist/extension.js) with a stand-in for the
// `vscode` module and activates it. Only what the real-VS-Code suite
// (e2e/vscode.test.mjs, in code-server) does not reach is checked here
// (docs/testing.md): the not-found notification and its buttons when no
// gwk-lsp exists anywhere (the suite installs the package with the server
// inside), a relative gwk.files glob, Plan's exact command line, working
// directory, NO_COLOR, stderr and exit code (against a stand-in gwk), and
// Run's terminal (a real run needs Docker).

import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import Module from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { RelativePattern, score, type Doc, type Filter } from "../test/vscodeMatch";

const root = resolve(__dirname, "..", "..");
const PROJECT = "/nowhere/project";

/** Anything not modelled below: callable, constructible, every property another stand-in. */
function anything(): unknown {
  const target = function (): void {};
  return new Proxy(target, {
    get: (_t, key) => (key === "then" ? undefined : key === Symbol.toPrimitive ? () => "" : anything()),
    apply: () => anything(),
    construct: () => anything() as object,
  });
}

/** The parts of a namespace that are modelled; the rest is `anything()`. */
function namespace<T extends object>(modelled: T): T {
  return new Proxy(modelled, { get: (t, key: string) => (key in t ? (t as Record<string, unknown>)[key] : anything()) });
}

class Uri {
  constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  static file(p: string): Uri {
    return new Uri("file", p);
  }
  static parse(s: string): Uri {
    return new Uri("file", fileURLToPath(s));
  }
  static joinPath(): unknown {
    return anything();
  }
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return pathToFileURL(this.fsPath).href;
  }
}

/** vscode.EventEmitter: listeners really are called. */
class EventEmitter<T> {
  private listeners: ((e: T) => unknown)[] = [];
  readonly event = (listener: (e: T) => unknown): { dispose: () => void } => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

interface FakeDoc extends Doc {
  uri: Uri;
  isDirty: boolean;
  getText: () => string;
  save: () => Promise<boolean>;
}

const doc = (p: string): FakeDoc => ({ uri: Uri.file(p), languageId: "yaml", isDirty: false, getText: () => "", save: () => Promise.resolve(true) });

interface Diagnostic {
  severity: number;
  source: string;
  message: string;
}

/** What the extension did to the stand-in, and handles to drive it. */
class Harness {
  commands = new Map<string, (...args: unknown[]) => unknown>();
  errors: { message: string; buttons: string[] }[] = [];
  contexts: [string, unknown][] = [];
  /** Text appended to each output channel, by name. */
  channels = new Map<string, string>();
  terminals: { name?: string; shellPath?: string; shellArgs?: string[]; cwd?: string }[] = [];
  status = { text: "", tooltip: "", visible: false };
  diagnostics = new Map<string, Diagnostic[]>();
  readonly opened = new EventEmitter<FakeDoc>();
  readonly activeChanged = new EventEmitter<unknown>();
  readonly diagnosticsChanged = new EventEmitter<unknown>();
  activeTextEditor: { document: FakeDoc } | undefined;
  readonly vscode: unknown;

  /** `project`: the one workspace folder. */
  constructor(
    readonly settings: Record<string, unknown>,
    readonly project = PROJECT,
  ) {
    const disposable = { dispose: () => undefined };
    const event = () => disposable;
    const folder = { uri: Uri.file(project), name: "project", index: 0 };
    const channel = (name: string) => {
      this.channels.set(name, "");
      const add = (s: string) => this.channels.set(name, (this.channels.get(name) ?? "") + s);
      return namespace({
        append: add,
        appendLine: (s: string) => add(`${s}\n`),
        clear: () => this.channels.set(name, ""),
        info: (s: string) => add(`[info] ${s}\n`),
        warn: (s: string) => add(`[warn] ${s}\n`),
        error: (s: string) => add(`[error] ${s}\n`),
        show() {},
        dispose() {},
      });
    };
    const statusItem = this.status;
    // The bundle copies this object's keys when it loads (esbuild's ESM
    // interop), so everything it constructs must be here by name.
    const api = {
      version: "1.91.0",
      EventEmitter,
      ThemeColor: class {
        constructor(readonly id: string) {}
      },
      ThemeIcon: class {
        constructor(readonly id: string) {}
      },
      RelativePattern,
      Uri,
      StatusBarAlignment: { Left: 1, Right: 2 },
      DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
      ViewColumn: { One: 1, Beside: -2 },
      commands: namespace({
        registerCommand: (name: string, f: (...args: unknown[]) => unknown) => {
          this.commands.set(name, f);
          return disposable;
        },
        executeCommand: (name: string, key: string, value: unknown) => {
          if (name === "setContext") this.contexts.push([key, value]);
          return Promise.resolve();
        },
      }),
      window: namespace({
        createOutputChannel: channel,
        createStatusBarItem: () =>
          namespace({
            set text(t: string) {
              statusItem.text = t;
            },
            set tooltip(t: string) {
              statusItem.tooltip = t;
            },
            show: () => (statusItem.visible = true),
            hide: () => (statusItem.visible = false),
            dispose() {},
          }),
        createTerminal: (options: Harness["terminals"][number]) => {
          this.terminals.push(options);
          return namespace({ show() {}, dispose() {} });
        },
        showErrorMessage: (message: string, ...buttons: string[]) => {
          this.errors.push({ message, buttons });
          return Promise.resolve(undefined);
        },
        showWarningMessage: () => Promise.resolve(undefined),
        showInformationMessage: () => Promise.resolve(undefined),
        onDidChangeActiveTextEditor: this.activeChanged.event,
        get activeTextEditor() {
          return harness.activeTextEditor;
        },
        visibleTextEditors: [],
      }),
      workspace: namespace({
        textDocuments: [],
        workspaceFolders: [folder],
        getWorkspaceFolder: (uri: Uri) => (uri.fsPath.startsWith(`${project}/`) ? folder : undefined),
        getConfiguration: () => ({ get: (key: string, dflt?: unknown) => settings[key] ?? dflt }),
        openTextDocument: (uri: Uri) => Promise.resolve(doc(uri.fsPath)),
        onDidOpenTextDocument: this.opened.event,
        onDidChangeConfiguration: event,
        onDidChangeWorkspaceFolders: event,
        onDidChangeTextDocument: event,
        onDidCloseTextDocument: event,
        onDidSaveTextDocument: event,
        createFileSystemWatcher: () => anything(),
      }),
      languages: namespace({
        // VS Code's own semantics (test/vscodeMatch.ts): the selector the
        // extension builds decides, so a wrong selector fails these tests.
        match: (selector: Filter | Filter[], d: Doc) => score(selector, d),
        registerCodeLensProvider: () => disposable,
        onDidChangeDiagnostics: this.diagnosticsChanged.event,
        getDiagnostics: (uri: Uri) => this.diagnostics.get(uri.toString()) ?? [],
      }),
      // The language client sends appName as clientInfo.name, which the
      // protocol (and gwk-lsp) require.
      env: namespace({ appName: "Visual Studio Code", remoteName: undefined, clipboard: { writeText: () => Promise.resolve() } }),
    };
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- read by the getter above
    const harness = this;
    this.vscode = namespace(api);
  }

  private extension: Extension | undefined;

  activate(): void {
    this.extension = loadExtension(this.vscode);
    // A universal package: no server/ inside.
    this.extension.activate({ subscriptions: [], extensionUri: anything(), extensionPath: root });
  }

  /** As VS Code does on shutdown: stops a server that runs. */
  async deactivate(): Promise<void> {
    await this.extension?.deactivate();
  }

  open(path: string): FakeDoc {
    const d = doc(path);
    this.opened.fire(d);
    return d;
  }

  focus(d: FakeDoc | undefined): void {
    this.activeTextEditor = d && { document: d };
    this.activeChanged.fire(this.activeTextEditor);
  }

  run(command: string, ...args: unknown[]): Promise<unknown> {
    const f = this.commands.get(command);
    assert.ok(f, `${command} is registered`);
    return Promise.resolve(f(...args));
  }
}

interface Extension {
  activate: (ctx: unknown) => void;
  deactivate: () => Promise<void>;
}

function loadExtension(vscode: unknown): Extension {
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
    return require(path) as Extension;
  } finally {
    m._load = original;
  }
}

const settle = (ms = 50): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

/** Polls `cond` until it holds, or fails after `ms`. */
async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await settle(20);
  }
}

/** An executable script in a fresh temporary directory. */
function script(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "gwk-built-"));
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, 0o755);
  return path;
}

const WORKFLOW = `${PROJECT}/.gradient/workflows/train.yaml`;

test("without a setting and without gwk-lsp anywhere, the notification gives the install command", async () => {
  const h = new Harness({});
  const path = process.env.PATH;
  const cargoHome = process.env.CARGO_HOME;
  process.env.PATH = "/nowhere/bin";
  process.env.CARGO_HOME = "/nowhere/cargo";
  try {
    h.activate();
    h.open(WORKFLOW);
    await settle();
  } finally {
    process.env.PATH = path;
    if (cargoHome === undefined) delete process.env.CARGO_HOME;
    else process.env.CARGO_HOME = cargoHome;
  }
  assert.equal(h.errors.length, 1);
  const message = h.errors[0]?.message ?? "";
  assert.match(message, /gwk-lsp was not found: gwk\.server\.path is not set, and there is none on PATH, in \/nowhere\/cargo\/bin or bundled with the extension\. Install it with `cargo install --locked --git https:\/\/github\.com\/gwk-dev\/gwk gwk-lsp`/);
  assert.deepEqual(h.errors[0]?.buttons, ["Copy install command", "Set gwk.server.path", "Show log"]);
});

test("a file matching a relative gwk.files glob starts the server; a YAML file beside it does not", async () => {
  const h = new Harness({ "server.path": "/nowhere/gwk-lsp", files: ["ci/*.gradient.yaml"] });
  h.activate();
  h.open(`${PROJECT}/ci/build.yaml`);
  h.open(`${PROJECT}/sub/ci/train.gradient.yaml`);
  await settle();
  assert.equal(h.errors.length, 0, "no server for files the glob does not take");
  // Starting means looking for gwk-lsp: with server.path pointing nowhere,
  // the not-found notification is what shows it was started.
  h.open(`${PROJECT}/ci/train.gradient.yaml`);
  await settle();
  assert.equal(h.errors.length, 1);
  assert.match(h.errors[0]?.message ?? "", /no gwk-lsp executable is there/);
});

/** A stand-in gwk: prints its arguments, working directory and NO_COLOR. */
const fakeGwk = (): string =>
  script("gwk", `#!/bin/sh\nprintf 'args:'; printf ' [%s]' "$@"; printf '\\ncwd: %s\\nNO_COLOR=%s\\n' "$PWD" "$NO_COLOR"\necho 'warning on stderr' >&2\nexit 3\n`);

test("Plan Workflow runs `gwk plan FILE` in the workspace folder and shows its output", async () => {
  const gwk = fakeGwk();
  // The working directory must exist for the process to start.
  const project = mkdtempSync(join(tmpdir(), "gwk-project-"));
  const h = new Harness({ "server.path": "/nowhere/gwk-lsp", "cli.path": gwk }, project);
  h.activate();
  const file = `${project}/.gradient/workflows/train.yaml`;
  h.focus(doc(file));
  await h.run("gwk.plan");
  await until("gwk plan to end", () => (h.channels.get("gwk plan") ?? "").includes("exited with code 3"));
  const out = h.channels.get("gwk plan") ?? "";
  assert.ok(out.startsWith(`$ ${gwk} plan ${file}\n`), out);
  assert.ok(out.includes(`args: [plan] [${file}]\n`), out);
  assert.ok(out.includes(`cwd: ${project}\n`), out);
  assert.ok(out.includes("NO_COLOR=1\n"), "no colour codes in an output channel");
  assert.ok(out.includes("warning on stderr\n"), "stderr is shown too");
});

test("Run Workflow opens a terminal running `gwk run [gwk.run.args] FILE`", async () => {
  const gwk = fakeGwk();
  const h = new Harness({ "server.path": "/nowhere/gwk-lsp", "cli.path": gwk, "run.args": ["--parallel", "2"] });
  h.activate();
  await h.run("gwk.run", Uri.file(WORKFLOW));
  assert.equal(h.terminals.length, 1);
  const { name, shellPath, shellArgs, cwd } = h.terminals[0] ?? {};
  assert.deepEqual({ name, shellPath, shellArgs, cwd }, { name: "gwk run: train.yaml", shellPath: gwk, shellArgs: ["run", "--parallel", "2", WORKFLOW], cwd: PROJECT });

  // Without a file and with a plain YAML file active, nothing runs.
  h.focus(doc(`${PROJECT}/docker-compose.yaml`));
  await h.run("gwk.run");
  assert.equal(h.terminals.length, 1);
});
