// The gwk-lsp process and its language client: found, started lazily (only
// once a workflow file is open), restarted on demand or when the settings
// that shape it change.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { LanguageClient, State, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { filePatterns, protocolFilter, scopedPatterns, type ScopedPattern } from "./files";
import { cargoBinDir, describeSource, installCommand, notFoundMessage, resolveExecutable, type Host, type Resolution } from "./serverPath";
import { DIAGNOSTIC_SOURCE } from "./protocol";
import type { ServerInfo, ServerState } from "./status";

/**
 * Where a platform-specific package carries gwk-lsp (scripts/bundle-server.mjs
 * puts it there before `vsce package --target ...`).
 */
export function bundledServerPath(extensionPath: string): string {
  return path.join(extensionPath, "server", process.platform === "win32" ? "gwk-lsp.exe" : "gwk-lsp");
}

/**
 * A .vsix is a zip: if the installer dropped the executable bit of the
 * bundled server, put it back (the extension's own directory), once.
 */
function makeExecutable(file: string, log: vscode.LogOutputChannel): void {
  if (process.platform === "win32") return;
  try {
    if (!fs.statSync(file).isFile()) return;
    fs.accessSync(file, fs.constants.X_OK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EACCES") return;
    try {
      fs.chmodSync(file, 0o755);
      log.info(`made the bundled ${file} executable`);
    } catch (e) {
      log.warn(`the bundled ${file} is not executable and could not be made so: ${String(e)}`);
    }
  }
}

export interface Found {
  path: string;
  /** Where it came from, in words: "bundled with the extension", ... */
  from: string;
}

/** The places looked at, for the status bar's tooltip. */
function lookedFor(settingKey: string, r: Exclude<Resolution, { kind: "found" }>): string[] {
  if (r.kind === "bad-setting") return [`gwk.${settingKey} = ${r.setting}`];
  return [`gwk.${settingKey} (not set in this window)`, ...r.tried];
}

export function nodeHost(): Host {
  return {
    platform: process.platform,
    env: process.env,
    homedir: os.homedir(),
    workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
    isExecutable(file) {
      try {
        if (!fs.statSync(file).isFile()) return false;
        if (process.platform !== "win32") fs.accessSync(file, fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/**
 * The gwk globs for the current settings, relative ones scoped to each
 * workspace folder (see `scopedPatterns`).
 */
function currentPatterns(): ScopedPattern[] {
  const { patterns } = filePatterns(vscode.workspace.getConfiguration("gwk").get<unknown>("files"));
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString());
  return scopedPatterns(patterns, folders);
}

/** The document selector: YAML files on disk matching the gwk patterns. */
export function documentSelector(): vscode.DocumentFilter[] {
  return currentPatterns().map(({ pattern, base }) => ({
    language: "yaml",
    scheme: "file",
    pattern: base === undefined ? pattern : new vscode.RelativePattern(vscode.Uri.parse(base), pattern),
  }));
}

export function isWorkflow(doc: vscode.TextDocument): boolean {
  return vscode.languages.match(documentSelector(), doc) > 0;
}

/**
 * Finds `name` as the settings say (then PATH, ~/.cargo/bin, the bundled
 * server); on failure tells the user how to get it, and `missed` receives
 * the places looked at.
 */
export function findExecutable(
  name: "gwk-lsp" | "gwk",
  settingKey: string,
  log: vscode.LogOutputChannel,
  bundled?: string,
  missed?: (places: string[]) => void,
): Found | undefined {
  const setting = vscode.workspace.getConfiguration("gwk").get<string>(settingKey);
  const host = nodeHost();
  if (bundled) makeExecutable(bundled, log);
  const r: Resolution = resolveExecutable(name, setting, host, bundled);
  if (r.kind === "found") {
    const from = describeSource(r.source, `gwk.${settingKey}`);
    log.info(`using ${name} at ${r.path} (${from})`);
    return { path: r.path, from };
  }
  missed?.(lookedFor(settingKey, r));
  const message = notFoundMessage(name, `gwk.${settingKey}`, r, cargoBinDir(host), vscode.env.remoteName);
  log.error(message);
  log.info(`looked for ${name} at:\n  ${r.tried.join("\n  ")}`);
  const copy = "Copy install command";
  const settings = `Set gwk.${settingKey}`;
  const logs = "Show log";
  void vscode.window.showErrorMessage(message, copy, settings, logs).then(async (pick) => {
    if (pick === copy) {
      await vscode.env.clipboard.writeText(installCommand(name));
      void vscode.window.showInformationMessage(`Copied: ${installCommand(name)}`);
    } else if (pick === settings) {
      await vscode.commands.executeCommand("workbench.action.openSettings", `gwk.${settingKey}`);
    } else if (pick === logs) {
      log.show();
    }
  });
  return undefined;
}

export class Server implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private _state: ServerState = "stopped";
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateEmitter.event;

  private _info: ServerInfo = {};

  constructor(
    readonly log: vscode.LogOutputChannel,
    private readonly bundled: string,
  ) {}

  /** Which gwk-lsp runs (or was looked for): the status bar says it. */
  get info(): ServerInfo {
    return this._info;
  }

  get state(): ServerState {
    return this._state;
  }

  get languageClient(): LanguageClient | undefined {
    return this._state === "running" ? this.client : undefined;
  }

  private setState(s: ServerState): void {
    if (s !== this._state) {
      this.log.info(`server state: ${this._state} -> ${s}`);
      this._state = s;
      this.stateEmitter.fire(s);
    }
  }

  /**
   * Starts the server unless it runs or is starting. After it was not found
   * or failed to start, only `force` (Restart Server, a settings change)
   * tries again, so that opening more files does not repeat the error.
   */
  ensureStarted(force = false): Promise<void> {
    if (this.client || this.starting) {
      return this.starting ?? Promise.resolve();
    }
    if (!force && (this._state === "not-found" || this._state === "failed")) {
      return Promise.resolve();
    }
    this.starting = this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<void> {
    this.setState("starting");
    let missed: string[] = [];
    const found = findExecutable("gwk-lsp", "server.path", this.log, this.bundled, (p) => (missed = p));
    if (!found) {
      this._info = { lookedFor: missed };
      this.setState("not-found");
      return;
    }
    const exe = found.path;
    this._info = { running: `${found.from} (${exe})` };
    const args = vscode.workspace.getConfiguration("gwk").get<string[]>("server.args") ?? [];
    const serverOptions: ServerOptions = { command: exe, args, options: { env: { ...process.env } } };
    const clientOptions: LanguageClientOptions = {
      // The protocol's form: the client converts it (see protocolFilter).
      documentSelector: currentPatterns().map(protocolFilter),
      outputChannel: this.log,
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/gwk.toml") },
    };
    const client = new LanguageClient("gwk", "gwk", serverOptions, clientOptions);
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) this.setState("running");
      else if (e.newState === State.Starting) this.setState("starting");
      else if (this.client === client) this.setState(this._state === "running" ? "failed" : "stopped");
    });
    this.client = client;
    try {
      await client.start();
      const version = client.initializeResult?.serverInfo?.version;
      if (version) this._info = { ...this._info, version };
      this.setState("running");
    } catch (err) {
      this.log.error(`gwk-lsp (${exe}) did not start: ${String(err)}`);
      this.client = undefined;
      this.setState("failed");
      const show = "Show log";
      void vscode.window.showErrorMessage(`gwk: the language server ${exe} did not start: ${String(err)}`, show).then((p) => {
        if (p === show) this.log.show();
      });
    }
  }

  async stop(): Promise<void> {
    await this.starting;
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(2000);
      } catch (err) {
        this.log.warn(`stopping gwk-lsp: ${String(err)}`);
      }
    }
    this.setState("stopped");
  }

  async restart(): Promise<void> {
    this.log.info("restarting gwk-lsp");
    await this.stop();
    await this.ensureStarted(true);
  }

  /**
   * gwk-lsp's diagnostics for `uri`. Read from all of VS Code's diagnostics
   * by their source, because the server may push them or the client pull
   * them (two different collections in the client); Red Hat YAML's ("YAML")
   * are not counted.
   */
  diagnostics(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    if (this._state !== "running") return [];
    return vscode.languages.getDiagnostics(uri).filter((d) => d.source === DIAGNOSTIC_SOURCE);
  }

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
  }
}
