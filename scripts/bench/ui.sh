#!/usr/bin/env bash
# Figures for docs/performance.md (gwk ui): first paint of the Runs page
# with 2,000 runs and of a job page whose log is 100 MB, beside a one-run
# baseline, and the server's memory. Builds gwk in release mode; needs
# Debian's chromium and tests/ui-browser's playwright-core (npm ci there).
#
#   scripts/bench/ui.sh [RUNS] [LOG_MB]
#   GWK=target/debug/gwk scripts/bench/ui.sh   # measure that binary, build nothing
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [ -n "${GWK:-}" ]; then
    gwk="$(cd "$(dirname "$GWK")" && pwd)/$(basename "$GWK")"
else
    cargo build --quiet --release --locked -p gwk
    gwk="$(cd "${CARGO_TARGET_DIR:-target}/release" && pwd)/gwk"
fi
cd tests/ui-browser
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --loglevel=error
GWK="$gwk" node bench.mjs "$@"
