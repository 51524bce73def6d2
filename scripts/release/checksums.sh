#!/usr/bin/env bash
# Writes $DIST/SHA256SUMS for every file in $DIST (archives, wheels, VS Code
# packages), in the format `sha256sum --check` reads, and checks it.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$dist"
files=()
for f in *; do
    [ -f "$f" ] && [ "$f" != SHA256SUMS ] && files+=("$f")
done
[ "${#files[@]}" -gt 0 ] || { echo "checksums: $dist is empty" >&2; exit 1; }
sha256sum "${files[@]}" > SHA256SUMS
sha256sum --check --quiet SHA256SUMS
cat SHA256SUMS
