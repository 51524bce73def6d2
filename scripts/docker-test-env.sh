#!/usr/bin/env bash
# Set up (or stop) the Docker test environment that gwk's `gwk run` tests use.
#
#   scripts/docker-test-env.sh                   # set everything up (idempotent)
#   scripts/docker-test-env.sh --no-gpu-daemon   # skip the stand-in GPU daemon
#   scripts/docker-test-env.sh --no-registry     # skip the local registry
#   scripts/docker-test-env.sh --stop            # stop what this script started
#
# What it provides (see docs/testing.md, "Docker test environment"):
#   - the main dockerd on unix:///var/run/docker.sock
#   - test images built with `docker import` from Debian's busybox-static and
#     bash-static (no registry outside this machine is reachable), tagged as
#     the names workflows use
#   - a second dockerd that believes it has NVIDIA GPUs (stand-in hook)
#   - a plain-HTTP registry on 127.0.0.1:5000 holding gwk-test/base:latest
#   - /run/gwk-test/env with the addresses, for tests to read
# Must run as root. Safe to run again: every step checks before it acts.
set -euo pipefail

STATE=/run/gwk-test              # sockets, pidfiles, env file (gone on reboot, like the daemons)
DATA=/var/lib/gwk-test           # GPU daemon's data-root, registry storage (kept across --stop)
MAIN_HOST=unix:///var/run/docker.sock
MAIN_LOG=/tmp/gwk-dockerd.log
GPU_SOCK=$STATE/docker-gpu.sock
GPU_HOST=unix://$GPU_SOCK
GPU_LOG=/tmp/gwk-dockerd-gpu.log
GPU_BRIDGE=gwk-gpu0              # the GPU daemon's own bridge (see start_gpu_daemon)
GPU_BRIDGE_ADDR=172.30.0.1/24
HOOK_LOG=$STATE/nvidia-hook.log
REGISTRY=127.0.0.1:5000
REGISTRY_LOG=/tmp/gwk-registry.log
BASE=gwk-test/base:latest
REGISTRY_IMAGE=$REGISTRY/$BASE
# Every image name that workflows in tests and examples use. All are the same image.
TAGS=(bash:5 alpine:3.19 alpine:latest busybox:latest ubuntu:22.04 "$BASE")
LABEL=org.gwk.test.content      # image label holding the content hash (skip rebuilds)
PACKAGES=(docker.io busybox-static bash-static docker-registry git)
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { printf '[docker-test-env] %s\n' "$*"; }
die() { printf '[docker-test-env] ERROR: %s\n' "$*" >&2; exit 1; }

# wait_for SECONDS WHAT COMMAND...: poll COMMAND every 0.5 s until it succeeds.
wait_for() {
    local secs=$1 what=$2; shift 2
    local tries=$((secs * 2))
    while ! "$@" >/dev/null 2>&1; do
        tries=$((tries - 1))
        ((tries > 0)) || return 1
        sleep 0.5
    done
    log "$what is up"
}

# pid_alive PIDFILE NAME: the pidfile names a live process whose command is NAME.
# (The name check keeps a stale pidfile from making us signal an unrelated process.)
pid_alive() {
    local pid
    [[ -s $1 ]] || return 1
    pid=$(cat "$1")
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$2" ]]
}

# stop_pidfile PIDFILE NAME: SIGTERM, wait up to 60 s (dockerd stops its
# containers and its containerd first), then SIGKILL.
stop_pidfile() {
    local pidfile=$1 name=$2 pid i
    if ! pid_alive "$pidfile" "$name"; then
        rm -f "$pidfile"
        return 0
    fi
    pid=$(cat "$pidfile")
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 120; i++)); do
        [[ -d /proc/$pid ]] || break
        sleep 0.5
    done
    if [[ -d /proc/$pid ]]; then
        log "$name did not stop in 60 s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}

# --- flags -------------------------------------------------------------------
want_gpu=1 want_registry=1 stop=0
for arg in "$@"; do
    case $arg in
        --no-gpu-daemon) want_gpu=0 ;;
        --no-registry) want_registry=0 ;;
        --stop) stop=1 ;;
        -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
        *) die "unknown flag: $arg (see --help)" ;;
    esac
done

[[ $(id -u) == 0 ]] || die "must run as root (it installs packages and starts dockerd)"
mkdir -p "$STATE" "$DATA"
# One run at a time: engineers and CI may start it concurrently. (Daemons
# are started with 9>&- so that they do not inherit, and hold, the lock.)
exec 9>"$STATE/lock"
flock 9

