#!/usr/bin/env bash
# What link-time optimization buys (docs/performance.md, "Binary size"):
# builds gwk and gwk-lsp (the root package, as the wheel does) three times
# with the release profile, overriding only its LTO settings, each into its
# own target directory so no build reuses another's objects:
#
#   off:  lto = false (cargo's default: LTO inside each crate only), 16 codegen units
#   thin: lto = "thin", 16 codegen units
#   fat:  lto = "fat", 1 codegen unit (Cargo.toml's release profile)
#
# Prints each build's wall and CPU time and the stripped sizes (what the
# wheel installs), then runs scripts/bench/compare-builds.sh off fat.
#
#   scripts/bench/lto-variants.sh [ROUNDS] [SLOW_ROUNDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=target/lto-variants
mkdir -p "$out"
declare -A lto=([off]=false [thin]=thin [fat]=fat) units=([off]=16 [thin]=16 [fat]=1)
for v in off thin fat; do
    echo "==> build $v (lto=${lto[$v]}, codegen-units=${units[$v]})"
    /usr/bin/time -f "$v: %e s wall, %U s user, %S s system" -o "$out/time-$v.txt" \
        env CARGO_TARGET_DIR="$out/$v-target" CARGO_PROFILE_RELEASE_LTO="${lto[$v]}" \
        CARGO_PROFILE_RELEASE_CODEGEN_UNITS="${units[$v]}" \
        cargo build --release --locked -q -p gwk-dist
    mkdir -p "$out/$v"
    for b in gwk gwk-lsp; do
        cp "$out/$v-target/release/$b" "$out/$v/$b"
        strip "$out/$v/$b"
    done
done

echo
echo "== builds =="
cat "$out"/time-{off,thin,fat}.txt
echo
echo "== sizes, stripped (release profile, symbols kept: in $out/VARIANT-target/release) =="
for v in off thin fat; do
    printf '%-5s' "$v"
    for b in gwk gwk-lsp; do
        awk -v b="$b" -v s="$(stat -c %s "$out/$v/$b")" -v k="$(stat -c %s "$out/$v-target/release/$b")" \
            'BEGIN { printf "  %s %5.1f MB (%5.1f MB)", b, s / 1e6, k / 1e6 }'
    done
    echo
done
echo
scripts/bench/compare-builds.sh "$out/off" "$out/fat" "$@"
