"""A module-scoped engine over the real seed index (real e5, real embedded Chroma)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.embeddings import EmbeddingCache, RagEmbedding
from rag.engine import Engine
from rag.index import Index
from rag.ingest import ingest
from rag.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_09ff8f6f21da3254.txt"


def build_seed_engine(folder: Path, e5_backend, warm_cache_file: Path | None = None, **overrides) -> Engine:
    sources = folder / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    shutil.copy2(SEED, sources / SEED.name)
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    if warm_cache_file is not None:
        from _corpus import copy_sqlite
        copy_sqlite(warm_cache_file, data / "embed_cache.sqlite")
    from servers import chroma_server_env
    server = chroma_server_env()
    if server:
        overrides = {"chroma_host": server["RAG_CHROMA_HOST"], "chroma_port": int(server["RAG_CHROMA_PORT"]),
                     "chroma_prefix": server["RAG_CHROMA_PREFIX"], **overrides}
    overrides = {"llm_base_url": "", "llm_api_key": "", **overrides}
    settings = load_settings().with_(data_dir=data, sources_dir=sources, **overrides)
    embedding = RagEmbedding(e5_backend, EmbeddingCache(data / "embed_cache.sqlite"))
    index = Index.open(settings, embedding)
    report = ingest(index, show_bar=False)
    assert not report.errors and len(report.diff.added) == 13
    return Engine(settings, index)


def seed_engine_fixture(name: str):
    """A module-scoped `engine` fixture over its own copy of the seed index:
    `engine = seed_engine_fixture("verify-engine")` in a test module."""
    @pytest.fixture(scope="module")
    def engine(tmp_path_factory, e5_backend, warm_cache_file):
        eng = build_seed_engine(tmp_path_factory.mktemp(name), e5_backend, warm_cache_file)
        yield eng
        eng.index.close()
    return engine
