#!/usr/bin/env bash
# The S3-compatible server the s3-download@v1 tests start on 127.0.0.1:
# moto's server (PyPI `moto[server]`) in its own virtualenv. Idempotent:
# does nothing when it is installed. Tests find it at
# /opt/gwk-test/moto/bin/moto_server (or $GWK_TEST_MOTO_SERVER).
set -euo pipefail
venv=/opt/gwk-test/moto
if [ -x "$venv/bin/moto_server" ] && "$venv/bin/python" -c 'import moto.server' 2>/dev/null; then
    echo "moto server already installed in $venv"
    exit 0
fi
python=$(command -v python3)
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check 'moto[server]>=5,<6'
"$venv/bin/moto_server" --help >/dev/null
echo "moto server installed in $venv"
