#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image; the
# zip it came in (made by `autograder gradescope ID`) is unpacked in /autograder/source.
#
#  1. a Python >= 3.11 with venv (apt-get installs python3.11 on Ubuntu 22.04);
#  2. bubblewrap, so run_autograder can confine student code with bwrap (optional:
#     without it, or where the image cannot create namespaces, the process sandbox is used);
#  3. /opt/autograder/venv with requirements.txt (pinned to what the assignment was
#     validated with). Packages come from PyPI, torch from its CPU index, unless a
#     wheelhouse is given: a wheels/ folder in the zip (`autograder gradescope --wheels`),
#     or PIP_NO_INDEX=1 PIP_FIND_LINKS=/path in the environment (offline builds);
#  4. the framework in /opt/autograder/lib (world-readable: student code runs as an
#     unprivileged uid and imports the worker from it) and the assignment (hidden
#     tests, reference) in /opt/autograder/assignment, readable by root only;
#  5. a check: the reference solution must get full marks in this image, or the build fails.
#
# Environment: AG_NO_APT=1 never calls apt-get; AG_TORCH_INDEX replaces the torch CPU index.
set -euo pipefail

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix=/opt/autograder
log() { echo "[setup] $*"; }
have_apt() { [ "${AG_NO_APT:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1; }
apt_updated=0
apt_install() {
    if [ "$apt_updated" = 0 ]; then apt-get update -qq || return 1; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# 1. Python
python=""
find_python() {
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 11)' 2>/dev/null; then
            python="$(command -v "$candidate")"
            return 0
        fi
    done
    return 1
}
if ! find_python; then
    if have_apt; then
        log "installing python3.11 (the image's python3 is older than 3.11, or has no venv)"
        apt_install python3.11 python3.11-venv || true
    fi
    find_python || { echo "[setup] needs Python >= 3.11 with its venv module; choose a newer base image" >&2; exit 1; }
fi
log "python: $python ($("$python" --version 2>&1))"

# 2. bubblewrap
if ! command -v bwrap >/dev/null 2>&1 && have_apt; then
    apt_install bubblewrap || log "bubblewrap could not be installed; student code will run in the process sandbox"
fi

# 3. environment
"$python" -m venv "$prefix/venv"
pip_args=(--disable-pip-version-check --no-cache-dir --quiet)
if [ -d "$source_dir/wheels" ]; then
    log "installing from the zip's wheelhouse (offline)"
    pip_args+=(--no-index --find-links "$source_dir/wheels")
elif [ -n "${PIP_NO_INDEX:-}" ]; then
    log "installing from PIP_FIND_LINKS=${PIP_FIND_LINKS:-} (offline)"
else
    pip_args+=(--extra-index-url "${AG_TORCH_INDEX:-https://download.pytorch.org/whl/cpu}")
fi
"$prefix/venv/bin/python" -m pip install "${pip_args[@]}" -r "$source_dir/requirements.txt"

# 4. framework and assignment
rm -rf "$prefix/lib" "$prefix/assignment"
mkdir -p "$prefix/lib"
cp -r "$source_dir/autograder" "$prefix/lib/autograder"
site_packages="$("$prefix/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$prefix/lib" > "$site_packages/autograder.pth"
cp -r "$source_dir/assignment" "$prefix/assignment"
chown -R root:root "$prefix"
chmod 0755 "$prefix"
chmod -R a+rX "$prefix/venv" "$prefix/lib"
chmod -R go-rwx "$prefix/assignment"
# The zip's own copy of the hidden tests: root only as well.
chmod -R go-rwx "$source_dir"
chmod 0755 "$source_dir/run_autograder" 2>/dev/null || true

# 5. check the image (worker uids from 62000, as in run_autograder)
AG_WORKER_UID_BASE="${AG_WORKER_UID_BASE:-62000}" "$prefix/venv/bin/python" -m autograder.formats.gradescope_run --check --assignment "$prefix/assignment"
log "ready"
