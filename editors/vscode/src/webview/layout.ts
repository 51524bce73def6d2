// Places the jobs of a workflow graph left to right, one column per rank,
// with dagre (the layered-graph layout library) doing the placement and edge
// routing. This module adds what dagre does not know: node sizes from the
// text each job shows, edge labels from the io links, and which edges lie on
// a dependency cycle. Pure: runs in the webview and in the unit tests.

import * as dagre from "@dagrejs/dagre";
import type { GraphEdge, GraphNode, GraphResponse } from "../protocol";

export interface Point {
  x: number;
  y: number;
}

export interface NodeBox {
  node: GraphNode;
  /** Top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** The lines of text drawn in the box, first is the job name. */
  lines: string[];
}

export interface EdgePath {
  edge: GraphEdge;
  points: Point[];
  /** The io link names shown on the edge, or "" for a plain `needs`. */
  label: string;
  /** Where the label is centred, when there is one. */
  labelAt: Point | undefined;
  labelWidth: number;
  inCycle: boolean;
  /** `to` reads `from`'s outputs without listing it in `needs`. */
  undeclared: boolean;
}

export interface Layout {
  width: number;
  height: number;
  nodes: NodeBox[];
  edges: EdgePath[];
}

/** Text width in pixels, for a given font size. */
export type Measure = (text: string, fontSize: number) => number;

export const NAME_FONT = 13;
export const DETAIL_FONT = 11.5;
export const LABEL_FONT = 11;
const PAD_X = 12;
const LINE_H = 17;
const PAD_Y = 9;
const MIN_WIDTH = 140;
const MAX_LABEL = 28;
/** Room on the right of the name for the error/warning badges. */
const BADGE_ROOM = 44;

/** A width estimate for tests and for when no canvas is at hand. */
export const estimateWidth: Measure = (text, fontSize) => text.length * fontSize * 0.6;

/** The lines shown for a job: its name, its action, its machine. */
export function nodeLines(n: GraphNode): string[] {
  const lines = [n.id];
  if (n.action) {
    lines.push(n.action);
  }
  const machine: string[] = [];
  if (n.instance_type) {
    machine.push(n.instance_type);
  }
  if (isGpu(n)) {
    const count = n.gpus ?? 0;
    machine.push(count > 0 ? `GPU ×${count}` : "GPU");
  }
  if (machine.length > 0) {
    lines.push(machine.join(" · "));
  }
  return lines;
}

export function isGpu(n: GraphNode): boolean {
  return n.gpu === true || (n.gpus ?? 0) > 0;
}

/** The text on an edge: the outputs it carries (`out→in` when renamed). */
export function edgeLabel(e: GraphEdge): string {
  const parts = (e.io ?? []).map((l) => (l.output === l.input ? l.output : `${l.output}→${l.input}`));
  const text = parts.join(", ");
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
}

/** Edges that lie on a cycle, as `from\0to` keys, in either direction. */
export function cycleEdgeKeys(cycles: string[][] | undefined | null): Set<string> {
  const keys = new Set<string>();
  for (const cycle of cycles ?? []) {
    // A cycle may be given closed (A, B, A) or open (A, B): treat both alike.
    const path = cycle.length > 1 && cycle[0] === cycle[cycle.length - 1] ? cycle.slice(0, -1) : cycle;
    for (let i = 0; i < path.length; i++) {
      const a = path[i];
      const b = path[(i + 1) % path.length];
      if (a !== undefined && b !== undefined) {
        keys.add(`${a}\0${b}`);
        keys.add(`${b}\0${a}`);
      }
    }
  }
  return keys;
}

