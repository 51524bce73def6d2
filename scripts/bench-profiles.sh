#!/usr/bin/env bash
# What the release profile's size settings cost or save, measured side by
# side in one run (docs/performance.md, "Binary size"):
#
#   before: the release profile as it was until issue 19 — no LTO, 16 codegen
#           units, line tables kept, nothing stripped (Cargo.toml's release
#           profile with CARGO_PROFILE_RELEASE_* overrides);
#   after:  Cargo.toml's release profile.
#
# Each is built (gwk and gwk-lsp, in one cargo invocation as the wheel builds
# them) into its own target directory, target/cmp-before and target/cmp-after,
# with the build's wall and CPU time; then the sizes, and, back to back,
# scripts/bench-check.sh --no-tools and SERVERS=gwk scripts/bench-lsp.sh on
# each build, ROUNDS times (default 2) alternating before and after.
#
#   scripts/bench-profiles.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-2}
log=target/cmp-log
mkdir -p "$log"

variant_env() {
    case $1 in
        before) echo "CARGO_TARGET_DIR=target/cmp-before CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=line-tables-only CARGO_PROFILE_RELEASE_STRIP=none CARGO_PROFILE_BENCH_LTO=false CARGO_PROFILE_BENCH_CODEGEN_UNITS=16" ;;
        after) echo "CARGO_TARGET_DIR=target/cmp-after" ;;
    esac
}

for v in before after; do
    echo "==> build $v: $(variant_env $v)"
    /usr/bin/time -f "$v build: %e s wall, %U s user, %S s system" \
        env $(variant_env $v) cargo build --release --locked -q -p gwk -p gwk-lsp 2>&1 | tail -1 | tee "$log/build-$v.txt"
    env $(variant_env $v) cargo bench --locked -q -p gwk-spec --bench check --no-run 2>/dev/null
done

echo
echo "== sizes (bytes) =="
for v in before after; do
    for b in gwk gwk-lsp; do
        printf '%-7s %-8s %10d\n' "$v" "$b" "$(stat -c %s "target/cmp-$v/release/$b")"
    done
done

for r in $(seq 1 "$rounds"); do
    for v in before after; do
        echo
        echo "== round $r, $v: scripts/bench-check.sh --no-tools =="
        env $(variant_env $v) scripts/bench-check.sh --no-tools 2>&1 | grep -vE '^\s*$' | tee "$log/check-$v-$r.txt"
        echo "== round $r, $v: SERVERS=gwk scripts/bench-lsp.sh =="
        env $(variant_env $v) SERVERS=gwk scripts/bench-lsp.sh 2>/dev/null | tee "$log/lsp-$v-$r.txt"
    done
done
