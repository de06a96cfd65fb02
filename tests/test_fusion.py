"""rag.fusion and rag.extract on hand-made candidates (pure logic, no models): the features
keep a list leader's margin, the learned weights prefer the sentence that answers over the
one that echoes the question, duplicates collapse, list questions take one sentence per
paragraph."""
from __future__ import annotations

import numpy as np
import pytest

from rag.catalog import pair_sentences
from rag.extract import FEATURES as SENTENCE_FEATURES
from rag.extract import choose, read, rerank, score
from rag.fusion import FEATURES, features, fuse_learned, fuse_minmax
from rag.records import ParagraphPair
from rag.retrieve import Candidates
from rag.text import tokenize
from rag.weights import load_weights


def _pair(pid: str, zh: str | None, en: str | None) -> ParagraphPair:
    return ParagraphPair(id=pid, doc=pid.split("#")[0], order=1, zh=zh, en=en)


def _candidates(query: str, pairs: list[ParagraphPair], lists: dict, sims: dict | None = None) -> Candidates:
    c = Candidates(query=query, lang="zh" if any("\u4e00" <= ch <= "\u9fff" for ch in query) else "en",
                   lists=lists, pairs={p.id: p for p in pairs})
    c.terms = set(tokenize(query))
    c.idf = {t: 1.0 for t in c.terms}
    c.sentences = {p.id: pair_sentences(p) for p in pairs}
    c.similarity = {(s.pair_id, s.lang, s.position): (sims or {}).get(s.text, (0.8, 0.3))
                    for ss in c.sentences.values() for s in ss}
    c.coverage = {p.id: 0.0 for p in pairs}
    return c


def _scored(pairs: list[ParagraphPair], lang: str, probs: dict[str, float]) -> list:
    """Every sentence of `pairs` read on the `lang` side, the ones `probs` lists given that
    score and probability (the rest stay at 0): the reader's order set by hand."""
    c = _candidates("q", pairs, {"dense": {p.id: 0.8 for p in pairs}})
    readings = read(c, [(p.id, 1.0) for p in pairs], lang)
    for r in readings:
        if r.sentence.text in probs:
            r.score = r.prob = probs[r.sentence.text]
    return readings


def _lead(readings: list, question: str, policy: dict) -> str:
    """The sentence `choose` puts first."""
    return choose(readings, question, policy)[0].sentence.text


def test_features_keep_a_leaders_margin_and_minmax_does_not():
    pairs = [_pair(f"d#p0{i}", None, f"Paragraph {i}.") for i in range(1, 5)]
    clear = _candidates("q", pairs, {"dense": {"d#p01": 0.95, "d#p02": 0.80, "d#p03": 0.79, "d#p04": 0.78}})
    close = _candidates("q", pairs, {"dense": {"d#p01": 0.801, "d#p02": 0.80, "d#p03": 0.79, "d#p04": 0.78}})
    col = FEATURES.index("dense.gap")
    ids, x_clear = features(clear)
    _, x_close = features(close)
    assert x_clear[ids.index("d#p01"), col] > 5 * x_close[ids.index("d#p01"), col]
    # min-max gives both leaders the same full 1.0
    assert fuse_minmax(clear)["d#p01"] == fuse_minmax(close)["d#p01"] == 1.0


def test_bm25_does_not_count_against_a_pair_without_the_question_language():
    pairs = [_pair("d#p01", "只有中文的段落。", None), _pair("d#p02", None, "An English paragraph.")]
    c = _candidates("An English question?", pairs, {"bm25": {"d#p02": 3.0}, "dense": {"d#p01": 0.9, "d#p02": 0.8}})
    ids, x = features(c)
    applies = FEATURES.index("bm25.applies")
    assert x[ids.index("d#p01"), applies] == 0.0 and x[ids.index("d#p02"), applies] == 1.0


