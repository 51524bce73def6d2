#!/usr/bin/env bash
# Packs the release binaries of one target (built by wheel.sh) with the
# README and licence into $DIST/gwk-VERSION-TARGET.tar.gz (.zip for Windows).
#
#   scripts/release/archive.sh [TARGET]   default: this machine's target
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
target="${1:-$(host_target)}"
exe=""
case "$target" in *windows*) exe=".exe" ;; esac
bin="$(bin_dir "$target")"
name="gwk-$(gwk_version)-$target"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
for b in gwk gwk-lsp; do
    [ -f "$bin/$b$exe" ] || { echo "archive: $bin/$b$exe is missing: run scripts/release/wheel.sh $target first" >&2; exit 1; }
    cp "$bin/$b$exe" "$stage/$name/"
done
cp "$repo/README.md" "$repo/editors/vscode/LICENSE" "$stage/$name/"
case "$target" in
    *windows*) (cd "$stage" && 7z a -tzip -bd "$dist/$name.zip" "$name" >/dev/null) && ls -l "$dist/$name.zip" ;;
    *) tar -C "$stage" -czf "$dist/$name.tar.gz" "$name" && ls -l "$dist/$name.tar.gz" ;;
esac
