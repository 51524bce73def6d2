#!/usr/bin/env bash
# The Helix snippet (editors/helix). Helix itself is not packaged for these
# machines, so this checks what can be checked without it: the TOML parses,
# it declares the gwk-lsp server and a "gradient-workflow" language on the
# YAML grammar, and its globs — matched as Helix matches them (against the
# full path, with "*/" put in front, "*" crossing "/") — take workflow files
# and leave other YAML files alone. The query files inherit YAML's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../editors/helix"
python3 - <<'PY'
import fnmatch, pathlib, tomllib

cfg = tomllib.loads(pathlib.Path("languages.toml").read_text())
server = cfg["language-server"]["gwk-lsp"]
assert server["command"] == "gwk-lsp", server
[lang] = [l for l in cfg["language"] if l["name"] == "gradient-workflow"]
assert lang["grammar"] == "yaml", lang
assert lang["language-servers"][0] == "gwk-lsp", lang
assert all(isinstance(t, dict) for t in lang["file-types"]), "only globs: a bare extension would take every YAML file"
globs = [t["glob"] for t in lang["file-types"]]

def helix_glob(pattern):
    # helix-core: a relative glob without a leading glob gets "*/" in front.
    if not pattern.startswith(("/", "*")):
        pattern = "*/" + pattern
    return pattern

def matches(path):
    return any(fnmatch.fnmatchcase(path, helix_glob(g)) for g in globs)

yes = ["/home/ada/proj/.gradient/workflows/train.yaml",
       "/home/ada/proj/.gradient/workflows/eval.yml",
       "/home/ada/proj/.gradient/workflows/nested/deep.yaml",
       "/srv/mono/services/ml/.gradient/workflows/ci.yaml"]
no = ["/home/ada/proj/docker-compose.yaml",
      "/home/ada/proj/.github/workflows/ci.yml",
      "/home/ada/proj/.gradient/settings.yaml",
      "/home/ada/proj/.gradient/workflows/notes.md"]
for p in yes:
    assert matches(p), f"{p} should be a gradient-workflow file"
for p in no:
    assert not matches(p), f"{p} should stay plain YAML"

queries = pathlib.Path("runtime/queries/gradient-workflow")
names = sorted(q.name for q in queries.glob("*.scm"))
assert names == ["highlights.scm", "indents.scm", "injections.scm", "textobjects.scm"], names
for q in queries.glob("*.scm"):
    assert q.read_text().strip() == "; inherits: yaml", q
print(f"{len(yes) + len(no) + 4} passed, 0 failed")
PY
