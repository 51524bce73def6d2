#!/usr/bin/env bash
# Graphviz's `dot`, which the `gwk graph --format dot` tests use to prove the
# DOT output is valid (they run `dot -Tsvg` on it). gwk itself never needs
# Graphviz: its SVG is drawn by gwk.
set -euo pipefail
if command -v dot >/dev/null 2>&1; then
    exit 0
fi
log=/tmp/gwk-apt-graphviz.log
echo "installing graphviz (log: $log)"
if ! apt-get install -y --no-install-recommends graphviz >"$log" 2>&1; then
    apt-get update >>"$log" 2>&1
    apt-get install -y --no-install-recommends graphviz >>"$log" 2>&1
fi
command -v dot >/dev/null
