#!/usr/bin/env bash
# The pre-commit hook (.pre-commit-hooks.yaml), with the real pre-commit from
# PyPI (scripts/setup/60-pre-commit.sh): `pre-commit try-repo` builds the
# gwk-check hook from this repository at HEAD (cargo install, as a user's
# pre-commit would) and runs it in a throwaway git repository, where it must
# reject a workflow that needs an unknown job, printing the diagnostic with
# its code, and pass a valid one.
#
# Speed: the build goes to a target directory kept between runs
# (target/pre-commit), and at opt-level 0 — this tests the hook's wiring, not
# gwk's speed. The first run compiles gwk's dependencies (a few minutes on
# two cores); later runs reuse them.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pre_commit="${XDG_CACHE_HOME:-$HOME/.cache}/gwk-test/pre-commit-venv/bin/pre-commit"
[ -x "$pre_commit" ] || { echo "pre-commit is missing: run scripts/setup/60-pre-commit.sh" >&2; exit 1; }

fail() { echo "FAIL: $*" >&2; exit 1; }


work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The output and pre-commit's store stay outside the repository under test:
# pre-commit fails a hook when files in the repository change during its run.
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
# A YAML file elsewhere is not the hook's business, broken or not.
echo "jobs: [this is: not a workflow" > other.yaml
git add -A

export PRE_COMMIT_HOME="$work/pre-commit-home"
export CARGO_TARGET_DIR="$repo/target/pre-commit"
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_INCREMENTAL=true
export NO_COLOR=1

run_hook() {
    set +e
    "$pre_commit" try-repo "$repo" gwk-check --all-files --verbose >"$work/out.txt" 2>&1
    status=$?
    set -e
}

echo "--- a workflow that needs an unknown job is rejected"
start=$SECONDS
run_hook
echo "(pre-commit try-repo took $((SECONDS - start)) s, including the hook's build)"
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
run_hook
echo "(pre-commit try-repo took $((SECONDS - start)) s)"
[ "$status" -eq 0 ] || { cat "$work/out.txt"; fail "pre-commit exited $status, expected 0"; }
grep -E '^gwk check\.+Passed' "$work/out.txt" || { cat "$work/out.txt"; fail "no 'gwk check ... Passed' line"; }
grep -q '0 errors, 0 warnings, 0 infos in 2 files' "$work/out.txt" || { cat "$work/out.txt"; fail "the hook did not check both the .yaml and the .yml file"; }
echo "2 passed, 0 failed"