def test_a_pair_whose_article_names_the_asked_year_and_city_is_marked():
    """Same-topic news paragraphs often leave the city and the year to the article's title and
    date line: "ent_doc" and "year" read them there ("ent" only the paragraph)."""
    pairs = [_pair("a#p02", "签约仪式上，16个项目现场签约。", None), _pair("b#p02", "签约仪式上，22个项目现场签约。", None)]
    c = _candidates("2023年在成都举行的大会签约了多少个项目?", pairs, {"dense": {"a#p02": 0.8, "b#p02": 0.8}})
    c.headers = {"a": "第二届西部影视发展大会在成都开幕\n2023-10-16", "b": "2024巴渝影视产业发展大会在重庆开幕\n2024-11-20"}
    ids, x = features(c)
    a, b = ids.index("a#p02"), ids.index("b#p02")
    for name, want_a, want_b in (("ent", 0.0, 0.0), ("ent_doc", 1.0, 0.0), ("year", 1.0, 0.0)):
        assert (x[a, FEATURES.index(name)], x[b, FEATURES.index(name)]) == (want_a, want_b), name


def test_the_paragraph_holding_what_the_title_does_not_name_is_marked_over_the_lead():
    """A news article names its company and place in the title and the lead; the asked figure
    sits further down in a paragraph naming neither. Over the terms the title leaves out, the
    answering paragraph covers more than the lead (`cov_own`); both share the article's
    coverage (`cov_doc`), above another article's."""
    pairs = [_pair("a#p01", "3月17日，恒锂新能源电池项目签约仪式在金坛举行。", None),
             _pair("a#p03", "项目全部达产后，预计年纳税约9.5亿元。", None),
             _pair("b#p03", "锐能电池项目一期计划于今年8月开工。", None)]
    c = _candidates("恒锂金坛电池项目全部达产后年纳税多少?", pairs, {"dense": {p.id: 0.8 for p in pairs}})
    c.terms -= {"多少", "?"}
    c.headers = {"a": "恒锂新能源电池项目落户金坛\n2023-03-18", "b": "锐能电池项目签约宜宾\n2024-05-22"}
    ids, x = features(c)
    lead, answer, other = ids.index("a#p01"), ids.index("a#p03"), ids.index("b#p03")
    own, doc = x[:, FEATURES.index("cov_own")], x[:, FEATURES.index("cov_doc")]
    assert own[answer] > own[lead]
    assert own[answer] == 1.0, "达产, 年, 纳税 and 全部: every term the title leaves out"
    assert doc[answer] == doc[lead] > doc[other]


def test_learned_weights_rank_and_are_complete():
    weights = load_weights()
    for lang in ("zh", "en"):
        assert set(weights["fusion"][lang]) == set(FEATURES)
        assert set(weights["sentences"][lang]) == set(SENTENCE_FEATURES)
    pairs = [_pair("d#p01", None, "The fund is RMB 300 million."), _pair("d#p02", None, "Unrelated text.")]
    c = _candidates("How large is the fund?", pairs,
                    {"dense": {"d#p01": 0.9, "d#p02": 0.7}, "xling": {"d#p01": 0.6, "d#p02": 0.2},
                     "bm25": {"d#p01": 4.0}})
    fused = fuse_learned(c, weights["fusion"])
    assert fused["d#p01"] > fused["d#p02"]


def test_a_pair_naming_what_the_question_asks_about_is_marked_and_preferred():
    """Same-topic news: two paragraphs alike but for the city. The question names 重庆: the
    `ent` feature marks the paragraph that names it, and the fitted weights prefer it in both
    languages, also when the article's headline names both cities (a refit that learned
    otherwise fails here: one fitted on news without sign limits weighted `ent` -3.1 and
    `ent_doc` +3.2, and ranked the Chengdu paragraph first under such a headline)."""
    pairs = [_pair("d#p01", "成都市发布了影视产业扶持政策,每年安排专项资金。", "Chengdu issued film support policies."),
             _pair("d#p02", "重庆市发布了影视产业扶持政策,每年安排专项资金。", "Chongqing issued film support policies.")]
    lists = {"dense": {"d#p01": 0.90, "d#p02": 0.90}, "bm25": {"d#p01": 5.0, "d#p02": 5.0}}
    col = FEATURES.index("ent")
    weights = load_weights()["fusion"]
    for question in ("重庆发布了哪些影视扶持政策?", "Which film support policies did Chongqing issue?"):
        for headline in (None, "成都重庆两地发布影视产业扶持政策 Chengdu and Chongqing issue film support policies"):
            c = _candidates(question, pairs, lists)
            if headline:
                c.headers = {"d": f"{headline}\n2025-01-01"}
            ids, x = features(c)
            assert x[ids.index("d#p02"), col] == 1.0 and x[ids.index("d#p01"), col] == 0.0, question
            fused = fuse_learned(c, weights)
            assert fused["d#p02"] > fused["d#p01"] + 0.1, (question, headline, fused)
    assert weights["zh"]["ent"] > 0 and weights["en"]["ent"] > 0


