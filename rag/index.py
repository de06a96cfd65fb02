"""The opened index: catalog (sqlite) + vector spaces (Chroma collections, one per embedding
model) + embedding models, shared by ingest, retrieval, the CLI, the UI and the eval runner.

The primary space is RAG_EMBEDDER (e5 by default). A second, cross-lingual space (USE
multilingual, RAG_CROSS_EMBEDDER=use) is kept beside it: the 4-bit e5 ranks same-language text
first, so an English question misses a paragraph that exists only in Chinese; USE maps the
two languages together (README "Retrieval").
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .catalog import Catalog
from .embeddings import EmbeddingCache, RagEmbedding, USEBackend, make_embedding
from .settings import Settings, load_settings
from .store import VectorStore


@dataclass
class Space:
    embedding: RagEmbedding
    store: VectorStore


@dataclass
class Index:
    settings: Settings
    catalog: Catalog
    store: VectorStore
    embedding: RagEmbedding
    cross: Space | None = None
    owned: list[RagEmbedding] = field(default_factory=list)   # embeddings open() made (and closes)

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
