#!/usr/bin/env bash
# Self-test of the Docker test environment set up by scripts/docker-test-env.sh.
# Reads /run/gwk-test/env, runs every check, prints ok/FAIL per check and
# exits 1 if any failed. Takes a few seconds; leaves nothing behind.
set -euo pipefail

ENV_FILE=/run/gwk-test/env
failures=0
ok() { printf '[docker-test-env-check] ok:   %s\n' "$*"; }
fail() { printf '[docker-test-env-check] FAIL: %s\n' "$*" >&2; failures=$((failures + 1)); }

[[ -r $ENV_FILE ]] || { echo "[docker-test-env-check] FAIL: $ENV_FILE missing; run scripts/docker-test-env.sh first" >&2; exit 1; }
# shellcheck disable=SC1090
. "$ENV_FILE"
main=$GWK_TEST_DOCKER_HOST
gpu=${GWK_TEST_GPU_DOCKER_HOST:-}
registry=${GWK_TEST_REGISTRY:-}

# expect_output WHAT WANT COMMAND...: COMMAND succeeds and prints exactly WANT.
expect_output() {
    local what=$1 want=$2 got; shift 2
    if got=$("$@" 2>&1) && [[ $got == "$want" ]]; then
        ok "$what"
    else
        fail "$what: expected '$want', got: $got"
    fi
}

# --- main daemon and images ----------------------------------------------------
if ! docker -H "$main" version >/dev/null 2>&1; then
    fail "main daemon does not answer on $main"
    exit 1
fi
ok "main daemon answers on $main"

base_id=$(docker -H "$main" image inspect -f '{{.Id}}' "$GWK_TEST_IMAGE" 2>/dev/null || true)
IFS=, read -ra tags <<<"$GWK_TEST_IMAGE_TAGS"
for t in "${tags[@]}"; do
    id=$(docker -H "$main" image inspect -f '{{.Id}}' "$t" 2>/dev/null || true)
    [[ -n $id && $id == "$base_id" ]] || fail "image $t missing or not the test image on $main"
done
[[ -n $base_id ]] && ok "images present: $GWK_TEST_IMAGE_TAGS"

expect_output "bash:5 runs bash with --network none" ok \
    docker -H "$main" run --rm --network none bash:5 bash -c 'echo ok'
expect_output "alpine:3.19 runs sh (busybox) with --network none" ok \
    docker -H "$main" run --rm --network none alpine:3.19 sh -c 'echo ok'
expect_output "container on the default bridge network starts" ok \
    docker -H "$main" run --rm busybox:latest echo ok

# Without the hook on its PATH the main daemon has no GPU driver: the error
# path that gwk must report. (On a host with NVIDIA's toolkit installed the
# main daemon does have the driver, and this check fails by design.)
want='could not select device driver "" with capabilities: [[gpu]]'
if out=$(docker -H "$main" run --rm --network none --gpus 1 bash:5 true 2>&1); then
    fail "main daemon accepted --gpus 1 (it has a GPU driver?)"
elif [[ $out == *"$want"* ]]; then
    ok "main daemon refuses --gpus 1 with: $want"
else
    fail "main daemon refused --gpus 1 with an unexpected message: $out"
fi

# --- GPU daemon ------------------------------------------------------------------
if [[ -n $gpu ]]; then
    hook_calls() { if [[ -f $GWK_TEST_NVIDIA_HOOK_LOG ]]; then wc -l <"$GWK_TEST_NVIDIA_HOOK_LOG"; else echo 0; fi; }
    before=$(hook_calls)
    expect_output "GPU daemon: --gpus 2 gives NVIDIA_VISIBLE_DEVICES=0,1" 0,1 \
        docker -H "$gpu" run --rm --network none --gpus 2 bash:5 bash -c 'echo $NVIDIA_VISIBLE_DEVICES'
    expect_output "GPU daemon: --gpus '\"device=1,3\"' gives NVIDIA_VISIBLE_DEVICES=1,3" 1,3 \
        docker -H "$gpu" run --rm --network none --gpus '"device=1,3"' bash:5 bash -c 'echo $NVIDIA_VISIBLE_DEVICES'
    after=$(hook_calls)
    if ((after >= before + 2)); then
        ok "GPU daemon ran the stand-in prestart hook ($GWK_TEST_NVIDIA_HOOK_LOG)"
    else
        fail "stand-in hook was not called (log $GWK_TEST_NVIDIA_HOOK_LOG: $before -> $after lines)"
    fi
else
    echo "[docker-test-env-check] skip: GPU daemon (not in $ENV_FILE)"
fi

# --- registry ----------------------------------------------------------------------
if [[ -n $registry ]]; then
    img=$GWK_TEST_REGISTRY_IMAGE
    docker -H "$main" rmi "$img" >/dev/null 2>&1 || true
    if out=$(docker -H "$main" pull "$img" 2>&1); then
        expect_output "pulled $img from the local registry; it runs" ok \
            docker -H "$main" run --rm --network none "$img" sh -c 'echo ok'
    else
        fail "docker pull $img: $out"
    fi
    docker -H "$main" rmi "$img" >/dev/null 2>&1 || true
else
    echo "[docker-test-env-check] skip: registry (not in $ENV_FILE)"
fi

if ((failures)); then
    echo "[docker-test-env-check] $failures check(s) failed" >&2
    exit 1
fi
echo "[docker-test-env-check] all checks passed"