ECHO = ("At the event, the “Cross-Industry Integration - Future of Motion Pictures: Broadcasting and Audiovisual "
        "International Communication and AIGC Innovation Partnership Program” saw its grand launch.")
ANSWER = ("This program was jointly initiated by the Sichuan Branch of China News Service, the Sichuan Branch of China "
          "National Radio Network, and Sichuan Film and Television University, signifying that the Chengdu-Chongqing "
          "region is embracing open and innovative approaches.")


THIRD = ("Together, they are charting a future blueprint where technology drives culture and integration "
         "empowers communication.")


def test_the_answering_sentence_beats_the_one_that_echoes_the_question():
    """The app's own example: the echo sentence is the closer one to the question in both
    vector spaces and in its words, yet the next sentence names who launched the programme.
    The paragraph as the seed has it, with the cosines the bundled models give its sentences
    (e5, USE)."""
    pair = _pair("s#p08", None, f"{ECHO} {ANSWER} {THIRD}")
    q = "Who launched the AIGC innovation partnership program?"
    c = _candidates(q, [pair], {"dense": {"s#p08": 0.9}},
                    sims={ECHO: (0.859, 0.389), ANSWER: (0.808, 0.143), THIRD: (0.770, 0.175)})
    c.coverage = {"s#p08": 0.9}
    readings = read(c, [("s#p08", 1.0)], "en")
    score(readings, load_weights()["sentences"]["en"])
    best = max(readings, key=lambda r: r.score)
    assert best.sentence.text == ANSWER


def test_identical_sentences_are_chosen_once_and_a_list_question_takes_each_paragraph():
    same = "11个优质影视项目成功签约。"
    pairs = [_pair("a#p01", same, None), _pair("b#p01", same, None), _pair("c#p01", "项目涵盖多个领域。", None)]
    c = _candidates("签约了多少个项目?", pairs, {"dense": {p.id: 0.8 for p in pairs}})
    readings = read(c, [(p.id, 1.0) for p in pairs], "zh")
    for r in readings:                       # equal scores: the choice must still not repeat itself
        r.score, r.prob = 1.0, 1.0 / len(readings)
    chosen = choose(readings, "签约了多少个项目?", {"second_ratio": 0.5, "max_sentences": 2})
    assert [r.sentence.text for r in chosen].count(same) == 1
    listed = choose(readings, "签约了哪些项目?", {"list_ratio": 0.5, "max_sentences": 2})
    assert len({r.pair_id for r in listed}) == len(listed) >= 2


def test_a_list_question_keeps_a_close_second_from_its_best_paragraph():
    """"Which mechanisms did the bureau introduce?": the best paragraph's first sentence names the
    bureau, its next the mechanisms; a list question took one sentence per paragraph and lost it."""
    first, second, far = "The bureau spoke at the conference.", "It introduced two mechanisms.", "Unrelated."
    pairs = [_pair("d#p01", None, f"{first} {second}"), _pair("d#p02", None, "Another bureau spoke.")]
    c = _candidates("Which mechanisms did the bureau introduce?", pairs, {"dense": {"d#p01": 0.9, "d#p02": 0.8}})
    readings = read(c, [("d#p01", 1.0), ("d#p02", 0.5)], "en")
    probs = {first: 0.5, second: 0.3, "Another bureau spoke.": 0.2}
    for r in readings:
        r.prob = r.score = probs.get(r.sentence.text, 0.0)
    policy = {"second_ratio": 0.5, "list_ratio": 0.3, "max_sentences": 2}
    texts = [r.sentence.text for r in choose(readings, "Which mechanisms did the bureau introduce?", policy)]
    assert texts == [first, second, "Another bureau spoke."]
    policy["second_ratio"] = 0.7                                  # not close enough: one per paragraph
    texts = [r.sentence.text for r in choose(readings, "Which mechanisms did the bureau introduce?", policy)]
    assert texts == [first, "Another bureau spoke."] and far not in texts


