import assert from "node:assert/strict";
import { test } from "node:test";
import { statusView } from "../src/status";

test("running with problems shows the counts and the worst tone", () => {
  const v = statusView("running", { errors: 2, warnings: 1 });
  assert.equal(v.text, "$(error) 2 $(warning) 1");
  assert.equal(v.tone, "error");
  assert.match(v.tooltip, /2 errors, 1 warning\b/);
  assert.equal(statusView("running", { errors: 0, warnings: 3 }).tone, "warning");
});

test("a clean file shows a check", () => {
  const v = statusView("running", { errors: 0, warnings: 0 });
  assert.equal(v.text, "$(check) gwk");
  assert.equal(v.tone, "normal");
  assert.match(v.tooltip, /0 errors, 0 warnings/);
});

test("each server state has its own text", () => {
  const texts = (["starting", "stopped", "not-found", "failed"] as const).map((s) => statusView(s, undefined).text);
  assert.equal(new Set(texts).size, 4);
  assert.equal(statusView("not-found", undefined).tone, "error");
  assert.match(statusView("starting", undefined).text, /sync~spin/);
});
