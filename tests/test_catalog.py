"""The sqlite catalog's BM25 (scored inside sqlite) against a plain Python BM25 over the same
postings, and its Chinese tokenization (no embedder needed)."""
from __future__ import annotations

import dataclasses
import math
import sqlite3
from collections import Counter

import pytest

from rag.catalog import Catalog
from rag.chunking import chunk_pair
from rag.catalog import bm25_idf, bm25_term
from rag.text import tokenize
from rag.sources import parse_file
from _corpus import SEED

QUERIES = ["微短剧审查时效提升了多少?", "How many projects were signed at the ceremony?",
           "四川 3亿 专项资金", "Chengdu policies film industry", "巴蜀 culture"]


@pytest.fixture
def catalog(tmp_path):
    doc = parse_file(SEED)
    cat = Catalog(tmp_path / "catalog.sqlite")
    cat.replace_document(doc, [p for pair in doc.pairs for p in chunk_pair(pair, 320)])
    yield cat
    cat.close()


def _reference(catalog: Catalog, query: str) -> dict[str, float]:
    passages = {p.id: Counter(tokenize(p.text)) for p in catalog.passages_by_id(list(catalog.passage_hashes()))}
    n = len(passages)
    avg = sum(sum(c.values()) for c in passages.values()) / n
    scores: dict[str, float] = {}
    for term in dict.fromkeys(tokenize(query)):
        df = sum(1 for c in passages.values() if term in c)
        if df == 0:
            continue
        idf = bm25_idf(n, df)
        for pid, counts in passages.items():
            if term in counts:
                scores[pid] = scores.get(pid, 0.0) + bm25_term(counts[term], sum(counts.values()), avg, idf)
    return scores


