#!/usr/bin/env bash
# Makes the companion repository of the wheel-based pre-commit hook (as
# ruff-pre-commit is to ruff): python/gwk-pre-commit/ as a git repository
# with one commit tagged vVERSION, in OUT (default $DIST/gwk-pre-commit).
# The release workflow uploads it as an artifact, for a maintainer to push to
# github.com/gwk-dev/gwk-pre-commit (its tag is the release's);
# scripts/checks/60-pre-commit.sh runs pre-commit on it.
#
#   scripts/release/pre-commit-mirror.sh [OUT]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
out="${1:-$dist/gwk-pre-commit}"
version="$(gwk_version)"
rm -rf "$out"
mkdir -p "$out"
cp -r "$repo/python/gwk-pre-commit/." "$out/"
cd "$out"
git init -q .
git add -A
git -c user.name="gwk release" -c user.email="release@gwk.invalid" commit -q -m "gwk-pre-commit $version (gwk $version)"
git tag "v$version"
echo "pre-commit mirror at $out, tag v$version ($(git rev-parse --short HEAD))"
