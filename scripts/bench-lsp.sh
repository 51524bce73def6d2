#!/usr/bin/env bash
# The language server benchmark: gwk-lsp and yaml-language-server 2.x (given
# gwk's schema) timed the way an editor uses them by ../shared/tools/
# lsp_bench.py, on workflows made by ../shared/tools/gen_workflow.py with
# 200 jobs (~100 KB) and 2000 jobs (~1 MB). Prints a side-by-side table;
# docs/performance.md ("Language server") holds the latest one.
#
#   scripts/bench-lsp.sh            build, install what is missing, run
#   EDITS=50 scripts/bench-lsp.sh   more edits per file (default 20)
#   SERVERS=gwk scripts/bench-lsp.sh   only gwk-lsp (no Node needed)
#   GWK_PROFILE=profiling scripts/bench-lsp.sh   the build with line tables
#                                    (default: release, as users get it)
#   GWK_BIN_DIR=DIR scripts/bench-lsp.sh   the gwk-lsp and gwk in DIR, no build
#
# yaml-language-server is installed with npm into target/bench-lsp/ (once).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

shared=${GWK_SHARED:-../shared}
bench="$shared/tools/lsp_bench.py"
gen="$shared/tools/gen_workflow.py"
for f in "$bench" "$gen"; do
    [ -f "$f" ] || { echo "bench-lsp: $f not found: the benchmark needs ../shared/tools" >&2; exit 1; }
done
edits=${EDITS:-20}
servers=${SERVERS:-"gwk yaml-ls"}
work=target/bench-lsp
mkdir -p "$work"

profile=${GWK_PROFILE:-release}
if [ -n "${GWK_BIN_DIR:-}" ]; then
    bin=$GWK_BIN_DIR   # a build made elsewhere
else
    bin=${CARGO_TARGET_DIR:-target}/$profile
    echo "==> cargo build --profile $profile -p gwk-lsp -p gwk" >&2
    cargo build --profile "$profile" --quiet -p gwk-lsp -p gwk
fi

yamlls="$work/node_modules/yaml-language-server/bin/yaml-language-server"
if [[ " $servers " == *" yaml-ls "* ]] && [ ! -f "$yamlls" ]; then
    echo "==> npm install yaml-language-server@2 (into $work)" >&2
    npm install --prefix "$work" --no-audit --no-fund --loglevel=error yaml-language-server@2 >&2
fi

# gwk's schema, from `gwk schema` when the CLI has it, else the checked-in
# copy (a test keeps it equal to the generated one).
if "$bin/gwk" schema >"$work/schema.json" 2>/dev/null; then :; else
    cp schema/gradient-workflow.schema.json "$work/schema.json"
fi
schema_uri="file://$(cd "$work" && pwd)/schema.json"

results="$work/results.jsonl"
: >"$results"
for jobs in 200 2000; do
    file="$work/w$jobs.yaml"
    python3 "$gen" "$jobs" >"$file"
    # Complete at the value of the last job's last input (a reference):
    # the longest list gwk offers (every output of every earlier job).
    pos=$(python3 - "$file" <<'EOF'
import sys
lines = open(sys.argv[1]).read().split("\n")
for i in range(len(lines) - 1, -1, -1):
    if ".outputs." in lines[i]:
        print(f"{i}:{lines[i].index(': ') + 2}")
        break
EOF
)
    for server in $servers; do
        echo "==> $server on w$jobs.yaml ($(wc -c <"$file") bytes), $edits edits, completion at $pos" >&2
        case $server in
            gwk)
                out=$(python3 "$bench" --edits "$edits" --complete "$pos" "$file" -- "$bin/gwk-lsp")
                ;;
            yaml-ls)
                settings=$(printf '{"yaml": {"schemas": {"%s": ["*.yaml"]}, "validate": true, "completion": true, "hover": true, "schemaStore": {"enable": false}}}' "$schema_uri")
                out=$(python3 "$bench" --edits "$edits" --complete "$pos" --settings "$settings" "$file" -- node "$yamlls" --stdio)
                ;;
        esac
        printf '{"server": "%s", "jobs": %s, "result": %s}\n' "$server" "$jobs" "$out" >>"$results"
    done
done

python3 - "$results" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
names = {"gwk": "gwk-lsp", "yaml-ls": "yaml-language-server 2.x"}
print("| file | server | open → diagnostics (ms) | edit → diagnostics, median (ms) | edit, max (ms) | completion (ms) | items | diagnostics | peak RSS (MiB) |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    x = r["result"]
    size = x["bytes"] / 1024
    size = f"{size:.0f} KB" if size < 1024 else f"{size / 1024:.2f} MB"
    print(f"| {r['jobs']} jobs ({size}) | {names[r['server']]} | {x['open_ms']} | {x['edit_ms_median']} | {x['edit_ms_max']} | {x.get('completion_ms')} | {x.get('completion_items')} | {x['diagnostics']} | {x['peak_rss_mib']} |")
by = {(r["server"], r["jobs"]): r["result"] for r in rows}
for jobs in (200, 2000):
    g, y = by.get(("gwk", jobs)), by.get(("yaml-ls", jobs))
    if g and y:
        ratio = lambda k: f"{y[k] / g[k]:.1f}×" if g.get(k) and y.get(k) else "n/a"
        print(f"\n{jobs} jobs: yaml-language-server / gwk-lsp = edit {ratio('edit_ms_median')}, "
              f"completion {ratio('completion_ms')}, peak RSS {ratio('peak_rss_mib')}")
EOF
