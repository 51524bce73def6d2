# Sourced by the scripts of scripts/release/: where they write, and the tools
# they use. DIST (default target/dist) receives what a release attaches.
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dist="${DIST:-$repo/target/dist}"
mkdir -p "$dist"
# maturin: from PATH (the release workflow pip-installs it), else the venv
# scripts/setup/70-release-tools.sh makes.
release_venv="${XDG_CACHE_HOME:-$HOME/.cache}/gwk-test/release-venv"
if command -v maturin >/dev/null 2>&1; then
    maturin=maturin
elif [ -x "$release_venv/bin/maturin" ]; then
    maturin="$release_venv/bin/maturin"
elif [ -x "$release_venv/Scripts/maturin.exe" ]; then # a venv on Windows
    maturin="$release_venv/Scripts/maturin.exe"
else
    maturin=""
fi
# The version of gwk: the workspace's, as Cargo.lock records it for gwk.
gwk_version() {
    awk '{ sub(/\r$/, "") } /^name = "gwk"$/ { getline; sub(/\r$/, ""); gsub(/version = |"/, ""); print; exit }' "$repo/Cargo.lock"
}
# Python (`python` on the release workflow's Windows runner).
python="$(command -v python3 || command -v python)"
# This machine's target triple.
host_target() { rustc -vV | sed -n 's/^host: //p'; }
