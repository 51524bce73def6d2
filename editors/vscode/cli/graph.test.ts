// The graph view's fixture against the gwk CLI (GWK=path): `gwk graph
// --format json` is built from the same gwk_spec::graph_view as the
// server's `gwk/graph`, so the jobs, machines, stages, name positions and
// edges of the sample must be the fixture's. (The server's answer, with its
// per-job counts, is checked by contract/server.test.ts.)

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { normalizeGraph, type GraphResponse } from "../src/protocol";

const fixtures = join(resolve(__dirname, "..", ".."), "test", "fixtures");

interface CliNode {
  name: string;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
}

test("gwk graph --format json agrees with the fixture", () => {
  const gwk = process.env.GWK;
  assert.ok(gwk, "set GWK to the gwk to test");
  const r = spawnSync(gwk, ["graph", "--format", "json", join(fixtures, "sample.yaml")], { encoding: "utf8" });
  // The sample has an error on purpose (Train reads CloneRepo without needing it): exit 1, graph printed.
  assert.equal(r.status, 1, r.stderr);
  const raw = JSON.parse(r.stdout) as { nodes: CliNode[] };
  // The CLI gives 1-based line/column; the server an LSP range (0-based).
  const withRanges = {
    ...raw,
    nodes: raw.nodes.map((n) => ({
      ...n,
      range: { start: { line: n.line - 1, character: n.column - 1 }, end: { line: n.end_line - 1, character: n.end_column - 1 } },
    })),
  };
  const got = normalizeGraph(withRanges);
  const want = normalizeGraph(JSON.parse(readFileSync(join(fixtures, "sample-graph.json"), "utf8")));
  assert.ok(typeof got !== "string" && typeof want !== "string");
  const pick = (g: GraphResponse): unknown => ({
    nodes: g.nodes.map((n) => [n.id, n.action, n.instance_type, n.gpus, n.gpu, n.stage, n.range]),
    edges: g.edges.map((e) => [e.from, e.to, e.declared, e.io]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    cycles: g.cycles,
  });
  assert.deepEqual(pick(got), pick(want));
});
