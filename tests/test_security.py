"""Hostile clients (issue: security). Unit tests of rag/security.py's rules, then the real app:
a client naming server paths, choosing where the server's key goes, forging Host/Origin
headers, or skipping the login."""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
import uuid

import pytest

import apphelpers
from _corpus import SEED
from servers import scripted_llm

from rag.security import Rejected, allowed_hosts, client_endpoint, host_allowed, origin_allowed, uploaded_file

OFFLINE = "offline (extractive)"
LLM = "OpenAI-compatible endpoint"


# ------------------------------------------------------------------ unit: the rules ----
def test_uploaded_file_accepts_only_regular_files_inside_the_upload_folder(tmp_path):
    root = tmp_path / "uploads"
    (root / "abc").mkdir(parents=True)
    good = root / "abc" / "notes.txt"
    good.write_text("x", encoding="utf-8")
    assert uploaded_file(str(good), root) == good
    private = tmp_path / "private.txt"
    private.write_text("secret", encoding="utf-8")
    (root / "abc" / "link.txt").symlink_to(private)
    for path, why in [(private, "not a file uploaded"), (root / "abc" / "link.txt", "not a file uploaded"),
                      (f"{root}/abc/../../private.txt", "not a file uploaded"), (root / "abc", "not a regular file"),
                      (root / "abc" / "gone.txt", "gone"), ("/etc/hostname", "not a file uploaded"), (root, "not a file")]:
        with pytest.raises(Rejected, match=why):
            uploaded_file(str(path), root)


@pytest.mark.parametrize("host, ok", [("127.0.0.1:7860", True), ("localhost:7860", True), ("[::1]:7860", True),
                                      ("LOCALHOST", True), ("evil.example.com:7860", False), ("", False),
                                      ("127.0.0.1.evil.com:7860", False)])
def test_loopback_app_answers_only_to_loopback_host_names(host, ok):
    assert host_allowed(host, allowed_hosts("127.0.0.1")) is ok


def test_allowed_hosts_extend_for_a_lan_bind():
    hosts = allowed_hosts("0.0.0.0", ("qa.internal",))
    assert {"127.0.0.1", "localhost", "qa.internal"} <= hosts and "evil.example.com" not in hosts


@pytest.mark.parametrize("origin, host, ok", [
    ("", "127.0.0.1:7860", True), ("http://127.0.0.1:7860", "127.0.0.1:7860", True),
    ("http://evil.example.com", "127.0.0.1:7860", False), ("http://127.0.0.1:9999", "127.0.0.1:7860", False),
    ("null", "127.0.0.1:7860", False), ("https://qa.internal", "qa.internal", True),
    ("https://qa.internal", "qa.internal:443", True)])
def test_cross_site_origins_are_refused(origin, host, ok):
    assert origin_allowed(origin, host) is ok


def test_the_server_key_never_goes_to_a_client_chosen_url():
    common = dict(configured_url="http://llm.internal/v1", configured_key="sk-server", default_model="m")
    own = client_endpoint("", "", "", allow_client_endpoints=False, **common)
    assert (own.base_url, own.api_key) == ("http://llm.internal/v1", "sk-server")
    assert client_endpoint("http://llm.internal/v1/", "x", "", allow_client_endpoints=False, **common).api_key == "sk-server"
    with pytest.raises(Rejected, match="RAG_ALLOW_CLIENT_ENDPOINTS"):
        client_endpoint("http://attacker.example/v1", "", "", allow_client_endpoints=False, **common)
    other = client_endpoint("http://attacker.example/v1", "", "", allow_client_endpoints=True, **common)
    assert other.api_key == "" and other.base_url == "http://attacker.example/v1"
    assert client_endpoint("http://my.llm/v1", "", "sk-mine", allow_client_endpoints=True, **common).api_key == "sk-mine"
    for bad in ("file:///etc/passwd", "http://user:pw@host/v1", "gopher://x"):
        with pytest.raises(Rejected):
            client_endpoint(bad, "", "", allow_client_endpoints=True, **common)
    with pytest.raises(Rejected, match="no LLM endpoint is configured"):
        client_endpoint("", "", "", configured_url="", configured_key="", default_model="m", allow_client_endpoints=False)


def test_replacing_a_source_keeps_a_backup(tmp_path):
    from rag.ui.sources_tab import save_uploads
    sources, uploads, backups = tmp_path / "sources", tmp_path / "uploads", tmp_path / "backups"
    sources.mkdir()
    (uploads / "h1").mkdir(parents=True)
    (sources / "a.txt").write_text("原文。\nOriginal.\n", encoding="utf-8")
    new = uploads / "h1" / "a.txt"
    new.write_text("新的。\nNew.\n", encoding="utf-8")
    res = save_uploads([str(new)], sources, 10_000, replace=True, upload_root=uploads, backup_dir=backups)
    assert res.saved and "previous version is kept" in res.saved[0]
    assert (sources / "a.txt").read_text(encoding="utf-8") == "新的。\nNew.\n"
    kept = list(backups.iterdir())
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "原文。\nOriginal.\n"


