import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { normalizeGraph, type GraphResponse } from "../src/protocol";
import { cycleEdgeKeys, edgeLabel, edgePathData, layoutGraph, nodeLines, summary, type NodeBox } from "../src/webview/layout";

function sample(): GraphResponse {
  const raw: unknown = JSON.parse(readFileSync(join(__dirname, "..", "..", "test", "fixtures", "sample-graph.json"), "utf8"));
  const g = normalizeGraph(raw);
  assert.ok(typeof g !== "string", g as string);
  return g;
}

function overlap(a: NodeBox, b: NodeBox): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

test("every job gets a box, and no two boxes overlap", () => {
  const layout = layoutGraph(sample());
  assert.deepEqual(
    layout.nodes.map((n) => n.node.id),
    ["CloneRepo", "FetchData", "Tokenize", "Train", "Evaluate", "Report"],
  );
  for (const [i, a] of layout.nodes.entries()) {
    assert.ok(a.width > 0 && a.height > 0);
    assert.ok(a.x >= 0 && a.y >= 0 && a.x + a.width <= layout.width && a.y + a.height <= layout.height, `${a.node.id} inside the drawing`);
    for (const b of layout.nodes.slice(i + 1)) {
      assert.ok(!overlap(a, b), `${a.node.id} overlaps ${b.node.id}`);
    }
  }
});

test("a job is drawn to the right of every job it needs", () => {
  const layout = layoutGraph(sample());
  const byId = new Map(layout.nodes.map((n) => [n.node.id, n]));
  for (const e of layout.edges) {
    const from = byId.get(e.edge.from);
    const to = byId.get(e.edge.to);
    assert.ok(from && to);
    assert.ok(from.x + from.width <= to.x, `${e.edge.from} left of ${e.edge.to}`);
  }
});

function onBorder(p: { x: number; y: number }, b: NodeBox): boolean {
  const within = p.x >= b.x - 1 && p.x <= b.x + b.width + 1 && p.y >= b.y - 1 && p.y <= b.y + b.height + 1;
  const near = (a: number, c: number): boolean => Math.abs(a - c) < 1;
  return within && (near(p.x, b.x) || near(p.x, b.x + b.width) || near(p.y, b.y) || near(p.y, b.y + b.height));
}

test("edges run from the border of one box to the border of the other", () => {
  const layout = layoutGraph(sample());
  const byId = new Map(layout.nodes.map((n) => [n.node.id, n]));
  for (const e of layout.edges) {
    const first = e.points[0];
    const last = e.points[e.points.length - 1];
    assert.ok(first && last && e.points.length >= 2);
    const from = byId.get(e.edge.from) as NodeBox;
    const to = byId.get(e.edge.to) as NodeBox;
    assert.ok(onBorder(first, from), `${e.edge.from}→${e.edge.to} starts on ${e.edge.from}'s border`);
    assert.ok(onBorder(last, to), `${e.edge.from}→${e.edge.to} ends on ${e.edge.to}'s border`);
    assert.match(edgePathData(e.points), /^M[\d.]+,[\d.]+( C[\d., -]+)+$/);
  }
});

test("edges carry their io names, and undeclared reads are marked", () => {
  const layout = layoutGraph(sample());
  const e = layout.edges.find((x) => x.edge.from === "CloneRepo" && x.edge.to === "Train");
  assert.ok(e);
  assert.equal(e.undeclared, true);
  assert.equal(e.label, "repo");
  assert.ok(e.labelAt);
  const declared = layout.edges.filter((x) => !x.undeclared).length;
  assert.equal(declared, 6);
});

test("the edge curve passes through every routed point", () => {
  const d = edgePathData([
    { x: 0, y: 0 },
    { x: 10, y: 5 },
    { x: 20, y: 0 },
  ]);
  assert.equal(d, "M0,0 C1.7,0.8 6.7,5 10,5 C13.3,5 18.3,0.8 20,0");
  assert.equal(edgePathData([]), "");
});

test("box text: name, action, machine with the GPU count", () => {
  assert.deepEqual(nodeLines({ id: "Train", action: "script@v1", instance_type: "A100x2", gpus: 2, gpu: true }), [
    "Train",
    "script@v1",
    "A100x2 · GPU ×2",
  ]);
  assert.deepEqual(nodeLines({ id: "Bare" }), ["Bare"]);
  assert.deepEqual(nodeLines({ id: "X", gpu: true }), ["X", "GPU"]);
});