def test_the_blend_is_the_regime_of_the_best_fused_paragraph():
    """An English question whose best paragraph has an English side is re-read with the
    same-language blend; one whose best paragraph is Chinese only, with the cross-lingual one;
    a weight file from before the split (one blend per language) still reads."""
    from rag.extract import blend_for
    pairs = {"b#p01": _pair("b#p01", "中文", "English"), "z#p01": _pair("z#p01", "中文", None)}
    policy = {"blend": {"en": 0.2, "en-xl": 0.1, "zh": 0.4, "zh-xl": 0.3}}
    assert blend_for(policy, "en", [("b#p01", 1.0), ("z#p01", 0.5)], pairs) == 0.2
    assert blend_for(policy, "en", [("z#p01", 1.0), ("b#p01", 0.5)], pairs) == 0.1
    assert blend_for(policy, "zh", [("z#p01", 1.0)], pairs) == 0.4
    assert blend_for({"blend": {"en": 0.2}}, "en", [("z#p01", 1.0)], pairs) == 0.2
    assert blend_for({}, "en", [], pairs) == 0.0


@pytest.mark.parametrize("blend", [0.0, 1.0])
def test_rerank_blends_fused_order_and_best_sentence(blend):
    pairs = [_pair("d#p01", None, "First."), _pair("d#p02", None, "Second.")]
    c = _candidates("q?", pairs, {"dense": {"d#p01": 0.9, "d#p02": 0.8}})
    readings = read(c, [("d#p01", 2.0), ("d#p02", 1.0)], "en")
    for r in readings:
        r.score = 5.0 if r.pair_id == "d#p02" else 0.0
    order = rerank(readings, [("d#p01", 2.0), ("d#p02", 1.0)], blend)
    assert order[0] == ("d#p01" if blend == 1.0 else "d#p02")
    assert np.isfinite([r.score for r in readings]).all()


def test_a_multi_part_question_adds_each_parts_best_sentence_once():
    """To what the whole question chose, each part adds its best sentence unless it is there
    already (that part is answered); no sentence twice."""
    import dataclasses

    from rag.extract import choose_parts
    pairs = [_pair("d#p01", None, "Eleven projects were signed at the ceremony. The venue was full."),
             _pair("d#p02", None, "The program was initiated by Sichuan Film and Television University.")]
    c = _candidates("q", pairs, {"dense": {"d#p01": 0.9, "d#p02": 0.8}})
    readings = {r.sentence.text.split()[1]: r for r in read(c, [("d#p01", 1.0), ("d#p02", 0.5)], "en")}

    def scored(**scores):        # one part's readings: its own copies, its own scores
        return [dataclasses.replace(readings[word], score=value) for word, value in scores.items()]
    how_many = scored(projects=3.0, venue=1.0, program=0.5)
    who = scored(projects=0.2, venue=0.1, program=1.5)
    whole = [readings["projects"]]                            # the whole question's choice
    added = choose_parts([how_many, who], whole)
    assert [r.sentence.text.split()[1] for r in added] == ["program"]
    assert [r.sentence.text.split()[1] for r in choose_parts([how_many, how_many, who])] == ["projects", "program"]


def test_a_part_asking_a_value_is_answered_by_the_sentence_naming_it():
    """"…实验室的总面积有多大？由哪家公司负责运营？": the area part's best-matching sentence gives a
    share of costs (30%); with the parts' text, the one stating 总面积 leads that part."""
    from rag.extract import choose_parts
    saving = "据测算，在实验室完成虚拟场景拍摄，可减少外景转场约30%。"
    area = "实验室总面积约6000平方米，建有一块弧形LED背景墙。"
    opened = "3月28日，青岛虚拟制片与AIGC实验室正式启用。"
    pairs = [_pair("q#p01", opened + area, None), _pair("q#p03", saving, None)]
    readings = _scored(pairs, "zh", {saving: 0.6, area: 0.3, opened: 0.1})
    policy = {"second_ratio": 0.9, "max_sentences": 2, "typed_ratio": 0.4}
    part = "青岛虚拟制片与AIGC实验室的总面积有多大"
    assert [r.sentence.text for r in choose_parts([readings], [], [part], policy)] == [area]
    assert [r.sentence.text for r in choose_parts([readings], [])] == [saving]       # by score alone


