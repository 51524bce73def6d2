#!/usr/bin/env bash
# The crates publish to crates.io: `cargo publish --workspace --dry-run`
# packages every publishable crate (gwk-spec, gwk-argo, gwk-run, gwk,
# gwk-lsp; the root package `gwk-dist` is not published), checks its
# metadata and builds each from its packaged sources alone, as crates.io's
# users would. Needs the crates.io index (the network). Any warning other
# than the expected ones (tests and benchmarks left out of the packages by
# their `include` lists; the dry run's aborted upload) fails the check.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
start=$SECONDS
crates="gwk-spec gwk-project gwk-argo gwk-run gwk gwk-lsp"
# The dry run verifies each crate against the others' packaged sources,
# which cargo unpacks under $CARGO_HOME/registry/src/ like any registry
# crate, and it never unpacks a name and version again: a second run on one
# machine would build against the first run's sources (gwk-argo failed so
# against a gwk-spec of the day before). Remove those copies of gwk's own
# crates first (`gwk-[0-9]*` cannot match gwk-spec).
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
for c in $crates; do
    rm -rf "$cargo_home"/registry/src/*/"$c"-[0-9]*
done
# --allow-dirty: a developer's uncommitted edits are what they want checked;
# CI's clone is clean anyway.
if ! cargo publish --workspace --dry-run --locked --allow-dirty >"$log" 2>&1; then
    cat "$log"
    echo "FAIL: cargo publish --workspace --dry-run" >&2
    exit 1
fi
grep -E '^ *(Packaged|Uploading)' "$log"
unexpected="$(grep '^warning:' "$log" | grep -vE 'ignoring (test|benchmark|example) `[^`]+` as `(tests|benches|examples)/[^`]+` is not included in the published package|aborting upload due to dry run' || true)"
if [ -n "$unexpected" ]; then
    cat "$log"
    echo "FAIL: unexpected warnings:" >&2
    echo "$unexpected" >&2
    exit 1
fi
for c in $crates; do
    grep -q "Uploading $c v" "$log" || { cat "$log"; echo "FAIL: $c was not packaged" >&2; exit 1; }
done
echo "(cargo publish --dry-run took $((SECONDS - start)) s)"
echo "6 crates ready to publish, 0 failed"
