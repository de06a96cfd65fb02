"""rag.premise on hand-made sentences: what the sources state in place of the year, figure or
name a question assumes."""
from __future__ import annotations

import pytest

from rag.text.constraints import constraints
from rag.verify import missing


def test_a_value_the_question_names_itself_is_no_conflict():
    """"在2024年大会上发布的、从2025年开始的措施" is not contradicted by a sentence saying 自2025年起
    (news set n010 was "corrected" to 2025); a year the question does not name still is."""
    from types import SimpleNamespace as NS

    from rag.premise import conflict
    sentence = "会上，重庆市广播电视局发布《若干措施》，明确自2025年起每年安排1.2亿元影视产业发展专项资金。"
    top, pair = NS(sentence=NS(text=sentence, facts={})), NS()
    c = constraints("重庆在2024年大会上发布的措施，从2025年开始每年安排多少影视产业发展专项资金？")
    _, numbers, years = missing(c, sentence)
    assert years == ["2024"] and conflict(c, top, pair, [], numbers, years) is None
    c = constraints("重庆从2023年开始每年安排多少影视产业发展专项资金？")
    _, numbers, years = missing(c, sentence)
    assert conflict(c, top, pair, [], numbers, years) == ("2023", "2025")


@pytest.mark.parametrize("question, sentence, want", [
    ("How old was Peyton Manning when he played in Super Bowl 50?",
     "He is also the oldest quarterback ever to play in a Super Bowl at age 39.", None),   # asks for the number
    ("谁是法国15世纪支持改革的罗马天主教徒?", "比如雅克·勒费弗（约1455-1536）。", None),          # another magnitude
    ("为什么四川每年5亿元的文艺精品专项资金全部拨给了广电视听?",
     "四川省省级财政每年3亿元文艺精品专项资金中，广电视听独占一半。", ("5", "3")),
    # asking for a share, the premise's sum may still be wrong: a sum of the same kind is stated
    ("四川省每年5亿元的专项资金中广电视听占多少?", "四川省省级财政每年3亿元文艺精品专项资金中，广电视听独占一半。",
     ("5", "3")),
    ("重庆从2025年起每年拿出2亿元影视专项资金，那对在渝拍摄的项目按什么比例资助？",
     "明确自2025年起每年安排1.2亿元影视产业发展专项资金，对在渝拍摄的项目按实际支出的25%给予资助。", ("2", "1.2")),
    ("How old was Peyton Manning when he played in Super Bowl 50?",                  # no sum: the asked number
     "At 39 he was the oldest quarterback ever to play in a Super Bowl.", None),
])
def test_a_number_conflict_is_a_figure_of_the_same_kind(question, sentence, want):
    """XQuAD val answerable questions were "corrected" over a number in a name (Super Bowl 50
    vs age 39) or a century (15 vs 1455); a premise's wrong figure still is."""
    from types import SimpleNamespace as NS

    from rag.premise import conflict
    c = constraints(question)
    _, numbers, years = missing(c, sentence)
    assert conflict(c, NS(sentence=NS(text=sentence, facts={})), NS(), [], numbers, years) == want


def test_an_entity_conflict_is_another_name_of_the_same_kind():
    """News n065 was "corrected" from the place 成都 to the span 在第二届西部 (tagged an
    organisation); a place is contradicted by another place only."""
    from types import SimpleNamespace as NS

    from rag.text.answer_types import facts
    from rag.premise import conflict
    q = "在成都举行的第二届西部影视发展大会和2024巴渝影视产业发展大会，各自现场签约了多少个项目？"
    sentence = "在第二届西部影视发展大会的重点影视项目集中签约仪式上，共有16个影视项目现场签约，签约总金额约48亿元。"
    c = constraints(q)
    top = NS(sentence=NS(text=sentence, facts=facts(sentence)))
    assert conflict(c, top, NS(zh=sentence, en=""), ["成都"], [], []) is None
    other = "大会在重庆举行，共有16个影视项目现场签约。"
    top = NS(sentence=NS(text=other, facts=facts(other)))
    assert conflict(c, top, NS(zh=other, en=""), ["成都"], [], []) == ("成都", "重庆")


