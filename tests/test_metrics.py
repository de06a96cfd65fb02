"""rag.eval.metrics on hand-made cases whose answers are known."""
from __future__ import annotations

import pytest

from rag.eval import metrics as M
from rag.citations import cite
from rag.judge import OfflineJudge
from rag.records import ParagraphPair
from rag.retrieve import Hit

P1 = ("四川省设立每年3亿元的省级精品创作专项资金。", "Sichuan has set up a provincial fund of 300 million yuan per year for quality works.")
P2 = ("重庆市推出了政企联审机制。", "Chongqing launched a joint government-enterprise review mechanism.")
PARAS = {"d#p01": P1, "d#p02": P2}
judge = OfflineJudge().supports


def hit(pid: str) -> Hit:
    zh, en = PARAS[pid]
    return Hit(pair=ParagraphPair(id=pid, doc="d", order=int(pid[-2:]), zh=zh, en=en), score=1.0)


def test_retrieval_metrics():
    assert M.retrieval_metrics(["a", "b", "c"], ["a"]) == {"hit@1": 1.0, "hit@3": 1.0, "hit@5": 1.0, "mrr": 1.0}
    m = M.retrieval_metrics(["x", "y", "b", "a"], ["a", "b"])
    assert m["hit@1"] == 0.0 and m["hit@3"] == 1.0 and m["mrr"] == pytest.approx(1 / 3)
    m = M.retrieval_metrics(["x", "y", "z", "w", "v", "a"], ["a"])
    assert m == {"hit@1": 0.0, "hit@3": 0.0, "hit@5": 0.0, "mrr": pytest.approx(1 / 6)}
    assert M.retrieval_metrics(["a"], []) == {"hit@1": None, "hit@3": None, "hit@5": None, "mrr": None}


def test_citation_right_paragraph():
    s = M.citation_scores([("Sichuan has set up a provincial fund of 300 million yuan per year.", ["d#p01"])], PARAS, judge)
    assert s["citation_recall"] == 1.0 and s["citation_precision"] == 1.0


def test_citation_wrong_paragraph():
    s = M.citation_scores([("Sichuan has set up a provincial fund of 300 million yuan per year.", ["d#p02"])], PARAS, judge)
    assert s["citation_recall"] == 0.0 and s["citation_precision"] == 0.0


def test_citation_extra_irrelevant_citation_lowers_precision_only():
    s = M.citation_scores([("四川省设立每年3亿元的省级精品创作专项资金。", ["d#p01", "d#p02"])], PARAS, judge)
    assert s["citation_recall"] == 1.0
    assert s["citation_precision"] == 0.5


def test_joint_support_needs_both_citations():
    """A fake judge: supported only when both facts are in the (joint) paragraph text."""
    def both(claim, zh, en):
        ok = "3亿" in zh and "政企联审" in zh
        return ok, float(ok)
    s = M.citation_scores([("四川3亿元，重庆政企联审。", ["d#p01", "d#p02"])], PARAS, both)
    assert s["citation_recall"] == 1.0 and s["citation_precision"] == 1.0   # each is needed
    s = M.citation_scores([("四川3亿元，重庆政企联审。", ["d#p01"])], PARAS, both)
    assert s["citation_recall"] == 0.0 and s["citation_precision"] == 0.0


def test_dangling_marker_is_dropped_and_an_uncited_sentence_counts_as_unsupported():
    cited = cite("Sichuan has set up a provincial fund of 300 million yuan per year [3].", [hit("d#p01")], "en")
    assert cited.dropped_markers == [3] and cited.sentences == [] and cited.text == ""   # cited nothing real
    cited = cite("Sichuan has set up a provincial fund of 300 million yuan per year.", [hit("d#p01")], "en")
    sentences = [(s.text, s.paragraph_ids) for s in cited.sentences]
    assert sentences[0][1] == []
    s = M.citation_scores(sentences, PARAS, judge)
    assert s["citation_recall"] == 0.0 and s["citation_precision"] is None
    # ... yet the sentence is grounded in a retrieved paragraph
    assert M.groundedness([t for t, _ in sentences], ["d#p01", "d#p02"], PARAS, judge) == 1.0


def test_groundedness_mixed():
    sents = ["Chongqing launched a joint government-enterprise review mechanism.",
             "The conference was attended by ten thousand people from Mars."]
    assert M.groundedness(sents, ["d#p01", "d#p02"], PARAS, judge) == 0.5
    assert M.groundedness([], ["d#p01"], PARAS, judge) is None


def test_fact_recall_variants_case_insensitive():
    facts = [["300 million", "3亿", "三亿"], ["Chongqing", "重庆"]]
    assert M.fact_recall("The fund is 300 MILLION yuan.", facts) == 0.5
    assert M.fact_recall("资金3亿元，重庆也有政策。", facts) == 1.0
    assert M.fact_recall("nothing", facts) == 0.0
    assert M.fact_recall("anything", []) is None


def test_abstention_metrics():
    items = [(False, True), (False, False), (True, True), (True, False), (True, False)]
    m = M.abstention_metrics(items)
    assert m["abstain_precision"] == 0.5 and m["abstain_recall"] == 0.5 and m["abstain_f1"] == 0.5
    assert m["false_abstain_rate"] == pytest.approx(1 / 3)
    assert M.abstention_metrics([(True, False)])["abstain_f1"] is None


def test_aggregate_and_breakdown_skip_none():
    rows = [
        {"language": "en", "kind": "factual", "answerable": True, "abstained": False,
         "metrics": {"hit@1": 1.0, "citation_recall": 1.0, "fact_recall": 0.5}},
        {"language": "zh", "kind": "factual", "answerable": True, "abstained": True,
         "metrics": {"hit@1": 0.0, "citation_recall": None, "fact_recall": 0.0}},
        {"language": "zh", "kind": "unanswerable", "answerable": False, "abstained": True,
         "metrics": {"hit@1": None, "citation_recall": None, "fact_recall": None}},
    ]
    agg = M.aggregate(rows)
    assert agg["n"] == 3 and agg["hit@1"] == 0.5 and agg["citation_recall"] == 1.0 and agg["fact_recall"] == 0.25
    assert agg["abstain_recall"] == 1.0 and agg["abstain_precision"] == 0.5
    by_lang = M.breakdown(rows, "language")
    assert by_lang["en"]["n"] == 1 and by_lang["zh"]["hit@1"] == 0.0
    assert set(M.breakdown(rows, "kind")) == {"factual", "unanswerable"}
