#!/usr/bin/env bash
# The Docker engine and test images the `gwk run` tests use (docs/testing.md).
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/../docker-test-env.sh"
