"""Vectors in Chroma: embedded `PersistentClient` by default, a Chroma server when
RAG_CHROMA_HOST is set. Only this module knows chromadb. We always pass our own vectors
(chroma's default embedding function would download a model)."""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import threading
import time
import warnings
from pathlib import Path

import numpy as np

from .errors import StoreError, storage_hint
from .settings import Settings


# Collections up to RAG_EXACT_SEARCH_MAX vectors are searched exactly: at 100k vectors of 384
# dimensions that took ~11 ms here, about what HNSW took, with no misses. Above that, HNSW
# tuned for recall: Chroma's defaults (16 neighbours, ef 100/100) lost a clearly nearest vector
# among near-duplicate documents (tests/test_store.py; bench/scale.py measures recall@10).
HNSW = {"space": "cosine", "max_neighbors": 32, "ef_construction": 256, "ef_search": 1024}

# Chroma's SQLite waits out another process's lock, but now and then answers "database is
# locked" at once (a CI run: opening a path right after another client of it closed, in the
# same process). Opening is tried again after these pauses (seconds) before that is reported.
_LOCKED_WAITS = (0.1, 0.4, 1.5, 4.0)


def collection_name(slug: str, prefix: str = "rag") -> str:
    """One collection per embedding model (vectors of different models never mix)."""
    return (f"{prefix}_" + re.sub(r"[^A-Za-z0-9_-]+", "_", slug))[:60].rstrip("_-")


