#!/usr/bin/env bash
# The source pre-commit hook, `gwk-check` of this repository
# (.pre-commit-hooks.yaml), with the real pre-commit from PyPI
# (scripts/setup/60-pre-commit.sh): pre-commit builds gwk from source with
# cargo (`cargo install --path .`, the root package), as a user's pre-commit
# would, then must reject a workflow that needs an unknown job and pass the
# fixed one (scripts/checks/lib/pre-commit-hook.sh). The wheel hook is
# scripts/checks/62-pre-commit-wheel.sh.
#
# Speed: the build goes to a target directory kept between runs
# (target/pre-commit), at opt-level 0 and without LTO — this tests the hook's wiring, not
# gwk's speed. The first run compiles gwk's dependencies (a few minutes on
# two cores); later runs reuse them.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pre_commit="${XDG_CACHE_HOME:-$HOME/.cache}/gwk-test/pre-commit-venv/bin/pre-commit"
[ -x "$pre_commit" ] || { echo "pre-commit is missing: run scripts/setup/60-pre-commit.sh" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
. "$repo/scripts/checks/lib/pre-commit-hook.sh"

export CARGO_TARGET_DIR="$repo/target/pre-commit"
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_INCREMENTAL=true
# Whatever the release profile says about LTO, not here.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256
check_hook "$repo"
echo "4 passed, 0 failed"
