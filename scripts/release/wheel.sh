#!/usr/bin/env bash
# Builds gwk's wheel for one target (the `gwk` and `gwk-lsp` binaries inside,
# pyproject.toml) into $DIST (default target/dist), with maturin and the
# release profile (GWK_RELEASE_PROFILE=dev: a quick debug build, to test the
# packaging). Leaves the binaries where archive.sh and vscode.sh take them
# (env.sh, bin_dir): one build serves the wheel, the archive and the VS Code
# package.
#
#   scripts/release/wheel.sh [TARGET]     default: this machine's target
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
[ -n "$maturin" ] || { echo "maturin is missing: run scripts/setup/70-release-tools.sh" >&2; exit 1; }
cd "$repo"
target="${1:-$(host_target)}"
args=(--locked --profile "$profile" --out "$dist")
# For this machine, no --target: the build lands in target/PROFILE with the
# dependencies other builds (benchmarks, tests) share.
[ "$target" = "$(host_target)" ] || args+=(--target "$target")
# No check of maturin's own version (it would ask PyPI).
export MATURIN_NO_UPDATE_CHECK=1
"$maturin" build "${args[@]}"
ls -l "$dist"/gwk-"$(gwk_version)"-*.whl