@pytest.mark.parametrize("query", QUERIES)
def test_sql_bm25_matches_the_formula(catalog, query):
    got = catalog.bm25(query, 10)
    want = sorted(_reference(catalog, query).items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert [pid for pid, _ in got] == [pid for pid, _ in want]
    for (_, a), (_, b) in zip(got, want):
        assert math.isclose(a, b, rel_tol=1e-9)


def test_chinese_query_finds_the_chinese_passage(catalog):
    top = catalog.bm25("微短剧审查时效提升了多少?", 3)
    assert top[0][0] == "000_09ff8f6f21da3254#p05:zh:0"
    assert {"短剧", "审查"} <= set(tokenize("微短剧审查"))   # jieba words, not one token per run of Hanzi


def test_stats_follow_another_connections_writes(catalog, tmp_path):
    catalog.bm25("成都", 3)
    other = Catalog(tmp_path / "catalog.sqlite")
    other.remove_document("000_09ff8f6f21da3254")
    other.close()
    assert catalog.bm25("成都", 3) == []


def test_old_catalog_format_is_migrated(catalog, tmp_path):
    before = catalog.bm25("微短剧审查时效提升了多少?", 5)
    catalog.close()
    db = sqlite3.connect(tmp_path / "catalog.sqlite")   # the format before postings had lengths
    with db:
        db.execute("DROP TABLE postings")
        db.execute("CREATE TABLE postings (term TEXT, passage_id TEXT, tf INTEGER, PRIMARY KEY (term, passage_id)) WITHOUT ROWID")
    db.close()
    migrated = Catalog(tmp_path / "catalog.sqlite")
    assert migrated.bm25("微短剧审查时效提升了多少?", 5) == before
    migrated.close()


def test_editing_one_paragraph_retokenises_only_that_paragraph(catalog, monkeypatch):
    import dataclasses

    import rag.catalog as catalog_module
    doc = parse_file(SEED)
    edited = dataclasses.replace(doc, pairs=tuple(
        dataclasses.replace(p, en=p.en + " Edited.") if p.order == 5 else p for p in doc.pairs))
    calls: list[str] = []
    real = catalog_module.term_counts
    monkeypatch.setattr(catalog_module, "term_counts", lambda text: calls.append(text) or real(text))
    catalog.replace_document(edited, [p for pair in edited.pairs for p in chunk_pair(pair, 320)])
    assert calls == [edited.pairs[4].en]
    top = catalog.bm25("Edited", 3)
    assert top[0][0] == "000_09ff8f6f21da3254#p05:en:0"
    assert len(catalog.passage_hashes()) == 26


def test_facts_from_an_older_reader_are_computed_anew(catalog, tmp_path):
    """Sentence facts are stored at ingest: when `answer_types.facts` changes (FACTS_VERSION),
    a catalog reads them anew instead of serving what the old code found."""
    pairs = catalog.pairs(["000_09ff8f6f21da3254#p01"])
    fresh = catalog.sentences(pairs)["000_09ff8f6f21da3254#p01"][0].facts
    catalog.close()
    db = sqlite3.connect(tmp_path / "catalog.sqlite")        # facts written by an older version
    with db:
        db.execute("UPDATE sentences SET facts=?", ('{"place": ["从省级到市"]}',))
        db.execute("UPDATE state SET value='1' WHERE key='facts'")
    db.close()
    reopened = Catalog(tmp_path / "catalog.sqlite")
    assert reopened.sentences(pairs)["000_09ff8f6f21da3254#p01"][0].facts == fresh
    assert reopened.get_state("facts") == str(__import__("rag.text.answer_types", fromlist=["x"]).FACTS_VERSION)
    reopened.close()


def test_a_word_the_article_never_uses_is_looked_up_as_its_synonym(catalog):
    """The seed says 大会, never 会议; its English says "convened", never "held". A question's
    unseen word of a plain class is looked up as the class member the passages use most; a word
    the passages use is kept as it is (盛会 finds the paragraph saying 盛会)."""
    terms = tokenize("会议在哪里? Where was it held? 盛会")
    assert catalog.substitutes(terms) == {"会议": "大会", "held": "conven"}
    # a word and its other form the stemmer leaves apart: "nationwide" plans of a text saying
    # "national strategy", "responding" to one saying "in response to"
    assert catalog.substitutes(tokenize("Which nationwide plans was it responding to?")) == {
        "nationwid": "nation", "respond": "respons"}
    assert "盛会" in catalog.query_terms("盛会是什么?")
    top = catalog.bm25("会议在成都举行", 1)
    assert top[0][0] == "000_09ff8f6f21da3254#p01:zh:0"


def test_a_capitalised_word_spelling_a_chinese_name_is_that_name(catalog):
    """"Bashu" and "Chengdu" are the seed's 巴蜀 and 成都 in pinyin; a word of under five letters
    or one that reads as no term is nothing. A new document's names are read after its ingest."""
    assert catalog.romanised(["Bashu", "Chengdu", "Warsaw", "Shu"]) == {"Bashu": "巴蜀", "Chengdu": "成都"}
    assert catalog.romanised(["Qujiang"]) == {}
    doc = parse_file(SEED)
    first = dataclasses.replace(doc.pairs[0], zh=doc.pairs[0].zh + "曲江新区。")
    doc = dataclasses.replace(doc, pairs=(first, *doc.pairs[1:]))
    catalog.replace_document(doc, [p for pair in doc.pairs for p in chunk_pair(pair, 320)])
    assert catalog.romanised(["Qujiang"]) == {"Qujiang": "曲江"}


def test_words_of_a_merged_class_are_one_term(catalog):
    """举行, 举办, 召开, 开幕 and 开 hold an event alike: one term in passages and questions, so
    "在哪里举办?" finds "在成都举行" though the seed also says 举办 (of its editions)."""
    assert tokenize("举办 召开 开幕 开") == ["举行"] * 4
    assert catalog.bm25("会议召开", 3) == catalog.bm25("大会举行", 3) == catalog.bm25("大会举办", 3)
    assert catalog.substitutes(tokenize("召开")) == {}
    ids = [pid for pid, _ in catalog.bm25("大会在哪个城市举办?", 2)]
    assert "000_09ff8f6f21da3254#p01:zh:0" in ids, ids


def test_sentences_read_by_an_older_tokenizer_are_read_anew(catalog, tmp_path):
    """Stored sentence terms come from `tokenize`: a TOKENIZER_VERSION change rebuilds the
    postings and reads the sentences again."""
    pairs = catalog.pairs(["000_09ff8f6f21da3254#p01"])
    fresh = catalog.sentences(pairs)["000_09ff8f6f21da3254#p01"][0].terms
    catalog.close()
    db = sqlite3.connect(tmp_path / "catalog.sqlite")
    with db:
        db.execute("UPDATE sentences SET terms='stale'")
        db.execute("UPDATE state SET value='1' WHERE key='tokenizer'")
    db.close()
    reopened = Catalog(tmp_path / "catalog.sqlite")
    assert reopened.sentences(pairs)["000_09ff8f6f21da3254#p01"][0].terms == fresh
    reopened.close()


def test_editing_a_merged_synonym_class_rebuilds_the_postings(catalog, tmp_path, monkeypatch):
    """A merged class changes every passage's terms: a catalog written before the edit rebuilds
    its postings when next opened (a plain class is read at question time and needs nothing)."""
    from rag.text import tokens
    before = tokens.tokenizer_state()
    assert catalog.get_state("tokenizer") == before
    catalog.close()
    edited = tmp_path / "synonyms.txt"
    edited.write_text(tokens._SYNONYMS_FILE.read_text(encoding="utf-8") + "= 成功 顺利\n", encoding="utf-8")
    monkeypatch.setattr(tokens, "_SYNONYMS_FILE", edited)
    for cached in (tokens._synonym_lines, tokens._synonym_classes, tokens._canonical):
        cached.cache_clear()
    try:
        assert tokens.tokenizer_state() != before and tokenize("顺利") == ["成功"]
        reopened = Catalog(tmp_path / "catalog.sqlite")
        assert reopened.get_state("tokenizer") == tokens.tokenizer_state()
        assert reopened.bm25("顺利举办", 1) == reopened.bm25("成功举行", 1)
        reopened.close()
    finally:
        monkeypatch.undo()
        for cached in (tokens._synonym_lines, tokens._synonym_classes, tokens._canonical):
            cached.cache_clear()

