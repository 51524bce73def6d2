// The graph webview's script: waits for graphs from the extension, draws them,
// and asks the extension to reveal a job when one is clicked.

import type { FromWebview, ToWebview } from "../protocol";
import { canvasMeasure, renderGraph, summaryText } from "./render";

interface VsCodeApi {
  postMessage(message: FromWebview): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
const title = document.getElementById("title") as HTMLElement;
const info = document.getElementById("summary") as HTMLElement;
const canvas = document.getElementById("canvas") as HTMLElement;
const message = document.getElementById("message") as HTMLElement;
const measure = canvasMeasure(getComputedStyle(document.body).fontFamily || "sans-serif");
let selected: string | undefined;
let last: Extract<ToWebview, { type: "graph" }> | undefined;

function show(msg: ToWebview): void {
  switch (msg.type) {
    case "graph": {
      last = msg;
      title.textContent = msg.file;
      info.textContent = summaryText(msg.graph);
      if (msg.graph.nodes.length === 0) {
        message.textContent = "This workflow has no jobs yet.";
        message.hidden = false;
        canvas.replaceChildren();
        break;
      }
      message.textContent = msg.graph.stale ? "The file does not parse as it stands: this is the graph of its last version that did." : "";
      message.hidden = msg.graph.stale !== true;
      // Keep the scroll position while the graph is redrawn as the user types.
      const { scrollLeft, scrollTop } = canvas;
      renderGraph(canvas, msg.graph, measure, {
        selected,
        onReveal: (id) => {
          selected = id;
          api.postMessage({ type: "reveal", id });
          if (last) show(last);
        },
      });
      canvas.scrollLeft = scrollLeft;
      canvas.scrollTop = scrollTop;
      document.body.dataset.state = msg.graph.stale ? "stale" : "graph";
      break;
    }
    case "error":
      title.textContent = msg.file;
      info.textContent = "";
      message.textContent = msg.message;
      message.hidden = false;
      // A failed update keeps the last graph on screen, dimmed, so that a
      // half-typed line does not blank the view.
      document.body.dataset.state = last ? "stale" : "error";
      break;
    case "empty":
      last = undefined;
      title.textContent = "gwk";
      info.textContent = "";
      canvas.replaceChildren();
      message.textContent = msg.message;
      message.hidden = false;
      document.body.dataset.state = "empty";
      break;
  }
}

window.addEventListener("message", (ev: MessageEvent<ToWebview>) => show(ev.data));
api.postMessage({ type: "ready" });
