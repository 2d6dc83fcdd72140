#!/usr/bin/env bash
# The otter-grader baseline of bench/bench_engine.py, in a venv of its own (bench/.otter-venv, git-ignored):
# torch 2.13.0 first (the local CPU wheel; any other torch request downloads CUDA builds), then otter-grader 7.0.0
# and ipykernel with its `python3` kernelspec inside the venv (otter run starts that kernel; without it every
# `otter run` fails at once with NoSuchKernel, and a benchmark would time the failure).
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
if [ ! -f "$venv/share/jupyter/kernels/python3/kernel.json" ]; then
    "$venv/bin/python" -m pip install -q ipykernel
    "$venv/bin/python" -m ipykernel install --sys-prefix --name python3 >/dev/null
fi
echo "$venv/bin/otter"
