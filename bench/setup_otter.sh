#!/usr/bin/env bash
# The otter-grader baseline of bench/bench_engine.py, in a venv of its own (bench/.otter-venv, git-ignored):
# torch 2.13.0 first (the local CPU wheel; any other torch request downloads CUDA builds), then otter-grader 7.0.0.
#   bash bench/setup_otter.sh          # idempotent; prints the venv's otter
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${OTTER_VENV:-$here/.otter-venv}"
python="${PYTHON:-/usr/bin/python3.11}"
command -v "$python" >/dev/null || python=python3
if [ ! -x "$venv/bin/otter" ]; then
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --upgrade pip
    "$venv/bin/python" -m pip install -q "torch==2.13.0"
    "$venv/bin/python" -m pip install -q "otter-grader==7.0.0" psutil
fi
echo "$venv/bin/otter"
