#!/usr/bin/env bash
# Fails unless the tag being released (vX.Y.Z) names the version of gwk in
# Cargo.toml, the VS Code extension's package.json and the pre-commit
# companion package: a release carries one version everywhere.
#
#   scripts/release/check-tag.sh v0.1.0
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
tag="${1:?usage: check-tag.sh vX.Y.Z}"
want="$(gwk_version)"
fail=0
[ "$tag" = "v$want" ] || { echo "check-tag: tag $tag, but gwk's version (Cargo.toml) is $want" >&2; fail=1; }
# (tr: a Windows checkout may have CRLF line ends.)
ext="$(tr -d '\r' < "$repo/editors/vscode/package.json" | sed -n 's/^  "version": "\(.*\)",$/\1/p')"
[ "$ext" = "$want" ] || { echo "check-tag: editors/vscode/package.json has version $ext, gwk has $want" >&2; fail=1; }
companion="$repo/python/gwk-pre-commit/pyproject.toml"
tr -d '\r' < "$companion" | grep -qx "version = \"$want\"" || { echo "check-tag: $companion is not at version $want" >&2; fail=1; }
tr -d '\r' < "$companion" | grep -qF "dependencies = [\"gwk==$want\"]" || { echo "check-tag: $companion does not require gwk==$want" >&2; fail=1; }
[ "$fail" = 0 ] && echo "check-tag: $tag is gwk $want everywhere"
exit "$fail"
