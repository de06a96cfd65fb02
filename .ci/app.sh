#!/usr/bin/env bash
# One command for a fresh machine: set up, then run the app on the embedded default
# (local Chroma, bundled embedder, no API key). Extra arguments go to app.py.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
exec .venv/bin/python app.py "$@"