# --- --stop ------------------------------------------------------------------
if ((stop)); then
    stop_pidfile "$STATE/registry.pid" docker-registry
    stop_pidfile "$STATE/docker-gpu.pid" dockerd
    if ip link show "$GPU_BRIDGE" >/dev/null 2>&1; then
        log "removing bridge $GPU_BRIDGE"
        ip link delete "$GPU_BRIDGE"
    fi
    # The main daemon only if this script started it (it then has our pidfile);
    # a dockerd started by systemd or by hand is left alone.
    stop_pidfile "$STATE/dockerd.pid" dockerd
    rm -f "$STATE/env"
    log "stopped (images and registry data kept in /var/lib/docker and $DATA)"
    exit 0
fi

# --- packages ----------------------------------------------------------------
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    # Output goes to a log (dpkg is chatty even with -qq); shown on failure.
    if ! { apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
        >/tmp/gwk-apt.log 2>&1; then
        tail -n 30 /tmp/gwk-apt.log >&2
        die "package installation failed (log: /tmp/gwk-apt.log)"
    fi
else
    log "packages present: ${PACKAGES[*]}"
fi
DOCKERD=$(command -v dockerd || echo /usr/sbin/dockerd)

# --- main daemon -------------------------------------------------------------
# Default settings work on this kind of machine (a VM with its own kernel):
# dockerd creates docker0 and its iptables rules (iptables-nft) itself, and
# overlay2 works on the ext4 root. So no special flags; only our pidfile, so
# that --stop can tell that this script started it.
if docker -H "$MAIN_HOST" version >/dev/null 2>&1; then
    log "main dockerd already answering on $MAIN_HOST"
else
    log "starting main dockerd (log: $MAIN_LOG)"
    setsid "$DOCKERD" --host "$MAIN_HOST" --pidfile "$STATE/dockerd.pid" \
        >>"$MAIN_LOG" 2>&1 </dev/null 9>&- &
    wait_for 60 "main dockerd" docker -H "$MAIN_HOST" version ||
        { tail -n 20 "$MAIN_LOG" >&2; die "main dockerd did not answer within 60 s (log: $MAIN_LOG)"; }
fi
ip link show docker0 >/dev/null 2>&1 ||
    log "WARNING: docker0 is missing; containers on the default network will fail until the main dockerd restarts (--stop, then run again)"

# --- test images -------------------------------------------------------------
IMPORT_CHANGES=(
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    'CMD ["/bin/sh"]'
)

# make_rootfs DIR: busybox applets + bash 5 + minimal /etc.
make_rootfs() {
    local root=$1 path up
    mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,var/tmp,dev,proc,sys}
    chmod 1777 "$root/tmp" "$root/var/tmp"
    cp /bin/busybox "$root/bin/busybox"
    # One link per applet, where busybox says it lives (bin/ls, usr/bin/env ...).
    # Relative links, so that nothing written through a link during the build
    # can reach the host's /bin/busybox. The list names busybox itself (a link
    # to itself would replace the binary) and linuxrc (not a command): skip both.
    while read -r path; do
        case $path in */busybox | linuxrc* | '') continue ;; esac
        up=${path//[^\/]/}      # one "../" per directory level
        ln -sf "${up//\//../}bin/busybox" "$root/$path"
    done < <("$root/bin/busybox" --list-full)
    # Remove any bash/sh applet links BEFORE copying bash in: copying onto a
    # link would write bash over busybox through it.
    rm -f "$root"/{bin,sbin,usr/bin,usr/sbin}/{bash,sh}
    cp /bin/bash-static "$root/bin/bash"
    # /bin/sh is busybox's ash, as on Alpine/BusyBox images; bash is /bin/bash.
    ln -s busybox "$root/bin/sh"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
}

# The hash covers everything the image is made of: the two binaries, the
# recipe above and the import changes. Same hash = same content: no rebuild.
content_hash() {
    {
        sha256sum /bin/busybox /bin/bash-static | cut -d' ' -f1
        declare -f make_rootfs
        printf '%s\n' "${IMPORT_CHANGES[@]}"
    } | sha256sum | cut -c1-16
}

image_label() { # HOST IMAGE
    docker -H "$1" image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$2" 2>/dev/null || true
}

