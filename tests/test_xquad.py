"""The XQuAD development corpus builder (rag/eval/xquad.py) on the real data, when it is
there: `../shared/data/xquad` or $RAG_XQUAD_DIR. CI sets RAG_REQUIRE_DEVDATA=1, so a missing
corpus fails there instead of skipping."""
from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from _corpus import ROOT
from rag.eval import xquad
from rag.eval.evalset import validate
from rag.sources import discover, parse_file
from rag.weights import load_weights

XQUAD = Path(os.environ.get("RAG_XQUAD_DIR") or ROOT.parent / "shared" / "data" / "xquad")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if not (XQUAD / "xquad.zh.json").exists():
        if os.environ.get("RAG_REQUIRE_DEVDATA") == "1":
            pytest.fail(f"XQuAD is missing at {XQUAD} but RAG_REQUIRE_DEVDATA=1")
        pytest.skip(f"XQuAD not found at {XQUAD} (set RAG_XQUAD_DIR)")
    out = tmp_path_factory.mktemp("xquad")
    return out, xquad.build(XQUAD, out)


def _questions(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "questions.jsonl").read_text(encoding="utf-8").splitlines()]


def test_builds_the_three_variants_with_shared_paragraph_ids(built):
    out, manifest = built
    ids = {}
    for variant in ("bilingual", "zh", "en"):
        files = discover(out / variant)
        assert len(files) == 48
        ids[variant] = [p.id for f in files for p in parse_file(f).pairs]
    assert ids["bilingual"] == ids["zh"] == ids["en"] and len(ids["bilingual"]) == manifest["paragraphs"] == 179
    sides = [(p.zh is not None, p.en is not None) for f in discover(out / "bilingual") for p in parse_file(f).pairs]
    assert set(sides) == {(True, True)}
    assert validate(out / "questions.jsonl", set(ids["bilingual"]), strict=False) == []


def test_split_by_article_and_withheld_paragraphs(built):
    out, manifest = built
    rows = _questions(out)
    assert len(rows) == 2 * 1190
    split_of = {}
    for r in rows:
        assert split_of.setdefault(r["article"], r["split"]) == r["split"], "an article in both splits"
    assert Counter(split_of.values()) == {"train": 24, "val": 24}
    unanswerable = sum(not r["answerable"] for r in rows) / len(rows)
    assert 0.22 <= unanswerable <= 0.28
    for r in rows:
        assert bool(r["gold"]) == r["answerable"] and bool(r["facts"]) == r["answerable"]
    # the gold answer is on the gold paragraph's side in the question's language
    pairs = {p.id: p for f in discover(out / "bilingual") for p in parse_file(f).pairs}
    for r in rows:
        if r["answerable"]:
            assert r["facts"][0][0] in (pairs[r["gold"][0]].text(r["language"]) or "")


def test_the_build_is_deterministic_and_the_weights_were_fitted_on_this_data(built, tmp_path):
    out, manifest = built
    again = xquad.build(XQUAD, tmp_path)
    assert again["withheld"] == manifest["withheld"] and again["train_articles"] == manifest["train_articles"]
    assert (tmp_path / "questions.jsonl").read_bytes() == (out / "questions.jsonl").read_bytes()
    assert load_weights()["fitted"]["xquad_sha256"] == manifest["data_sha256"]


def test_missing_or_misaligned_data_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="missing xquad.zh.json"):
        xquad.load(tmp_path)
