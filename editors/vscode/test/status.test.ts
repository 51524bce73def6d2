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

test("the tooltip names the server that runs, and where a missing one was looked for", () => {
  const running = statusView("running", { errors: 0, warnings: 0 }, { running: "bundled with the extension (/ext/server/gwk-lsp)", version: "0.1.0" });
  assert.match(running.tooltip, /^gwk: running gwk-lsp 0\.1\.0, bundled with the extension \(\/ext\/server\/gwk-lsp\)\. This file/);
  assert.match(statusView("running", undefined, { running: "found on PATH (/usr/bin/gwk-lsp)" }).tooltip, /running gwk-lsp, found on PATH/);
  const missing = statusView("not-found", undefined, { lookedFor: ["gwk.server.path (not set in this window)", "/usr/bin/gwk-lsp", "/ext/server/gwk-lsp"] });
  assert.equal(missing.text, "$(alert) gwk: no server");
  assert.match(missing.tooltip, /Looked for: gwk\.server\.path \(not set in this window\); \/usr\/bin\/gwk-lsp; \/ext\/server\/gwk-lsp\./);
});
