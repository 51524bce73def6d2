#!/usr/bin/env bash
# The checker's speed, measured side by side in one run (docs/performance.md):
#
#   1. a full check of the 2,000-job file (~1 MB) against the YAML parser
#      alone on the same file (interleaved runs; min and median);
#   2. `gwk check` of 200 generated 20-job files against `ajv validate`
#      (npm ajv-cli@5) and `check-jsonschema` (PyPI), all given gwk's schema;
#   3. gwk's peak memory on the 1 MB file.
#
#   scripts/bench-check.sh            # everything (installs ajv-cli and
#                                     # check-jsonschema under target/bench-tools)
#   scripts/bench-check.sh --no-tools # only gwk's own figures
#   scripts/bench-check.sh --no-tools --no-bench   only the gwk binary's (2., 3.)
#
# gwk is built with the release profile, as users get it; GWK_PROFILE=profiling
# builds it with line tables for a profiler (Cargo.toml), and
# CARGO_TARGET_DIR picks the build; GWK_BIN_DIR=DIR takes the gwk in DIR
# without building (scripts/bench-profiles.sh compares two builds).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
gen=../shared/tools/gen_workflow.py
[ -f "$gen" ] || { echo "needs $gen (../shared beside the repository)" >&2; exit 2; }
tools=true bench=true
for arg in "$@"; do
    case $arg in
        --no-tools) tools=false ;;
        --no-bench) bench=false ;; # skip 1. (cargo bench): only the gwk binary's figures
        *) echo "usage: scripts/bench-check.sh [--no-tools] [--no-bench]" >&2; exit 2 ;;
    esac
done

work=target/bench-check
mkdir -p "$work/files200"
python3 "$gen" 2000 > "$work/w2000.yaml"
for i in $(seq 1 200); do python3 "$gen" 20 --seed "$i" > "$work/files200/w$i.yaml"; done
echo "inputs: $(wc -c < "$work/w2000.yaml") bytes; 200 files of $(du -cb "$work"/files200/*.yaml | tail -1 | cut -f1) bytes"

profile=${GWK_PROFILE:-release}
if [ -n "${GWK_BIN_DIR:-}" ]; then
    gwk=$(cd "$GWK_BIN_DIR" && pwd)/gwk   # a build made elsewhere
else
    cargo build --profile "$profile" -q -p gwk
    gwk=$(cd "${CARGO_TARGET_DIR:-target}/$profile" && pwd)/gwk
fi
$gwk schema > "$work/schema.json"

if $bench; then
    echo
    echo "== 1. full check vs the YAML parser alone (2,000 jobs) =="
    GWK_BENCH_FILE="$PWD/$work/w2000.yaml" cargo bench -q -p gwk-spec --bench check
fi

echo
echo "== 3. peak memory, gwk check of the 1 MB file =="
/usr/bin/time -f "peak RSS %M KiB, %e s" "$gwk" check "$work/w2000.yaml" --format json > /dev/null 2> "$work/time.txt" || true
tail -1 "$work/time.txt"

echo
echo "== 2. 200 files: gwk check vs ajv-cli@5 vs check-jsonschema =="
cmds=("$gwk check --format json $work/files200")
names=("gwk check")
# The same check without the security rules (a switch only this script
# sets): what they cost, measured in the same run.
cmds+=("GWK_BENCH_WITHOUT_SECURITY=1 ./$gwk check --format json $work/files200")
names+=("  without security")
if $tools; then
    t=target/bench-tools
    mkdir -p "$t"
    if [ ! -x "$t/node_modules/.bin/ajv" ]; then
        (cd "$t" && npm install --silent --no-audit --no-fund ajv-cli@5 ajv-formats >/dev/null)
    fi
    if [ ! -x "$t/venv/bin/check-jsonschema" ]; then
        python3 -m venv "$t/venv" && "$t/venv/bin/pip" install -q check-jsonschema
    fi
    cmds+=("$t/node_modules/.bin/ajv validate --spec=draft7 --strict=false --errors=no -s $work/schema.json -d '$work/files200/*.yaml'")
    names+=("ajv validate")
    cmds+=("$t/venv/bin/check-jsonschema --schemafile $work/schema.json $work/files200/*.yaml")
    names+=("check-jsonschema")
fi
python3 - "${#cmds[@]}" "${names[@]}" "${cmds[@]}" <<'EOF'
import statistics, subprocess, sys, time
n = int(sys.argv[1]); names = sys.argv[2:2 + n]; cmds = sys.argv[2 + n:]
runs = {name: [] for name in names}
for _ in range(5):                      # interleaved rounds
    for name, cmd in zip(names, cmds):
        t = time.perf_counter()
        p = subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        runs[name].append(time.perf_counter() - t)
        if p.returncode not in (0, 1):
            sys.exit(f"{name} failed ({p.returncode}): {p.stderr.decode()[-500:]}")
base = min(runs[names[0]])
print(f"{'':18} {'min s':>8} {'median s':>9} {'vs gwk (min)':>13}")
for name in names:
    r = runs[name]
    print(f"{name:18} {min(r):8.3f} {statistics.median(r):9.3f} {min(r) / base:12.1f}x")
EOF