# ------------------------------------------------------------------ the real app ----
@pytest.fixture(scope="module")
def app():
    server = apphelpers.acquire_shared()
    yield server
    apphelpers.release_shared()


@pytest.fixture(scope="module")
def client(app):
    from gradio_client import Client
    return Client(app.url, verbose=False, analytics_enabled=False)


def _text(message) -> str:
    content = message["content"]
    return " ".join(p.get("text", "") for p in content if isinstance(p, dict)) if isinstance(content, list) else str(content)


def _ask(client, question, backend=OFFLINE, base_url="", api_key=""):
    return client.predict(question, [], 4, backend, "auto", base_url, "", api_key, api_name="/ask")


def _status(url: str, headers: dict[str, str], method: str = "GET") -> int:
    req = urllib.request.Request(url, headers=headers, method=method,
                                 data=b"{}" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _raw_call(app, api_name: str, data: list) -> tuple[str, object]:
    """Call an endpoint over plain HTTP, the way a client that cannot read the server's files
    would (gradio_client would upload a local path from the *client's* disk instead)."""
    req = urllib.request.Request(f"{app.url}gradio_api/call/{api_name}", data=json.dumps({"data": data}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=30) as resp:
        event_id = json.loads(resp.read())["event_id"]
    with urllib.request.urlopen(f"{app.url}gradio_api/call/{api_name}/{event_id}", timeout=120) as resp:
        lines = resp.read().decode("utf-8").splitlines()
    events = [ln[len("event: "):] for ln in lines if ln.startswith("event: ")]
    payloads = [json.loads(ln[len("data: "):]) for ln in lines if ln.startswith("data: ")]
    return events[-1], payloads[-1]


def _file(path) -> dict:
    return {"path": str(path), "meta": {"_type": "gradio.FileData"}}


@pytest.mark.slow
def test_upload_refuses_files_the_server_did_not_receive(app, tmp_path):
    private = tmp_path / "private_notes.txt"
    private.write_text("秘密内容。\nSecret launch codes.\n", encoding="utf-8")
    before = sorted(p.name for p in app.sources_dir.iterdir())
    # A path on the server's disk, and a link planted inside the upload folder (possible in a
    # shared /tmp/gradio, hence the private folder): refused before any handler runs (Gradio's
    # own check), and by the handler's check too (test_uploaded_file_accepts_only_...).
    uploads = app.data_dir / "uploads"
    assert uploads.is_dir() and (uploads.stat().st_mode & 0o077) == 0, "the upload folder must be private"
    planted = uploads / "planted"
    planted.mkdir(exist_ok=True)
    (planted / "notes.txt").symlink_to(private)
    for path in (private, planted / "notes.txt", apphelpers.ROOT / "README.md"):
        event, _ = _raw_call(app, "upload", [[_file(path)], True])
        assert event == "error", path
    assert sorted(p.name for p in app.sources_dir.iterdir()) == before
    assert (app.sources_dir / SEED.name).read_bytes() == SEED.read_bytes()


@pytest.mark.slow
def test_run_eval_takes_names_not_server_paths(app, tmp_path):
    for name in ("/etc/passwd", "../README.md"):       # the dropdown refuses, and the handler too
        event, data = _raw_call(app, "run_eval", [name, None])
        assert event == "error" or "unknown question set" in data[0].replace("\\", ""), (name, data)
    outside = tmp_path / "q.jsonl"
    outside.write_text('{"id": "x", "question": "y"}\n', encoding="utf-8")
    event, _ = _raw_call(app, "run_eval", ["questions.jsonl", _file(outside)])
    assert event == "error"


@pytest.mark.slow
def test_a_client_chosen_llm_url_is_refused_by_default(client):
    with scripted_llm({"chunks": ["hi [1]."]}) as (url, srv):
        history, panel, status, details, _ = _ask(client, "微短剧审查时效提升了多少?", LLM, base_url=url)
    # refused the same way as any endpoint problem: answered offline, saying why and what to do
    assert "RAG_ALLOW_CLIENT_ENDPOINTS" in details["notice"] and "RAG_ALLOW_CLIENT_ENDPOINTS" in status
    assert details["backend"] == "extractive" and "50%" in details["answer"]
    assert srv.requests == []


@pytest.mark.slow
def test_forged_host_and_cross_site_origin_are_refused(app):
    port = app.port
    assert _status(app.url, {}) == 200
    assert _status(f"http://127.0.0.1:{port}/", {"Host": f"localhost:{port}"}) == 200
    assert _status(app.url, {"Host": f"rebind.evil.example:{port}"}) == 421
    assert _status(app.url + "gradio_api/info", {"Host": f"rebind.evil.example:{port}"}) == 421
    assert _status(app.url + "gradio_api/queue/join", {"Origin": "http://evil.example", "Content-Type": "application/json"},
                   "POST") == 403
    assert _status(app.url + "config", {"Origin": f"http://127.0.0.1:{port}"}) == 200


@pytest.fixture(scope="module")
def locked_app():
    """An app with a server key, a configured endpoint, client endpoints allowed and a login."""
    with scripted_llm({"chunks": ["The review time was cut by 50% [1]."]}) as (configured, configured_srv):
        secret = "sk-SERVER-" + uuid.uuid4().hex
        server = apphelpers.start_app(env={"OPENAI_API_KEY": secret, "OPENAI_BASE_URL": configured,
                                           "RAG_ALLOW_CLIENT_ENDPOINTS": "1", "RAG_AUTH": "alice:pw-123"})
        try:
            yield server, secret, configured_srv
        finally:
            server.stop()


@pytest.mark.slow
def test_login_is_required_when_configured(locked_app):
    from gradio_client import Client
    app, _, _ = locked_app
    assert _status(app.url + "gradio_api/info", {}) in (401, 403)
    with pytest.raises(Exception):
        Client(app.url, verbose=False, analytics_enabled=False).predict("x", [], 4, OFFLINE, "auto", "", "", "",
                                                                        api_name="/ask")
    client = Client(app.url, auth=("alice", "pw-123"), verbose=False, analytics_enabled=False)
    _, _, _, details, _ = _ask(client, "有多少个影视项目签约?")
    assert details["citations"]


@pytest.mark.slow
def test_server_key_goes_only_to_the_configured_endpoint(locked_app):
    from gradio_client import Client
    app, secret, configured_srv = locked_app
    client = Client(app.url, auth=("alice", "pw-123"), verbose=False, analytics_enabled=False)
    _ask(client, "微短剧审查时效提升了多少?", LLM)             # the configured endpoint: our key, as it should
    assert any(secret in json.dumps(r["headers"]) for r in configured_srv.requests)
    with scripted_llm({"chunks": ["Stolen [1]."]}) as (attacker, attacker_srv):
        outputs = _ask(client, "微短剧审查时效提升了多少?", LLM, base_url=attacker)
    assert attacker_srv.requests, "the client's endpoint was not called at all"
    assert all(secret not in json.dumps(r) for r in attacker_srv.requests)
    assert secret not in json.dumps(outputs, ensure_ascii=False) and secret not in app.log()
    assert os.environ.get("OPENAI_API_KEY") != secret


@pytest.mark.slow
def test_a_typed_api_key_is_never_echoed(locked_app):
    from gradio_client import Client
    from _corpus import free_port
    import time
    app, _, _ = locked_app
    client = Client(app.url, auth=("alice", "pw-123"), verbose=False, analytics_enabled=False)
    secret = "sk-test-SECRET-" + uuid.uuid4().hex[:12]
    dead = f"http://127.0.0.1:{free_port()}/v1"
    t = time.monotonic()
    outputs = _ask(client, "微短剧审查时效提升了多少?", LLM, base_url=dead, api_key=secret)
    assert time.monotonic() - t < 60
    history, panel, status, details, _ = outputs
    assert details["backend"] == "extractive" and details["notice"]      # fell back, and says so
    assert "未采用大模型的回答" in status and "cannot reach" in status     # a Chinese question: a Chinese notice
    assert "未采用大模型的回答" in _text(history[-1])
    assert secret not in json.dumps(outputs, ensure_ascii=False)
    for path in ("", "config", "gradio_api/info"):
        req = urllib.request.Request(app.url + path)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                assert secret not in resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:      # behind the login
            assert exc.code in (401, 403)
    assert secret not in app.log()


def test_binding_beyond_loopback_without_a_login_warns():
    from rag.security import exposure_warning
    assert exposure_warning("127.0.0.1", False) == "" and exposure_warning("localhost", False) == ""
    assert "RAG_AUTH" in exposure_warning("0.0.0.0", False)
    assert exposure_warning("0.0.0.0", True) == ""


def test_rag_auth_is_parsed_and_checked(monkeypatch):
    from rag.errors import ConfigError
    from rag.settings import load_settings
    monkeypatch.setenv("RAG_AUTH", "alice:pw,bob:x:y")
    assert load_settings().auth == (("alice", "pw"), ("bob", "x:y"))
    monkeypatch.setenv("RAG_AUTH", "alice")
    with pytest.raises(ConfigError, match="RAG_AUTH"):
        load_settings()


def test_a_write_clash_is_not_blamed_on_the_disk(tmp_path):
    import sqlite3
    from rag.errors import storage_hint
    hint = storage_hint(sqlite3.IntegrityError("UNIQUE constraint failed: passages.passage_id"), tmp_path)
    assert "another process" in hint and "free space" not in hint and "full" not in hint
