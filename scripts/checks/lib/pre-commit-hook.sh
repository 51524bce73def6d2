# Shared by scripts/checks/60-pre-commit.sh and 62-pre-commit-wheel.sh:
# `check_hook HOOK_REPO` runs gwk-check of HOOK_REPO with the real pre-commit
# (`pre-commit try-repo`) in a throwaway git repository, where it must reject
# a workflow that needs an unknown job, printing the diagnostic with its
# code; gwk-fix of HOOK_REPO must fix it (and fail, as pre-commit fails a
# hook that changes files); then both hooks pass the fixed one (and a .yml
# beside it). Needs $work (a
# temporary directory the caller removes) and $pre_commit.
fail() { echo "FAIL: $*" >&2; exit 1; }

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

# run_hook HOOK_REPO [HOOK]: `pre-commit try-repo` of HOOK (default
# gwk-check) from HOOK_REPO.
# pre-commit's store is fresh for each repository under test (outside the
# project: pre-commit fails a hook when files in the project change).
run_hook() {
    set +e
    PRE_COMMIT_HOME="$work/home-$(basename "$1")" NO_COLOR=1 \
        "$pre_commit" try-repo "$1" "${2:-gwk-check}" --all-files --verbose >"$work/out.txt" 2>&1
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

    echo "--- gwk-fix applies the fix, and fails because it changed the file"
    run_hook "$1" gwk-fix
    [ "$status" -eq 1 ] || { cat "$work/out.txt"; fail "gwk-fix exited $status, expected 1"; }
    grep -qx '    needs: \[Prepare\]' .gradient/workflows/train.yaml || { cat .gradient/workflows/train.yaml; fail "gwk-fix did not fix the job name"; }
    grep -q 'files were modified by this hook' "$work/out.txt" || { cat "$work/out.txt"; fail "pre-commit did not see the change"; }
    cmp -s other.yaml <(echo "jobs: [this is: not a workflow") || fail "gwk-fix touched other.yaml"

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
    run_hook "$1" gwk-fix
    [ "$status" -eq 0 ] || { cat "$work/out.txt"; fail "gwk-fix exited $status on a clean workflow, expected 0"; }
    grep -E '^gwk fix\.+Passed' "$work/out.txt" || { cat "$work/out.txt"; fail "no 'gwk fix ... Passed' line"; }
}

