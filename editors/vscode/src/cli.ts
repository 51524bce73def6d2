// How the Plan and Run commands call the gwk CLI. Pure.

import * as path from "node:path";

export interface Invocation {
  command: string;
  args: string[];
  /** The workspace folder holding the file, else the file's directory. */
  cwd: string;
}

function cwdFor(file: string, workspaceFolder: string | undefined): string {
  return workspaceFolder ?? path.dirname(file);
}

/** `gwk plan FILE` */
export function planInvocation(gwk: string, file: string, workspaceFolder: string | undefined): Invocation {
  return { command: gwk, args: ["plan", file], cwd: cwdFor(file, workspaceFolder) };
}

/** `gwk run FILE`, plus any extra arguments from the `gwk.run.args` setting. */
export function runInvocation(gwk: string, file: string, workspaceFolder: string | undefined, extra: readonly string[]): Invocation {
  return { command: gwk, args: ["run", ...extra, file], cwd: cwdFor(file, workspaceFolder) };
}

/** A command line to show to the user (POSIX-shell quoting). */
export function displayCommand(inv: Invocation): string {
  const quote = (s: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
  return [inv.command, ...inv.args].map(quote).join(" ");
}
