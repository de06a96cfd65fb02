"""The opened index: catalog (sqlite) + vector spaces (Chroma collections, one per embedding
model) + embedding models, shared by ingest, retrieval, the CLI, the UI and the eval runner.

The primary space is RAG_EMBEDDER (e5 by default). A second, cross-lingual space (USE
multilingual, RAG_CROSS_EMBEDDER=use) is kept beside it: the 4-bit e5 ranks same-language text
first, so an English question misses a paragraph that exists only in Chinese; USE maps the
two languages together (README "Retrieval").
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from .catalog import Catalog
from .embeddings import EmbeddingCache, RagEmbedding, USEBackend, make_embedding
from .settings import Settings, load_settings
from .store import VectorStore


@dataclass
class Space:
    embedding: RagEmbedding
    store: VectorStore


class _ReadWriteLock:
    """Many readers (questions) or one writer (reopening the vector stores)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0

    @contextmanager
    def read(self):
        with self._cond:
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self):
        with self._cond:
            self._cond.wait_for(lambda: self._readers == 0)
            yield


@dataclass
class Index:
    settings: Settings
    catalog: Catalog
    store: VectorStore
    embedding: RagEmbedding
    cross: Space | None = None
    owned: list[RagEmbedding] = field(default_factory=list)   # embeddings open() made (and closes)
    generation: int = -1                                       # the catalog's ingest generation we read at
    _rw: _ReadWriteLock = field(default_factory=_ReadWriteLock, repr=False)

    def __post_init__(self) -> None:
        if self.generation < 0:
            self.generation = self.catalog.generation()

    @contextmanager
    def reading(self):
        """Hold while querying the vector stores: `refresh` waits for readers to finish."""
        with self._rw.read():
            yield

    def refresh(self) -> bool:
        """If another process ingested since we last looked (the catalog's generation moved),
        reopen the vector stores: an embedded Chroma keeps serving the vectors it loaded, so
        without this a running app would answer from edited paragraphs' old vectors."""
        current = self.catalog.generation()
        if current == self.generation:
            return False
        with self._rw.write():
            if current != self.generation:
                stores = [space.store for space in self.spaces]
                for store in stores:
                    store.close()
                for store in stores:
                    store.reopen()
                self.generation = current
        return True

    def mark_written(self) -> None:
        """Our own ingest wrote: tell other processes, and don't reopen for it ourselves."""
        self.catalog.bump_generation()
        self.generation = self.catalog.generation()

    @classmethod
    def open(cls, settings: Settings | None = None, embedding: RagEmbedding | None = None,
             cross_embedding: RagEmbedding | None = None) -> "Index":
        settings = settings or load_settings()
        owned: list[RagEmbedding] = []
        if embedding is None:
            embedding = make_embedding(settings)
            owned.append(embedding)
        catalog = Catalog(settings.data_dir / "catalog.sqlite")
        store = VectorStore(settings, embedding.slug)
        cross = None
        if settings.cross_embedder == "use" and embedding.slug != USEBackend.slug:
            if cross_embedding is None:
                cross_embedding = RagEmbedding(USEBackend(), EmbeddingCache(settings.data_dir / "embed_cache.sqlite"))
                owned.append(cross_embedding)
            cross = Space(cross_embedding, VectorStore(settings, cross_embedding.slug))
        return cls(settings, catalog, store, embedding, cross, owned)

    @property
    def spaces(self) -> list[Space]:
        """Every vector space the ingest keeps in step with the catalog."""
        return [Space(self.embedding, self.store)] + ([self.cross] if self.cross else [])

    def close(self) -> None:
        self.catalog.close()
        for space in self.spaces:
            space.store.close()
        for embedding in self.owned:
            embedding.close()
