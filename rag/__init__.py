"""rag: grounded bilingual question answering with paragraph citations.

Pipeline (one module per step): sources → chunking → embeddings → store/catalog → ingest
→ followup → retrieve → fusion → extract → verify → answerers/answer → citations → contract;
rag.eval evaluates and fits the weights, rag.ui is the web app, rag.text the text layer.
"""
from .settings import quiet_outbound

quiet_outbound()

__all__ = ["quiet_outbound"]
