// The shapes exchanged with the gwk language server and with the graph webview.
// Pure types and guards: imported by the extension, the webview bundle and the tests.

/** The `source` gwk-lsp gives its diagnostics. */
export const DIAGNOSTIC_SOURCE = "gwk";

/** The custom request that returns a workflow's job graph. */
export const GRAPH_REQUEST = "gwk/graph";

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** How one job's output feeds another job's input. */
export interface IoLink {
  output: string;
  input: string;
  /** `volume`, `string` or `dataset`; null when the output declares none. */
  type?: string | null;
}

export interface GraphNode {
  /** The job's name (the server sends it as `name`; `id` is accepted too). */
  id: string;
  action?: string | null;
  instance_type?: string | null;
  gpus?: number | null;
  gpu?: boolean;
  stage?: number | null;
  /** Where the job's name is written, to jump there on click. */
  range?: Range | null;
  errors?: number;
  warnings?: number;
}

export interface GraphEdge {
  /** The job that must finish first. */
  from: string;
  /** The job that needs it. */
  to: string;
  io?: IoLink[];
  /**
   * false when `to` reads `from`'s outputs without listing it in `needs`
   * (the `missing-needs` error): drawn as the mistake it is.
   */
  declared?: boolean;
}

/** The `gwk/graph` response. */
export interface GraphResponse {
  version: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Each cycle as the list of jobs along it. */
  cycles?: string[][];
  /**
   * The text does not parse right now: this is the graph of the last
   * version that did.
   */
  stale?: boolean;
}

/** Messages from the extension to the webview. */
export type ToWebview =
  | { type: "graph"; file: string; graph: GraphResponse }
  | { type: "error"; file: string; message: string }
  | { type: "empty"; message: string };

/** Messages from the webview to the extension. */
export type FromWebview = { type: "ready" } | { type: "reveal"; id: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Checks a server answer and brings it to the shape the webview draws
 * (a node's name in `id`), so that a mismatched server gives a clear message
 * instead of a blank panel. Returns the graph, or the reason it is not one.
 */
export function normalizeGraph(v: unknown): GraphResponse | string {
  if (!isObject(v)) {
    return "the answer is not an object";
  }
  if (!Array.isArray(v.nodes)) {
    return "the answer has no `nodes` list";
  }
  if (!Array.isArray(v.edges)) {
    return "the answer has no `edges` list";
  }
  const nodes: GraphNode[] = [];
  for (const [i, n] of v.nodes.entries()) {
    const id = isObject(n) ? (typeof n.id === "string" ? n.id : n.name) : undefined;
    if (!isObject(n) || typeof id !== "string") {
      return `node ${i} has no string \`name\``;
    }
    nodes.push({ ...(n as Partial<GraphNode>), id });
  }
  for (const [i, e] of v.edges.entries()) {
    if (!isObject(e) || typeof e.from !== "string" || typeof e.to !== "string") {
      return `edge ${i} needs string \`from\` and \`to\``;
    }
  }
  if (v.cycles !== undefined && v.cycles !== null && !Array.isArray(v.cycles)) {
    return "`cycles` is not a list";
  }
  return {
    version: typeof v.version === "number" ? v.version : 1,
    nodes,
    edges: v.edges as GraphEdge[],
    cycles: Array.isArray(v.cycles) ? (v.cycles as string[][]) : [],
    stale: v.stale === true,
  };
}

export function isFromWebview(v: unknown): v is FromWebview {
  if (!isObject(v)) {
    return false;
  }
  return v.type === "ready" || (v.type === "reveal" && typeof v.id === "string");
}