def test_a_sentence_naming_nothing_is_about_what_its_paragraph_names():
    """"By how much did Chongqing shorten review times?" matches "The bureau has cut review
    times by 50%", whose paragraph is about the Sichuan bureau: the correction names it. Only
    for a figure asked of a name the question's tags (or the sources, for English) call a
    place or an organisation: a capitalised English word says too little, and in a "who"
    question a place is often an adjective ("哪位欧洲新教领袖")."""
    from types import SimpleNamespace as NS

    from rag.records import Sentence
    from rag.text.answer_types import facts
    from rag.premise import conflict
    para = ["省广电局有关负责人介绍，四川省今年出台了新的扶持政策。", "省广电局推出一站式备案等工作机制，微短剧审查时效提升50%。"]
    sentences = tuple(Sentence("p", "zh", i, t, frozenset(), facts(t)) for i, t in enumerate(para))
    q = constraints("重庆的微短剧审查时效提升了多少?")
    top = NS(sentence=sentences[1])
    assert conflict(q, top, NS(zh="".join(para), en=""), ["重庆"], [], [], "", sentences) == ("重庆", "四川省")
    assert conflict(q, top, NS(zh="".join(para), en=""), ["重庆"], [], [], "", ()) is None    # the sentence alone
    who = constraints("哪位重庆官员推出了一站式备案机制?")
    assert conflict(who, top, NS(zh="".join(para), en=""), ["重庆"], [], [], "", sentences) is None
    en = ["Officials from the Sichuan Provincial Bureau spoke in Chengdu.", "The bureau cut review times by 50%."]
    en_sentences = tuple(Sentence("p", "en", i, t, frozenset(), facts(t)) for i, t in enumerate(en))
    q = constraints("By how much did Chongqing shorten review times?")
    top = NS(sentence=en_sentences[1])
    assert conflict(q, top, NS(zh="", en=" ".join(en)), ["Chongqing"], [], [], "", en_sentences) is None
    assert conflict(q, top, NS(zh="", en=" ".join(en)), ["Chongqing"], [], [], "", en_sentences,
                     ["Chongqing"]) == ("Chongqing", "Chengdu")       # the sources use it as a place


def _sentences(pid: str, lang: str, *texts_facts) -> list:
    from rag.records import Sentence
    return [Sentence(pid, lang, i, text, frozenset(), facts) for i, (text, facts) in enumerate(texts_facts)]


@pytest.mark.parametrize("question, want", [
    ("重庆推出了哪些微短剧审查工作机制?", ("重庆", "四川省")),     # the nearest place before it is 四川's
    ("四川推出了哪些微短剧审查工作机制?", None),                  # the paragraph names the asked place
    ("成渝推出了哪些微短剧审查工作机制?", None),                  # may be an alias of 川渝: no conflict
    ("哪位重庆官员介绍了微短剧审查工作机制?", None),              # a place describing the asked-for person
])
def test_a_sentence_naming_no_place_is_its_paragraphs_nearest_one(question, want):
    """"省广电局推出…" names no place: the paragraph's 四川省 before it says whose it is."""
    from types import SimpleNamespace as NS

    from rag.premise import attributed_other
    from rag.records import ParagraphPair
    lead = "四川省广播电视局有关负责同志介绍，四川省每年3亿元专项资金中，广电视听独占一半；"
    said = "省广电局推出“政企联审”等工作机制，微短剧审查时效提升50%。"
    place = "四川省"
    if question.startswith("成渝"):
        lead, place = "川渝两地广电局有关负责同志介绍，两地每年3亿元专项资金中，广电视听独占一半；", "川渝"
    pair = ParagraphPair(id="d#p01", doc="d", order=1, zh=lead + said, en=None)
    sentences = {pair.id: _sentences(pair.id, "zh", (lead, {"place": [place]}),
                                     (said, {"org": ["省广电局"]}))}
    shown = [NS(pair_id=pair.id, sentence=sentences[pair.id][1])]
    assert attributed_other(constraints(question), shown, {pair.id: pair}, sentences) == want


