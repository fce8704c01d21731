#!/usr/bin/env bash
# Make sure medtune and what it needs are installed; fast when they already are.
# Usage: source scripts/bootstrap.sh [--dev]   (sets $PY to the environment's python)
# The environment: $MEDTUNE_VENV, else an active virtualenv, else ~/.cache/medtune/venv
# (outside the checkout, so fresh clones and CI reuse one install).
set -euo pipefail
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MEDTUNE_VENV:-${VIRTUAL_ENV:-$HOME/.cache/medtune/venv}}"
_extras=""
[ "${1:-}" = "--dev" ] && _extras="[dev]"

if [ ! -x "$VENV/bin/python" ]; then
  echo "bootstrap: creating a virtual environment in $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
fi
PY="$VENV/bin/python"
_stamp="$VENV/.medtune-deps-$(cat "$_root/pyproject.toml" | sha256sum | cut -c1-16)${_extras:+-dev}"
if [ ! -f "$_stamp" ]; then
  echo "bootstrap: installing medtune${_extras} and its dependencies (first time: a few minutes, torch is large)"
  "$PY" -m pip install -q -e "$_root$_extras"
  touch "$_stamp"
else
  # Dependencies are in place; only point the editable install at this checkout.
  "$PY" -m pip install -q --no-deps --no-build-isolation -e "$_root" >/dev/null 2>&1 \
    || "$PY" -m pip install -q --no-deps -e "$_root"
fi
export PY
