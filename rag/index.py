"""The opened index: catalog (sqlite) + vector store (Chroma) + embedding model, shared by
ingest, retrieval, the CLI, the UI and the eval runner."""
from __future__ import annotations

from dataclasses import dataclass

from .catalog import Catalog
from .embeddings import RagEmbedding, make_embedding
from .settings import Settings, load_settings
from .store import VectorStore


@dataclass
class Index:
    settings: Settings
    catalog: Catalog
    store: VectorStore
    embedding: RagEmbedding

    @classmethod
    def open(cls, settings: Settings | None = None, embedding: RagEmbedding | None = None) -> "Index":
        settings = settings or load_settings()
        embedding = embedding or make_embedding(settings)
        catalog = Catalog(settings.data_dir / "catalog.sqlite")
        store = VectorStore(settings, embedding.slug)
        return cls(settings, catalog, store, embedding)

    def close(self) -> None:
        self.catalog.close()
