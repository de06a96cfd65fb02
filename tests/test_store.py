"""rag.store over the real embedded Chroma: exact search for small collections, HNSW with
recall-oriented parameters for large ones, writes invalidating the in-memory matrix."""
from __future__ import annotations

import numpy as np
import pytest

from rag.settings import load_settings
from rag.store import HNSW, VectorStore

DIM = 384


def _near_duplicates(rng, copies: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """`copies` identical documents of 26 passages in one crowded region of the space (e5's
    vectors all sit at cosine 0.7-0.9 of each other), plus one distinct passage: the shape
    that made Chroma's default HNSW lose the clearly nearest vector."""
    common = rng.normal(size=DIM)
    common /= np.linalg.norm(common)
    base = rng.normal(size=(26, DIM)) * 0.35 + common
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    ids = [f"d{c}#p{i:02d}:en:0" for c in range(copies) for i in range(26)]
    rows = np.concatenate([base] * copies)
    target = common + rng.normal(size=DIM) * 0.35
    target /= np.linalg.norm(target)
    return ids + ["target#p01:zh:0"], np.vstack([rows, target]).astype(np.float32), target


@pytest.fixture
def store(tmp_path):
    made = []

    def _make(**overrides):
        settings = load_settings().with_(data_dir=tmp_path / "data", **overrides)
        s = VectorStore(settings, "synthetic")
        made.append(s)
        return s
    yield _make
    for s in made:
        s.close()


def _load(store, ids, rows):
    for start in range(0, len(ids), 500):
        store.upsert(ids[start:start + 500], rows[start:start + 500], [{"hash": i} for i in ids[start:start + 500]])


def test_exact_search_finds_the_nearest_among_near_duplicates(store):
    rng = np.random.default_rng(2)
    ids, rows, target = _near_duplicates(rng, copies=60)
    s = store()
    _load(s, ids, rows)
    s.close()
    s.reopen()                                  # what another process sees: the persisted HNSW graph
    found_exact = found_hnsw = 0
    for _ in range(20):
        q = target + rng.normal(size=DIM) * 0.05
        q /= np.linalg.norm(q)
        assert ids[int(np.argmax(rows @ q))] == "target#p01:zh:0"
        found_exact += s.query(q, 4)[0][0] == "target#p01:zh:0"
        found_hnsw += "target#p01:zh:0" in [pid for pid, _ in s.query(q, 100, exact=False)]
    assert found_exact == 20
    print(f"HNSW ({HNSW}) found the target {found_hnsw}/20 times at k=100")


def test_exact_matrix_follows_writes(store):
    s = store()
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(10, DIM)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    _load(s, [f"a{i}" for i in range(10)], rows)
    assert s.query(rows[3], 1)[0][0] == "a3"
    new = -rows[3]
    s.upsert(["fresh"], new[None, :], [{"hash": "x"}])
    assert s.query(new, 1) == [("fresh", pytest.approx(1.0, abs=1e-5))]
    s.delete(["fresh"])
    assert s.query(new, 1)[0][0] != "fresh"


def test_hnsw_parameters_are_applied_and_old_collections_upgraded(store, tmp_path):
    import chromadb
    path = tmp_path / "data" / "chroma"
    path.mkdir(parents=True)
    old = chromadb.PersistentClient(path=str(path))
    old.create_collection("rag_synthetic", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
    old.close()
    s = store()
    assert s._col.configuration["hnsw"]["ef_search"] == HNSW["ef_search"]
    s.recreate()
    conf = s._col.configuration["hnsw"]
    assert (conf["max_neighbors"], conf["ef_construction"]) == (HNSW["max_neighbors"], HNSW["ef_construction"])


def test_a_chroma_locked_at_open_is_opened_on_a_later_try(store, monkeypatch):
    """A CI run once failed opening a fresh in-process Chroma with "database is locked" at
    once. The store tries again, and the real Chroma system that failed to start must not
    stay cached for its path (a later client would get one with no connection)."""
    import chromadb_rust_bindings
    from chromadb.errors import InternalError
    real, calls = chromadb_rust_bindings.Bindings, []

    def locked_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise InternalError("Database error: error returned from database: (code: 5) database is locked")
        return real(*args, **kwargs)
    monkeypatch.setattr(chromadb_rust_bindings, "Bindings", locked_once)
    s = store()
    _load(s, ["a", "b"], np.eye(2, DIM, dtype=np.float32))
    assert len(calls) == 2 and s.query(np.eye(1, DIM, dtype=np.float32)[0], 1)[0][0] == "a"


def test_a_chroma_locked_for_good_is_reported(store, monkeypatch):
    import chromadb_rust_bindings
    from chromadb.errors import InternalError
    from rag.errors import StoreError
    import rag.store

    def locked(*args, **kwargs):
        raise InternalError("Database error: error returned from database: (code: 5) database is locked")
    monkeypatch.setattr(chromadb_rust_bindings, "Bindings", locked)
    monkeypatch.setattr(rag.store, "_LOCKED_WAITS", (0.01, 0.01))
    with pytest.raises(StoreError, match="database is locked.*another process"):
        store()
    monkeypatch.undo()      # the lock is gone: the path opens (nothing broken stayed cached)
    assert store().count() == 0


def test_large_collections_use_hnsw(store):
    s = store(exact_search_max=5)
    rng = np.random.default_rng(1)
    rows = rng.normal(size=(50, DIM)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    _load(s, [f"a{i}" for i in range(50)], rows)
    assert s.query(rows[7], 3)[0][0] == "a7"
    assert s._matrix is None, "over the limit: no in-memory matrix"


_OPEN_AT = r"""
import os, sys, time
os.environ["RAG_DATA_DIR"] = sys.argv[1]
from rag.settings import load_settings
from rag.store import VectorStore
start = float(sys.argv[2])
while time.time() < start:
    pass
VectorStore(load_settings(), "race").close()
"""


def test_processes_opening_a_new_chroma_at_once_all_succeed(tmp_path):
    """An ingest and the app (or two ingests) on a fresh data dir create its Chroma at the same
    moment: without the open lock 5 of 16 such opens failed here ("table collections already
    exists"), and a CI run of two ingests at once with them."""
    import os
    import subprocess
    import sys
    import time
    for trial in range(3):
        data = tmp_path / f"data{trial}"
        start = time.time() + 3
        procs = [subprocess.Popen([sys.executable, "-c", _OPEN_AT, str(data), str(start)], stderr=subprocess.PIPE,
                                  text=True, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"}) for _ in range(4)]
        errors = [p.stderr.read()[-400:] for p in procs if p.wait(120) != 0]
        assert not errors, errors
