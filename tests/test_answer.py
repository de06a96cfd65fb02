"""rag.answer on hand-made verdicts (pure logic): what a correction says."""
from __future__ import annotations

import numpy as np

from rag.answer import compose_correction
from rag.extract import Reading
from rag.records import ParagraphPair, Sentence
from rag.retrieve import Hit
from rag.verify import Verdict

DATE = "The conference was convened in Chengdu on November 10th, 2025."
THEME = "They met around the theme of “AI Without Borders”."


def _reading(pid: str, position: int, text: str) -> Reading:
    return Reading(pid, 1, Sentence(pid, "en", position, text, frozenset(), {}), np.zeros(1))


def test_a_wrong_year_is_corrected_and_the_question_still_answered():
    """"The conference took place in 2024. What was its theme?": the correction quotes the year
    the source states, then the sentences that answer the question; a wrong place is not
    answered around ("the closest passage is about …" is the whole answer there)."""
    pair = ParagraphPair(id="d#p01", doc="d", order=1, zh=None, en=f"{DATE} {THEME}")
    hits = [Hit(pair, 1.0)]
    date, theme = _reading("d#p01", 0, DATE), _reading("d#p01", 1, THEME)
    year = Verdict("correct", 0.9, [], asked="2024", stated="2025", evidence=date,
                   question="The conference took place in 2024. What was its theme?", answers_too=True)
    text = compose_correction(year, hits, "en", [date, theme])
    assert text.startswith("The sources say otherwise") and "2025" in text and "AI Without Borders" in text
    assert text.count("November 10th") == 1                       # the evidence once
    place = Verdict("correct", 0.9, [], asked="Chongqing", stated="Chengdu", evidence=date,
                    question="Why was the conference held in Chongqing?")
    assert "AI Without Borders" not in compose_correction(place, hits, "en", [date, theme])


def test_a_value_asked_of_another_entity_says_so_and_quotes_nothing():
    """"重庆推出了哪些…机制?" answered from 四川's paragraph: the answer says the sources give it
    only for 四川省, without the mechanism (another place's answer is no answer)."""
    said = "省广电局推出“政企联审”等工作机制。"
    pair = ParagraphPair(id="d#p01", doc="d", order=1, zh=said, en=None)
    reading = Reading("d#p01", 1, Sentence("d#p01", "zh", 0, said, frozenset(), {}), np.zeros(1))
    verdict = Verdict("correct", 0.9, [], asked="重庆", stated="四川省", evidence=reading,
                      question="重庆推出了哪些微短剧审查工作机制?", not_for=True)
    text = compose_correction(verdict, [Hit(pair, 1.0)], "zh", [reading])
    assert "四川省" in text and "重庆" in text and "政企联审" not in text
    verdict.not_for = False
    assert "政企联审" in compose_correction(verdict, [Hit(pair, 1.0)], "zh", [reading])
