#!/usr/bin/env bash
# Installs what the release scripts need to build for TARGET on this
# machine: the Rust target (rustup), musl's C compiler for the musl targets
# (mimalloc is C), and maturin and actionlint (scripts/setup/70-release-tools.sh,
# the same venv CI uses). The Node tools of the VS Code package come from
# editors/vscode's lockfile (vscode.sh runs `npm ci`).
#
#   scripts/release/setup.sh [TARGET]     default: this machine's target
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
target="${1:-$(host_target)}"
if [ "$target" != "$(host_target)" ]; then
    command -v rustup >/dev/null || { echo "setup: building for $target needs rustup" >&2; exit 1; }
    rustup target add "$target"
fi
case "$target" in
    *-linux-musl)
        if ! command -v musl-gcc >/dev/null; then
            sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
            $sudo apt-get update -qq && $sudo apt-get install -y -qq musl-tools
        fi
        ;;
esac
bash "$repo/scripts/setup/70-release-tools.sh"
echo "setup: ready to build for $target"
