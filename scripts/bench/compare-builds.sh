#!/usr/bin/env bash
# Two builds of gwk side by side in one run (docs/performance.md): the
# checker, the language server and the runner benchmarks on each, alternating
# A and B, so load from other processes hits both alike.
#
#   scripts/bench/compare-builds.sh DIR_A DIR_B [ROUNDS] [SLOW_ROUNDS]
#
# DIR_A and DIR_B hold a `gwk` and a `gwk-lsp` (e.g. two release builds:
# a baseline commit's and this one's). Prints:
#   1. the sizes of both binaries;
#   2. `gwk check --format json` of the 200 generated files (with and without
#      the security rules: GWK_BENCH_WITHOUT_SECURITY, see
#      scripts/bench-check.sh) and of the 2,000-job file, ROUNDS
#      interleaved rounds (default 15): wall and CPU time (min, median) and
#      the ratios B/A and with/without security;
#   3. SERVERS=gwk scripts/bench-lsp.sh and scripts/bench/run.sh 1 on each
#      build, SLOW_ROUNDS times (default 2), alternating A, B (set
#      SKIP_RUN=1 to leave out the runner, which needs Docker).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[ $# -ge 2 ] || { echo "usage: scripts/bench/compare-builds.sh DIR_A DIR_B [ROUNDS] [SLOW_ROUNDS]" >&2; exit 2; }
a=$(cd "$1" && pwd) b=$(cd "$2" && pwd)
rounds=${3:-15} slow=${4:-2}
for d in "$a" "$b"; do
    for bin in gwk gwk-lsp; do
        [ -x "$d/$bin" ] || { echo "no $bin in $d" >&2; exit 2; }
    done
done
gen=../shared/tools/gen_workflow.py
[ -f "$gen" ] || { echo "needs $gen (../shared beside the repository)" >&2; exit 2; }
echo "A: $a"
echo "B: $b"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "== 1. sizes =="
for bin in gwk gwk-lsp; do
    s0=$(stat -c %s "$a/$bin") s1=$(stat -c %s "$b/$bin")
    awk -v n="$bin" -v s0="$s0" -v s1="$s1" 'BEGIN { printf "%-8s A %6.1f MB  B %6.1f MB  (B/A %.2f)\n", n, s0 / 1e6, s1 / 1e6, s1 / s0 }'
done

work=target/bench-check
mkdir -p "$work/files200"
python3 "$gen" 2000 > "$work/w2000.yaml"
for i in $(seq 1 200); do python3 "$gen" 20 --seed "$i" > "$work/files200/w$i.yaml"; done

echo
echo "== 2. gwk check, $rounds interleaved rounds =="
python3 - "$a" "$b" "$work" "$rounds" <<'PY'
import os, resource, statistics, subprocess, sys, time
a, b, work, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
files200 = f"{work}/files200"
w2000 = f"{work}/w2000.yaml"
# Wall time, and CPU time (user + system of the child): on a machine that
# other processes load, wall time mostly measures them; CPU time much less.
wall, cpu = {}, {}
cases = []
for tag, d in (("A", a), ("B", b)):
    cases.append((f"{tag} 200 files", [f"{d}/gwk", "check", "--format", "json", files200], {}))
    cases.append((f"{tag} 200 files, no security", [f"{d}/gwk", "check", "--format", "json", files200],
                  {"GWK_BENCH_WITHOUT_SECURITY": "1"}))
    cases.append((f"{tag} 2,000-job file", [f"{d}/gwk", "check", "--format", "json", w2000], {}))
# One untimed pass: the files in the page cache, the binaries loaded.
for name, cmd, env in cases:
    subprocess.run(cmd, env={**os.environ, **env}, stdout=subprocess.DEVNULL)
def used():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
for _ in range(rounds):
    for name, cmd, env in cases:
        c, t = used(), time.perf_counter()
        p = subprocess.run(cmd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall.setdefault(name, []).append(time.perf_counter() - t)
        cpu.setdefault(name, []).append(used() - c)
        if p.returncode not in (0, 1):
            sys.exit(f"{name} failed ({p.returncode}): {p.stderr.decode()[-500:]}")
print(f"{'':32} {'wall min s':>10} {'median':>8} {'CPU min s':>10} {'median':>8}")
for name, _, _ in cases:
    w, c = wall[name], cpu[name]
    print(f"{name:32} {min(w):10.4f} {statistics.median(w):8.4f} {min(c):10.4f} {statistics.median(c):8.4f}")
def ratios(runs, x, y):
    per = [p / q for p, q in zip(runs[x], runs[y])]
    return (min(runs[x]) / min(runs[y]), statistics.median(runs[x]) / statistics.median(runs[y]),
            statistics.median(per))
print()
print("ratios: min/min, median/median, median of the per-round ratios")
for label, runs in (("wall", wall), ("CPU", cpu)):
    for what in ("200 files", "200 files, no security", "2,000-job file"):
        lo, med, per = ratios(runs, f"B {what}", f"A {what}")
        print(f"{label:4} B/A, {what:24} {lo:.3f}  {med:.3f}  {per:.3f}")
    for tag in ("A", "B"):
        lo, med, per = ratios(runs, f"{tag} 200 files", f"{tag} 200 files, no security")
        print(f"{label:4} {tag}: with / without security   {lo:.3f}  {med:.3f}  {per:.3f}")
print(f"load average at end of 2.: {' '.join(open('/proc/loadavg').read().split()[:3])}")
PY

for r in $(seq 1 "$slow"); do
    for tag in A B; do
        d=$a; [ "$tag" = B ] && d=$b
        echo
        echo "== 3. round $r, $tag: SERVERS=gwk scripts/bench-lsp.sh (load $(cut -d' ' -f1 /proc/loadavg)) =="
        GWK_BIN_DIR=$d SERVERS=gwk scripts/bench-lsp.sh 2>/dev/null
        if [ -z "${SKIP_RUN:-}" ]; then
            echo "== 3. round $r, $tag: scripts/bench/run.sh 1 (load $(cut -d' ' -f1 /proc/loadavg)) =="
            GWK_BIN_DIR=$d scripts/bench/run.sh 1 | tail -5
        fi
    done
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
