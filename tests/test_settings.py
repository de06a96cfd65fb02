"""rag.settings: defaults, validation of every numeric/enum knob, and the quiet-outbound env."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from rag.errors import ConfigError
from rag.settings import PROJECT_DIR, QUIET_ENV, load_settings, quiet_outbound


def test_defaults(monkeypatch):
    monkeypatch.delenv("RAG_DATA_DIR")
    monkeypatch.delenv("RAG_SOURCES_DIR")
    s = load_settings()
    assert s.data_dir == PROJECT_DIR / ".rag-data"
    assert s.sources_dir == PROJECT_DIR / "seeds"
    assert s.embedder == "e5"
    assert s.chunk_tokens == 320
    assert s.top_k == 4
    assert s.chroma_mode == "embedded" and s.chroma_host == ""
    assert not s.llm_configured
    assert s.llm_base_url == "" and s.llm_api_key == ""
    assert s.embed_base_url == "" and s.embed_model == ""
    assert s.host == "127.0.0.1" and s.port == 7860
    assert s.llm_timeout_s == 60.0
    assert s.abstain_margin == 0.0


def test_isolation_fixture_points_at_tmp(tmp_path):
    s = load_settings()
    assert s.data_dir == tmp_path / "rag-data"
    assert s.sources_dir == tmp_path / "sources"
    assert not any(k.startswith("OPENAI_") for k in os.environ)


def test_values_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("RAG_DATA_DIR", "  ~/somewhere  ")
    monkeypatch.setenv("RAG_TOP_K", "7")
    monkeypatch.setenv("RAG_CHUNK_TOKENS", "64")
    monkeypatch.setenv("RAG_EMBEDDER", " USE ")
    monkeypatch.setenv("RAG_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    s = load_settings()
    assert s.data_dir == Path("~/somewhere").expanduser()
    assert (s.top_k, s.chunk_tokens, s.embedder) == (7, 64, "use")
    assert s.chroma_mode == "server"
    assert s.llm_configured
    assert s.embed_base_url == "http://127.0.0.1:9/v1"   # falls back to the LLM endpoint


def test_blank_values_mean_default(monkeypatch):
    monkeypatch.setenv("RAG_TOP_K", "   ")
    monkeypatch.setenv("RAG_EMBEDDER", "")
    s = load_settings()
    assert s.top_k == 4 and s.embedder == "e5"


@pytest.mark.parametrize("name, value, words", [
    ("RAG_TOP_K", "abc", "whole number"),
    ("RAG_TOP_K", "0", "out of range"),
    ("RAG_TOP_K", "2.5", "whole number"),
    ("RAG_CHUNK_TOKENS", "5", "out of range"),
    ("RAG_CHUNK_TOKENS", "100000", "out of range"),
    ("RAG_EMBEDDER", "bogus", "not known"),
    ("RAG_CHROMA_PORT", "70000", "out of range"),
    ("RAG_PORT", "http", "whole number"),
    ("RAG_LLM_TIMEOUT", "fast", "not a number"),
    ("RAG_LLM_TIMEOUT", "0", "out of range"),
    ("RAG_ABSTAIN_MARGIN", "2", "out of range"),
])
def test_bad_values_name_the_variable(monkeypatch, name, value, words):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    message = str(err.value)
    assert name in message and words in message
    assert err.value.hint, "every ConfigError says what to do"


def test_openai_embedder_needs_endpoint_and_model(monkeypatch):
    monkeypatch.setenv("RAG_EMBEDDER", "openai")
    with pytest.raises(ConfigError, match="RAG_EMBED_BASE_URL"):
        load_settings()
    monkeypatch.setenv("RAG_EMBED_BASE_URL", "http://127.0.0.1:9/v1")
    with pytest.raises(ConfigError, match="RAG_EMBED_MODEL"):
        load_settings()
    monkeypatch.setenv("RAG_EMBED_MODEL", "multilingual-e5-small-q4")
    s = load_settings()
    assert (s.embedder, s.embed_model) == ("openai", "multilingual-e5-small-q4")


def test_quiet_env_is_set(monkeypatch):
    for key in QUIET_ENV:
        monkeypatch.delenv(key, raising=False)
    load_settings()
    for key, value in QUIET_ENV.items():
        assert os.environ[key] == value, key


def test_quiet_env_keeps_an_explicit_user_choice(monkeypatch):
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "True")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    quiet_outbound()
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "True"
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_importing_rag_quiets_outbound_calls():
    import subprocess
    import sys

    from _corpus import ROOT, subprocess_env

    env = subprocess_env()
    for key in QUIET_ENV:
        env.pop(key, None)
    code = "import os, rag, json; print(json.dumps({k: os.environ.get(k) for k in %r}))" % (list(QUIET_ENV),)
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    import json
    assert json.loads(out.stdout) == QUIET_ENV
