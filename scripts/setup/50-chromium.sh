#!/usr/bin/env bash
# Debian's Chromium (and a font) for the VS Code extension's graph webview
# test (scripts/checks/50-vscode.sh). Idempotent: does nothing when present.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -eq 0 ]; then
    echo "chromium: $(chromium --version 2>/dev/null)"
    exit 0
fi
echo "installing ${missing[*]} (log: /tmp/gwk-apt-chromium.log)"
export DEBIAN_FRONTEND=noninteractive
{
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
} >/tmp/gwk-apt-chromium.log 2>&1 || {
    tail -20 /tmp/gwk-apt-chromium.log
    exit 1
}
echo "chromium: $(chromium --version 2>/dev/null)"