def test_an_english_place_is_read_from_the_organisation_that_speaks():
    """English has no place tags: "Sichuan Provincial Bureau …" speaks for Sichuan when the
    sources use Sichuan as a place; "Chongqing" is one by the same evidence."""
    from types import SimpleNamespace as NS

    from rag.premise import attributed_other
    from rag.records import ParagraphPair
    lead = "According to officials from the Sichuan Provincial Bureau of Radio and Television, funds rose."
    said = "The bureau has cut micro-drama review times by 50%."
    elsewhere = "Chongqing and Sichuan met in Chengdu."
    pair = ParagraphPair(id="d#p01", doc="d", order=1, zh=None, en=f"{lead} {said}")
    other = ParagraphPair(id="d#p02", doc="d", order=2, zh=None, en=elsewhere)
    sentences = {pair.id: _sentences(pair.id, "en", (lead, {"org": ["Sichuan Provincial Bureau of Radio and Television"]}),
                                     (said, {})),
                 other.id: _sentences(other.id, "en", (elsewhere, {"place": ["Chongqing", "Sichuan", "Chengdu"]}))}
    shown = [NS(pair_id=pair.id, sentence=sentences[pair.id][1])]
    pairs = {pair.id: pair, other.id: other}
    question = "By how much did Chongqing shorten micro-drama review times?"
    assert attributed_other(constraints(question), shown, pairs, sentences) == ("Chongqing", "Sichuan")
    shown = [NS(pair_id=other.id, sentence=sentences[other.id][0])]          # its own paragraph names it
    assert attributed_other(constraints(question), shown, pairs, sentences) is None


def test_a_paragraph_naming_no_place_is_its_headlines():
    """News leaves the city to the headline: "共有16个影视项目现场签约" under "…大会在成都开幕"
    is 成都's, not 青岛's; under a headline naming no place, no one's."""
    from types import SimpleNamespace as NS

    from rag.premise import attributed_other
    from rag.records import ParagraphPair
    said = "在第二届西部影视发展大会的签约仪式上，共有16个影视项目现场签约。"
    pair = ParagraphPair(id="n01#p02", doc="n01", order=2, zh=said, en=None)
    sentences = {pair.id: _sentences(pair.id, "zh", (said, {}))}
    shown = [NS(pair_id=pair.id, sentence=sentences[pair.id][0])]
    c = constraints("青岛的影视发展大会签约了多少个项目?")
    headline = {"n01": "第二届西部影视发展大会在成都开幕 2023-10-16 10:20:00"}
    assert attributed_other(c, shown, {pair.id: pair}, sentences, headline) == ("青岛", "成都")
    assert attributed_other(c, shown, {pair.id: pair}, sentences, {"n01": "影视发展大会开幕"}) is None
    assert attributed_other(constraints("成都的影视发展大会签约了多少个项目?"), shown, {pair.id: pair}, sentences,
                            headline) is None


def test_another_season_is_no_answer_and_a_company_is_no_place():
    """"2023年国庆档的平均票价?" is not answered from the 春节档 article; 之江 of
    之江数字影视有限公司 is a brand, not where the park is (萧山区 is)."""
    from types import SimpleNamespace as NS

    from rag.premise import in_own_right, other_period
    lead = NS(sentence=NS(text="2024年春节档平均票价为48.6元。"))
    assert other_period(constraints("2023年国庆档的平均票价是多少？"), lead, "2024年春节档平均票价为48.6元。") == \
        ("国庆档", "春节档")
    assert other_period(constraints("2024年春节档的平均票价是多少？"), lead, "2024年春节档平均票价为48.6元。") is None
    assert other_period(constraints("2024年春节档和2023年国庆档的票房分别是多少？"), lead, "2024年春节档…") is None
    text = "产业园由之江数字影视有限公司投资运营，位于杭州市萧山区。"
    facts = {"org": ["之江数字影视有限公司"], "place": ["之江", "杭州市", "萧山区"]}
    assert in_own_right(facts["place"], facts, text) == ["杭州市", "萧山区"]


def test_a_slot_between_stop_words_states_nothing():
    """"the director of the X": "of the" comes before any name of any sentence, so no name there
    contradicts X (XQuAD "Who led the most rapid expansion of the Mongol Empire?" was "corrected"
    to Annam); "held in X" still is."""
    from rag.premise import aligned_conflict
    q = "Who is the director of the Sichuan Provincial Bureau of Radio and Television?"
    sentence = "This program was jointly initiated by the Sichuan Branch of China News Service."
    assert aligned_conflict(q, "Sichuan Provincial Bureau of Radio and Television", [sentence]) == ""
    assert aligned_conflict("Why was the conference held in Chongqing?", "Chongqing",
                            ["The conference was held in Chengdu on November 10th."]) == "Chengdu"


