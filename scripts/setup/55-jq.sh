#!/usr/bin/env bash
# Debian's jq, which the GitLab CI snippet of docs/ci.md uses and
# scripts/checks/65-ci-docs.sh runs. Idempotent.
set -euo pipefail
if command -v jq >/dev/null 2>&1; then
    echo "jq: $(jq --version)"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
{ apt-get update && apt-get install -y --no-install-recommends jq; } >/tmp/gwk-apt-jq.log 2>&1 || {
    tail -20 /tmp/gwk-apt-jq.log
    exit 1
}
echo "jq: $(jq --version)"
