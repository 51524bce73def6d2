// Draws a laid-out graph as SVG. Every text goes in through textContent, so a
// job name can never become markup.

import type { GraphResponse } from "../protocol";
import {
  DETAIL_FONT,
  NAME_FONT,
  edgePathData,
  isGpu,
  layoutGraph,
  summary,
  type Layout,
  type Measure,
} from "./layout";

const SVG = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  parent?: Element,
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    el.setAttribute(k, String(v));
  }
  parent?.appendChild(el);
  return el;
}

/** Text widths from the page's own font, so boxes fit their text. */
export function canvasMeasure(fontFamily: string): Measure {
  const ctx = document.createElement("canvas").getContext("2d");
  if (!ctx) {
    return (text, size) => text.length * size * 0.6;
  }
  return (text, size) => {
    ctx.font = `${size === NAME_FONT ? "600 " : ""}${size}px ${fontFamily}`;
    return ctx.measureText(text).width;
  };
}

export interface RenderOptions {
  selected: string | undefined;
  onReveal: (id: string) => void;
}

/** Replaces the contents of `host` with the drawn graph; returns the layout. */
export function renderGraph(host: HTMLElement, graph: GraphResponse, measure: Measure, opts: RenderOptions): Layout {
  const layout = layoutGraph(graph, measure);
  const root = svg("svg", {
    width: layout.width,
    height: layout.height,
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    role: "img",
    "aria-label": `Workflow graph with ${layout.nodes.length} jobs`,
    class: "graph",
  });
  const defs = svg("defs", {}, root);
  for (const [id, cls] of [
    ["arrow", "arrow"],
    ["arrow-cycle", "arrow cycle"],
  ] as const) {
    const marker = svg(
      "marker",
      { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      defs,
    );
    svg("path", { d: "M0,0 L10,5 L0,10 z", class: cls }, marker);
  }

  const edgeLayer = svg("g", { class: "edges" }, root);
  for (const e of layout.edges) {
    const kind = e.inCycle ? " cycle" : e.undeclared ? " undeclared" : "";
    const g = svg("g", { class: `edge${kind}${e.label ? " io" : " needs"}` }, edgeLayer);
    g.dataset.from = e.edge.from;
    g.dataset.to = e.edge.to;
    const title = svg("title", {}, g);
    const what = e.undeclared
      ? `${e.edge.to} reads outputs of ${e.edge.from} without listing it in needs`
      : `${e.edge.to} needs ${e.edge.from}`;
    title.textContent = `${what}${e.inCycle ? " (dependency cycle)" : ""}${
      e.edge.io && e.edge.io.length > 0
        ? `\n${e.edge.io.map((l) => `${l.output} → ${l.input}${l.type ? ` (${l.type})` : ""}`).join("\n")}`
        : ""
    }`;
    svg("path", { d: edgePathData(e.points), "marker-end": `url(#${e.inCycle || e.undeclared ? "arrow-cycle" : "arrow"})` }, g);
    if (e.label && e.labelAt) {
      svg(
        "rect",
        { x: e.labelAt.x - e.labelWidth / 2, y: e.labelAt.y - 8, width: e.labelWidth, height: 16, rx: 3, class: "label-bg" },
        g,
      );
      const t = svg("text", { x: e.labelAt.x, y: e.labelAt.y + 4, "text-anchor": "middle", class: "label" }, g);
      t.textContent = e.label;
    }
  }

  const nodeLayer = svg("g", { class: "nodes" }, root);
  for (const box of layout.nodes) {
    const n = box.node;
    const errors = n.errors ?? 0;
    const warnings = n.warnings ?? 0;
    const classes = ["node"];
    if (isGpu(n)) classes.push("gpu");
    if (errors > 0) classes.push("error");
    else if (warnings > 0) classes.push("warning");
    if (opts.selected === n.id) classes.push("selected");
    const g = svg("g", { class: classes.join(" "), transform: `translate(${box.x},${box.y})`, tabindex: 0, role: "button" }, nodeLayer);
    g.dataset.id = n.id;
    g.setAttribute("aria-label", `${n.id}: ${box.lines.slice(1).join(", ")}${errors ? `, ${errors} errors` : ""}${warnings ? `, ${warnings} warnings` : ""}`);
    const title = svg("title", {}, g);
    title.textContent = [
      n.id,
      n.action ? `uses ${n.action}` : "",
      n.instance_type ? `instance type ${n.instance_type}` : "",
      typeof n.stage === "number" ? `stage ${n.stage}` : "",
      errors ? `${errors} error${errors > 1 ? "s" : ""}` : "",
      warnings ? `${warnings} warning${warnings > 1 ? "s" : ""}` : "",
      "click to go to the job",
    ]
      .filter(Boolean)
      .join("\n");
    svg("rect", { width: box.width, height: box.height, rx: 6, class: "box" }, g);
    if (isGpu(n)) {
      svg("rect", { width: 5, height: box.height, rx: 2, class: "gpu-bar" }, g);
    }
    box.lines.forEach((line, i) => {
      const t = svg(
        "text",
        { x: 12, y: 9 + 13 + i * 17, class: i === 0 ? "name" : i === 2 && isGpu(n) ? "detail machine" : "detail", "font-size": i === 0 ? NAME_FONT : DETAIL_FONT },
        g,
      );
      t.textContent = line;
    });
    // Badges in the top-right corner: errors first, then warnings.
    let right = box.width - 6;
    for (const [count, cls] of [
      [warnings, "badge warning"],
      [errors, "badge error"],
    ] as const) {
      if (count <= 0) continue;
      const text = String(count);
      const w = 8 + text.length * 7;
      right -= w;
      svg("rect", { x: right, y: 6, width: w, height: 16, rx: 8, class: cls }, g);
      const t = svg("text", { x: right + w / 2, y: 18, "text-anchor": "middle", class: "badge-count" }, g);
      t.textContent = text;
      right -= 4;
    }
    const reveal = (): void => opts.onReveal(n.id);
    g.addEventListener("click", reveal);
    g.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        reveal();
      }
    });
  }

  host.replaceChildren(root);
  return layout;
}

/** "5 jobs · 2 on GPU · 3 stages" */
export function summaryText(graph: GraphResponse): string {
  const s = summary(graph);
  const parts = [`${s.jobs} job${s.jobs === 1 ? "" : "s"}`];
  if (s.gpuJobs > 0) parts.push(`${s.gpuJobs} on GPU`);
  if (s.stages > 0) parts.push(`${s.stages} stage${s.stages === 1 ? "" : "s"}`);
  const cycles = graph.cycles?.length ?? 0;
  if (cycles > 0) parts.push(`${cycles} cycle${cycles === 1 ? "" : "s"}`);
  return parts.join(" · ");
}