test("wider text makes wider boxes", () => {
  const g: GraphResponse = { version: 1, nodes: [{ id: "A" }, { id: "A".repeat(60) }], edges: [] };
  const [small, big] = layoutGraph(g).nodes;
  assert.ok(small && big && big.width > small.width);
});

test("edge labels name renamed inputs and are cut when long", () => {
  assert.equal(edgeLabel({ from: "a", to: "b", io: [{ output: "repo", input: "src", type: "volume" }] }), "repo→src");
  assert.equal(edgeLabel({ from: "a", to: "b" }), "");
  const long = edgeLabel({
    from: "a",
    to: "b",
    io: ["alpha", "beta", "gamma", "delta", "epsilon"].map((n) => ({ output: n, input: n, type: "volume" })),
  });
  assert.ok(long.length <= 28 && long.endsWith("…"), long);
});

test("cycles: closed or open paths mark both directions of each step", () => {
  const keys = cycleEdgeKeys([["A", "B", "C", "A"]]);
  for (const [a, b] of [
    ["A", "B"],
    ["B", "C"],
    ["C", "A"],
  ] as const) {
    assert.ok(keys.has(`${a}\0${b}`) && keys.has(`${b}\0${a}`));
  }
  assert.equal(keys.size, 6);
  assert.equal(cycleEdgeKeys([["A", "B"]]).size, 2);
  assert.equal(cycleEdgeKeys(undefined).size, 0);
});

test("a graph with a cycle still lays out, with the cycle's edges marked", () => {
  const g: GraphResponse = {
    version: 1,
    nodes: [{ id: "A" }, { id: "B" }, { id: "C" }, { id: "D" }],
    edges: [
      { from: "A", to: "B" },
      { from: "B", to: "C" },
      { from: "C", to: "B" },
      { from: "C", to: "D" },
    ],
    cycles: [["B", "C", "B"]],
  };
  const layout = layoutGraph(g);
  assert.equal(layout.nodes.length, 4);
  assert.deepEqual(
    layout.edges.filter((e) => e.inCycle).map((e) => `${e.edge.from}>${e.edge.to}`).sort(),
    ["B>C", "C>B"],
  );
  for (const e of layout.edges) assert.ok(e.points.length >= 2, `${e.edge.from}>${e.edge.to} is routed`);
});

test("edges to unknown jobs, self-edges and duplicate names are skipped, not drawn", () => {
  const g: GraphResponse = {
    version: 1,
    nodes: [{ id: "A" }, { id: "B" }, { id: "A" }],
    edges: [
      { from: "A", to: "B", io: [{ output: "x", input: "x", type: "string" }] },
      { from: "A", to: "B", io: [{ output: "y", input: "y", type: "string" }] },
      { from: "Ghost", to: "B" },
      { from: "A", to: "A" },
    ],
  };
  const layout = layoutGraph(g);
  assert.equal(layout.nodes.length, 2);
  assert.equal(layout.edges.length, 1);
  assert.equal(layout.edges[0]?.label, "x, y");
});

test("an empty workflow lays out to nothing", () => {
  const layout = layoutGraph({ version: 1, nodes: [], edges: [] });
  assert.equal(layout.nodes.length, 0);
  assert.equal(layout.edges.length, 0);
});

test("the layout is the same every time", () => {
  assert.deepEqual(layoutGraph(sample()), layoutGraph(sample()));
});

test("a wide workflow (200 jobs) lays out without overlaps", () => {
  const nodes = Array.from({ length: 200 }, (_, i) => ({ id: `J${i}` }));
  const edges = nodes.slice(1).map((n, i) => ({ from: `J${Math.floor(i / 3)}`, to: n.id }));
  const layout = layoutGraph({ version: 1, nodes, edges });
  const sorted = [...layout.nodes].sort((a, b) => a.x - b.x || a.y - b.y);
  for (const [i, a] of sorted.entries()) {
    for (const b of sorted.slice(i + 1, i + 40)) assert.ok(!overlap(a, b), `${a.node.id} overlaps ${b.node.id}`);
  }
});

test("summary counts jobs, GPU jobs and stages", () => {
  assert.deepEqual(summary(sample()), { jobs: 6, gpuJobs: 2, errors: 1, warnings: 1, stages: 5 });
});
