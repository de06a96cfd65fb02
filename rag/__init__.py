"""rag: grounded bilingual question answering with paragraph citations.

Pipeline (one module per step): sources → chunking → embeddings → store/catalog → ingest
→ retrieve → answer → citations → evaluate.
"""
from .settings import quiet_outbound

quiet_outbound()

__all__ = ["quiet_outbound"]
