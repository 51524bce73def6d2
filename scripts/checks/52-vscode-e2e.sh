#!/usr/bin/env bash
# The VS Code extension in a real VS Code: code-server (scripts/setup/70-code-server.sh)
# driven through headless Chromium (scripts/setup/50-chromium.sh) by the
# suite editors/vscode/e2e/vscode.test.mjs. Builds what it needs: gwk-lsp and
# gwk, the extension, and its linux-x64 package with gwk-lsp inside (the
# package the suite installs). Screenshots and logs: target/vscode-e2e/.
#
# Runs on its own after the setup scripts: bash scripts/checks/52-vscode-e2e.sh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../setup/code-server.env
. "$repo/scripts/setup/code-server.env"
cd "$repo/editors/vscode"

step() { printf -- '--- %s\n' "$*"; }
start=$(date +%s)

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -e "$CODE_SERVER_DIR/.complete" ] || [ ! -x "$chromium" ]; then
    echo "SKIPPED: the real-VS-Code suite needs code-server $CODE_SERVER_VERSION in $CODE_SERVER_DIR" \
        "and $chromium: run scripts/setup/70-code-server.sh and scripts/setup/50-chromium.sh"
    exit 0
fi
# Installed but broken is a failure, not a skip.
"$CODE_SERVER_NODE" --version >/dev/null
"$CODE_SERVER_BIN" --version >/dev/null

step "cargo build -p gwk-lsp -p gwk"
(cd "$repo" && cargo build --quiet --locked -p gwk-lsp -p gwk)
target="$(cd "${CARGO_TARGET_DIR:-$repo/target}" && pwd)"
artifacts="$target/vscode-e2e"
rm -rf "$artifacts"
mkdir -p "$artifacts"

# The debug gwk-lsp is 80 MB of debug info; the package carries a stripped
# copy, as a release does (it is the same program).
lsp_copy="$artifacts/gwk-lsp"
objcopy --strip-debug "$target/debug/gwk-lsp" "$lsp_copy"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    step "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
fi
step "the linux-x64 package, with gwk-lsp inside (vsce builds first: npm run vscode:prepublish)"
node scripts/bundle-server.mjs "$lsp_copy"
trap 'node scripts/bundle-server.mjs --remove >/dev/null' EXIT
npx vsce package --no-dependencies --target linux-x64 --out dist/gwk-linux-x64.vsix
node scripts/bundle-server.mjs --remove
python3 - dist/gwk-linux-x64.vsix <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
info = {i.filename: i for i in z.infolist()}
server = info.get("extension/server/gwk-lsp")
if server is None:
    sys.exit("gwk-linux-x64.vsix has no extension/server/gwk-lsp")
manifest = z.read("extension.vsixmanifest").decode()
if 'TargetPlatform="linux-x64"' not in manifest:
    sys.exit("gwk-linux-x64.vsix is not marked for linux-x64")
print(f"gwk-linux-x64.vsix: server/gwk-lsp {server.file_size // 1048576} MiB, {len(info)} files")
PY

step "the suite, in code-server $CODE_SERVER_VERSION and $("$chromium" --version 2>/dev/null)"
CODE_SERVER="$CODE_SERVER_BIN" CODE_SERVER_NODE="$CODE_SERVER_NODE" \
    VSIX="$PWD/dist/gwk-linux-x64.vsix" GWK="$target/debug/gwk" GWK_LSP="$lsp_copy" \
    ARTIFACTS="$artifacts" CHROMIUM="$chromium" \
    node --test --test-reporter=spec e2e/vscode.test.mjs
echo "screenshots: $artifacts ($(find "$artifacts" -name '*.png' | wc -l) PNG); $(($(date +%s) - start)) s"
