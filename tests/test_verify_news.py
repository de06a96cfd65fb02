"""The verifier on real same-topic news (eval/news_zh/sources): two micro-drama bases whose
articles give different figures. A value asked of one that only the other's article gives is
declined, not answered with the figure next to it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.embeddings import EmbeddingCache, RagEmbedding
from rag.engine import Engine
from rag.index import Index
from rag.ingest import ingest
from rag.settings import load_settings

pytestmark = pytest.mark.slow
NEWS = Path(__file__).resolve().parent.parent / "eval" / "news_zh" / "sources"


@pytest.fixture(scope="module")
def engine(tmp_path_factory, e5_backend):
    folder = tmp_path_factory.mktemp("news-bases")
    src = folder / "src"
    src.mkdir()
    for name in ("n11_hangzhou_microdrama_park.txt", "n15_chengdu_microdrama_base.txt", "n10_xian_microdrama_base.txt"):
        shutil.copy(NEWS / name, src / name)
    settings = load_settings().with_(data_dir=folder / "data", sources_dir=src, llm_base_url="", llm_api_key="")
    index = Index.open(settings, RagEmbedding(e5_backend, EmbeddingCache(folder / "data" / "embed_cache.sqlite")))
    assert not ingest(index, show_bar=False).errors
    yield Engine(settings, index)
    index.close()


def test_a_value_of_another_thing_is_no_answer(engine):
    """The 钱塘 article gives its investment and floor area, no 年产值; the 天府 one gives its 年产值."""
    answer = engine.ask("钱塘产业园的年产值是多少?")
    assert answer.outcome == "abstain" and "20亿" not in answer.text, answer.text
    assert any("年产值" in r for r in answer.verdict.reasons), answer.verdict.reasons
    answer = engine.ask("天府基地的年产值是多少?")
    assert answer.outcome == "answer" and "10亿" in answer.text, answer.text


def test_the_attribute_may_be_said_in_part(engine):
    answer = engine.ask("钱塘产业园的建筑面积是多少?")
    assert answer.outcome == "answer" and "11万平方米" in answer.text, answer.text


def test_an_english_count_is_looked_for_in_the_chinese_measure_words(engine):
    """An English question about Chinese-only news: "How many people …" is not answered by a
    count of studios (32个, 60个); "How many studios …" still is (个 is a studio's measure word)."""
    answer = engine.ask("How many people work at the Qiantang micro-drama industrial park?")
    assert answer.outcome == "abstain" and "people" in " ".join(answer.verdict.reasons), (answer.outcome, answer.text)
    answer = engine.ask("How many studios does the first phase of the Qiantang micro-drama industrial park have?")
    assert answer.outcome == "answer" and "32" in answer.text, (answer.outcome, answer.text)
