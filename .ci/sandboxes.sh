#!/usr/bin/env bash
# Prepare a CI (or instructor) machine for the bwrap and docker sandboxes.
#
#   .ci/sandboxes.sh            # idempotent; a second run takes seconds
#
# 1. installs docker.io, bubblewrap, debootstrap (Debian packages) if missing;
# 2. starts dockerd in the background if no daemon answers, and waits for it;
# 3. makes the offline base image autograder-base:bookworm with debootstrap +
#    docker import (skipped when the tag exists; the rootfs tarball is cached);
# 4. builds the grader image of every assignment in solutions/ against it
#    (docker's layer cache makes rebuilds fast).
#
# Environment: AG_BASE_IMAGE (default autograder-base:bookworm),
# AG_CACHE (default ~/.cache/autograder), DEBIAN_MIRROR, AG_SKIP_GRADER_IMAGES=1.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
base_image="${AG_BASE_IMAGE:-autograder-base:bookworm}"
cache="${AG_CACHE:-$HOME/.cache/autograder}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
python="${AG_PYTHON:-$here/.venv/bin/python}"
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi

log() { echo "[sandboxes] $*" >&2; }

# 1. packages
missing=()
command -v docker >/dev/null && command -v dockerd >/dev/null || missing+=(docker.io)
command -v bwrap >/dev/null || missing+=(bubblewrap)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. the daemon
if ! docker info >/dev/null 2>&1; then
    log "starting dockerd"
    $sudo mkdir -p /var/log
    nohup $sudo dockerd >/var/log/autograder-dockerd.log 2>&1 &
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
    docker info >/dev/null 2>&1 || { log "dockerd did not start; see /var/log/autograder-dockerd.log"; tail -20 /var/log/autograder-dockerd.log >&2; exit 1; }
fi

# 3. the offline base image
if docker image inspect "$base_image" >/dev/null 2>&1; then
    log "base image $base_image exists"
else
    mkdir -p "$cache"
    tarball="$cache/rootfs-bookworm.tar"
    if [ ! -s "$tarball" ]; then
        rootfs="$(mktemp -d "${TMPDIR:-/tmp}/ag-rootfs-XXXXXX")"
        log "debootstrap bookworm into $rootfs (a few minutes, once)"
        $sudo debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
            bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 \
            || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
        $sudo rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
        $sudo tar -C "$rootfs" -cf "$tarball.part" .
        mv "$tarball.part" "$tarball"
        $sudo rm -rf "$rootfs"
    fi
    log "docker import -> $base_image"
    docker import --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' "$tarball" "$base_image" >/dev/null
fi

# 4. grader images
if [ "${AG_SKIP_GRADER_IMAGES:-0}" != 1 ]; then
    for toml in "$here"/solutions/*/assignment.toml; do
        [ -e "$toml" ] || continue
        id="$(basename "$(dirname "$toml")")"
        log "grader image for $id"
        (cd "$here" && "$python" -m autograder.cli image build --assignment "$id" --base "$base_image")
    done
fi
log "ready: bwrap $(bwrap --version | cut -d' ' -f2), $(docker version --format 'docker {{.Server.Version}}')"
