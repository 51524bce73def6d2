#!/usr/bin/env bash
# What the release profile's size settings cost or save, measured side by
# side in one run (docs/performance.md, "Binary size"):
#
#   before: the release profile as it was until the size work — no LTO across
#           crates, line tables kept, nothing stripped (Cargo.toml's release
#           profile with CARGO_PROFILE_RELEASE_* overrides), gwk and gwk-lsp
#           built in one cargo invocation into target/cmp-before;
#   after:  the binaries of gwk's wheel, built by scripts/release/wheel.sh
#           (Cargo.toml's release profile; maturin strips the symbols too),
#           in target/release — what `pip install gwk` installs.
#
# Prints each build's wall and CPU time, the sizes, then runs, back to back,
# scripts/bench-check.sh --no-tools --no-bench (the gwk binary's figures;
# its in-process `cargo bench` would need two more builds) and SERVERS=gwk
# scripts/bench-lsp.sh on each build, ROUNDS times (default 2), alternating
# before and after.
#
#   scripts/bench-profiles.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-2}
log=target/cmp-log
mkdir -p "$log"
declare -A dir=([before]=target/cmp-before/release [after]=target/release)

echo "==> build before"
/usr/bin/time -f "before build: %e s wall, %U s user, %S s system" -o "$log/build-before.txt" \
    env CARGO_TARGET_DIR=target/cmp-before CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_DEBUG=line-tables-only CARGO_PROFILE_RELEASE_STRIP=none \
    cargo build --release --locked -q -p gwk -p gwk-lsp
echo "==> build after (scripts/release/wheel.sh)"
/usr/bin/time -f "after build: %e s wall, %U s user, %S s system" -o "$log/build-after.txt" \
    bash scripts/release/wheel.sh >/dev/null 2>&1
cat "$log/build-before.txt" "$log/build-after.txt"

echo
echo "== sizes =="
for b in gwk gwk-lsp; do
    s0=$(stat -c %s "${dir[before]}/$b") s1=$(stat -c %s "${dir[after]}/$b")
    awk -v b="$b" -v s0="$s0" -v s1="$s1" 'BEGIN { printf "%-8s before %6.1f MB  after %5.1f MB  (%.2f×)\n", b, s0 / 1e6, s1 / 1e6, s1 / s0 }'
done

for r in $(seq 1 "$rounds"); do
    for v in before after; do
        echo
        echo "== round $r, $v (${dir[$v]}): scripts/bench-check.sh --no-tools --no-bench =="
        GWK_BIN_DIR=${dir[$v]} scripts/bench-check.sh --no-tools --no-bench 2>&1 | grep -vE '^\s*$' | tee "$log/check-$v-$r.txt"
        echo "== round $r, $v: SERVERS=gwk scripts/bench-lsp.sh =="
        GWK_BIN_DIR=${dir[$v]} SERVERS=gwk scripts/bench-lsp.sh 2>/dev/null | tee "$log/lsp-$v-$r.txt"
    done
done
