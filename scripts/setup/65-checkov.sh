#!/usr/bin/env bash
# checkov (PyPI), the infrastructure-as-code scanner whose Argo Workflows
# policies (CKV_ARGO_*) the `gwk export argo` tests hold every export to,
# in its own virtualenv. Idempotent: does nothing when it is installed.
# Tests find it at /opt/gwk-test/checkov/bin/checkov (or $GWK_TEST_CHECKOV)
# and always run it with --skip-download (no network).
set -euo pipefail
venv=/opt/gwk-test/checkov
# (`checkov --version` would ask PyPI for a newer release: the import is
# the offline proof that it is installed.)
if [ -x "$venv/bin/checkov" ] && "$venv/bin/python" -c 'import checkov.main' 2>/dev/null; then
    echo "checkov already installed in $venv"
    exit 0
fi
python=$(command -v python3)
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check 'checkov>=3.2,<4'
"$venv/bin/python" -c 'import checkov.main'
echo "checkov installed in $venv"