def test_a_verb_jieba_tags_as_a_place_is_no_other_place():
    """jieba tags 开园 ns: asked of 两江, "…钱塘微短剧产业园一期正式开园" was "the source says 开园,
    not 两江" (news probe)."""
    from rag.text.answer_types import facts
    places = facts("9月25日，位于杭州市萧山区的钱塘微短剧产业园一期正式开园。")["place"]
    assert "开园" not in places and "萧山区" in places, places


def test_an_english_name_keeps_its_inner_of_and():
    """The name is looked for as the source writes it: "Bureau of Radio and Television", not
    "Bureau Radio Television" (which no text says, so it was "missing" from the paragraph naming
    it); a leading "the" is no part of it."""
    c = constraints("Who is the director of the Sichuan Provincial Bureau of Radio and Television?")
    assert c.entities == [("Sichuan Provincial Bureau of Radio and Television", "org")]


def test_where_an_event_was_held_is_read_through_the_preposition_and_the_verbs_class():
    """"这次大会是在重庆举办的吗?" of "大会在成都举行": 是在 is not before the name in the source and
    举办 is 举行 there; the preposition alone and the merged class find the slot."""
    from rag.premise import aligned_conflict, held_in
    q = "这次大会是在重庆举办的吗?"
    assert held_in(q, "重庆") and not held_in("重庆的资金是多少?", "重庆") and not held_in("在重庆的基地", "重庆")
    assert aligned_conflict(q, "重庆", ["11月10日,2025成渝影视发展大会在成都举行,来自成渝地区的业界人士"]) == "成都"
    assert aligned_conflict(q, "重庆", ["重庆市委宣传部牵头制定实施《重庆市重大文艺精品项目资助和奖励办法》"]) == ""


def test_an_answer_led_from_the_asked_article_shows_no_other_articles_sentence():
    """"南昌九龙湖…一年能省多少水?": the lead is 南昌's (its title names 南昌 and 九龙湖); 郑州龙湖's
    sentence gives a water figure but its article names neither: not shown. A sentence of the
    lead's own article stays, and so does one of another article naming what is asked."""
    import numpy as np
    from rag.catalog import pair_sentences
    from rag.extract import Reading
    from rag.premise import of_the_asked_article
    from rag.records import ParagraphPair
    from rag.retrieve import Candidates
    pairs = [ParagraphPair(id="nc#p01", doc="nc", order=1, zh="该中心位于红谷滩区，总投资45.3亿元。", en=None),
             ParagraphPair(id="nc#p03", doc="nc", order=3, zh="中心开放后共举办赛事12场。", en=None),
             ParagraphPair(id="zz#p04", doc="zz", order=4, zh="雨水回收系统每年可节约用水约8万立方米。", en=None),
             ParagraphPair(id="nc2#p02", doc="nc2", order=2, zh="南昌九龙湖体育中心每年节水约5万立方米。", en=None)]
    question = "南昌九龙湖体育中心的雨水回收系统一年能省多少水？"
    c = Candidates(query=question, lang="zh", lists={}, pairs={p.id: p for p in pairs}, focus=question,
                   headers={"nc": "南昌九龙湖体育中心全面开放", "zz": "郑州龙湖体育中心投用", "nc2": "体育场馆节水"})
    c.constraints = constraints(question)
    assert {e for e, _ in c.constraints.entities} >= {"南昌"}
    shown = [Reading(p.id, i + 1, pair_sentences(p)[0], np.zeros(1)) for i, p in enumerate(pairs)]
    kept = of_the_asked_article(shown, c, question)
    assert [r.pair_id for r in kept] == ["nc#p01", "nc#p03", "nc2#p02"]
    # led from an article that does not name them all: nothing is judged
    assert of_the_asked_article(shown[2:], c, question) == shown[2:]
    # a question of two parts may take each from its own article
    both = "南昌九龙湖体育中心和郑州龙湖体育中心的雨水回收系统分别一年能省多少水？"
    assert of_the_asked_article(shown, c, both) == shown
