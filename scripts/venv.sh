#!/usr/bin/env bash
# Create (or reuse) .venv and install swathkit with everything the demo and the tests need.
# Sourced by scripts/demo and scripts/test; safe to run again (it only installs what changed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${SWATHKIT_VENV:-$root/.venv}"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
stamp="$venv/.swathkit-installed"
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  # the CPU build of torch first: a looser requirement would pull a CUDA build of several GB
  "$venv/bin/python" -m pip install --quiet "torch==2.13.0"
  "$venv/bin/python" -m pip install --quiet -e "$root[all,dev]"
  touch "$stamp"
fi
export PATH="$venv/bin:$PATH"
