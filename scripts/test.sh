#!/usr/bin/env bash
# Runs every test CI runs, on a fresh machine or a developer's.
#
#   scripts/test.sh           set up what the tests need, then run them all
#   scripts/test.sh --quick   only the Rust tests (no setup, no extra checks)
#
# 1. scripts/setup/*.sh  — idempotent installers (Docker engine and test
#    images, Neovim, Node packages, ...), run in name order.
# 2. cargo fmt --check, cargo clippy -D warnings, cargo nextest (the whole workspace).
# 3. scripts/checks/*.sh — checks that are not Rust tests (the VS Code
#    extension build, pre-commit, ...), run in name order.
# Each step prints what it runs; the first failure stops the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=false
[ "${1:-}" = "--quick" ] && quick=true

step() { printf '\n==> %s\n' "$*"; }

if ! $quick; then
    for s in scripts/setup/*.sh; do
        [ -e "$s" ] || continue
        step "$s"
        bash "$s"
    done
fi

if ! command -v cargo-nextest >/dev/null 2>&1; then
    step "installing cargo-nextest"
    cargo install --locked cargo-nextest
fi

step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy"
# gwk-dist (the root package) builds the crates' own main.rs files again
# under the same binary names, for the wheel: left out here, where it would
# only overwrite target/debug/gwk and gwk-lsp with the same programs.
cargo clippy --workspace --exclude gwk-dist --all-targets --locked -- -D warnings
step "cargo nextest run"
CI=true cargo nextest run --workspace --exclude gwk-dist --locked --no-fail-fast

if ! $quick; then
    for s in scripts/checks/*.sh; do
        [ -e "$s" ] || continue
        step "$s"
        bash "$s"
    done
fi
step "all tests passed"
