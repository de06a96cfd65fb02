"""rag.text: the one text layer (language, sentences, tokens, numbers, overlap)."""
from __future__ import annotations

import threading

import pytest

from rag.text import (containment, detect_language, numbers, pos_tags, split_sentences, stem, tokenize, unmatched,
                      unsupported_script, visible, zh_names)


@pytest.mark.parametrize("text, values", [
    ("四川每年3亿元文艺精品专项资金", {3, 3e8}), ("annual RMB 300 million special fund", {300, 3e8}),
    ("11个优质影视项目", {11}), ("已成功举办三届", {3}), ("一百二十家企业", {120}), ("三百万元", {3e6}),
    ("两千人", {2000}), ("1,200 porpoises", {1200}), ("审查时效提升50%", {50}), ("3.5亿", {3.5, 3.5e8}),
    ("one-stop 一站式备案 统一部署", {1}), ("half of it", {50})])
def test_numbers_in_both_languages(text, values):
    assert numbers(text) == {float(v) for v in values}


def test_a_quantity_matches_across_languages_and_units():
    assert unmatched("专项资金每年3亿元", "an annual RMB 300 million special fund") == []
    assert unmatched("The fund is RMB 5 billion", "an annual RMB 300 million special fund") == [5.0]
    assert unmatched("签约了12个项目", "11个优质影视项目成功签约") == [12.0]


def test_sentences_and_language():
    assert split_sentences("第一句。第二句！第三句？", "zh") == ["第一句。", "第二句！", "第三句？"]
    assert split_sentences("It rained. Then it stopped.Then sun.", "en") == ["It rained.", "Then it stopped.", "Then sun."]
    assert detect_language("成都 Chengdu 大会") == "zh" and detect_language("The conference in 成都 was held on November 10") == "en"


def test_visible_text_and_scripts():
    assert visible("\u200b\u200c\ufeff") == "" and visible(" a\u200b b \n") == "a b"
    assert unsupported_script("영화 대회는 어디에서?") == "Korean"
    assert unsupported_script("Where was it? 在哪里?") == "" and unsupported_script("2025!") == ""


def test_tokens_stems_and_stop_words():
    assert stem("programs") == "program" and stem("hosted") == "host" and stem("cities") == "city"
    assert tokenize("The programs in Chengdu") == ["program", "chengdu"]
    assert "短剧" in tokenize("微短剧审查") and "的" not in tokenize("成都的大会")


def test_names_and_pos_tags_are_thread_safe():
    got = []
    threads = [threading.Thread(target=lambda: got.append(zh_names("重庆市广播电视局和四川电影电视学院在成都"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(g == got[0] for g in got) and "成都" in got[0]
    assert any(flag == "m" for _, flag in pos_tags("签约11个项目"))


def test_containment_is_language_neutral():
    assert containment("大会在成都举行", "11月10日,大会在成都举行") == 1.0
    assert containment("held in Chengdu", "The conference was held in Chengdu.") == 1.0
    assert containment("held in Chongqing", "The conference was held in Chengdu.") < 1.0


@pytest.mark.parametrize("sentence, venue", [
    ("11月10日,2025成渝影视发展大会在成都举行,来自成渝地区的业界人士齐聚蓉城", True),
    ("The 2025 Chengdu-Chongqing Film and Television Development Conference was held in Chengdu on November 10.", True),
    ("Chopin was born in Żelazowa Wola, near Warsaw.", True),
    ("该基地位于重庆市渝北区。", True),
    ("四川和重庆联合发布了影视扶持政策。", False),
    ("At the event, Sichuan and Chongqing launched the program.", False),
])
def test_a_place_where_something_happens_is_a_venue(sentence, venue):
    """"Where" is answered by a place in a locative construction, not one merely named."""
    from rag.text.answer_types import offers
    offered = offers(sentence, "Where did it take place? 在哪里举行?")
    assert ("venue" in offered) == venue, offered


@pytest.mark.parametrize("sentence, quantity", [
    ("成都大熊猫繁育研究基地今年共有十八只大熊猫幼崽出生，创下历史新高。", True),
    ("11月10日,2025成渝影视发展大会在成都举行", False),
    ("The 2025 conference was convened in Chengdu on November 10th.", False),
    ("2025年共签约11个项目", True),
    ("There were 2000 people.", True),
    ("签约总额达1500亿元", True),
])
def test_a_year_or_a_date_does_not_answer_how_many(sentence, quantity):
    from rag.text.answer_types import offers
    assert ("quantity" in offers(sentence, "How many were there? 有多少?")) == quantity


def test_traditional_characters_tokenise_as_simplified():
    """A question in 繁體 finds a Simplified source by its words (BM25, coverage), and back."""
    from rag.text import simplified, tokenize
    assert simplified("第一屆成渝影視發展大會是哪一年辦的?") == "第一届成渝影视发展大会是哪一年办的?"
    assert set(tokenize("成渝影視發展大會")) == set(tokenize("成渝影视发展大会"))
    assert simplified("Chengdu 2025") == "Chengdu 2025"
