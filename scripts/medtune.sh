#!/usr/bin/env bash
# medtune through the project's environment (installed on first use), from the project root:
# scripts/medtune.sh COMMAND [ARGS...]. The make targets beside `train` and `test` call this.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
exec "$PY" -m medtune "$@"
