import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DEFAULT_PATTERN, countPerJob, filePatterns, findJobsKey, jobBlocks } from "../src/files";

test("gwk.files adds globs to the default; junk entries are reported", () => {
  assert.deepEqual(filePatterns(undefined), { patterns: [DEFAULT_PATTERN], ignored: [] });
  assert.deepEqual(filePatterns(["ci/*.gradient.yaml", " ", 3, DEFAULT_PATTERN]), {
    patterns: [DEFAULT_PATTERN, "ci/*.gradient.yaml"],
    ignored: [" ", 3],
  });
  assert.deepEqual(filePatterns("one/*.yml").patterns, [DEFAULT_PATTERN, "one/*.yml"]);
  assert.deepEqual(filePatterns({ a: 1 }).ignored, [{ a: 1 }]);
});

test("the default pattern is about .gradient/workflows only", () => {
  assert.equal(DEFAULT_PATTERN, "**/.gradient/workflows/**/*.{yaml,yml}");
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
