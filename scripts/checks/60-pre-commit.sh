#!/usr/bin/env bash
# The pre-commit hooks, with the real pre-commit from PyPI
# (scripts/setup/60-pre-commit.sh), each run in a throwaway git repository
# where it must reject a workflow that needs an unknown job, printing the
# diagnostic with its code, and pass a valid one:
#
# 1. `gwk-check` of this repository (.pre-commit-hooks.yaml): pre-commit
#    builds gwk from source with cargo (`cargo install --path .`, the root
#    package), as a user's pre-commit would.
# 2. `gwk-check` of the companion repository (python/gwk-pre-commit, made
#    into a git repository by scripts/release/pre-commit-mirror.sh, as the
#    release does): pre-commit pip-installs gwk's wheel, built here by
#    scripts/release/wheel.sh, from that directory only (PIP_NO_INDEX,
#    PIP_FIND_LINKS), with no Rust toolchain on PATH.
#
# Speed: the source hook builds into a target directory kept between runs
# (target/pre-commit), at opt-level 0 and without LTO — this tests the hook's
# wiring, not gwk's speed. The first run compiles gwk's dependencies (a few
# minutes on two cores); later runs reuse them. The wheel is the release
# build scripts/checks/70-wheel.sh tests too (built once, reused).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/gwk-test"
pre_commit="$cache/pre-commit-venv/bin/pre-commit"
[ -x "$pre_commit" ] || { echo "pre-commit is missing: run scripts/setup/60-pre-commit.sh" >&2; exit 1; }
wheelhouse="$cache/wheelhouse"
ls "$wheelhouse"/setuptools-*.whl >/dev/null 2>&1 || { echo "setuptools' wheel is missing from $wheelhouse: run scripts/setup/70-release-tools.sh" >&2; exit 1; }

fail() { echo "FAIL: $*" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A project with a workflow that needs a job that does not exist, and a
# broken YAML file that is not a workflow (not the hook's business).
new_project() {
    rm -rf "$work/repo"
    mkdir "$work/repo"
    cd "$work/repo"
    git init -q .
    git config user.email test@example.invalid
    git config user.name test
    mkdir -p .gradient/workflows
    cat > .gradient/workflows/train.yaml <<'YAML'
jobs:
  Prepare:
    uses: container@v1
    with:
      image: alpine:3.19
      args: ["echo", "ready"]
    resources:
      instance-type: C5
  Train:
    needs: [Prepair]
    uses: container@v1
    with:
      image: alpine:3.19
      args: ["echo", "training"]
    resources:
      instance-type: C5
YAML
    echo "jobs: [this is: not a workflow" > other.yaml
    git add -A
}

# run_hook HOOK_REPO: `pre-commit try-repo` of gwk-check from HOOK_REPO.
# pre-commit's store is fresh for each repository under test (outside the
# project: pre-commit fails a hook when files in the project change).
run_hook() {
    set +e
    PRE_COMMIT_HOME="$work/home-$(basename "$1")" NO_COLOR=1 \
        "$pre_commit" try-repo "$1" gwk-check --all-files --verbose >"$work/out.txt" 2>&1
    status=$?
    set -e
}

# check_hook HOOK_REPO: the rejection, then the fix.
check_hook() {
    new_project
    echo "--- a workflow that needs an unknown job is rejected"
    start=$SECONDS
    run_hook "$1"
    echo "(pre-commit try-repo took $((SECONDS - start)) s, including the hook's installation)"
    [ "$status" -eq 1 ] || { cat "$work/out.txt"; fail "pre-commit exited $status, expected 1"; }
    grep -q 'error\[unknown-job\]: `needs` names no job `Prepair`' "$work/out.txt" || { cat "$work/out.txt"; fail "no unknown-job diagnostic"; }
    grep -q -- '--> .gradient/workflows/train.yaml:10:13' "$work/out.txt" || { cat "$work/out.txt"; fail "the diagnostic does not point at train.yaml:10:13"; }
    grep -q 'other.yaml' "$work/out.txt" && { cat "$work/out.txt"; fail "the hook looked at other.yaml"; }
    grep -E '^gwk check\.+Failed' "$work/out.txt" || { cat "$work/out.txt"; fail "no 'gwk check ... Failed' line"; }
    sed -n '/error\[unknown-job\]/,/^help/p' "$work/out.txt"

    echo "--- the fixed workflow passes"
    sed -i 's/Prepair/Prepare/' .gradient/workflows/train.yaml
    cp .gradient/workflows/train.yaml .gradient/workflows/eval.yml
    git add -A
    start=$SECONDS
    run_hook "$1"
    echo "(pre-commit try-repo took $((SECONDS - start)) s)"
    [ "$status" -eq 0 ] || { cat "$work/out.txt"; fail "pre-commit exited $status, expected 0"; }
    grep -E '^gwk check\.+Passed' "$work/out.txt" || { cat "$work/out.txt"; fail "no 'gwk check ... Passed' line"; }
    grep -q '0 errors, 0 warnings, 0 infos in 2 files' "$work/out.txt" || { cat "$work/out.txt"; fail "the hook did not check both the .yaml and the .yml file"; }
}

echo "=== 1. the source hook (language: rust, builds gwk with cargo)"
(
    export CARGO_TARGET_DIR="$repo/target/pre-commit"
    export CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_INCREMENTAL=true
    export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256
    check_hook "$repo"
)

echo "=== 2. the wheel hook (language: python, installs gwk's wheel)"
# What pip may install: the wheel built here and setuptools (the companion
# package's build backend), nothing from an index.
bash "$repo/scripts/release/wheel.sh" >/dev/null
dist="${DIST:-$repo/target/dist}"
version="$(. "$repo/scripts/release/env.sh" && gwk_version)"
ls "$dist"/gwk-"$version"-*.whl >/dev/null || fail "no gwk $version wheel in $dist"
companion="$repo/python/gwk-pre-commit/pyproject.toml"
grep -qx "version = \"$version\"" "$companion" && grep -qF "dependencies = [\"gwk==$version\"]" "$companion" \
    || fail "$companion must be at gwk's version $version and require gwk==$version"
DIST="$work/mirror-out" bash "$repo/scripts/release/pre-commit-mirror.sh" "$work/gwk-pre-commit"
(
    export PIP_NO_INDEX=1 PIP_FIND_LINKS="$dist $wheelhouse" PIP_DISABLE_PIP_VERSION_CHECK=1
    # No Rust: pre-commit must not need cargo to install this hook.
    export PATH="/usr/local/bin:/usr/bin:/bin"
    if command -v cargo >/dev/null 2>&1; then fail "cargo is still on PATH ($(command -v cargo))"; fi
    check_hook "$work/gwk-pre-commit"
)
# The hook ran the wheel's gwk: its environment holds the wheel's binaries.
env_gwk="$(find "$work/home-gwk-pre-commit" -path '*/bin/gwk' -type f | head -1)"
[ -n "$env_gwk" ] || fail "no bin/gwk in the hook's environment"
"$env_gwk" --version | grep -qx "gwk $version" || fail "the hook's gwk is not gwk $version: $("$env_gwk" --version)"
echo "the hook's environment: $env_gwk ($("$env_gwk" --version))"
echo "4 passed, 0 failed"