export function layoutGraph(graph: GraphResponse, measure: Measure = estimateWidth): Layout {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: "LR", nodesep: 28, ranksep: 70, edgesep: 14, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));

  const lines = new Map<string, string[]>();
  const known = new Map<string, GraphNode>();
  for (const n of graph.nodes) {
    if (known.has(n.id)) {
      continue; // a duplicate job name is reported by the server; draw it once
    }
    known.set(n.id, n);
    const ls = nodeLines(n);
    lines.set(n.id, ls);
    const textWidth = Math.max(
      measure(n.id, NAME_FONT) + BADGE_ROOM,
      ...ls.slice(1).map((l) => measure(l, DETAIL_FONT)),
    );
    g.setNode(n.id, {
      width: Math.ceil(Math.max(MIN_WIDTH, textWidth + 2 * PAD_X)),
      height: PAD_Y * 2 + ls.length * LINE_H,
    });
  }

  // One drawn edge per pair of jobs; io links of repeated pairs are merged.
  const merged = new Map<string, GraphEdge>();
  for (const e of graph.edges) {
    if (!known.has(e.from) || !known.has(e.to) || e.from === e.to) {
      continue; // the server reports such references as diagnostics
    }
    const key = `${e.from}\0${e.to}`;
    const prev = merged.get(key);
    merged.set(
      key,
      prev
        ? { ...prev, io: [...(prev.io ?? []), ...(e.io ?? [])], declared: prev.declared !== false || e.declared !== false }
        : e,
    );
  }
  for (const e of merged.values()) {
    const label = edgeLabel(e);
    const labelWidth = label ? Math.ceil(measure(label, LABEL_FONT)) + 8 : 0;
    g.setEdge(e.from, e.to, {
      width: labelWidth,
      height: label ? 16 : 0,
      labelpos: "c",
    });
  }

  dagre.layout(g);

  const nodes: NodeBox[] = [];
  for (const [id, n] of known) {
    const d = g.node(id) as { x: number; y: number; width: number; height: number };
    nodes.push({
      node: n,
      x: d.x - d.width / 2,
      y: d.y - d.height / 2,
      width: d.width,
      height: d.height,
      lines: lines.get(id) ?? [id],
    });
  }

  const inCycle = cycleEdgeKeys(graph.cycles);
  const edges: EdgePath[] = [];
  for (const [key, e] of merged) {
    const d = g.edge(e.from, e.to) as { points?: Point[]; x?: number; y?: number } | undefined;
    const label = edgeLabel(e);
    edges.push({
      edge: e,
      points: (d?.points ?? []).map((p) => ({ x: p.x, y: p.y })),
      label,
      labelAt: label && d?.x !== undefined && d.y !== undefined ? { x: d.x, y: d.y } : undefined,
      labelWidth: label ? Math.ceil(measure(label, LABEL_FONT)) + 8 : 0,
      inCycle: inCycle.has(key),
      undeclared: e.declared === false,
    });
  }

  const size = g.graph() as { width?: number; height?: number };
  return {
    width: Math.ceil(size.width ?? 0),
    height: Math.ceil(size.height ?? 0),
    nodes,
    edges,
  };
}

/**
 * An SVG path through the points dagre routed, smoothed into a curve that
 * still passes through every point (a Catmull-Rom spline as cubic Béziers),
 * so it starts and ends on the node borders and runs through the edge label.
 */
export function edgePathData(points: Point[]): string {
  const [first] = points;
  if (!first) {
    return "";
  }
  let d = `M${fmt(first.x)},${fmt(first.y)}`;
  for (let i = 0; i < points.length - 1; i++) {
    const p1 = points[i] as Point;
    const p0 = points[i - 1] ?? p1;
    const p2 = points[i + 1] as Point;
    const p3 = points[i + 2] ?? p2;
    const c1 = { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 };
    const c2 = { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 };
    d += ` C${fmt(c1.x)},${fmt(c1.y)} ${fmt(c2.x)},${fmt(c2.y)} ${fmt(p2.x)},${fmt(p2.y)}`;
  }
  return d;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Counts for the header line above the graph. */
export function summary(graph: GraphResponse): { jobs: number; gpuJobs: number; errors: number; warnings: number; stages: number } {
  let gpuJobs = 0;
  let errors = 0;
  let warnings = 0;
  const stages = new Set<number>();
  for (const n of graph.nodes) {
    if (isGpu(n)) {
      gpuJobs++;
    }
    errors += n.errors ?? 0;
    warnings += n.warnings ?? 0;
    if (typeof n.stage === "number") {
      stages.add(n.stage);
    }
  }
  return { jobs: graph.nodes.length, gpuJobs, errors, warnings, stages: stages.size };
}