# ensure_tags HOST: every name in TAGS points at the base image.
ensure_tags() {
    local host=$1 id t
    id=$(docker -H "$host" image inspect -f '{{.Id}}' "$BASE")
    for t in "${TAGS[@]}"; do
        if [[ $(docker -H "$host" image inspect -f '{{.Id}}' "$t" 2>/dev/null || true) != "$id" ]]; then
            log "tagging $t on $host"
            docker -H "$host" tag "$BASE" "$t"
        fi
    done
}

HASH=$(content_hash)
if [[ $(image_label "$MAIN_HOST" "$BASE") == "$HASH" ]]; then
    log "image $BASE is up to date (content $HASH)"
else
    log "building $BASE (content $HASH) with docker import"
    build=$(mktemp -d /tmp/gwk-rootfs.XXXXXX)
    make_rootfs "$build/root"
    changes=()
    for c in "${IMPORT_CHANGES[@]}" "LABEL $LABEL=$HASH"; do changes+=(--change "$c"); done
    tar -C "$build/root" --numeric-owner --owner=0 --group=0 -cf - . |
        docker -H "$MAIN_HOST" import "${changes[@]}" --message "gwk test image $HASH" - "$BASE" >/dev/null
    rm -rf "$build"
fi
ensure_tags "$MAIN_HOST"

# --- GPU daemon --------------------------------------------------------------
# dockerd registers its "nvidia" device driver at start-up if an executable
# named nvidia-container-runtime-hook is on its PATH. For a --gpus request it
# then sets NVIDIA_VISIBLE_DEVICES in the container and adds the hook as an
# OCI prestart hook, which runc calls as `nvidia-container-runtime-hook
# prestart` with the container state JSON on stdin. The stand-in below
# accepts that and records the call; it gives the container no GPU.
write_hook() {
    mkdir -p "$STATE/gpu-bin"
    cat >"$STATE/gpu-bin/nvidia-container-runtime-hook" <<EOF
#!/bin/sh
# Stand-in for NVIDIA's hook, written by scripts/docker-test-env.sh. No GPU here.
case "\${1:-}" in
    prestart|createRuntime|createContainer|startContainer|poststart|poststop)
        state=\$(cat)   # the OCI state JSON; runc waits for us to read it
        printf '%s %s %s\n' "\$(date -u +%Y-%m-%dT%H:%M:%SZ)" "\$1" "\$state" >>$HOOK_LOG ;;
    *)  echo "nvidia-container-runtime-hook stand-in (gwk tests)" ;;
esac
exit 0
EOF
    chmod 755 "$STATE/gpu-bin/nvidia-container-runtime-hook"
}

start_gpu_daemon() {
    write_hook
    if docker -H "$GPU_HOST" version >/dev/null 2>&1; then
        log "GPU dockerd already answering on $GPU_HOST"
        return
    fi
    # Own bridge: with --bridge=none dockerd DELETES the interface named
    # docker0 at start-up (it takes it for its own stale bridge), which breaks
    # the main daemon's default network (seen here). So the GPU daemon gets a bridge of its
    # own, which dockerd requires to exist already.
    if ! ip link show "$GPU_BRIDGE" >/dev/null 2>&1; then
        log "creating bridge $GPU_BRIDGE ($GPU_BRIDGE_ADDR)"
        ip link add name "$GPU_BRIDGE" type bridge
        ip addr add "$GPU_BRIDGE_ADDR" dev "$GPU_BRIDGE"
        ip link set "$GPU_BRIDGE" up
    fi
    echo '{}' >"$STATE/docker-gpu.json"
    log "starting GPU dockerd (log: $GPU_LOG)"
    # --iptables=false: at start-up dockerd's bridge driver removes and
    #   recreates the DOCKER* iptables chains, which the main daemon uses.
    # --config-file: an empty one, so /etc/docker/daemon.json (meant for the
    #   main daemon) cannot clash with these flags.
    # No --default-address-pool, although user-defined networks on the two
    #   daemons may then get the same subnets: with it set, dockerd 20.10
    #   also deletes docker0 at start-up (when its store has a stale "bridge"
    #   network, i.e. on every restart). Tests do not create networks here.
    # data-root/exec-root/pidfile/host: nothing shared with the main daemon.
    PATH="$STATE/gpu-bin:$PATH" setsid "$DOCKERD" \
        --host "$GPU_HOST" \
        --data-root "$DATA/docker-gpu" \
        --exec-root "$STATE/gpu-exec" \
        --pidfile "$STATE/docker-gpu.pid" \
        --config-file "$STATE/docker-gpu.json" \
        --bridge "$GPU_BRIDGE" \
        --iptables=false \
        >>"$GPU_LOG" 2>&1 </dev/null 9>&- &
    wait_for 60 "GPU dockerd" docker -H "$GPU_HOST" version ||
        { tail -n 20 "$GPU_LOG" >&2; die "GPU dockerd did not answer within 60 s (log: $GPU_LOG)"; }
}

