// VS Code's `languages.match`, reimplemented narrowly for the tests (VS Code
// itself cannot run here): the parts of vs/editor/common/languageSelector.ts
// that gwk's selectors use. A filter scores 0 unless its scheme, language
// and pattern all match. A string pattern is matched against the file's
// absolute path (which is why a bare `ci/*.yaml` matches nothing); a
// relative pattern against the path below its base, and only inside it.
// Globs are matched with minimatch (dotfiles included, as VS Code's glob
// does): close enough to VS Code's glob for `*`, `**` and `{a,b}`.

import { relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { minimatch } from "minimatch";

export interface Doc {
  uri: { fsPath: string; scheme: string };
  languageId: string;
}

/** A relative pattern as vscode.RelativePattern holds it. */
export interface Relative {
  baseUri: { fsPath: string };
  pattern: string;
}

export interface Filter {
  language?: string;
  scheme?: string;
  pattern?: string | Relative;
}

const glob = (pattern: string, path: string): boolean => minimatch(path.split(sep).join("/"), pattern, { dot: true });

export function patternMatches(pattern: string | Relative, fsPath: string): boolean {
  if (typeof pattern === "string") return pattern === fsPath || glob(pattern, fsPath);
  const rel = relative(pattern.baseUri.fsPath, fsPath);
  if (rel === "" || rel.startsWith("..")) return false;
  return glob(pattern.pattern, rel);
}

/** 10 when a filter matches the document (VS Code's score for an exact match), else 0. */
export function score(selector: Filter | Filter[], doc: Doc): number {
  const filters = Array.isArray(selector) ? selector : [selector];
  const one = (f: Filter): boolean =>
    (f.scheme === undefined || f.scheme === doc.uri.scheme) &&
    (f.language === undefined || f.language === doc.languageId) &&
    (f.pattern === undefined || patternMatches(f.pattern, doc.uri.fsPath));
  return filters.some(one) ? 10 : 0;
}

/** The stand-in's vscode.RelativePattern: `base` a folder, a Uri or a path. */
export class RelativePattern implements Relative {
  readonly baseUri: { fsPath: string };
  constructor(
    base: string | { fsPath: string } | { uri: { fsPath: string } },
    readonly pattern: string,
  ) {
    this.baseUri = typeof base === "string" ? { fsPath: base } : "uri" in base ? base.uri : base;
  }
  get base(): string {
    return this.baseUri.fsPath;
  }
}

/** The stand-in's vscode.Uri.parse, for the file URIs gwk makes. */
export function parseFileUri(uri: string): { fsPath: string; scheme: string; toString: () => string } {
  return { fsPath: fileURLToPath(uri), scheme: "file", toString: () => uri };
}
