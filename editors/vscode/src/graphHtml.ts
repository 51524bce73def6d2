// The graph webview's HTML page. Pure, so the headless-Chromium test renders
// exactly what VS Code shows.

export interface PageParts {
  /** The webview's `cspSource` (VS Code) or the origin the test serves from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  /** A fresh random value per page: only the script carrying it may run. */
  nonce: string;
}

function attr(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function graphHtml(p: PageParts): string {
  const csp = [
    "default-src 'none'",
    `style-src ${p.cspSource}`,
    `script-src 'nonce-${p.nonce}'`,
    `img-src ${p.cspSource} data:`,
    `font-src ${p.cspSource}`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(p.styleUri)}">
<title>Workflow graph</title>
</head>
<body data-state="loading">
<header>
  <span id="title">gwk</span>
  <span id="summary"></span>
  <span class="legend">
    <span class="key gpu">GPU job</span>
    <span class="key error">has errors</span>
    <span class="key warning">has warnings</span>
    <span class="key undeclared" title="a job reads this job's output without listing it in needs">missing needs</span>
    <span class="key cycle">cycle</span>
  </span>
</header>
<div id="message">Waiting for the language server…</div>
<main id="canvas"></main>
<script nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}