class VectorStore:
    def __init__(self, settings: Settings, slug: str) -> None:
        self.settings, self.slug = settings, slug
        self.exact_max = settings.exact_search_max
        self._matrix: tuple[list[str], np.ndarray] | None = None   # exact search: every vector, in memory
        self._matrix_lock = threading.Lock()
        self.where = (f"http://{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host
                      else str(settings.data_dir / "chroma"))
        self._open()

    def reopen(self) -> None:
        """A fresh client (after `close`): sees what other processes wrote since."""
        self._open()

    def _open(self) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings, slug = self.settings, self.slug
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            self.name = collection_name(slug, settings.chroma_prefix)
            with self._opening():
                for wait in (*_LOCKED_WAITS, None):
                    try:
                        if settings.chroma_host:
                            self._client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                                               settings=chroma_settings)
                        else:
                            self._client = chromadb.PersistentClient(path=self.where, settings=chroma_settings)
                        self._col = self._client.get_or_create_collection(
                            self.name, configuration={"hnsw": dict(HNSW)}, embedding_function=None)
                        break
                    except Exception as exc:
                        self._forget_half_open()
                        if wait is None or "database is locked" not in str(exc):
                            raise
                        time.sleep(wait)
            with warnings.catch_warnings():     # chroma warns about its own legacy config fields
                warnings.simplefilter("ignore", DeprecationWarning)
                current = ((self._col.configuration or {}).get("hnsw") or {}).get("ef_search")
            if current is not None and current < HNSW["ef_search"]:     # made by an older version
                self._col.modify(configuration={"hnsw": {"ef_search": HNSW["ef_search"]}})
        except Exception as exc:
            raise self._error("open", exc) from None
        self._matrix = None

    def _forget_half_open(self) -> None:
        """Chroma caches one system per path before starting it: one that failed to start
        (its SQLite locked, its disk full) stays cached with no connection, and every later
        client of the path would get it. Drop it when no client holds it: the next try starts
        anew."""
        from chromadb.api.shared_system_client import SharedSystemClient as shared
        if self.where not in shared._identifier_to_refcount:
            shared._identifier_to_system.pop(self.where, None)

    @contextlib.contextmanager
    def _opening(self):
        """Processes opening the same local Chroma one at a time (an exclusive flock beside it):
        two that create a new one at once race on its schema ("table collections already
        exists" — an ingest and the app, or two ingests, on a fresh data dir)."""
        if self.where.startswith("http"):
            yield
            return
        Path(self.where).mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(Path(self.where).parent / "chroma.open.lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:             # a read-only data dir: nothing can create it there either
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)            # closing the descriptor releases the lock

    def recreate(self) -> None:
        """Drop the collection and make it anew (`rag-ingest --rebuild`): its HNSW graph is
        then built with the current parameters."""
        try:
            self._client.delete_collection(self.name)
        except Exception:
            pass
        self._open()

    def _error(self, action: str, exc: Exception) -> StoreError:
        hint = ("check that the Chroma server is running (`chroma run --host ... --port ...`) "
                "and RAG_CHROMA_HOST/RAG_CHROMA_PORT point at it") if self.where.startswith("http") else \
               storage_hint(exc, Path(self.where).parent)   # names the data dir: full, read-only or else
        return StoreError(f"Chroma at {self.where} failed to {action}: {type(exc).__name__}: {exc}", hint)

    def close(self) -> None:
        """Release the client (embedded: the refcounted Chroma system for this path)."""
        close = getattr(self._client, "close", None)
        if close is not None:
            try:
                close()
            except Exception:
                pass

    def _do(self, action: str, fn):
        """Run fn(); a collection that another client dropped and made anew (a rebuild) is
        looked up again by name once; any other failure is a StoreError saying what to do."""
        try:
            try:
                return fn()
            except Exception as exc:
                if type(exc).__name__ != "NotFoundError":
                    raise
                self._col = self._client.get_or_create_collection(
                    self.name, configuration={"hnsw": dict(HNSW)}, embedding_function=None)
                self._matrix = None
                return fn()
        except Exception as exc:
            raise self._error(action, exc) from None

    def count(self) -> int:
        return self._do("count", lambda: self._col.count())

    def upsert(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict]) -> None:
        self._matrix = None

        def write():
            for start in range(0, len(ids), 1000):
                end = start + 1000
                self._col.upsert(ids=ids[start:end], embeddings=vectors[start:end].tolist(),
                                 metadatas=metadatas[start:end])
        self._do("write", write)

    def delete(self, ids: list[str]) -> None:
        self._matrix = None

        def remove():
            for start in range(0, len(ids), 1000):
                self._col.delete(ids=ids[start:start + 1000])
        self._do("delete", remove)

    def hashes(self) -> dict[str, str]:
        """id → text hash of every stored vector (used to reconcile after a crash)."""
        def read() -> dict[str, str]:
            out: dict[str, str] = {}
            total = self._col.count()
            for offset in range(0, total, 5000):
                got = self._col.get(include=["metadatas"], limit=5000, offset=offset)
                for pid, meta in zip(got["ids"], got["metadatas"]):
                    out[pid] = (meta or {}).get("hash", "")
            return out
        return self._do("read", read)

    def query(self, vector: np.ndarray, k: int, exact: bool | None = None) -> list[tuple[str, float]]:
        """(passage id, cosine similarity), best first. Collections of up to
        RAG_EXACT_SEARCH_MAX vectors are searched exactly (every vector, in memory): cheaper
        than a miss at that size. Larger ones go through Chroma's HNSW index."""
        def search() -> list[tuple[str, float]]:
            n = self._col.count()
            if n == 0:
                return []
            if exact if exact is not None else n <= self.exact_max:
                return self._exact(vector, k, n)
            res = self._col.query(query_embeddings=[vector.tolist()], n_results=min(k, n), include=["distances"])
            return [(pid, 1.0 - float(d)) for pid, d in zip(res["ids"][0], res["distances"][0])]
        return self._do("query", search)

    def _exact(self, vector: np.ndarray, k: int, n: int) -> list[tuple[str, float]]:
        with self._matrix_lock:
            matrix = self._matrix
            if matrix is None or len(matrix[0]) != n:     # written since, here or by another client
                ids, rows = [], []
                for offset in range(0, n, 5000):
                    got = self._col.get(include=["embeddings"], limit=5000, offset=offset)
                    ids.extend(got["ids"])
                    rows.append(np.asarray(got["embeddings"], dtype=np.float32))
                matrix = self._matrix = (ids, np.concatenate(rows) if rows else np.zeros((0, 0), np.float32))
        ids, rows = matrix
        scores = rows @ np.asarray(vector, dtype=np.float32)
        k = min(k, len(ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(ids[i], float(scores[i])) for i in top]
