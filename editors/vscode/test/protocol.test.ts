import assert from "node:assert/strict";
import { test } from "node:test";
import { isFromWebview, normalizeGraph } from "../src/protocol";

test("the server's `name` becomes the node id; `id` is accepted too", () => {
  const g = normalizeGraph({ version: 1, nodes: [{ name: "A", gpus: 0 }, { id: "B" }], edges: [{ from: "A", to: "B", io: [], declared: true }], cycles: [] });
  assert.ok(typeof g !== "string");
  assert.deepEqual(
    g.nodes.map((n) => n.id),
    ["A", "B"],
  );
  assert.equal(g.edges.length, 1);
});

test("malformed answers give a reason, not a blank panel", () => {
  assert.equal(normalizeGraph(null), "the answer is not an object");
  assert.equal(normalizeGraph({ nodes: [] }), "the answer has no `edges` list");
  assert.equal(normalizeGraph({ edges: [] }), "the answer has no `nodes` list");
  assert.equal(normalizeGraph({ nodes: [{ gpus: 1 }], edges: [] }), "node 0 has no string `name`");
  assert.equal(normalizeGraph({ nodes: [], edges: [{ from: "A" }] }), "edge 0 needs string `from` and `to`");
  assert.equal(normalizeGraph({ nodes: [], edges: [], cycles: "no" }), "`cycles` is not a list");
});

test("missing version and cycles get defaults", () => {
  const g = normalizeGraph({ nodes: [], edges: [] });
  assert.ok(typeof g !== "string");
  assert.equal(g.version, 1);
  assert.deepEqual(g.cycles, []);
  assert.equal(g.stale, false);
});

test("a stale graph (the text does not parse) says so", () => {
  const g = normalizeGraph({ nodes: [], edges: [], stale: true });
  assert.ok(typeof g !== "string");
  assert.equal(g.stale, true);
});

test("webview messages are checked before use", () => {
  assert.ok(isFromWebview({ type: "ready" }));
  assert.ok(isFromWebview({ type: "reveal", id: "Train" }));
  assert.ok(!isFromWebview({ type: "reveal" }));
  assert.ok(!isFromWebview({ type: "run", id: "x" }));
  assert.ok(!isFromWebview("ready"));
});
