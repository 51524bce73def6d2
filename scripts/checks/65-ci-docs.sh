#!/usr/bin/env bash
# Runs the CI snippets of docs/ci.md (the blocks marked `<!-- test: NAME -->`)
# against a workflow with an error and a clean one, with the gwk of this tree:
# the GitHub Actions `run:` steps under bash -e (as Actions runs them), the
# GitLab `script:` lines under sh -e (as the runner does), minus the steps
# that install gwk. Checks exit statuses, the SARIF file, the annotations and
# the Code Quality report; the SARIF files are validated against the
# official SARIF 2.1.0 schema.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
(cd "$repo" && cargo build --quiet --locked -p gwk)
bin="${CARGO_TARGET_DIR:-$repo/target}/debug"
command -v jq >/dev/null || { echo "jq is missing: run scripts/setup/55-jq.sh" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The official SARIF 2.1.0 schema (shipped in Microsoft's npm package of
# SARIF matchers) validates gwk's SARIF files, with the Python jsonschema
# library of check-jsonschema's venv (the schema is draft-04, which ajv 8
# does not read; check-jsonschema itself refuses one of its patterns).
tools="$repo/target/bench-tools"
sarif_schema="$tools/sarif/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"
if [ ! -f "$sarif_schema" ]; then
    mkdir -p "$tools/sarif"
    npm install --prefix "$tools/sarif" --silent --no-audit --no-fund @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null
fi
if [ ! -x "$tools/venv/bin/check-jsonschema" ]; then
    python3 -m venv "$tools/venv"
    "$tools/venv/bin/pip" install -q check-jsonschema
fi
PATH="$bin:$PATH" NO_COLOR=1 python3 - "$repo/docs/ci.md" "$work" "$sarif_schema" "$tools/venv/bin/python" <<'PY'
import json, os, re, subprocess, sys, yaml

doc, work, sarif_schema, venv_python = sys.argv[1:5]
VALIDATE = "import json, sys, jsonschema; s = json.load(open(sys.argv[1])); errs = [f'{list(e.path)}: {e.message}' for e in jsonschema.Draft4Validator(s).iter_errors(json.load(open(sys.argv[2])))]; print(*errs, sep='\\n'); sys.exit(1 if errs else 0)"
text = open(doc).read()
blocks = dict(re.findall(r"<!-- test: ([\w-]+) -->\n```yaml\n(.*?)```", text, re.S))
assert set(blocks) == {"github-sarif", "github-annotations", "gitlab", "pre-commit-config"}, sorted(blocks)
# Every YAML block of the page parses.
for i, b in enumerate(re.findall(r"```yaml\n(.*?)```", text, re.S)):
    yaml.safe_load(b)

BAD = """jobs:
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
"""
GOOD = BAD.replace("Prepair", "Prepare")

def project(name, workflow):
    d = os.path.join(work, name)
    os.makedirs(os.path.join(d, ".gradient", "workflows"))
    open(os.path.join(d, ".gradient", "workflows", "train.yaml"), "w").write(workflow)
    return d

def run(shell, script, cwd):
    return subprocess.run([shell, "-e", "-c", script], cwd=cwd, capture_output=True, text=True)

passed = 0
def ok(cond, what, out=None):
    global passed
    if not cond:
        sys.exit(f"FAIL: {what}\n{out.stdout + out.stderr if out else ''}")
    passed += 1

def github_steps(block):
    wf = yaml.safe_load(block)
    [job] = wf["jobs"].values()
    return [s for s in job["steps"] if "run" in s and "gwk check" in s["run"]]

# --- GitHub: SARIF to code scanning
steps = github_steps(blocks["github-sarif"])
ok(len(steps) == 1, "one gwk check step in the SARIF snippet")
upload = [s for s in yaml.safe_load(blocks["github-sarif"])["jobs"]["check"]["steps"] if "upload-sarif" in s.get("uses", "")]
ok(len(upload) == 1 and upload[0].get("if") == "always()", "the SARIF upload runs even when the check fails")
for name, wf, want in [("sarif-bad", BAD, 1), ("sarif-good", GOOD, 0)]:
    d = project(name, wf)
    r = run("bash", steps[0]["run"], d)
    ok(r.returncode == want, f"{name}: exit {r.returncode}, expected {want}", r)
    sarif_file = os.path.join(d, upload[0]["with"]["sarif_file"])
    sarif = json.load(open(sarif_file))
    ok(sarif["version"] == "2.1.0", f"{name}: SARIF 2.1.0")
    v = subprocess.run([venv_python, "-c", VALIDATE, sarif_schema, sarif_file], capture_output=True, text=True)
    ok(v.returncode == 0, f"{name}: valid against the SARIF 2.1.0 schema", v)
    results = sarif["runs"][0]["results"]
    if want:
        ok([x["ruleId"] for x in results] == ["unknown-job"], f"{name}: the unknown-job result", r)
        loc = results[0]["locations"][0]["physicalLocation"]
        ok(loc["artifactLocation"]["uri"] == ".gradient/workflows/train.yaml" and loc["region"]["startLine"] == 10, f"{name}: its location")
    else:
        ok(results == [], f"{name}: no results")

# --- GitHub: annotations
steps = github_steps(blocks["github-annotations"])
ok(len(steps) == 1, "one gwk check step in the annotations snippet")
for name, wf, want in [("gh-bad", BAD, 1), ("gh-good", GOOD, 0)]:
    r = run("bash", steps[0]["run"], project(name, wf))
    ok(r.returncode == want, f"{name}: exit {r.returncode}, expected {want}", r)
    if want:
        ok(r.stdout.startswith("::error file=.gradient/workflows/train.yaml,line=10,col=13,") and "title=gwk unknown-job::" in r.stdout, f"{name}: the annotation", r)
        ok(r.stdout.splitlines()[0] in text, "the annotation shown in docs/ci.md is what gwk prints", r)
    else:
        ok("::error" not in r.stdout, f"{name}: no annotation", r)

# --- GitLab: Code Quality report and exit status
job = yaml.safe_load(blocks["gitlab"])["gwk-check"]
ok(job["artifacts"]["when"] == "always", "the report is kept when the job fails")
report = job["artifacts"]["reports"]["codequality"]
script = "\n".join(job["script"])
for name, wf, want_fail in [("gl-bad", BAD, True), ("gl-good", GOOD, False)]:
    d = project(name, wf)
    r = run("sh", script, d)
    ok((r.returncode != 0) == want_fail, f"{name}: exit {r.returncode}", r)
    cq = json.load(open(os.path.join(d, report)))
    if want_fail:
        ok(len(cq) == 1, f"{name}: one Code Quality entry", r)
        e = cq[0]
        ok(e["check_name"] == "unknown-job" and e["severity"] == "major", f"{name}: check name and severity")
        ok(e["location"] == {"path": ".gradient/workflows/train.yaml", "lines": {"begin": 10}}, f"{name}: location")
        ok(e["description"].startswith("unknown-job: `needs` names no job `Prepair`") and e["fingerprint"], f"{name}: description and fingerprint")
        ok("error[unknown-job]" in r.stdout, f"{name}: the readable report is in the log", r)
    else:
        ok(cq == [], f"{name}: an empty report")

# gwk that cannot run (no .gradient/workflows/) fails the GitLab job at once.
empty = os.path.join(work, "gl-empty"); os.makedirs(empty)
r = run("sh", script, empty)
ok(r.returncode != 0 and "no .gradient/workflows/ directory" in r.stderr, "gitlab: gwk's own failure (exit 2) stops the job", r)

# --- pre-commit config: names the hook this repository defines
cfg = yaml.safe_load(blocks["pre-commit-config"])
hooks = yaml.safe_load(open(os.path.join(os.path.dirname(doc), "..", ".pre-commit-hooks.yaml")))
ok(cfg["repos"][0]["hooks"][0]["id"] in [h["id"] for h in hooks], "the config names a hook of .pre-commit-hooks.yaml")
print(f"{passed} passed, 0 failed")
PY
