#!/usr/bin/env bash
# Benchmark of `gwk run` against the Docker engine.
#
#   scripts/bench/run.sh [ROUNDS]     (default 3 rounds; the median is reported)
#
# 1. A chain of 20 trivial jobs (`true` in bash:5, each needing the one
#    before) under `gwk run --no-cache`, against 20 sequential
#    `docker run --rm --network none bash:5 true`.   Target: ratio <= 1.15.
# 2. A fan-out of 8 jobs that each sleep 2 s, `gwk run --parallel 8`.
#    Target: under 3 s.
# 3. For reference, the same fan-out as 8 `docker run --rm` started at once.
# Needs the Docker test environment (scripts/docker-test-env.sh) or any
# engine at $DOCKER_HOST with the image bash:5. Builds gwk in release mode;
# GWK_BIN_DIR=DIR takes the gwk in DIR without building (to compare two
# builds, as scripts/bench/compare-builds.sh does).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rounds=${1:-3}
[ -f /run/gwk-test/env ] && . /run/gwk-test/env
export DOCKER_HOST=${DOCKER_HOST:-${GWK_TEST_DOCKER_HOST:-unix:///var/run/docker.sock}}
# The release profile, as users get it (GWK_PROFILE=profiling: with line tables).
profile=${GWK_PROFILE:-release}
if [ -n "${GWK_BIN_DIR:-}" ]; then
    gwk=$(cd "$GWK_BIN_DIR" && pwd)/gwk   # a build made elsewhere
else
    cargo build --profile "$profile" -q -p gwk
    gwk=$(cd "${CARGO_TARGET_DIR:-target}/$profile" && pwd)/gwk
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GWK_HOME=$work/home

{
    printf 'defaults:\n  resources:\n    instance-type: C4\njobs:\n'
    for i in $(seq 1 20); do
        printf '  j%02d:\n    uses: container@v1\n    with: {image: "bash:5", args: ["true"]}\n' "$i"
        [ "$i" -gt 1 ] && printf '    needs: [j%02d]\n' $((i - 1))
    done
} > "$work/chain.yaml"
{
    printf 'defaults:\n  resources:\n    instance-type: C4\njobs:\n'
    for i in $(seq 1 8); do
        printf '  s%d:\n    uses: container@v1\n    with: {image: "bash:5", args: ["sleep", "2"]}\n' "$i"
    done
} > "$work/fanout.yaml"

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a - b}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Warm up: the image in the page cache, the binary loaded.
docker run --rm --network none bash:5 true
"$gwk" run "$work/chain.yaml" --network none --quiet --no-cache --parallel 1 > /dev/null

gwk_chain=() docker_chain=() fan=() docker_fan=()
for r in $(seq 1 "$rounds"); do
    t0=$(now)
    for i in $(seq 1 20); do docker run --rm --network none bash:5 true; done
    t1=$(now)
    "$gwk" run "$work/chain.yaml" --network none --quiet --no-cache > /dev/null
    t2=$(now)
    "$gwk" run "$work/fanout.yaml" --network none --quiet --no-cache --parallel 8 > /dev/null
    t3=$(now)
    for i in $(seq 1 8); do docker run --rm --network none bash:5 sleep 2 & done
    wait
    t4=$(now)
    docker_fan+=("$(sub "$t4" "$t3")")
    docker_chain+=("$(sub "$t1" "$t0")")
    gwk_chain+=("$(sub "$t2" "$t1")")
    fan+=("$(sub "$t3" "$t2")")
    echo "round $r: docker run chain ${docker_chain[-1]} s, gwk chain ${gwk_chain[-1]} s, gwk fan-out ${fan[-1]} s, docker run fan-out ${docker_fan[-1]} s"
done
d=$(printf '%s\n' "${docker_chain[@]}" | median)
g=$(printf '%s\n' "${gwk_chain[@]}" | median)
f=$(printf '%s\n' "${fan[@]}" | median)
df=$(printf '%s\n' "${docker_fan[@]}" | median)
ratio=$(awk -v g="$g" -v d="$d" 'BEGIN {printf "%.3f", g / d}')
echo
echo "median of $rounds rounds:"
printf '  20 x docker run --rm (sequential)   %6.2f s\n' "$d"
printf '  gwk run, chain of 20 jobs          %6.2f s   ratio %.2f (target <= 1.15)\n' "$g" "$ratio"
printf '  gwk run, fan-out 8 x sleep 2 s     %6.2f s   (target < 3 s)\n' "$f"
printf '  8 x docker run --rm sleep 2 at once %6.2f s   (baseline for the fan-out)\n' "$df"
