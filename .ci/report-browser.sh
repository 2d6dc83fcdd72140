#!/usr/bin/env bash
# Headless Chromium for tests/test_report.py (the instructor report rendered in a real browser).
#
#   .ci/report-browser.sh       # idempotent; installs Debian's `chromium` package if missing
set -euo pipefail
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    echo "[report-browser] $(chromium --version 2>/dev/null || chromium-browser --version)" >&2
    exit 0
fi
echo "[report-browser] installing chromium (Debian package)" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "[report-browser] $(chromium --version 2>/dev/null)" >&2
