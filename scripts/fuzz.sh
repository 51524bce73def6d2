#!/usr/bin/env bash
# Fuzz parse + check for a while (default 10 minutes):
#
#   scripts/fuzz.sh [SECONDS] [TARGET]
#
# TARGET is `check` (default: any bytes as a workflow file) or `security`
# (any text as the body of a script, an env value and container args).
#
# Seeds: the rule fixtures, the examples and ../shared/corpus (copied into the
# git-ignored fuzz/corpus/check, never committed). A crash is written to
# fuzz/artifacts/check/; copy it to fuzz/regressions/ so that
# `cargo test -p gwk-spec --test fuzz_regressions` keeps it fixed.
#
# cargo fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 lets the one stable
# toolchain on this machine accept them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-600}
target=${2:-check}
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
seeds=fuzz/corpus/$target
mkdir -p "$seeds"
cp crates/gwk-spec/tests/fixtures/rules/*/*.yaml examples/*.yaml fuzz/regressions/* "$seeds"/ 2>/dev/null || true
if [ -d ../shared/corpus ]; then cp ../shared/corpus/*.y*ml "$seeds"/; fi
export RUSTC_BOOTSTRAP=1
cd fuzz
exec cargo fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
