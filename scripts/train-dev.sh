#!/usr/bin/env bash
# The main job: the dev training run on the embedded tiny Phi-4-mini (CPU, about a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
exec "$PY" -m medtune train --env dev "$@"
