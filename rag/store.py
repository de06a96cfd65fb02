"""Vectors in Chroma: embedded `PersistentClient` by default, a Chroma server when
RAG_CHROMA_HOST is set. Only this module knows chromadb. We always pass our own vectors
(chroma's default embedding function would download a model)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .errors import StoreError, storage_hint
from .settings import Settings


def collection_name(slug: str, prefix: str = "rag") -> str:
    """One collection per embedding model (vectors of different models never mix)."""
    return (f"{prefix}_" + re.sub(r"[^A-Za-z0-9_-]+", "_", slug))[:60].rstrip("_-")


class VectorStore:
    def __init__(self, settings: Settings, slug: str) -> None:
        self.settings, self.slug = settings, slug
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
            if settings.chroma_host:
                self._client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                                   settings=chroma_settings)
            else:
                Path(self.where).mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=self.where, settings=chroma_settings)
            self.name = collection_name(slug, settings.chroma_prefix)
            self._col = self._client.get_or_create_collection(
                self.name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
        except Exception as exc:
            raise self._error("open", exc) from None

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

    def count(self) -> int:
        try:
            return self._col.count()
        except Exception as exc:
            raise self._error("count", exc) from None

    def upsert(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict]) -> None:
        try:
            for start in range(0, len(ids), 1000):
                end = start + 1000
                self._col.upsert(ids=ids[start:end], embeddings=vectors[start:end].tolist(),
                                 metadatas=metadatas[start:end])
        except Exception as exc:
            raise self._error("write", exc) from None

    def delete(self, ids: list[str]) -> None:
        try:
            for start in range(0, len(ids), 1000):
                self._col.delete(ids=ids[start:start + 1000])
        except Exception as exc:
            raise self._error("delete", exc) from None

    def hashes(self) -> dict[str, str]:
        """id → text hash of every stored vector (used to reconcile after a crash)."""
        out: dict[str, str] = {}
        try:
            total = self._col.count()
            for offset in range(0, total, 5000):
                got = self._col.get(include=["metadatas"], limit=5000, offset=offset)
                for pid, meta in zip(got["ids"], got["metadatas"]):
                    out[pid] = (meta or {}).get("hash", "")
        except Exception as exc:
            raise self._error("read", exc) from None
        return out

    def query(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(passage id, cosine similarity), best first."""
        try:
            n = self._col.count()
            if n == 0:
                return []
            res = self._col.query(query_embeddings=[vector.tolist()], n_results=min(k, n),
                                  include=["distances"])
        except Exception as exc:
            raise self._error("query", exc) from None
        return [(pid, 1.0 - float(d)) for pid, d in zip(res["ids"][0], res["distances"][0])]
