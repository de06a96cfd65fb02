"""Cross-lingual retrieval where the wording exists in ONE language only: an English question
must find a Chinese-only paragraph, and a Chinese question an English-only one."""
from __future__ import annotations

import pytest

from rag.embeddings import EmbeddingCache, RagEmbedding
from rag.engine import Engine
from rag.index import Index
from rag.ingest import ingest
from rag.settings import load_settings

pytestmark = pytest.mark.slow

ZH_ONLY = """成都大熊猫繁育研究基地
2024-05-01 by 测试
成都大熊猫繁育研究基地今年共有十八只大熊猫幼崽出生，创下历史新高。
基地的游客中心每天早上七点半开门，周一闭馆维护。
"""
EN_ONLY = """# Harbour Bridge Maintenance

The harbour bridge will be closed to cars for repainting from March to June, and buses will use a temporary ferry.

The repainting uses twelve tonnes of corrosion-resistant paint supplied by a local factory.
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory, e5_backend):
    folder = tmp_path_factory.mktemp("xling")
    src = folder / "src"
    src.mkdir()
    (src / "panda_zh.txt").write_text(ZH_ONLY, encoding="utf-8")
    (src / "bridge_en.md").write_text(EN_ONLY, encoding="utf-8")
    from seed_engine import SEED
    (src / SEED.name).write_bytes(SEED.read_bytes())
    settings = load_settings().with_(data_dir=folder / "data", sources_dir=src, llm_base_url="", llm_api_key="")
    index = Index.open(settings, RagEmbedding(e5_backend, EmbeddingCache(folder / "data" / "embed_cache.sqlite")))
    assert not ingest(index, show_bar=False).errors
    eng = Engine(settings, index)
    yield eng
    index.close()


def test_english_question_finds_chinese_only_paragraph(engine):
    hits = engine.retriever.retrieve("How many giant panda cubs were born at the Chengdu breeding base this year?", 3).hits
    assert hits[0].pair.id == "panda_zh#p01"
    assert hits[0].pair.en is None


def test_chinese_question_finds_english_only_paragraph(engine):
    hits = engine.retriever.retrieve("港口大桥什么时候禁止汽车通行?", 3).hits
    assert hits[0].pair.id == "bridge_en#p01"
    assert hits[0].pair.zh is None


def test_answer_from_the_other_language_side_is_cited(engine):
    answer = engine.ask("How many giant panda cubs were born at the Chengdu base this year?")
    assert not answer.abstained
    assert answer.citations and answer.citations[0].paragraph_id == "panda_zh#p01"
    assert "十八只" in answer.text   # only the Chinese side exists; it is quoted, not invented


def test_a_paragraph_in_the_other_language_is_covered_through_the_dictionary(engine):
    """An English question's words reach a Chinese-only paragraph through their glosses
    ("giant panda" → 大熊猫), and a Chinese question's an English-only one (汽车 → "cars"): a
    coverage of their own for fusion, the reader and the verifier (the question's own words
    gave such a paragraph next to none)."""
    c = engine.retriever.retrieve("How many giant panda cubs were born at the Chengdu breeding base this year?", 3).candidates
    assert "大熊猫" in c.glossed["giant panda"]
    assert c.gloss_coverage["panda_zh#p01"] > 0.5 and c.coverage["panda_zh#p01"] < 0.5
    c = engine.retriever.retrieve("港口大桥什么时候禁止汽车通行?", 3).candidates
    assert "cars" in c.glossed["汽车"] and c.gloss_coverage["bridge_en#p01"] > 0
    reading = next(r for r in engine.retriever.readings(engine.retriever.retrieve("港口大桥什么时候禁止汽车通行?", 3), "zh")
                   if "closed to cars" in r.sentence.text)
    from rag.extract import FEATURES
    assert reading.x[FEATURES.index("xcov")] > 0 and reading.x[FEATURES.index("cov")] == 0
