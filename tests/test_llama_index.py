"""rag.llama_index on the real seed index: the retriever and the query engine as a llama-index
user would use them — in their own RetrieverQueryEngine (MockLLM, no network), under
llama-index's RetrieverEvaluator, and the product's answer as a llama-index Response."""
from __future__ import annotations

import asyncio

import pytest
from llama_index.core.evaluation import RetrieverEvaluator
from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.schema import MetadataMode, NodeWithScore, TextNode

from rag.llama_index import RagQueryEngine, RagRetriever
from seed_engine import seed_engine_fixture

pytestmark = pytest.mark.slow
P = "000_09ff8f6f21da3254#p"
REVIEW_ZH = "微短剧审查时效提升了多少?"
FUND_EN = "How large is Sichuan's annual special fund for cultural productions?"
OFF_TOPIC = "What is the boiling point of liquid nitrogen on Mars?"


engine = seed_engine_fixture("llama-index-engine")


# ---------------------------------------------------------------- retriever ----
@pytest.mark.parametrize("question", [REVIEW_ZH, FUND_EN])
def test_retriever_returns_the_products_ranking_as_nodes(engine, question):
    nodes = RagRetriever(engine, similarity_top_k=3).retrieve(question)
    hits = engine.retriever.retrieve(question, 3).hits
    assert [n.node.node_id for n in nodes] == [h.pair.id for h in hits]
    assert nodes[0].node.node_id == P + "05"
    for n, h in zip(nodes, hits):
        assert isinstance(n, NodeWithScore) and isinstance(n.node, TextNode)
        assert n.score == pytest.approx(h.score)
        assert n.node.text == f"{h.pair.zh}\n{h.pair.en}"
        assert n.node.metadata == {"paragraph_id": h.pair.id, "doc": h.pair.doc, "section": h.pair.section,
                                   "text_zh": h.pair.zh, "text_en": h.pair.en}
        assert n.node.ref_doc_id == h.pair.doc
    # the sides are the text already: not repeated as metadata in what is embedded or prompted
    node = nodes[0].node
    for mode in (MetadataMode.LLM, MetadataMode.EMBED):
        content = node.get_content(metadata_mode=mode)
        assert "text_zh:" not in content and "text_en:" not in content
        assert f"paragraph_id: {P}05" in content and content.count(node.metadata["text_en"]) == 1


def test_retriever_defaults_and_sources(engine):
    by_engine = RagRetriever(engine)
    assert by_engine.similarity_top_k == engine.settings.top_k
    assert by_engine.retriever is engine.retriever
    ids = [n.node.node_id for n in by_engine.retrieve(FUND_EN)]
    assert len(ids) == engine.settings.top_k
    assert [n.node.node_id for n in RagRetriever(engine.index).retrieve(FUND_EN)] == ids   # a new hybrid Retriever
    assert [n.node.node_id for n in RagRetriever(engine.retriever).retrieve(FUND_EN)] == ids
    assert [n.node.node_id for n in asyncio.run(by_engine.aretrieve(FUND_EN))] == ids
    with pytest.raises(TypeError):
        RagRetriever("not an engine")


def test_retriever_in_a_users_llama_index_pipeline(engine):
    retriever = RagRetriever(engine, similarity_top_k=3)
    query_engine = RetrieverQueryEngine.from_args(retriever, llm=MockLLM())
    response = query_engine.query(REVIEW_ZH)
    assert [n.node.node_id for n in response.source_nodes] == [h.pair.id for h in engine.retriever.retrieve(REVIEW_ZH, 3).hits]
    # MockLLM echoes its prompt: the user's LLM saw the retrieved paragraphs (both sides, once each)
    prompt = str(response)
    top = response.source_nodes[0].node
    assert top.metadata["text_zh"] in prompt and top.metadata["text_en"] in prompt
    assert f"paragraph_id: {P}05" in prompt and "text_zh:" not in prompt


def test_retriever_under_llama_index_retriever_evaluator(engine):
    evaluator = RetrieverEvaluator.from_metric_names(["hit_rate", "mrr"], retriever=RagRetriever(engine, similarity_top_k=3))
    gold = [(REVIEW_ZH, P + "05"), (FUND_EN, P + "05"),
            ("How many high-quality projects were signed at the signing ceremony?", P + "10"),
            ("How many iterations of the conference have been convened to date?", P + "11")]
    for question, paragraph_id in gold:
        result = evaluator.evaluate(query=question, expected_ids=[paragraph_id])
        assert result.metric_vals_dict == {"hit_rate": 1.0, "mrr": 1.0}, (question, result.retrieved_ids)


# ---------------------------------------------------------------- query engine ----
@pytest.mark.parametrize("question", [REVIEW_ZH, FUND_EN])
def test_query_engine_response_is_the_products_answer(engine, question):
    response = RagQueryEngine(engine=engine).query(question)
    answer = engine.ask(question, backend="offline")
    assert not answer.abstained and answer.citations
    assert response.response == answer.text
    assert [n.node.node_id for n in response.source_nodes] == [c.paragraph_id for c in answer.citations]
    assert response.source_nodes[0].node.node_id == P + "05"
    for n, c in zip(response.source_nodes, answer.citations):
        assert n.score == pytest.approx(c.score)
        assert n.node.metadata["marker"] == c.marker and n.node.metadata["quote"] == c.quote
        assert n.node.metadata["text_zh"] == c.text_zh and n.node.metadata["section"] == c.section
    expected = answer.to_dict()
    del expected["retrieved"]
    meta = response.metadata
    assert "retrieved" not in meta and meta["outcome"] == answer.outcome and meta["backend"] == "extractive"
    assert {k: v for k, v in meta.items() if k != "timings_ms"} == {k: v for k, v in expected.items() if k != "timings_ms"}
    for key in ("outcome", "abstained", "support", "verdict", "citations", "sentences", "standalone_question", "backend"):
        assert key in meta


def test_query_engine_off_topic_question_abstains_without_sources(engine):
    response = RagQueryEngine(engine=engine).query(OFF_TOPIC)
    answer = engine.ask(OFF_TOPIC, backend="offline")
    assert response.metadata["abstained"] is answer.abstained is True
    assert response.metadata["outcome"] == "abstain"
    assert response.source_nodes == []
    assert response.response == answer.text


def test_query_engine_options_reach_engine_ask(engine):
    response = asyncio.run(RagQueryEngine(engine=engine, similarity_top_k=2, language="en").aquery(REVIEW_ZH))
    assert response.metadata["language"] == "en"
    assert all(c["marker"] <= 2 for c in response.metadata["citations"])
    assert [n.node.node_id for n in response.source_nodes] == [c["paragraph_id"] for c in response.metadata["citations"]]