def test_a_sentence_that_gives_what_a_typed_question_asks_leads_when_the_best_does_not():
    """"已经举办了几届?": the best sentence is the date line's (a date, no count in 届); the one
    with 三届 leads when it comes within `typed_ratio` — from a paragraph that names what the
    question asks about (another city's figure never does), and never with the ratio at 0."""
    date = "11月10日,2025成渝影视发展大会在成都举行。"
    count = "成渝影视发展大会至今已成功举办三届。"
    other = "重庆影视大会已举办五届。"
    pairs = [_pair("s#p01", date, None), _pair("s#p11", count, None), _pair("s#p12", other, None)]
    readings = _scored(pairs, "zh", {date: 0.6, count: 0.3, other: 0.1})
    policy = {"second_ratio": 0.9, "max_sentences": 2, "typed_ratio": 0.4}
    q = "成渝影视发展大会已经举办了几届?"
    assert [r.sentence.text for r in choose(readings, q, policy)] == [count, date]
    assert [r.sentence.text for r in choose(readings, q, dict(policy, typed_ratio=0.6))] == [date]   # too far behind
    assert [r.sentence.text for r in choose(readings, q, dict(policy, typed_ratio=0.0))] == [date]
    readings[1].prob = 0.05                  # only the other city's count is close enough: not it
    assert [r.sentence.text for r in choose(readings, q, dict(policy, typed_ratio=0.1))] == [date]


def test_a_sentence_naming_a_company_leads_when_the_best_names_none():
    """"曲江微短剧拍摄基地由哪家公司运营?": the echo ("…基地启动运营") is the closer sentence and names
    no company; the next one names the operator and leads when it comes within `typed_ratio`."""
    echo = "11月2日，位于西安曲江新区的曲江微短剧拍摄基地启动运营。"
    answer = "基地由长安视界文化有限公司运营，总占地面积约5.2万平方米。"
    pairs = [_pair("x#p01", f"{echo}{answer}", None)]
    c = _candidates("q", pairs, {"dense": {"x#p01": 0.9}})
    readings = read(c, [("x#p01", 1.0)], "zh")
    for r, prob in zip(readings, (0.9, 0.075)):
        r.score, r.prob = prob, prob
    policy = {"second_ratio": 0.2, "max_sentences": 2, "typed_ratio": 0.05}
    q = "曲江微短剧拍摄基地由哪家公司运营?"
    assert _lead(readings, q, policy) == answer
    assert [r.sentence.text for r in choose(readings, q, dict(policy, typed_ratio=0.1))] == [echo]   # too far behind


def test_a_sum_from_the_best_sentences_own_paragraph_leads():
    """"昆明…国庆8天假期旅游总收入多少?": the best sentence counts visitors (1085.2万人次 is no
    sum); of the two sums, the one its own paragraph goes on to give (split from it at "；")
    leads, not another paragraph's 前三季度 total that scores higher — however far behind, since
    it states the asked 总收入 in the question's words."""
    visitors = "9月29日至10月6日8天假期，昆明市共接待游客1085.2万人次，同比增长42.6%；"
    income = "实现旅游总收入118.3亿元，同比增长56.9%。"
    quarters = "2023年前三季度昆明累计接待游客1.36亿人次，实现旅游总收入1620亿元。"
    pairs = [_pair("k#p01", visitors + income, None), _pair("k#p07", quarters, None)]
    readings = _scored(pairs, "zh", {visitors: 0.5, quarters: 0.3, income: 0.2})
    by_text = {r.sentence.text: r for r in readings}
    policy = {"second_ratio": 0.9, "max_sentences": 2, "typed_ratio": 0.1}
    q = "昆明2023年中秋国庆8天假期旅游总收入多少？"
    assert _lead(readings, q, policy) == income
    by_text[income].prob = 0.04               # far behind, but it states the asked 总收入: still first
    assert _lead(readings, q, policy) == income


def test_a_sentence_naming_the_asked_award_leads():
    """"…的最佳女演员奖颁给了谁?": the best film's sentence scores higher; the one naming 最佳女演员奖
    leads when it comes within `typed_ratio`, not when it is too far behind."""
    film = "剧情片《海上的灯》获得最佳影片奖，导演陈远航凭借该片同时获得最佳导演奖。"
    actress = "本届金鹭奖中，演员林晓禾凭借《归港》获得最佳女演员奖。"
    pairs = [_pair("x#p02", film, None), _pair("x#p03", actress, None)]
    readings = _scored(pairs, "zh", {film: 0.6, actress: 0.3})
    policy = {"second_ratio": 0.9, "max_sentences": 2, "typed_ratio": 0.4}
    q = "第五届鹭岛国际影像节的最佳女演员奖颁给了谁？"
    assert _lead(readings, q, policy) == actress
    assert _lead(readings, q, dict(policy, typed_ratio=0.6)) == film


