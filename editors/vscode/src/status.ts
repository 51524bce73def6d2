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

export function statusView(state: ServerState, counts: Counts | undefined): StatusView {
  switch (state) {
    case "starting":
      return { text: "$(sync~spin) gwk", tooltip: "gwk: starting the language server…", tone: "normal" };
    case "stopped":
      return { text: "$(circle-slash) gwk", tooltip: "gwk: the language server is stopped. Click for actions.", tone: "warning" };
    case "not-found":
      return { text: "$(alert) gwk: no server", tooltip: "gwk: gwk-lsp was not found. Click for actions.", tone: "error" };
    case "failed":
      return { text: "$(alert) gwk: server failed", tooltip: "gwk: the language server stopped with an error. See the gwk output. Click for actions.", tone: "error" };
    case "running": {
      if (!counts) {
        return { text: "$(check) gwk", tooltip: "gwk: running", tone: "normal" };
      }
      const { errors, warnings } = counts;
      const text = errors === 0 && warnings === 0 ? "$(check) gwk" : `$(error) ${errors} $(warning) ${warnings}`;
      const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? "" : "s"}`;
      return {
        text,
        tooltip: `gwk: running. This file: ${plural(errors, "error")}, ${plural(warnings, "warning")}. Click for actions.`,
        tone: errors > 0 ? "error" : warnings > 0 ? "warning" : "normal",
      };
    }
  }
}
