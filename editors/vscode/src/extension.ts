// The gwk extension: starts gwk-lsp for Gradient workflow files (and only for
// them), and adds the graph view, Plan, Run, Restart, a code lens over
// `jobs:` and a status bar item.

import { spawn } from "node:child_process";
import * as path from "node:path";
import * as vscode from "vscode";
import { displayCommand, planInvocation, runInvocation } from "./cli";
import { filePatterns, findJobsKey, isGlobal } from "./files";
import { GraphPanel } from "./graphPanel";
import { Server, bundledServerPath, documentSelector, findExecutable, isWorkflow } from "./server";
import { statusView } from "./status";

let server: Server | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("gwk", { log: true });
  const planOutput = vscode.window.createOutputChannel("gwk plan");
  const srv = new Server(log, bundledServerPath(context.extensionPath));
  server = srv;
  context.subscriptions.push(log, planOutput, srv);

  // Start only when a workflow file is open: other YAML files never start
  // (or need) gwk-lsp.
  const startIfWorkflow = (doc: vscode.TextDocument): void => {
    if (isWorkflow(doc)) void srv.ensureStarted();
  };
  vscode.workspace.textDocuments.forEach(startIfWorkflow);
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(startIfWorkflow));

  // --- status bar -----------------------------------------------------------
  const status = vscode.window.createStatusBarItem("gwk.status", vscode.StatusBarAlignment.Left, 10);
  status.name = "gwk";
  status.command = "gwk.showActions";
  const updateStatus = (): void => {
    const editor = vscode.window.activeTextEditor;
    const active = editor !== undefined && isWorkflow(editor.document);
    void vscode.commands.executeCommand("setContext", "gwk.workflowActive", active);
    if (!active) {
      status.hide();
      return;
    }
    let counts: { errors: number; warnings: number } | undefined;
    if (srv.state === "running") {
      counts = { errors: 0, warnings: 0 };
      for (const d of srv.diagnostics(editor.document.uri)) {
        if (d.severity === vscode.DiagnosticSeverity.Error) counts.errors++;
        else if (d.severity === vscode.DiagnosticSeverity.Warning) counts.warnings++;
      }
    }
    const view = statusView(srv.state, counts, srv.info);
    status.text = view.text;
    status.tooltip = view.tooltip;
    status.backgroundColor =
      view.tone === "error"
        ? new vscode.ThemeColor("statusBarItem.errorBackground")
        : view.tone === "warning"
          ? new vscode.ThemeColor("statusBarItem.warningBackground")
          : undefined;
    status.show();
  };
  context.subscriptions.push(
    status,
    vscode.window.onDidChangeActiveTextEditor(updateStatus),
    vscode.languages.onDidChangeDiagnostics(updateStatus),
    srv.onDidChangeState(updateStatus),
  );
  updateStatus();

  // --- code lens over `jobs:` ---------------------------------------------
  const lensChanged = new vscode.EventEmitter<void>();
  const lenses: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: lensChanged.event,
    provideCodeLenses(doc) {
      if (!vscode.workspace.getConfiguration("gwk", doc).get<boolean>("codeLens.enable", true)) return [];
      const key = findJobsKey(doc.getText());
      if (!key) return [];
      const range = new vscode.Range(key.line, key.character, key.line, key.character + key.length);
      return [
        new vscode.CodeLens(range, { title: "$(type-hierarchy) Show Workflow Graph", command: "gwk.showGraph", arguments: [doc.uri] }),
        new vscode.CodeLens(range, { title: "Plan", command: "gwk.plan", arguments: [doc.uri] }),
        new vscode.CodeLens(range, { title: "Run", command: "gwk.run", arguments: [doc.uri] }),
      ];
    },
  };
  let lensRegistration = vscode.languages.registerCodeLensProvider(documentSelector(), lenses);
  context.subscriptions.push(lensChanged, { dispose: () => { lensRegistration.dispose(); } });

  // --- commands -------------------------------------------------------------
  /** The workflow a command acts on: the one it was given, else the active editor's. */
  const targetDocument = async (arg: unknown): Promise<vscode.TextDocument | undefined> => {
    if (arg instanceof vscode.Uri) return vscode.workspace.openTextDocument(arg);
    const doc = vscode.window.activeTextEditor?.document;
    if (doc && isWorkflow(doc)) return doc;
    void vscode.window.showWarningMessage(
      "gwk: open a Gradient workflow file first (a YAML file under .gradient/workflows/, or one matching the gwk.files setting).",
    );
    return undefined;
  };

  const planCommand = async (arg: unknown): Promise<void> => {
    const doc = await targetDocument(arg);
    if (!doc) return;
    if (doc.isDirty) await doc.save();
    const gwk = findExecutable("gwk", "cli.path", log)?.path;
    if (!gwk) return;
    const inv = planInvocation(gwk, doc.uri.fsPath, vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath);
    planOutput.clear();
    planOutput.show(true);
    planOutput.appendLine(`$ ${displayCommand(inv)}`);
    const child = spawn(inv.command, inv.args, { cwd: inv.cwd, env: { ...process.env, NO_COLOR: "1" } });
    child.stdout.on("data", (b: Buffer) => planOutput.append(b.toString()));
    child.stderr.on("data", (b: Buffer) => planOutput.append(b.toString()));
    child.on("error", (err) => planOutput.appendLine(`gwk: could not start ${inv.command}: ${err.message}`));
    child.on("close", (code) => planOutput.appendLine(code === 0 ? "" : `\n[gwk plan exited with code ${String(code)}]`));
  };

  const runCommand = async (arg: unknown): Promise<void> => {
    const doc = await targetDocument(arg);
    if (!doc) return;
    if (doc.isDirty) await doc.save();
    const gwk = findExecutable("gwk", "cli.path", log)?.path;
    if (!gwk) return;
    const extra = vscode.workspace.getConfiguration("gwk", doc).get<string[]>("run.args") ?? [];
    const inv = runInvocation(gwk, doc.uri.fsPath, vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath, extra);
    // The terminal runs gwk itself (no shell), so no quoting can go wrong;
    // it stays open with the exit status when the run ends.
    const terminal = vscode.window.createTerminal({
      name: `gwk run: ${path.basename(doc.uri.fsPath)}`,
      shellPath: inv.command,
      shellArgs: inv.args,
      cwd: inv.cwd,
      iconPath: new vscode.ThemeIcon("play"),
    });
    terminal.show();
  };

  const showActions = async (): Promise<void> => {
    const items: (vscode.QuickPickItem & { command: string })[] = [
      { label: "$(type-hierarchy) Show Workflow Graph", command: "gwk.showGraph" },
      { label: "$(list-ordered) Plan Workflow", command: "gwk.plan" },
      { label: "$(play) Run Workflow", command: "gwk.run" },
      { label: "$(debug-restart) Restart Server", command: "gwk.restartServer" },
      { label: "$(output) Show Server Log", command: "gwk.showLog" },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `gwk — server ${srv.state}` });
    if (pick) await vscode.commands.executeCommand(pick.command);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand("gwk.showGraph", async (arg: unknown) => {
      const doc = await targetDocument(arg);
      if (!doc) return;
      void srv.ensureStarted();
      GraphPanel.show(context, srv, doc);
    }),
    vscode.commands.registerCommand("gwk.plan", planCommand),
    vscode.commands.registerCommand("gwk.run", runCommand),
    vscode.commands.registerCommand("gwk.restartServer", () => srv.restart()),
    vscode.commands.registerCommand("gwk.showLog", () => log.show()),
    vscode.commands.registerCommand("gwk.showActions", showActions),
  );

  // --- settings -------------------------------------------------------------
  // The selector and the executable are fixed when the client starts; the
  // selector depends on gwk.files and, for relative globs, on the folders.
  const restart = async (): Promise<void> => {
    await srv.stop();
    vscode.workspace.textDocuments.forEach(startIfWorkflow);
  };
  const selectorChanged = (): void => {
    lensRegistration.dispose();
    lensRegistration = vscode.languages.registerCodeLensProvider(documentSelector(), lenses);
  };
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("gwk.files")) {
        const { ignored } = filePatterns(vscode.workspace.getConfiguration("gwk").get<unknown>("files"));
        if (ignored.length > 0) {
          void vscode.window.showWarningMessage(`gwk.files: ignored ${ignored.length} entr${ignored.length === 1 ? "y" : "ies"} that are not glob strings.`);
        }
        selectorChanged();
      }
      if (e.affectsConfiguration("gwk.codeLens.enable")) lensChanged.fire();
      if (e.affectsConfiguration("gwk.files") || e.affectsConfiguration("gwk.server.path") || e.affectsConfiguration("gwk.server.args")) {
        await restart();
      }
      updateStatus();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(async () => {
      const { patterns } = filePatterns(vscode.workspace.getConfiguration("gwk").get<unknown>("files"));
      if (patterns.every(isGlobal)) return;
      selectorChanged();
      await restart();
      updateStatus();
    }),
  );
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
