#!/usr/bin/env bash
# gwk's wheel, as `pip install gwk` gives it: built for this platform by
# scripts/release/wheel.sh (maturin, the release profile), installed into a
# fresh virtual environment with no Rust on PATH, where
#   - `gwk check examples/` finds the examples clean (the README's first
#     command) and `gwk-lsp --version` names the same version;
#   - `gwk-lsp` answers an LSP `initialize` over stdio;
#   - the installed binaries are within their size targets (
#     gwk <= 20 MB, gwk-lsp <= 8 MB), printed.
# The root package (Cargo.toml, `gwk-dist`) builds both commands from the
# crates' own `main.rs` files, each a call into its crate's library, so the
# wheel's binaries are the crates' binaries.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
fail() { echo "FAIL: $*" >&2; exit 1; }
passed=0

echo "--- build the wheel"
start=$SECONDS
bash scripts/release/wheel.sh
echo "(the wheel took $((SECONDS - start)) s)"
. scripts/release/env.sh
version="$(gwk_version)"
wheel="$(ls "$dist"/gwk-"$version"-*.whl | head -1)"
python3 - "$wheel" <<'PY' || fail "the wheel does not carry both commands"
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
scripts = sorted(n.rsplit("/", 1)[1] for n in names if ".data/scripts/" in n)
print(f"{sys.argv[1].rsplit('/', 1)[1]}: scripts {scripts}")
sys.exit(0 if scripts == ["gwk", "gwk-lsp"] else 1)
PY
passed=$((passed + 1))

echo "--- install it into a fresh virtual environment, no Rust on PATH"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
clean_path="$work/venv/bin:/usr/local/bin:/usr/bin:/bin"
for tool in cargo rustc; do
    if PATH="$clean_path" command -v "$tool" >/dev/null 2>&1; then fail "$tool is on the clean PATH"; fi
done
[ "$(PATH="$clean_path" command -v gwk)" = "$work/venv/bin/gwk" ] || fail "gwk is not the venv's"

echo "--- gwk check examples/ (from the venv)"
out="$(cd "$repo" && PATH="$clean_path" NO_COLOR=1 gwk check examples/ 2>&1)" || { echo "$out"; fail "gwk check examples/ failed"; }
echo "$out" | tail -1
echo "$out" | grep -qx '0 errors, 0 warnings, 0 infos in 3 files' || { echo "$out"; fail "unexpected summary"; }
passed=$((passed + 1))

echo "--- gwk-lsp --version, and an initialize over stdio"
v="$(PATH="$clean_path" gwk-lsp --version)"
[ "$v" = "gwk-lsp $version" ] || fail "gwk-lsp --version printed '$v', expected 'gwk-lsp $version'"
echo "$v"
PATH="$clean_path" python3 - <<'PY' || fail "gwk-lsp did not answer initialize"
import json, subprocess
def frame(msg):
    body = json.dumps(msg).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body
p = subprocess.Popen(["gwk-lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
p.stdin.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}}))
p.stdin.flush()
length = 0
while (line := p.stdout.readline().strip()):
    if line.lower().startswith(b"content-length:"):
        length = int(line.split(b":")[1])
reply = json.loads(p.stdout.read(length))
p.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}) + frame({"jsonrpc": "2.0", "method": "exit"}))
p.stdin.close()
p.wait(timeout=10)
caps = reply["result"]["capabilities"]
print(f"initialize: {reply['result'].get('serverInfo')}, {len(caps)} capabilities")
assert "completionProvider" in caps, caps
PY
passed=$((passed + 2))

echo "--- sizes of the installed binaries"
if [ "$profile" != release ]; then
    echo "SKIPPED: sizes (GWK_RELEASE_PROFILE=$profile: not the release build)"
    echo "$passed passed, 0 failed"
    exit 0
fi
gwk_size=$(stat -c %s "$work/venv/bin/gwk")
lsp_size=$(stat -c %s "$work/venv/bin/gwk-lsp")
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
echo "gwk $(mb "$gwk_size") (target <= 20 MB), gwk-lsp $(mb "$lsp_size") (target <= 8 MB), wheel $(mb "$(stat -c %s "$wheel")")"
[ "$gwk_size" -le 20000000 ] || fail "gwk is $(mb "$gwk_size"), over 20 MB"
[ "$lsp_size" -le 8000000 ] || fail "gwk-lsp is $(mb "$lsp_size"), over 8 MB"
passed=$((passed + 1))
echo "$passed passed, 0 failed"
