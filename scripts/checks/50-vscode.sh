#!/usr/bin/env bash
# The VS Code extension (editors/vscode): install from the lockfile, lint,
# unit tests (node's test runner, no VS Code), build and package the .vsix,
# check what the .vsix holds, then render the graph webview of the packaged
# bundle in headless Chromium (scripts/setup/50-chromium.sh installs it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../editors/vscode"

step() { printf -- '--- %s\n' "$*"; }

# First, so an old Node fails here with the way out rather than deep in
# eslint. The range is eslint's own (its package.json "engines").
step "node version"
if ! command -v node >/dev/null; then
    echo "node is not on PATH: install Node.js 20.19 or later (22.13+, 24+)" >&2
    exit 1
fi
node -e '
const [major, minor] = process.versions.node.split(".").map(Number);
const ok = (major === 20 && minor >= 19) || (major === 22 && minor >= 13) || major >= 24;
if (!ok) {
  console.error(`node ${process.versions.node} is too old for the extension'"'"'s tools: eslint needs Node.js ^20.19, ^22.13 or >= 24. Install a newer Node.js (e.g. from nodejs.org or NodeSource) and run again.`);
  process.exit(1);
}
console.log(`node ${process.versions.node}`);
'

step "npm ci"
npm ci --no-audit --no-fund --loglevel=error
step "npm run lint"
npm run --silent lint
step "npm test"
npm test --silent
step "npm run package (builds first: schema copy, tsc --strict, esbuild)"
npm run --silent package
step "the .vsix holds the bundles, the stylesheet and the schema"
python3 - dist/gwk.vsix <<'PY'
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = set(z.namelist())
need = ["extension/package.json", "extension/dist/extension.js", "extension/dist/webview.js",
        "extension/media/graph.css", "extension/schema/gradient-workflow.schema.json"]
missing = [n for n in need if n not in names]
if missing:
    sys.exit(f"gwk.vsix lacks {missing}")
if any(n.startswith(("extension/node_modules/", "extension/src/", "extension/test/")) for n in names):
    sys.exit("gwk.vsix holds sources or node_modules: check .vscodeignore")
json.loads(z.read("extension/schema/gradient-workflow.schema.json"))
print(f"gwk.vsix: {len(names)} files, {sum(i.file_size for i in z.infolist()) // 1024} KiB unpacked")
PY
(cd ../.. && cargo build --quiet --locked -p gwk)
gwk="$(cd "${CARGO_TARGET_DIR:-../../target}/debug" && pwd)/gwk"
(cd ../.. && cargo build --quiet --locked -p gwk-lsp)
lsp="$(cd "${CARGO_TARGET_DIR:-../../target}/debug" && pwd)/gwk-lsp"
step "npm run test:built (the packaged bundle activated against a stand-in vscode module, with the real gwk-lsp and gwk)"
GWK="$gwk" GWK_LSP="$lsp" npm run --silent test:built
step "npm run test:render (headless Chromium)"
npm run --silent test:render
step "npm run test:cli (the view's fixture against gwk graph --format json)"
GWK="$gwk" npm run --silent test:cli
step "npm run test:server (the extension's view of gwk/graph against the real gwk-lsp)"
GWK_LSP="$lsp" npm run --silent test:server
