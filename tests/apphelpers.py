"""Start the real app (`python app.py --port N`) in a subprocess over a tmp copy of the seed,
shared by tests/test_app_api.py and tests/test_browser.py (one process per pytest session)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import rag  # noqa: F401  - quiet env (no gradio/HF telemetry) for this process too
from _corpus import NETGUARD_SITE, ROOT, SEED, free_port

_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
STARTUP_TIMEOUT_S = float(os.environ.get("RAG_TEST_APP_TIMEOUT", "240"))
MAX_UPLOAD_BYTES = 200_000


@dataclass
class AppProcess:
    url: str
    port: int
    proc: subprocess.Popen
    root: Path
    sources_dir: Path
    data_dir: Path
    log_path: Path

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)


def app_env(root: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("RAG_", "OPENAI_")) and k not in _PROXY_VARS}
    env.update({
        "RAG_DATA_DIR": str(root / "rag-data"),
        "RAG_SOURCES_DIR": str(root / "sources"),
        "RAG_MAX_UPLOAD_BYTES": str(MAX_UPLOAD_BYTES),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "NO_PROXY": "127.0.0.1,localhost,::1", "no_proxy": "127.0.0.1,localhost,::1",
        "PYTHONPATH": os.pathsep.join([str(NETGUARD_SITE), str(ROOT)]),
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra or {})
    return env


def start_app(root: Path | None = None, env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> AppProcess:
    root = Path(root or tempfile.mkdtemp(prefix="rag-app-"))
    sources = root / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    shutil.copy2(SEED, sources / SEED.name)
    (root / "gradio-tmp").mkdir(exist_ok=True)
    port = free_port()
    log_path = root / "app.log"
    log = open(log_path, "w", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), *args], cwd=str(ROOT),
                            env=app_env(root, env), stdout=log, stderr=subprocess.STDOUT)
    app = AppProcess(f"http://127.0.0.1:{port}/", port, proc, root, sources, root / "rag-data", log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}:\n{app.log()}")
        try:
            with urllib.request.urlopen(app.url, timeout=5) as resp:
                if resp.status == 200:
                    return app
        except OSError:
            pass
        time.sleep(0.5)
    app.stop()
    raise RuntimeError(f"app.py did not answer HTTP 200 within {STARTUP_TIMEOUT_S:.0f}s:\n{app.log()}")


_shared: AppProcess | None = None
_users = 0


def acquire_shared() -> AppProcess:
    """One app process for the session; every module fixture acquires and releases it."""
    global _shared, _users
    if _shared is None or _shared.proc.poll() is not None:
        _shared = start_app()
    _users += 1
    return _shared


def release_shared() -> None:
    global _shared, _users
    _users -= 1
    if _users <= 0 and _shared is not None:
        _shared.stop()
        shutil.rmtree(_shared.root, ignore_errors=True)
        _shared = None