if ((want_gpu)); then
    start_gpu_daemon
    if [[ $(image_label "$GPU_HOST" "$BASE") == "$HASH" ]]; then
        log "image $BASE is up to date on the GPU daemon"
    else
        log "loading test images into the GPU daemon"
        docker -H "$MAIN_HOST" save "$BASE" | docker -H "$GPU_HOST" load >/dev/null
    fi
    ensure_tags "$GPU_HOST"
fi

# --- registry ----------------------------------------------------------------
registry_up() { curl -fsS "http://$REGISTRY/v2/" >/dev/null; }

if ((want_registry)); then
    if registry_up 2>/dev/null; then
        log "registry already answering on $REGISTRY"
    else
        mkdir -p "$DATA/registry"
        cat >"$STATE/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $DATA/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY
EOF
        log "starting docker-registry on $REGISTRY (log: $REGISTRY_LOG)"
        setsid docker-registry serve "$STATE/registry.yml" >>"$REGISTRY_LOG" 2>&1 </dev/null 9>&- &
        echo $! >"$STATE/registry.pid"
        wait_for 30 "registry" registry_up ||
            { tail -n 20 "$REGISTRY_LOG" >&2; die "registry did not answer within 30 s (log: $REGISTRY_LOG)"; }
    fi
    # Push only if the registry does not hold this very image: a manifest's
    # config digest is the image id.
    id=$(docker -H "$MAIN_HOST" image inspect -f '{{.Id}}' "$BASE")
    if curl -fsS -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://$REGISTRY/v2/${BASE%:*}/manifests/${BASE##*:}" 2>/dev/null | grep -qF "$id"; then
        log "registry already holds $REGISTRY_IMAGE"
    else
        log "pushing $REGISTRY_IMAGE"
        docker -H "$MAIN_HOST" tag "$BASE" "$REGISTRY_IMAGE"
        docker -H "$MAIN_HOST" push "$REGISTRY_IMAGE" >/dev/null
        # Untag locally, so that a pull test really pulls.
        docker -H "$MAIN_HOST" rmi "$REGISTRY_IMAGE" >/dev/null
    fi
fi

# --- env file ----------------------------------------------------------------
{
    echo "export GWK_TEST_DOCKER_HOST=$MAIN_HOST"
    # Debian's dockerd 20.10 speaks API 1.41 at most (bollard 0.21 defaults to 1.53).
    echo "export GWK_TEST_DOCKER_API_VERSION=$(docker -H "$MAIN_HOST" version -f '{{.Server.APIVersion}}')"
    echo "export GWK_TEST_IMAGE=$BASE"
    echo "export GWK_TEST_IMAGE_TAGS=$(IFS=,; echo "${TAGS[*]}")"
    if ((want_gpu)); then
        echo "export GWK_TEST_GPU_DOCKER_HOST=$GPU_HOST"
        echo "export GWK_TEST_NVIDIA_HOOK_LOG=$HOOK_LOG"
    fi
    if ((want_registry)); then
        echo "export GWK_TEST_REGISTRY=$REGISTRY"
        echo "export GWK_TEST_REGISTRY_IMAGE=$REGISTRY_IMAGE"
    fi
} >"$STATE/env.tmp"
mv "$STATE/env.tmp" "$STATE/env"

# --- verify ------------------------------------------------------------------
# (the lock stays held: concurrent runs must not pull/untag under each other)
"$SCRIPT_DIR/docker-test-env-check.sh" ||
    die "self-test failed (logs: $MAIN_LOG $GPU_LOG $REGISTRY_LOG)"

log "ready. main: $MAIN_HOST$( ((want_gpu)) && echo ", GPU: $GPU_HOST")$( ((want_registry)) && echo ", registry: $REGISTRY"); images: ${TAGS[*]}"
log "environment (also in $STATE/env):"
cat "$STATE/env"
