// Which files are gwk's, and where their `jobs:` key is. Pure.

/** Workflow files where Gradient looks for them, at any depth of the workspace. */
export const DEFAULT_PATTERN = "**/.gradient/workflows/**/*.{yaml,yml}";

/**
 * The glob patterns whose YAML files gwk handles: the default one plus the
 * `gwk.files` setting (a list of globs; a single string is accepted too).
 * Returns the patterns and the entries that were ignored, to tell the user.
 */
export function filePatterns(setting: unknown): { patterns: string[]; ignored: unknown[] } {
  const patterns = [DEFAULT_PATTERN];
  const ignored: unknown[] = [];
  const entries = typeof setting === "string" ? [setting] : Array.isArray(setting) ? setting : [];
  if (setting !== undefined && setting !== null && typeof setting !== "string" && !Array.isArray(setting)) {
    ignored.push(setting);
  }
  for (const e of entries) {
    if (typeof e === "string" && e.trim() !== "") {
      const p = e.trim();
      if (!patterns.includes(p)) patterns.push(p);
    } else {
      ignored.push(e);
    }
  }
  return { patterns, ignored };
}

/**
 * A glob as VS Code must be given it. VS Code matches a plain-string glob
 * against the file's absolute path, so `ci/*.gradient.yaml` alone would
 * never match anything: a relative glob is scoped to each workspace folder
 * (`base`, the folder's URI) instead, as a RelativePattern. A glob that
 * already matches anywhere (`**` first) or is absolute stays a plain string.
 */
export interface ScopedPattern {
  pattern: string;
  /** The URI of the workspace folder the pattern is relative to. */
  base?: string;
}

/** Whether VS Code can use `pattern` as a plain string (it matches absolute paths). */
export function isGlobal(pattern: string): boolean {
  return pattern.startsWith("**") || pattern.startsWith("/") || pattern.startsWith("\\") || /^[A-Za-z]:[\\/]/.test(pattern);
}

/**
 * The patterns scoped to the workspace folders (their URIs). A relative glob
 * with no folder open has nothing to be relative to: it then matches at any
 * depth (as if it began with a globstar), the nearest meaning a lone file
 * can have. A leading `./` is dropped: VS Code's relative globs have none.
 */
export function scopedPatterns(patterns: string[], folders: string[]): ScopedPattern[] {
  const out: ScopedPattern[] = [];
  for (const pattern of patterns) {
    const relative = pattern.replace(/^\.\//, "");
    if (isGlobal(pattern)) out.push({ pattern });
    else if (folders.length === 0) out.push({ pattern: `**/${relative}` });
    else for (const base of folders) out.push({ pattern: relative, base });
  }
  return out;
}

/**
 * A scoped pattern as a document filter in the language server protocol's
 * form, which is what vscode-languageclient takes and converts itself. It
 * knows a relative pattern only by a `baseUri` string: given a
 * vscode.RelativePattern it would drop the pattern and match every YAML file.
 */
export function protocolFilter({ pattern, base }: ScopedPattern): {
  language: "yaml";
  scheme: "file";
  pattern: string | { baseUri: string; pattern: string };
} {
  return { language: "yaml", scheme: "file", pattern: base === undefined ? pattern : { baseUri: base, pattern } };
}

export interface KeyPosition {
  line: number;
  character: number;
  length: number;
}

/** The top-level `jobs:` key (plain or quoted), where the code lens goes. */
export function findJobsKey(text: string): KeyPosition | undefined {
  const lines = text.split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    const m = /^(jobs|"jobs"|'jobs')\s*:(\s|$)/.exec(line);
    if (m && m[1]) {
      return { line: i, character: 0, length: m[1].length };
    }
  }
  return undefined;
}

export interface LineRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * The lines each job's block spans, from its name to the line before the
 * next line that is indented no deeper than the name (blank and comment
 * lines do not end a block). `names` maps job names to the position of their
 * key. Used to count diagnostics per job when the server does not.
 */
export function jobBlocks(text: string, names: Map<string, { line: number; character: number }>): Map<string, LineRange> {
  const lines = text.split(/\r?\n/);
  const out = new Map<string, LineRange>();
  for (const [name, pos] of names) {
    let end = pos.line;
    for (let i = pos.line + 1; i < lines.length; i++) {
      const line = lines[i] ?? "";
      const trimmed = line.trimStart();
      if (trimmed === "" || trimmed.startsWith("#")) continue;
      if (line.length - trimmed.length <= pos.character) break;
      end = i;
    }
    out.set(name, { start: pos.line, end });
  }
  return out;
}

/** Errors and warnings per job, from diagnostics that start inside its block. */
export function countPerJob(
  blocks: Map<string, LineRange>,
  diagnostics: { line: number; severity: "error" | "warning" | "other" }[],
): Map<string, { errors: number; warnings: number }> {
  const out = new Map<string, { errors: number; warnings: number }>();
  for (const [name, b] of blocks) {
    const c = { errors: 0, warnings: 0 };
    for (const d of diagnostics) {
      if (d.line < b.start || d.line > b.end) continue;
      if (d.severity === "error") c.errors++;
      else if (d.severity === "warning") c.warnings++;
    }
    out.set(name, c);
  }
  return out;
}
