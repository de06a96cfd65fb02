"""rag.retrieve's pure logic on hand-made candidates (no models)."""
from __future__ import annotations

from rag.records import ParagraphPair
from rag.retrieve import VERIFIER_READS, Candidates, _with_named
from rag.text.constraints import constraints


def _pair(pid: str, zh: str) -> ParagraphPair:
    return ParagraphPair(id=pid, doc=pid.split("#")[0], order=int(pid[-2:]), zh=zh, en=None)


def test_a_kept_paragraph_naming_the_asked_phase_moves_up_to_where_the_verifier_reads_it():
    """"锐能电池厂一期啥时候投产?": the article's lead and a quote about the company rank first;
    the paragraph naming 一期 was kept fourth, where the verifier (best three) would not read it
    and declines ("the sources name no phase 1"). It moves up to second, after the lead."""
    pairs = [_pair("u02#p01", "锐能动力电池项目签约仪式在宜宾举行，总投资125亿元。"),
             _pair("u02#p07", "锐能动力表示，宜宾基地建成后将成为公司规模最大的生产基地。"),
             _pair("u14#p03", "经开区全年新签约动力电池及材料项目12个。"),
             _pair("u02#p02", "项目分三期建设。一期年产能12GWh，2025年9月建成投产。"),
             _pair("u02#p05", "项目将带动上下游企业落户。")]
    question = "锐能电池厂一期啥时候投产？"
    c = Candidates(query=question, lang="zh", lists={"dense": {p.id: 0.8 for p in pairs}},
                   pairs={p.id: p for p in pairs}, focus=question)
    c.constraints = constraints(question)
    assert c.constraints.phases == [1]
    order = [p.id for p in pairs]
    kept = _with_named(c, order, order[:4])
    assert kept == ["u02#p01", "u02#p02", "u02#p07", "u14#p03"]
    assert "u02#p02" in kept[:VERIFIER_READS]
    # already read: nothing moves
    assert _with_named(c, order, ["u02#p01", "u02#p02", "u02#p07", "u14#p03"]) == kept
