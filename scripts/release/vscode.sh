#!/usr/bin/env bash
# The VS Code extension's package for one platform, with gwk-lsp inside:
# the release binary of TARGET (built by wheel.sh) is copied into the
# extension by the extension's own script (editors/vscode/scripts/, which
# puts it at editors/vscode/server/gwk-lsp), then `vsce package --target
# VSCODE_TARGET` makes $DIST/gwk-VERSION-VSCODE_TARGET.vsix. Checks that the
# package holds the server, byte for byte.
#
#   scripts/release/vscode.sh TARGET VSCODE_TARGET
#   scripts/release/vscode.sh x86_64-unknown-linux-gnu linux-x64
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
target="${1:?usage: vscode.sh TARGET VSCODE_TARGET}"
vs_target="${2:?usage: vscode.sh TARGET VSCODE_TARGET}"
exe=""
case "$target" in *windows*) exe=".exe" ;; esac
server="$(bin_dir "$target")/gwk-lsp$exe"
[ -f "$server" ] || { echo "vscode: $server is missing: run scripts/release/wheel.sh $target first" >&2; exit 1; }
ext="$repo/editors/vscode"
# The extension's script that bundles the server (the VS Code extension's
# code owns it; it writes server/gwk-lsp, or gwk-lsp.exe for Windows).
copy_script="$ext/scripts/bundle-server.mjs"
if [ ! -f "$copy_script" ]; then
    echo "vscode: $copy_script is missing" >&2
    exit 3
fi
version="$(gwk_version)"
out="$dist/gwk-$version-$vs_target.vsix"
cd "$ext"
npm ci --no-audit --no-fund --loglevel=error
node "$copy_script" "$server"
[ -f "server/gwk-lsp$exe" ] || { echo "vscode: $copy_script did not write server/gwk-lsp$exe" >&2; exit 1; }
cmp -s "$server" "server/gwk-lsp$exe" || { echo "vscode: server/gwk-lsp$exe is not $server" >&2; exit 1; }
npx --no-install vsce package --no-dependencies --target "$vs_target" --out "$out"
"$python" - "$out" "$server" "gwk-lsp$exe" <<'PY'
import sys, zipfile
vsix, server, name = sys.argv[1:4]
z = zipfile.ZipFile(vsix)
inside = z.read(f"extension/server/{name}")
assert inside == open(server, "rb").read(), f"{vsix}: extension/server/{name} differs from {server}"
mode = z.getinfo(f"extension/server/{name}").external_attr >> 16
print(f"{vsix}: extension/server/{name}, {len(inside)} bytes, mode {oct(mode)}")
PY
