// The manifest (package.json) against the code and against the promises.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DEFAULT_PATTERN } from "../src/files";
import { patternMatches } from "./vscodeMatch";

const root = join(__dirname, "..", "..");
interface Manifest {
  main: string;
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category: string }[];
    configuration: { properties: Record<string, { default: unknown }> };
    yamlValidation: { fileMatch: string[]; url: string }[];
    languages?: unknown;
    grammars?: unknown;
  };
}
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Manifest;
const source = ["extension.ts", "server.ts", "graphPanel.ts"].map((f) => readFileSync(join(root, "src", f), "utf8")).join("\n");

test("the commands the issue names are contributed under the gwk category", () => {
  const titles = manifest.contributes.commands.map((c) => `${c.category}: ${c.title}`);
  for (const t of ["gwk: Show Workflow Graph", "gwk: Plan Workflow", "gwk: Run Workflow", "gwk: Restart Server"]) {
    assert.ok(titles.includes(t), t);
  }
});

test("every contributed command is registered, and every registered one contributed", () => {
  const registered = [...source.matchAll(/registerCommand\("([^"]+)"/g)].map((m) => m[1]).sort();
  const contributed = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(registered, contributed);
});

test("every setting the code reads is declared", () => {
  const declared = Object.keys(manifest.contributes.configuration.properties);
  const read = new Set<string>();
  for (const m of source.matchAll(/getConfiguration\("gwk"[^)]*\)\s*\.get<[^>]+>\("([^"]+)"/g)) read.add(`gwk.${String(m[1])}`);
  for (const m of source.matchAll(/findExecutable\("[^"]+", "([^"]+)"/g)) read.add(`gwk.${String(m[1])}`);
  assert.ok(read.size >= 5, [...read].join(", "));
  for (const key of read) assert.ok(declared.includes(key), `${key} is declared`);
  // Read by vscode-languageclient itself, for the client id "gwk".
  assert.ok(declared.includes("gwk.trace.server"));
});

test("YAML is left alone: no language or grammar of our own", () => {
  assert.equal(manifest.contributes.languages, undefined);
  assert.equal(manifest.contributes.grammars, undefined);
  assert.ok(manifest.activationEvents.includes("onLanguage:yaml"));
  assert.ok(manifest.activationEvents.some((e) => e.startsWith("workspaceContains:") && e.includes(".gradient/workflows")));
  assert.ok(!manifest.activationEvents.includes("*"));
});

test("the schema goes to the YAML extension for the same files the server handles", () => {
  const [entry] = manifest.contributes.yamlValidation;
  assert.ok(entry);
  assert.equal(entry.url, "./schema/gradient-workflow.schema.json");
  for (const glob of entry.fileMatch) assert.match(glob, /^\*\*\/\.gradient\/workflows\/(\*\*\/)?\*\.ya?ml$/);
  // The schema's globs and the server's pattern take the same files.
  const paths = [
    "/w/.gradient/workflows/a.yaml",
    "/w/.gradient/workflows/a.yml",
    "/w/x/.gradient/workflows/deep/er/a.yaml",
    "/w/.gradient/workflows/a.json",
    "/w/.gradient/a.yaml",
    "/w/workflows/a.yaml",
  ];
  for (const p of paths) {
    assert.equal(entry.fileMatch.some((g) => patternMatches(g, p)), patternMatches(DEFAULT_PATTERN, p), p);
  }
  assert.ok(paths.some((p) => patternMatches(DEFAULT_PATTERN, p)) && paths.some((p) => !patternMatches(DEFAULT_PATTERN, p)));
});

test("the entry point is the bundle that scripts/bundle.mjs writes", () => {
  const bundle = readFileSync(join(root, "scripts", "bundle.mjs"), "utf8");
  const entry = /entryPoints: \["src\/extension\.ts"\],\s*outfile: "([^"]+)"/.exec(bundle)?.[1];
  assert.ok(entry, "bundle.mjs bundles src/extension.ts");
  assert.equal(join(root, manifest.main), join(root, entry));
});
