// "gwk: Show Workflow Graph": a webview beside the editor that draws the
// `gwk/graph` answer for the workflow being edited, redraws as the user types,
// and follows the active workflow editor.

import * as crypto from "node:crypto";
import * as path from "node:path";
import * as vscode from "vscode";
import { countPerJob, jobBlocks } from "./files";
import { graphHtml } from "./graphHtml";
import { GRAPH_REQUEST, isFromWebview, normalizeGraph, type GraphResponse, type ToWebview } from "./protocol";
import { isWorkflow, type Server } from "./server";

/** Redraw this long after the last keystroke. */
const TYPING_DELAY_MS = 250;

export class GraphPanel implements vscode.Disposable {
  private static current: GraphPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private uri: vscode.Uri;
  private graph: GraphResponse | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Answers to older requests are dropped when a newer one was sent. */
  private generation = 0;
  private ready = false;
  private disposed = false;

  static show(context: vscode.ExtensionContext, server: Server, doc: vscode.TextDocument): void {
    if (GraphPanel.current) {
      GraphPanel.current.follow(doc);
      GraphPanel.current.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel("gwk.graph", "Workflow Graph", { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, "media"), vscode.Uri.joinPath(context.extensionUri, "dist")],
    });
    GraphPanel.current = new GraphPanel(context, server, panel, doc);
  }

  private constructor(
    context: vscode.ExtensionContext,
    private readonly server: Server,
    private readonly panel: vscode.WebviewPanel,
    doc: vscode.TextDocument,
  ) {
    this.uri = doc.uri;
    const webview = panel.webview;
    webview.html = graphHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, "dist", "webview.js")).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, "media", "graph.css")).toString(),
      nonce: crypto.randomBytes(18).toString("base64url"),
    });
    this.setTitle();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      panel.onDidChangeViewState(() => {
        if (panel.visible) this.schedule(0);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.uri.toString()) this.schedule(TYPING_DELAY_MS);
      }),
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && isWorkflow(e.document) && e.document.uri.toString() !== this.uri.toString()) this.follow(e.document);
      }),
      // Diagnostics arrive after the text: redraw the error marks then.
      vscode.languages.onDidChangeDiagnostics((e) => {
        if (e.uris.some((u) => u.toString() === this.uri.toString())) this.schedule(TYPING_DELAY_MS);
      }),
      server.onDidChangeState(() => this.schedule(0)),
    );
  }

  private follow(doc: vscode.TextDocument): void {
    this.uri = doc.uri;
    this.graph = undefined;
    this.setTitle();
    this.schedule(0);
  }

  private setTitle(): void {
    this.panel.title = `Graph: ${path.basename(this.uri.fsPath)}`;
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  private post(msg: ToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(msg);
  }

  private async refresh(): Promise<void> {
    if (!this.ready || !this.panel.visible) return;
    const file = vscode.workspace.asRelativePath(this.uri);
    const client = this.server.languageClient;
    if (!client) {
      const why =
        this.server.state === "not-found"
          ? "gwk-lsp was not found: install it or set gwk.server.path (see the notification or the gwk output)."
          : this.server.state === "starting"
            ? "Starting the gwk language server…"
            : "The gwk language server is not running. Run “gwk: Restart Server”.";
      this.post({ type: "empty", message: why });
      if (this.server.state === "stopped") void this.server.ensureStarted();
      return;
    }
    const generation = ++this.generation;
    let answer: unknown;
    try {
      answer = await client.sendRequest(GRAPH_REQUEST, { textDocument: { uri: client.code2ProtocolConverter.asUri(this.uri) } });
    } catch (err) {
      if (generation !== this.generation) return;
      const text = err instanceof Error ? err.message : String(err);
      this.server.log.warn(`${GRAPH_REQUEST} failed: ${text}`);
      this.post({
        type: "error",
        file,
        message: /unhandled method|method not found/i.test(text)
          ? `This gwk-lsp does not answer ${GRAPH_REQUEST}: update it.`
          : `The graph could not be made: ${text}`,
      });
      return;
    }
    if (generation !== this.generation) return;
    const graph = normalizeGraph(answer);
    if (typeof graph === "string") {
      this.server.log.warn(`unexpected ${GRAPH_REQUEST} answer: ${graph}`);
      this.post({ type: "error", file, message: `gwk-lsp sent a graph this extension cannot read (${graph}): update both.` });
      return;
    }
    this.graph = this.withCounts(graph);
    this.post({ type: "graph", file, graph: this.graph });
  }

  /**
   * Older servers send no per-job counts: count the client's diagnostics
   * that start inside each job's block instead.
   */
  private withCounts(graph: GraphResponse): GraphResponse {
    if (graph.nodes.every((n) => n.errors !== undefined)) return graph;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.uri.toString());
    if (!doc) return graph;
    const names = new Map<string, { line: number; character: number }>();
    for (const n of graph.nodes) {
      if (n.range) names.set(n.id, n.range.start);
    }
    const diagnostics = this.server.diagnostics(this.uri).map((d) => ({
      line: d.range.start.line,
      severity:
        d.severity === vscode.DiagnosticSeverity.Error ? ("error" as const) : d.severity === vscode.DiagnosticSeverity.Warning ? ("warning" as const) : ("other" as const),
    }));
    const counts = countPerJob(jobBlocks(doc.getText(), names), diagnostics);
    return {
      ...graph,
      nodes: graph.nodes.map((n) => ({ ...n, errors: n.errors ?? counts.get(n.id)?.errors ?? 0, warnings: n.warnings ?? counts.get(n.id)?.warnings ?? 0 })),
    };
  }

  private onMessage(m: unknown): void {
    if (!isFromWebview(m)) return;
    if (m.type === "ready") {
      this.ready = true;
      this.schedule(0);
    } else {
      void this.reveal(m.id);
    }
  }

  /** Puts the cursor on the job's name in the workflow's editor. */
  private async reveal(id: string): Promise<void> {
    const node = this.graph?.nodes.find((n) => n.id === id);
    const range = node?.range;
    if (!range) return;
    const doc = await vscode.workspace.openTextDocument(this.uri);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.uri.toString());
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false });
    const r = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
    editor.selection = new vscode.Selection(r.start, r.end);
    editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (GraphPanel.current === this) GraphPanel.current = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
