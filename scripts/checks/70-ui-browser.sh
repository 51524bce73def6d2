#!/usr/bin/env bash
# gwk ui in a real browser (tests/ui-browser): Debian's headless Chromium
# (scripts/setup/50-chromium.sh) driven by playwright-core from npm, against
# the Docker test environment (scripts/setup/10-docker.sh starts it). The
# screenshots of each page are kept in target/ui-browser/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

step() { printf -- '--- %s\n' "$*"; }

cargo build --quiet --locked -p gwk
gwk="$(cd "${CARGO_TARGET_DIR:-target}/debug" && pwd)/gwk"
artefacts="$(pwd)/${CARGO_TARGET_DIR:-target}/ui-browser"
rm -rf "$artefacts"
cd tests/ui-browser
step "npm ci"
npm ci --no-audit --no-fund --loglevel=error
step "node --test console.test.mjs (screenshots: $artefacts)"
GWK="$gwk" ARTEFACTS="$artefacts" npm test --silent
ls "$artefacts"
