"""rag.judge: the offline support judge (clear cases in both languages, numbers, negation,
accuracy floor on eval/claims.jsonl) and the LLM judge's strict verdict parsing."""
from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import LLMError
from rag.eval.runner import judge_accuracy
from rag.judge import LLMJudge, OfflineJudge, parse_verdict, supports

ROOT = Path(__file__).resolve().parent.parent
ZH = "四川省广播电视局相关负责人介绍,设立每年3亿元的省级精品创作专项资金,将重大项目审查时间缩短50%。"
EN = ("Officials from the Sichuan Provincial Bureau of Radio and Television said a provincial special fund of "
      "RMB 300 million per year has been set up for high-quality works, and the review time for major projects "
      "has been cut by 50%.")
# measured 0.866 in-sample (0.859 2-fold CV); the floor leaves room for noise, not regressions
ACCURACY_FLOOR = 0.84


@pytest.mark.parametrize("claim", [
    "四川设立每年3亿元的省级精品创作专项资金。",
    "重大项目审查时间缩短50%。",
    "Sichuan set up a provincial special fund of RMB 300 million per year for high-quality works.",
    "The review time for major projects has been cut by 50%.",
])
def test_supported(claim):
    ok, score = supports(claim, ZH, EN)
    assert ok and 0 < score <= 1


@pytest.mark.parametrize("claim", [
    "四川设立每年5亿元的省级精品创作专项资金。",                        # number changed
    "重大项目审查时间缩短30%。",
    "The review time for major projects has been cut by 70%.",
    "四川没有设立省级精品创作专项资金。",                              # negation
    "The review time for major projects has not been cut.",
    "陕西省设立每年3亿元的省级精品创作专项资金。",                      # name swapped
    "Shaanxi set up a provincial special fund of RMB 300 million per year.",
    "The conference announced a co-production agreement with a Hollywood studio.",  # unrelated
    "大会邀请了好莱坞电影公司签订合拍协议。",
])
def test_not_supported(claim):
    ok, _ = supports(claim, ZH, EN)
    assert not ok


def test_evidence_explains_the_decision():
    ev = OfflineJudge().evidence("四川设立每年5亿元的专项资金。", ZH, EN)
    assert ev.missing_numbers == (5.0,) and not ev.supported
    ev = OfflineJudge().evidence("The review time has not been cut.", ZH, EN)
    assert ev.negation_mismatch
    assert supports("", ZH, EN) == (False, 0.0)


def test_accuracy_on_claims_floor():
    result = judge_accuracy(OfflineJudge(), ROOT / "eval" / "claims.jsonl")
    assert result["n"] == 142
    assert result["accuracy"] >= ACCURACY_FLOOR, result
    assert set(result["by_language"]) == {"en", "zh"}
    assert result["cv_2fold_accuracy"] >= 0.8


class FakeClient:
    def __init__(self, reply):
        self.reply, self.prompts = reply, []

    def complete(self, system, user):
        self.prompts.append(user)
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


@pytest.mark.parametrize("reply, expected", [("SUPPORTED", True), ("NOT_SUPPORTED — the number differs", False),
                                             ("**SUPPORTED**\nbecause…", True), ("not supported", False)])
def test_llm_judge_parses_first_word(reply, expected):
    client = FakeClient(reply)
    ok, score = LLMJudge(client=client).supports("claim text", "中文段落", "English paragraph")
    assert ok is expected and score == float(expected)
    assert "claim text" in client.prompts[0] and "中文段落" in client.prompts[0] and "English paragraph" in client.prompts[0]


def test_llm_judge_failures_are_llm_errors():
    with pytest.raises(LLMError):
        LLMJudge(client=FakeClient("I think it is supported")).supports("c", "z", "e")
    with pytest.raises(LLMError):
        LLMJudge(client=FakeClient(LLMError("down"))).supports("c", "z", "e")
    with pytest.raises(LLMError):
        parse_verdict("")
    with pytest.raises(LLMError):
        LLMJudge()
