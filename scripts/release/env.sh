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
# The cargo profile of the release builds: release, unless
# GWK_RELEASE_PROFILE says otherwise (dev: a quick build that tests the
# packaging only); and where a build for TARGET leaves its binaries (cargo
# puts a build for this machine, made without --target, in target/PROFILE,
# where it shares the dependencies of every other build).
profile="${GWK_RELEASE_PROFILE:-release}"
bin_dir() {
    local dir=$profile
    [ "$profile" = dev ] && dir=debug
    if [ "$1" = "$(host_target)" ]; then
        echo "${CARGO_TARGET_DIR:-$repo/target}/$dir"
    else
        echo "${CARGO_TARGET_DIR:-$repo/target}/$1/$dir"
    fi
}
