// What the status bar item says. Pure.

export type ServerState = "starting" | "running" | "stopped" | "not-found" | "failed";

export interface Counts {
  errors: number;
  warnings: number;
}

export interface StatusView {
  text: string;
  tooltip: string;
  /** Which theme colour to use for the background. */
  tone: "normal" | "warning" | "error";
}

/** Which gwk-lsp runs, or where it was looked for: the tooltip says it. */
export interface ServerInfo {
  /** "bundled with the extension (/path)", "found on PATH (/usr/bin/gwk-lsp)", ... */
  running?: string;
  version?: string;
  /** When not found: the places looked at, in order. */
  lookedFor?: string[];
}

export function statusView(state: ServerState, counts: Counts | undefined, info: ServerInfo = {}): StatusView {
  const which = info.running ? `gwk-lsp${info.version ? ` ${info.version}` : ""}, ${info.running}` : "gwk-lsp";
  switch (state) {
    case "starting":
      return { text: "$(sync~spin) gwk", tooltip: "gwk: starting the language server…", tone: "normal" };
    case "stopped":
      return { text: "$(circle-slash) gwk", tooltip: "gwk: the language server is stopped. Click for actions.", tone: "warning" };
    case "not-found":
      return {
        text: "$(alert) gwk: no server",
        tooltip: `gwk: gwk-lsp was not found. Looked for: ${(info.lookedFor ?? []).join("; ") || "nothing"}. Click for actions.`,
        tone: "error",
      };
    case "failed":
      return { text: "$(alert) gwk: server failed", tooltip: `gwk: the language server (${which}) stopped with an error. See the gwk output. Click for actions.`, tone: "error" };
    case "running": {
      if (!counts) {
        return { text: "$(check) gwk", tooltip: `gwk: running ${which}`, tone: "normal" };
      }
      const { errors, warnings } = counts;
      const text = errors === 0 && warnings === 0 ? "$(check) gwk" : `$(error) ${errors} $(warning) ${warnings}`;
      const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? "" : "s"}`;
      return {
        text,
        tooltip: `gwk: running ${which}. This file: ${plural(errors, "error")}, ${plural(warnings, "warning")}. Click for actions.`,
        tone: errors > 0 ? "error" : warnings > 0 ? "warning" : "normal",
      };
    }
  }
}
