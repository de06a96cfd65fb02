"""rag.evidence on hand-made sentences: what the shown sentences say, or fail to say."""
from __future__ import annotations

import numpy as np
import pytest

from rag.evidence import NOT_YET, abbreviations, only_jointly, only_listed, role_said, unattributed_cause
from rag.extract import Reading
from rag.records import ParagraphPair, Sentence
from rag.text import tokenize
from rag.text.constraints import constraints


def test_a_role_is_said_in_forms_the_index_terms_miss():
    """"兼总经理" holds 总经理 though jieba cuts it otherwise; "founded" speaks of a founder."""
    assert role_said("总经理", "目前担任丹佛的橄榄球运营执行副总裁兼总经理。")
    assert role_said("founder", "Oracle was founded by Larry Ellison.")
    assert not role_said("mayor", "According to officials from the Chengdu Municipal Bureau")


@pytest.mark.parametrize("sentence, unknown", [
    ("主办方表示，第三届西部影视发展大会的举办城市和时间将另行公布。", True),
    ("The venue of the next edition will be announced later.", True),
    ("第二届西部影视发展大会在成都开幕。", False),
])
def test_a_sentence_saying_the_thing_is_not_known_yet(sentence, unknown):
    assert bool(NOT_YET.search(sentence)) is unknown


def _shown(pid: str, lang: str, *texts: str) -> tuple[list[Reading], dict]:
    sentences = [Sentence(pid, lang, i, t, frozenset(tokenize(t)), {}) for i, t in enumerate(texts)]
    return [Reading(pid, 1, sentences[0], np.zeros(1))], {pid: sentences}


def test_a_name_only_listed_with_nothing_else_said_of_it():
    """"《苍穹以北》的作者是谁?": the list names the project, no sentence of its paragraph says
    作者; asked what kind of project it is, the list's own words answer."""
    listing = "包括巴蜀文化国际传播研究院项目、AI影视工业梦工厂共建项目、《苍穹以北》融合出版项目等。"
    shown, sentences = _shown("d#p10", "zh", listing, "11个优质影视项目成功签约。")
    assert only_listed(constraints("《苍穹以北》的作者是谁?"), shown, sentences) == "苍穹以北"
    assert only_listed(constraints("签约项目中与《苍穹以北》有关的是什么项目?"), shown, sentences) == ""
    en = ("These projects include: the AI Film Project, the Southwest Project, and the Maiya Micro-Drama "
          "Filming Base Project.")
    shown, sentences = _shown("d#p10", "en", en)
    assert only_listed(constraints("Who operates the Maiya micro-drama filming base?"), shown, sentences) == "Maiya"


@pytest.mark.parametrize("question, sentence, joint", [
    ("How many film and TV projects did Chongqing sign on its own at the conference?",
     "At the signing ceremony for projects in Chengdu and Chongqing, 11 projects were signed.", "Chengdu and Chongqing"),
    ("重庆单独签约了多少个项目?", "成都和重庆共签约11个项目。", "成都和重庆"),
    # not asked alone, or the sentence gives the asked one's own figure
    ("How many projects did Chongqing sign?", "Chengdu and Chongqing signed 11 projects.", ""),
    ("重庆单独签约了多少个项目?", "重庆签约5个项目。", ""),
])
def test_a_figure_given_only_for_two_together_when_one_alone_is_asked(question, sentence, joint):
    shown, _ = _shown("d#p10", "zh" if "成都" in sentence or "重庆" in sentence else "en", sentence)
    assert only_jointly(constraints(question), shown) == joint


_BUREAU_ZH = "省广电局推出“政企联审”“一站式备案”等工作机制,微短剧审查时效提升50%。"
_BUREAU_EN = ("The bureau has introduced mechanisms such as joint review and one-stop filing, reducing "
              "micro-drama review times by 50%.")


@pytest.mark.parametrize("question, zh, en, cause", [
    # the change is the bureau's mechanisms', not the programme's the question credits it to
    ("AIGC创新伙伴计划让微短剧审查时效提升了多少?", _BUREAU_ZH, _BUREAU_EN, "AIGC创新伙伴计划"),
    ("By how much did the AIGC partnership program cut micro-drama review times?", _BUREAU_ZH, _BUREAU_EN,
     "AIGC partnership program"),
    # credited to what the paragraph names, or to nothing
    ("这些工作机制让微短剧审查时效提升了多少?", _BUREAU_ZH, _BUREAU_EN, ""),
    ("By how much did the new mechanisms reduce micro-drama review times?", _BUREAU_ZH, _BUREAU_EN, ""),
    ("微短剧审查时效提升了多少?", _BUREAU_ZH, _BUREAU_EN, ""),
    # a paragraph with no side in the question's language can't be judged on its words
    ("By how much did Harvard management reduce its holdings?", "哈佛管理公司将其持股减少了2.3亿美元。", None, ""),
])
def test_a_change_credited_to_something_its_paragraph_never_names(question, zh, en, cause):
    pair = ParagraphPair("d#p05", "d", 5, zh, en)
    shown, _ = _shown("d#p05", "zh", zh)         # the paragraph is read, not the sentence's side
    assert unattributed_cause(constraints(question), shown, {"d#p05": pair}) == cause


def test_abbreviations_are_capitals_alone():
    assert abbreviations(["GDP", "Chengdu", "NBA", "CDs", "AIGC Innovation Program", "成都"]) == ["GDP", "NBA", "CDs"]
