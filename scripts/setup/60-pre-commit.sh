#!/usr/bin/env bash
# pre-commit from PyPI, in a venv under the cache directory, for the hook test
# (scripts/checks/60-pre-commit.sh). Idempotent: does nothing when present.
set -euo pipefail
venv="${XDG_CACHE_HOME:-$HOME/.cache}/gwk-test/pre-commit-venv"
if [ -x "$venv/bin/pre-commit" ]; then
    echo "pre-commit: $("$venv/bin/pre-commit" --version)"
    exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check 'pre-commit>=4,<5'
echo "pre-commit: $("$venv/bin/pre-commit" --version)"
