#!/usr/bin/env bash
# gwk's JSON Schema works in other validators: ajv (npm ajv-cli@5) and
# check-jsonschema (PyPI) accept the examples and every corpus file that
# ../shared/corpus/SOURCES.md lists as valid.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
tools=target/bench-tools
mkdir -p "$tools"
if [ ! -x "$tools/node_modules/.bin/ajv" ]; then
    (cd "$tools" && npm install --silent --no-audit --no-fund ajv-cli@5 >/dev/null)
fi
if [ ! -x "$tools/venv/bin/check-jsonschema" ]; then
    python3 -m venv "$tools/venv"
    "$tools/venv/bin/pip" install -q check-jsonschema
fi
schema=schema/gradient-workflow.schema.json
files=(examples/*.yaml)
corpus=../shared/corpus
if [ -f "$corpus/SOURCES.md" ]; then
    # The sections whose verdict is "valid".
    while IFS= read -r f; do files+=("$corpus/$f"); done < <(python3 - "$corpus/SOURCES.md" <<'EOF'
import re, sys
valid = None
for line in open(sys.argv[1]):
    if line.startswith("## "):
        h = line.lower()
        valid = not any(w in h for w in ("invalid", "not parseable", "broken", "questionable"))
    m = re.match(r"- \*\*`([^`]+)`\*\*", line)
    if m and valid:
        print(m.group(1))
EOF
)
else
    echo "SKIPPED the corpus: $corpus is absent (checking the examples only)"
fi
echo "ajv and check-jsonschema on ${#files[@]} files"
fail=0
data=()
for f in "${files[@]}"; do data+=(-d "$f"); done
if ! "$tools/node_modules/.bin/ajv" validate --spec=draft7 --strict=false -s "$schema" "${data[@]}" > "$tools/ajv.out" 2>&1; then
    echo "ajv rejects some files:"; grep -v " valid$" "$tools/ajv.out"; fail=1
fi
if ! "$tools/venv/bin/check-jsonschema" --schemafile "$schema" "${files[@]}"; then
    fail=1
fi
[ $fail = 0 ] && echo "both validators accept all ${#files[@]} files"
exit $fail
