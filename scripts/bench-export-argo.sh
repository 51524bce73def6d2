#!/usr/bin/env bash
# How long `gwk export argo` takes next to `gwk plan` (its baseline: the
# export starts from the plan) on the same files: the least wall time of 7
# interleaved runs each, in milliseconds. Not run by CI.
#
#   cargo build --release -p gwk
#   python3 ../shared/tools/gen_workflow.py 2000 > /tmp/big.yaml
#   scripts/bench-export-argo.sh /tmp/big.yaml [more files...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
G=${GWK:-target/release/gwk}
[ -x "$G" ] || { echo "build it first: cargo build --release -p gwk" >&2; exit 2; }
for f in "$@"; do
  declare -A best=()
  for i in $(seq 7); do
    for name in plan export-yaml export-json; do
      case $name in
        plan) cmd=(plan "$f" --format json);;
        export-yaml) cmd=(export argo "$f");;
        export-json) cmd=(export argo "$f" --format json);;
      esac
      s=$(date +%s%N); "$G" "${cmd[@]}" >/dev/null 2>&1; e=$(date +%s%N)
      t=$(( (e-s)/1000000 ))
      if [ -z "${best[$name]:-}" ] || [ "$t" -lt "${best[$name]}" ]; then best[$name]=$t; fi
    done
  done
  echo "$f ($(grep -c 'uses:' "$f") jobs): plan ${best[plan]} ms, export yaml ${best[export-yaml]} ms ($(echo "scale=2; ${best[export-yaml]}/${best[plan]}" | bc)x plan), export json ${best[export-json]} ms"
  unset best
done
