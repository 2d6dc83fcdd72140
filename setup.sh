#!/usr/bin/env bash
# One command: create .venv, install the kit with its oracles, and grade the bundled
# example submissions of the batchnorm assignment into results/.
#   ./setup.sh            set up and grade the examples
#   ./setup.sh --no-demo  set up only
set -euo pipefail
cd "$(dirname "$0")"

# Prefer the system interpreter: it is readable by every user, so the process
# sandbox can run student code as an unprivileged uid when grading as root.
PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  for candidate in /usr/bin/python3.11 /usr/bin/python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys, venv; assert sys.version_info >= (3, 11)' 2>/dev/null; then
      PYTHON=$candidate; break
    fi
  done
fi
[ -n "$PYTHON" ] || { echo "setup: need Python >= 3.11" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
# torch first, pinned, so nothing else pulls a CUDA build (a CPU wheel of 2.13.0 is what we test with).
.venv/bin/python -m pip install -q "torch==${TORCH_VERSION:-2.13.0}"
.venv/bin/python -m pip install -q -e ".[oracles,notebooks,dev,report]"

if [ "${1:-}" != "--no-demo" ]; then
  echo "== grading the bundled example submissions (examples/batchnorm) =="
  .venv/bin/autograder grade --assignment batchnorm --out results/batchnorm --jobs 2 examples/batchnorm/*
  echo "== results/batchnorm/grades.csv =="
  cat results/batchnorm/grades.csv
fi
