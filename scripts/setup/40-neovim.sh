#!/usr/bin/env bash
# Neovim (Debian's package, 0.7.x) for the language server's end-to-end test
# with a real editor (crates/gwk-lsp/tests/neovim.rs, editors/neovim/).
set -euo pipefail
if command -v nvim >/dev/null 2>&1; then
    echo "neovim: $(nvim --version | head -n 1) already installed"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
# A fresh machine may have no package lists yet.
$SUDO apt-get install -y --no-install-recommends neovim \
    || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends neovim; }
nvim --version | head -n 1
