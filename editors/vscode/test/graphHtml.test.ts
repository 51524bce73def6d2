import assert from "node:assert/strict";
import { test } from "node:test";
import { graphHtml } from "../src/graphHtml";

test("only the script with the nonce may run, and resources come from the webview", () => {
  const html = graphHtml({ cspSource: "vscode-webview://x", scriptUri: "s.js", styleUri: "g.css", nonce: "abc123" });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1];
  assert.ok(csp);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-abc123'(;|$)/);
  assert.match(csp, /style-src vscode-webview:\/\/x(;|$)/);
  assert.ok(!csp.includes("unsafe-inline"));
  assert.match(html, /<script nonce="abc123" src="s.js"><\/script>/);
});

test("attribute values are escaped", () => {
  const html = graphHtml({ cspSource: "x", scriptUri: 'a"><script>alert(1)</script>', styleUri: "g.css", nonce: "n" });
  assert.ok(!html.includes("<script>alert(1)"));
  assert.ok(html.includes("&quot;&gt;&lt;script&gt;"));
});