def test_a_chosen_sentence_that_gives_the_asked_time_leads_the_answer():
    """"When did the conference open?": the best sentence matched "open" ("open and innovative
    approaches"), the second gives the date — both are chosen and the date leads. A question
    asking two things keeps each part's order."""
    echo = "The program signifies that the region is embracing open and innovative approaches."
    date = "The conference was officially convened in Chengdu on November 10th."
    pairs = [_pair("s#p08", None, echo), _pair("s#p01", None, date)]
    readings = _scored(pairs, "en", {echo: 0.6, date: 0.5})
    policy = {"second_ratio": 0.5, "max_sentences": 2, "typed_ratio": 0.4}
    assert [r.sentence.text for r in choose(readings, "When did the conference open?", policy)] == [date, echo]
    two = "When did the conference open, and what does the program signify?"
    assert [r.sentence.text for r in choose(readings, two, policy)] == [echo, date]


def test_identical_paragraphs_collapse_before_fusion_to_the_best_ranked_copy():
    """The same file ingested three times must score like one copy: the copies leave every
    list before fusion (they would crowd it and shift each score's spread), and the copy
    ranked best in any list stays."""
    from rag.retrieve import _distinct
    same = ("江豚回升至约一千二百头。", "Finless porpoises recovered to about 1,200.")
    pairs = {pid: _pair(pid, *same) for pid in ("a#p01", "b#p01", "c#p01")}
    pairs["d#p01"] = _pair("d#p01", "另一段。", "Another paragraph.")
    found = {"dense": {"a#p01": 0.80, "b#p01": 0.90, "c#p01": 0.85, "d#p01": 0.70},
             "bm25": {"a#p01": 5.0, "c#p01": 5.0, "d#p01": 9.0}}
    lists, kept = _distinct(found, pairs)
    assert set(kept) == {"b#p01", "d#p01"}                  # b leads the dense list
    # b keeps the BM25 score its copies got (the list's cut-off kept a and c, not b)
    assert lists == {"dense": {"b#p01": 0.90, "d#p01": 0.70}, "bm25": {"b#p01": 5.0, "d#p01": 9.0}}


def test_a_sentence_naming_the_asked_phase_leads():
    """"How many studios does the first phase of the park have?" (English, of Chinese-only
    news): the best sentence gave phase two's 60; the one naming 一期 leads when close enough."""
    two = "钱塘微短剧产业园二期将于2025年启动建设，届时园区摄影棚总数将超过60个。"
    one = "钱塘微短剧产业园一期建有摄影棚32个。"
    pairs = [_pair("q#p06", two, None), _pair("q#p02", one, None)]
    readings = _scored(pairs, "zh", {two: 0.6, one: 0.3})
    policy = {"second_ratio": 0.9, "max_sentences": 2, "typed_ratio": 0.1}
    q = "How many studios does the first phase of the Qiantang micro-drama industrial park have?"
    assert _lead(readings, q, policy) == one
    assert _lead(readings, "二期建成后摄影棚总数是多少?", policy) == two
    {r.sentence.text: r for r in readings}[one].prob = 0.01     # too far behind
    assert _lead(readings, q, policy) == two


def test_a_sentence_calling_a_quoted_name_the_theme_leads_however_far_behind():
    """"What was the conference's theme and which application areas …?": the theme sentence
    scored 0.015 against the best's 0.31 (under typed_ratio) and the answer was declined for
    naming no theme."""
    focus = "In response to the “AI+” initiative, the conference focused on AI in film and micro-dramas."
    theme = "They explored innovative pathways around the theme of “AI Without Borders”."
    pairs = [_pair("s#p02", None, focus), _pair("s#p01", None, theme)]
    readings = _scored(pairs, "en", {focus: 0.95, theme: 0.01})
    policy = {"second_ratio": 0.9, "max_sentences": 2, "typed_ratio": 0.1}
    q = "What was the conference's theme and which application areas of AI did it concentrate on?"
    assert _lead(readings, q, policy) == theme
    # a question asking no theme keeps the best sentence first
    assert _lead(readings, "Which areas of AI did it focus on?", policy) == focus
