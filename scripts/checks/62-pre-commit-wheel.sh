#!/usr/bin/env bash
# The wheel pre-commit hook: `gwk-check` of the companion repository
# (python/gwk-pre-commit, made into a git repository by
# scripts/release/pre-commit-mirror.sh, as the release does), run with the
# real pre-commit (scripts/setup/60-pre-commit.sh). pre-commit pip-installs
# gwk's wheel, built here by scripts/release/wheel.sh (the release build
# scripts/checks/70-wheel.sh tests too: built once), from that directory only
# (PIP_NO_INDEX, PIP_FIND_LINKS: nothing from PyPI), on a PATH without
# cargo; the hook must then reject a workflow that needs an unknown job and
# pass the fixed one (scripts/checks/lib/pre-commit-hook.sh).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/gwk-test"
pre_commit="$cache/pre-commit-venv/bin/pre-commit"
[ -x "$pre_commit" ] || { echo "pre-commit is missing: run scripts/setup/60-pre-commit.sh" >&2; exit 1; }
wheelhouse="$cache/wheelhouse"
ls "$wheelhouse"/setuptools-*.whl >/dev/null 2>&1 || { echo "setuptools' wheel is missing from $wheelhouse: run scripts/setup/70-release-tools.sh" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
. "$repo/scripts/checks/lib/pre-commit-hook.sh"

bash "$repo/scripts/release/wheel.sh" >/dev/null
. "$repo/scripts/release/env.sh"
version="$(gwk_version)"
ls "$dist"/gwk-"$version"-*.whl >/dev/null || fail "no gwk $version wheel in $dist"
companion="$repo/python/gwk-pre-commit/pyproject.toml"
grep -qx "version = \"$version\"" "$companion" && grep -qF "dependencies = [\"gwk==$version\"]" "$companion" \
    || fail "$companion must be at gwk's version $version and require gwk==$version"
DIST="$work/mirror-out" bash "$repo/scripts/release/pre-commit-mirror.sh" "$work/gwk-pre-commit"
(
    # What pip may install: the wheel built here and setuptools (the
    # companion package's build backend), nothing from an index.
    export PIP_NO_INDEX=1 PIP_FIND_LINKS="$dist $wheelhouse" PIP_DISABLE_PIP_VERSION_CHECK=1
    # No Rust: pre-commit must not need cargo to install this hook.
    export PATH="/usr/local/bin:/usr/bin:/bin"
    if command -v cargo >/dev/null 2>&1; then fail "cargo is still on PATH ($(command -v cargo))"; fi
    check_hook "$work/gwk-pre-commit"
)
# The gwk the hook ran can only be the wheel built here: pip saw no index,
# and $dist holds the only gwk distribution in its find-links (pre-commit
# try-repo installs into a store it removes, so the environment is gone).
[ "$(ls "$dist"/gwk-*.whl "$wheelhouse"/gwk-*.whl 2>/dev/null | wc -l)" = 1 ] || fail "more than one gwk wheel in the find-links"
echo "5 passed, 0 failed"
