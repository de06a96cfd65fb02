"""The product as llama-index components, for people who build their own llama-index pipelines.

- `RagRetriever` is a llama-index `BaseRetriever` over the product's hybrid retrieval
  (rag/retrieve.py): one `NodeWithScore` per paragraph pair, in the product's ranking order,
  so it drops into `RetrieverQueryEngine`, `RetrieverEvaluator`, node postprocessors, agents...
- `RagQueryEngine` is a llama-index query engine over the product's whole answerer
  (`Engine.ask`: verification, abstention, validated citations). Its `Response` carries the
  answer text, the cited paragraphs as `source_nodes`, and the answer contract
  (`Answer.to_dict()` without `retrieved`) as `metadata`. No streaming.

Node ids are paragraph ids ("<doc>#p05"), so `RetrieverEvaluator` can be given the product's
own gold paragraph ids. Offline (extractive) answering is the default: nothing leaves the box.
"""
from __future__ import annotations

import asyncio
from typing import Any, Optional

from llama_index.core.base.response.schema import Response
from llama_index.core.bridge.pydantic import Field
from llama_index.core.callbacks import CallbackManager
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode

from .answer import Answer
from .engine import Engine
from .index import Index
from .llm import LLMConfig
from .retrieve import Retriever

__all__ = ["RagRetriever", "RagQueryEngine", "paragraph_node", "to_response"]

# the two language sides are the node's text already: don't repeat them in what llama-index
# embeds or puts in an LLM prompt (metadata is prepended to the text there)
_LONG_KEYS = ["text_zh", "text_en"]


def paragraph_node(paragraph_id: str, doc: str, section: str, zh: str | None, en: str | None,
                   **extra: Any) -> TextNode:
    """One paragraph pair as a `TextNode`: id = paragraph id, text = zh then en."""
    return TextNode(
        id_=paragraph_id,
        text="\n".join(side for side in (zh, en) if side),
        metadata={"paragraph_id": paragraph_id, "doc": doc, "section": section,
                  "text_zh": zh or "", "text_en": en or "", **extra},
        excluded_embed_metadata_keys=list(_LONG_KEYS),
        excluded_llm_metadata_keys=list(_LONG_KEYS),
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=doc)},
    )


class RagRetriever(BaseRetriever):
    """llama-index retriever over the product's retrieval (a `Retriever`, or the one of an
    `Engine`, or a new hybrid `Retriever` over an `Index`)."""

    def __init__(self, source: Retriever | Engine | Index, similarity_top_k: int | None = None,
                 callback_manager: Optional[CallbackManager] = None, verbose: bool = False) -> None:
        if isinstance(source, Engine):
            retriever = source.retriever
        elif isinstance(source, Index):
            retriever = Retriever(source)
        elif isinstance(source, Retriever):
            retriever = source
        else:
            raise TypeError(f"RagRetriever wraps a rag Retriever, Engine or Index, not {type(source).__name__}")
        self.retriever = retriever
        self.similarity_top_k = similarity_top_k or retriever.index.settings.top_k
        super().__init__(callback_manager=callback_manager, verbose=verbose)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self.retriever.retrieve(query_bundle.query_str, self.similarity_top_k).hits
        return [NodeWithScore(node=paragraph_node(h.pair.id, h.pair.doc, h.pair.section, h.pair.zh, h.pair.en),
                              score=float(h.score))
                for h in hits]

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        # the sync retrieval in a worker thread (the product's index is thread-safe: the app
        # answers from worker threads too), so an event loop isn't blocked for its duration
        return await asyncio.to_thread(self._retrieve, query_bundle)


class RagQueryEngine(CustomQueryEngine):
    """llama-index query engine over `Engine.ask`: the product's grounded answer, its cited
    paragraphs as `source_nodes` (none when it abstains), its answer contract as `metadata`."""

    engine: Engine = Field(description="the product's engine (rag.engine.Engine)")
    backend: str = Field(default="offline", description="auto | offline | llm (Engine.ask)")
    language: str = Field(default="auto", description="answer language: auto | zh | en")
    similarity_top_k: Optional[int] = Field(default=None, description="paragraphs to read (default: settings.top_k)")
    llm: Optional[LLMConfig] = Field(default=None, description="endpoint for backend auto/llm (default: settings)")

    def custom_query(self, query_str: str) -> Response:
        answer = self.engine.ask(query_str, backend=self.backend, language=self.language,
                                 top_k=self.similarity_top_k, llm=self.llm)
        return to_response(answer)

    async def acustom_query(self, query_str: str) -> Response:
        return await asyncio.to_thread(self.custom_query, query_str)


def to_response(answer: Answer) -> Response:
    """A product `Answer` as a llama-index `Response`."""
    metadata = answer.to_dict()
    metadata.pop("retrieved", None)
    nodes = [] if answer.abstained else [
        NodeWithScore(node=paragraph_node(c.paragraph_id, c.doc, c.section, c.text_zh, c.text_en,
                                          marker=c.marker, quote=c.quote),
                      score=float(c.score))
        for c in answer.citations]
    return Response(response=answer.text, source_nodes=nodes, metadata=metadata)
