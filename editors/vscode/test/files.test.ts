import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { RelativePattern as ProtocolRelativePattern, TextDocumentFilter } from "vscode-languageserver-protocol";
import { DEFAULT_PATTERN, countPerJob, filePatterns, findJobsKey, isGlobal, jobBlocks, protocolFilter, scopedPatterns, type ScopedPattern } from "../src/files";
import { RelativePattern, parseFileUri, patternMatches, score } from "./vscodeMatch";

test("gwk.files adds globs to the default; junk entries are reported", () => {
  assert.deepEqual(filePatterns(undefined), { patterns: [DEFAULT_PATTERN], ignored: [] });
  assert.deepEqual(filePatterns(["ci/*.gradient.yaml", " ", 3, DEFAULT_PATTERN]), {
    patterns: [DEFAULT_PATTERN, "ci/*.gradient.yaml"],
    ignored: [" ", 3],
  });
  assert.deepEqual(filePatterns("one/*.yml").patterns, [DEFAULT_PATTERN, "one/*.yml"]);
  assert.deepEqual(filePatterns({ a: 1 }).ignored, [{ a: 1 }]);
});

/** A scoped pattern as server.ts hands it to VS Code. */
const asVscode = ({ pattern, base }: ScopedPattern) => (base === undefined ? pattern : new RelativePattern(parseFileUri(base), pattern));

test("the default pattern takes workflows at any depth and no other YAML", () => {
  for (const p of ["/w/.gradient/workflows/train.yaml", "/w/a/b/.gradient/workflows/nested/x.yml"]) {
    assert.ok(patternMatches(DEFAULT_PATTERN, p), p);
  }
  for (const p of ["/w/docker-compose.yaml", "/w/.gradient/train.yaml", "/w/.gradient/workflows/notes.md", "/w/gradient/workflows/x.yaml"]) {
    assert.ok(!patternMatches(DEFAULT_PATTERN, p), p);
  }
});

test("relative gwk.files globs are scoped to each workspace folder; global ones stay strings", () => {
  const patterns = [DEFAULT_PATTERN, "ci/*.gradient.yaml", "./jobs/*.yml", "/abs/x.yaml"];
  assert.deepEqual(scopedPatterns(patterns, ["file:///w/one", "file:///w/two"]), [
    { pattern: DEFAULT_PATTERN },
    { pattern: "ci/*.gradient.yaml", base: "file:///w/one" },
    { pattern: "ci/*.gradient.yaml", base: "file:///w/two" },
    { pattern: "jobs/*.yml", base: "file:///w/one" },
    { pattern: "jobs/*.yml", base: "file:///w/two" },
    { pattern: "/abs/x.yaml" },
  ]);
  assert.deepEqual(scopedPatterns(["ci/*.yaml"], []), [{ pattern: "**/ci/*.yaml" }], "no folder: any depth");
  assert.ok(isGlobal("C:\\w\\x.yaml") && isGlobal("**/x.yaml") && !isGlobal("x/**/*.yaml"));
});

test("a relative gwk.files glob matches in VS Code once scoped, and only in its folder", () => {
  const file = "/w/one/ci/train.gradient.yaml";
  // The bug this guards against: VS Code matches a plain string against the
  // absolute path, so the setting as written matches nothing.
  assert.ok(!patternMatches("ci/*.gradient.yaml", file));
  const scoped = scopedPatterns(["ci/*.gradient.yaml"], ["file:///w/one", "file:///w/two"]).map(asVscode);
  const yaml = (fsPath: string) => ({ uri: { fsPath, scheme: "file" }, languageId: "yaml" });
  const selector = scoped.map((pattern) => ({ language: "yaml", scheme: "file", pattern }));
  assert.equal(score(selector, yaml(file)), 10);
  assert.equal(score(selector, yaml("/w/two/ci/eval.gradient.yaml")), 10);
  assert.equal(score(selector, yaml("/w/one/sub/ci/train.gradient.yaml")), 0, "relative to the folder root");
  assert.equal(score(selector, yaml("/elsewhere/ci/train.gradient.yaml")), 0, "outside the folders");
  assert.equal(score(selector, { ...yaml(file), languageId: "plaintext" }), 0, "YAML only");
});

test("the language client gets relative patterns in the protocol's form, with a URI string as base", () => {
  const [global, scoped] = scopedPatterns([DEFAULT_PATTERN, "ci/*.yaml"], ["file:///w/one"]).map(protocolFilter);
  assert.deepEqual(global, { language: "yaml", scheme: "file", pattern: DEFAULT_PATTERN });
  assert.ok(scoped && TextDocumentFilter.is(scoped) && ProtocolRelativePattern.is(scoped.pattern));
  assert.deepEqual(scoped.pattern, { baseUri: "file:///w/one", pattern: "ci/*.yaml" });
});

test("the top-level jobs key is found, plain or quoted; nested ones are not", () => {
  assert.deepEqual(findJobsKey("defaults:\n  jobs: 1\njobs:\n  A: {}\n"), { line: 2, character: 0, length: 4 });
  assert.deepEqual(findJobsKey('"jobs":\n'), { line: 0, character: 0, length: 6 });
  assert.deepEqual(findJobsKey("jobs: {A: {}}\r\n"), { line: 0, character: 0, length: 4 });
  assert.equal(findJobsKey("jobsx:\n  a: 1\n"), undefined);
  assert.equal(findJobsKey("# jobs:\n"), undefined);
});

const sample = readFileSync(join(__dirname, "..", "..", "test", "fixtures", "sample.yaml"), "utf8");

test("job blocks run from the name to the next job, comments and blanks included", () => {
  const names = new Map([
    ["CloneRepo", { line: 6, character: 2 }],
    ["FetchData", { line: 14, character: 2 }],
    ["Report", { line: 69, character: 2 }],
  ]);
  const blocks = jobBlocks(sample, names);
  assert.deepEqual(blocks.get("CloneRepo"), { start: 6, end: 12 });
  assert.deepEqual(blocks.get("FetchData"), { start: 14, end: 21 });
  assert.deepEqual(blocks.get("Report"), { start: 69, end: 77 });
});

test("diagnostics are counted against the job whose block they start in", () => {
  const blocks = new Map([
    ["A", { start: 2, end: 5 }],
    ["B", { start: 6, end: 9 }],
  ]);
  const counts = countPerJob(blocks, [
    { line: 1, severity: "error" },
    { line: 3, severity: "error" },
    { line: 5, severity: "warning" },
    { line: 6, severity: "other" },
    { line: 9, severity: "error" },
  ]);
  assert.deepEqual(counts.get("A"), { errors: 1, warnings: 1 });
  assert.deepEqual(counts.get("B"), { errors: 1, warnings: 0 });
});
