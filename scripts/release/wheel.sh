#!/usr/bin/env bash
# Builds gwk's wheel for one target (the `gwk` and `gwk-lsp` binaries inside,
# pyproject.toml) into $DIST (default target/dist), with maturin and the
# release profile. Leaves the binaries in target/TARGET/release/, where
# archive.sh and vscode.sh take them: one build serves the wheel, the
# archive and the VS Code package.
#
#   scripts/release/wheel.sh [TARGET]     default: this machine's target
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
[ -n "$maturin" ] || { echo "maturin is missing: run scripts/setup/70-release-tools.sh" >&2; exit 1; }
cd "$repo"
target="${1:-$(host_target)}"
# maturin's own version check of the build (it would ask PyPI otherwise).
export MATURIN_NO_UPDATE_CHECK=1
"$maturin" build --release --locked --target "$target" --out "$dist"
ls -l "$dist"/gwk-"$(gwk_version)"-*.whl
