"""The verifier's three outcomes on the seed, with the questions that used to get confident,
cited, wrong answers (verbatim), follow-ups resolved without an LLM, and the constraint
checks on their own. Real e5/USE, real Chroma, the shipped weights."""
from __future__ import annotations

import pytest

from rag.followup import resolve
from rag.text.constraints import constraints
from rag.verify import missing
from seed_engine import seed_engine_fixture

P = "000_09ff8f6f21da3254#p"


engine = seed_engine_fixture("verify-engine")


# The verifier's score separates the seed's unanswerable questions from answerable paraphrases
# little better than chance (README "Known limits"); these are declined by rule: the sentences
# the answer would show, from paragraphs that name what is asked about, state no area / no date
# / no figure for 成都 / no sum / no count of people / no year / no person; no passage speaks of
# a mayor; a list only names its items.


@pytest.mark.slow
@pytest.mark.parametrize("question", [
    "What was China's total box office in 2025?",           # a sum: "the two cities" is none
    "Who is the mayor of Chengdu?",                         # no passage speaks of a mayor
    "成都的影视资助标准提高了多少?",
    "麦芽微短剧拍摄基地的占地面积是多少?",
    "《成都市促进影视产业发展的若干政策》是什么时候出台的?",
    # a count of something else ("3 iterations"), a time but no year (近年来), a role no
    # person fills in the paragraph, an edition the article never names
    "How many people attended the 2025 Chengdu-Chongqing Film and Television Development Conference?",
    "国家超高清视频创新中心是哪一年落地的?",
    "四川电影电视学院的院长是谁?",
    "What is the name of the Sichuan broadcasting bureau official who presented the provincial fund at the conference?",
    "第一届成渝影视发展大会是在哪一年举办的?",
    # Chongqing's budget is not stated; Sichuan's 300 million is another entity's figure
    "What is Chongqing's annual budget for funding major literary and artistic projects?",
    # no theme of a hackathon; the quoted names there are a programme's and a policy's
    "这次大会上举办的黑客马拉松的主题是什么?",
    # the article never speaks of a next conference
    "下一届成渝影视发展大会将在哪里举办?",
    # the article counts three editions and names none of them
    "Where was the first Chengdu-Chongqing Film and Television Development Conference held?",
    # the signed projects are only listed: no author, operator or location of any is given
    "《苍穹以北》的作者是谁?",
    "Which company will operate the Southwest Headquarters Project for Film and Television Post-Production?",
    "In which city or district is the Western China Science and Technology Film City located?",
    "Who operates the Maiya micro-drama filming base?",
    # the 50 % is the bureau's mechanisms', not the partnership programme's (q097)
    "AIGC创新伙伴计划让微短剧审查时效提升了多少?",
    # what only a person does, and the article names nobody (were answered with the programme's
    # initiators, 中国新闻社四川分社 …)
    "谁主持了这次大会?", "Who presided over the conference?"])
def test_questions_the_article_cannot_answer_are_declined(engine, question):
    answer = engine.ask(question)
    assert answer.outcome in ("abstain", "correct"), (answer.outcome, answer.support, answer.text)
    assert not answer.citations or answer.outcome == "correct"


@pytest.mark.slow
@pytest.mark.parametrize("question", [
    # was "corrected": "the closest passage is about RMB" — a currency is no body
    "By how much did the AIGC Innovation Partnership Program reduce micro-drama review times?",
    # was "corrected": "the question has GDP, the source CPC"; no passage says GDP
    "What is the GDP of Chongqing?", "What is Chengdu's GDP?"])
def test_no_correction_names_a_currency_or_another_abbreviation(engine, question):
    answer = engine.ask(question)
    assert answer.outcome == "abstain", (answer.outcome, answer.text)


@pytest.mark.slow
@pytest.mark.parametrize("question, fact", [
    ("How many national-level audio-visual industry bases has Sichuan brought to Chengdu?", "2 national-level"),
    ("How many editions of the conference have been held so far?", "3"),
    ("2025成渝影视发展大会是在哪一年举办的?", "2025"),
    # the paragraph with the date line matches best; the count sits in the third
    ("2025成渝影视发展大会已经举办了几届?", "三届"),
    # a listed item asked about with the list's own words: the list answers it
    ("签约项目中与《苍穹以北》有关的是什么项目?", "融合出版项目"),
    # the date, not "the 12th CPC … Committee"
    ("When was the event held?", "November 10th")])
def test_the_same_kinds_of_question_are_answered_when_the_article_says(engine, question, fact):
    """The counterparts of the declined ones: the counted noun is there (or an "editions" is
    said "iterations"), the year is stated."""
    answer = engine.ask(question)
    assert answer.outcome == "answer" and fact in answer.text, (answer.outcome, answer.verdict.reasons, answer.text)


@pytest.mark.slow
def test_a_theme_question_is_never_answered_with_a_quoted_name_that_is_no_theme(engine):
    """The reader ranked the sentence with the “AI+” initiative first; a sentence that says
    "theme" and quotes it leads instead (or the verifier declines: the score is borderline)."""
    answer = engine.ask("What slogan or theme did the conference adopt?")
    assert answer.outcome == "abstain" or "AI Without Borders" in answer.text, (answer.outcome, answer.text)
    assert "AI+" not in answer.text or "AI Without Borders" in answer.text, answer.text


@pytest.mark.slow
def test_another_entitys_figure_is_never_given_as_the_answer(engine):
    answer = engine.ask("重庆每年的影视专项资金是多少?")
    assert answer.outcome in ("abstain", "correct"), answer.text
    assert "3亿" not in answer.text and "300 million" not in answer.text


@pytest.mark.slow
@pytest.mark.parametrize("question, other, given", [
    ("重庆推出了哪些微短剧审查工作机制?", "四川", "政企联审"),
    ("重庆有哪些作品在“历史文化遗产扶持项目”支持下登上了央视?", "四川", "巴蜀石窟"),
    ("By how much did Chongqing shorten micro-drama review times?", "Sichuan", "50%"),
    ("What share of Chengdu's annual arts fund is set aside for audio-visual content?", "Sichuan", "half"),
])
def test_what_another_places_paragraph_says_is_not_given_for_the_place_asked(engine, question, other, given):
    """The Sichuan bureau's paragraph names no place after its first sentence ("省广电局推出…",
    "The bureau has introduced…"): asked of 重庆 or Chengdu, its mechanisms, works and figures
    are Sichuan's. The answer says so and quotes none of them."""
    answer = engine.ask(question)
    assert answer.outcome == "correct" and other in answer.text, (answer.outcome, answer.text)
    assert given not in answer.text and answer.verdict.not_for


@pytest.mark.slow
@pytest.mark.parametrize("question, held", [
    ("鉴于这是第五届成渝影视发展大会，它持续发展的原因是什么?", "三届"),
    ("Given that this was the fifth edition of the conference, what has sustained it over the years?", "3 iterations"),
])
def test_an_edition_beyond_the_count_held_is_corrected_and_the_question_answered(engine, question, held):
    """The article says the conference has been held three times: a fifth edition is a false
    premise, corrected with the count, and what sustains it still follows."""
    answer = engine.ask(question)
    assert answer.outcome == "correct" and held in answer.text, (answer.outcome, answer.text)
    assert answer.verdict.answers_too and not answer.verdict.not_for


@pytest.mark.slow
def test_a_figure_asked_of_one_alone_is_not_the_two_cities_joint_one(engine):
    answer = engine.ask("How many film and TV projects did Chongqing sign on its own at the conference?")
    assert answer.outcome == "abstain" and "11" not in answer.text, answer.text
    assert any("Chengdu and Chongqing" in r for r in answer.verdict.reasons), answer.verdict.reasons


@pytest.mark.slow
def test_no_correction_names_another_body_when_the_asked_ones_paragraph_leads(engine):
    """The bureau's own paragraph is retrieved first and names no director: declined. It had
    been "corrected" (the closest passage "is about" the Sichuan Branch of China National Radio
    Network): the reader had gone past the bureau's paragraph for a sentence naming a body."""
    answer = engine.ask("Who is the director of the Sichuan Provincial Bureau of Radio and Television?")
    assert answer.outcome == "abstain" and "Branch" not in answer.text, (answer.outcome, answer.text)


@pytest.mark.slow
@pytest.mark.parametrize("question", ["为什么大会在重庆举行?", "这次大会是在重庆举办的吗?"])
def test_a_false_premise_is_corrected_with_the_source(engine, question):
    """The second's best paragraph is the Chongqing bureau's, which names 重庆 elsewhere: where
    the event was held is still read from the slot (在成都举行)."""
    answer = engine.ask(question)
    assert answer.outcome == "correct" and "成都" in answer.text, (answer.outcome, answer.text)
    assert answer.citations and answer.citations[0].paragraph_id == P + "01"


@pytest.mark.slow
@pytest.mark.parametrize("question, fact", [
    # the issue's two: no word of the first is the article's (会议/地点 vs 大会/举行); "take
    # place" is "convened" there (rag/data/synonyms.txt, question words out of the coverage)
    ("会议地点在哪里?", "成都"), ("Where did the event take place?", "Chengdu"),
    # 举办 is one term with 举行 (a merged class), though the article says 举办 of its editions;
    # 开 and 参加 are words the article never uses (举行, 齐聚)
    ("活动在哪个城市举办?", "成都"), ("大会在哪里举办?", "成都"), ("这次会议是什么时候开的?", "11月10日"),
    ("哪些人参加了这次大会?", "专家学者"),
    ("Which city hosted the event?", "Chengdu"),
    ("When was the meeting held?", "November 10"),
    # the theme class (口号/主题, slogan/theme)
    ("What slogan or theme did the conference adopt?", "AI Without Borders"),
    # an English question quoting a Chinese name is read, and answered, in English
    ("Which university was among the initiators of the “AIGC创新伙伴计划”?", "Sichuan Film and Television University")])
def test_plain_paraphrases_are_answered(engine, question, fact):
    answer = engine.ask(question)
    assert answer.outcome == "answer" and fact in answer.text, (answer.support, answer.text)


@pytest.mark.slow
def test_a_follow_up_replaces_the_entity_it_names(engine):
    history = [{"role": "user", "content": "四川出台了哪些影视扶持政策?"},
               {"role": "assistant", "content": "……"}]
    answer = engine.ask("那重庆呢?", history)
    assert answer.standalone_question == "重庆出台了哪些影视扶持政策?"
    assert P + "06" in [h.pair.id for h in answer.retrieved[:2]]


@pytest.mark.parametrize("question, previous, want", [
    ("那重庆呢?", "四川出台了哪些影视扶持政策?", "重庆出台了哪些影视扶持政策?"),
    ("And Chengdu?", "What policies did Chongqing announce to support film and TV?",
     "What policies did Chengdu announce to support film and TV?"),
    ("它是由谁发起的?", "会上启动的AIGC创新伙伴计划全称是什么?", "AIGC创新伙伴计划全称是由谁发起的?"),
    ("How much funding does it have?", "Who launched the AIGC Innovation Partnership Program?",
     "How much funding does the AIGC Innovation Partnership Program have?"),
    ("What fields do they cover?", "Which projects were signed at the Chengdu-Chongqing signing ceremony?",
     "What fields do the projects signed at the Chengdu-Chongqing signing ceremony cover?"),
    ("签了几个?", "重点影视项目签约仪式上签约了哪些项目?", "重点影视项目签约仪式签了几个？"),
    # a year or a box-office season for another; a facility's whole name for another facility;
    # jieba's "节在" (影像节在厦门) leaves its 在 out of the topic
    ("那2023年国庆档呢?", "2024年春节档票房第一的是哪部电影?", "2023年国庆档票房第一的是哪部电影?"),
    ("国庆档呢?", "2024年春节档票房第一的是哪部电影?", "2024年国庆档票房第一的是哪部电影?"),
    ("那2023年呢?", "重庆2024年起每年安排多少专项资金?", "重庆2023年起每年安排多少专项资金?"),
    # a year after a question with none: the edition it names, else in front (每年 is no year)
    ("2022年呢?", "第二届西部影视发展大会签约了多少个项目?", "2022年西部影视发展大会签约了多少个项目?"),
    ("那2023年呢?", "四川每年安排多少专项资金?", "2023年四川每年安排多少专项资金?"),
    ("天府基地呢?", "钱塘微短剧产业园一期有多少个摄影棚?", "天府基地有多少个摄影棚?"),
    ("共展映了多少部影片?", "第五届鹭岛国际影像节在哪里闭幕?", "第五届鹭岛国际影像节共展映了多少部影片？"),
    # a plural pronoun is the thing counted; "it" the subject; "that X" the phrase naming X;
    # a bare question phrase asks the previous question's matter
    ("它们涵盖哪些领域?", "签约仪式上有多少个项目签约?", "这些项目涵盖哪些领域?"),
    ("And what else did it bring?", "How many national-level audio-visual industry bases did Sichuan bring to Chengdu?",
     "And what else did Sichuan bring?"),
    ("Who runs that project?", "Which works reached CCTV with the heritage support project?",
     "Who runs the heritage support project?"),
    ("What fields do these projects cover?", "Which projects were signed at the Chengdu-Chongqing signing ceremony?",
     "What fields do the projects signed at the Chengdu-Chongqing signing ceremony cover?"),
    # "that X" with no X in the last question: what the last question ended on, called X
    ("what's the name of that project again?", "Which two shows made it onto CCTV thanks to Sichuan's heritage support?",
     "what's the name of Sichuan's heritage support project again?"),
    ("and how much of that goes to audiovisual stuff?", "How big is Sichuan's annual special fund for quality cultural "
     "works?", "and how much of Sichuan's annual special fund goes to audiovisual stuff?"),     # "that goes": a verb
    # "it"/"they" after a which/what/how-many question: the thing asked for, as the question
    # says it, not the question's subject
    ("what does it research?", "What lab did Sichuan set up in Chengdu for virtual reality tech?",
     "what does the lab Sichuan set up in Chengdu for virtual reality tech research?"),
    ("Which fields did they cover?", "How many projects got signed at the signing ceremony?",
     "Which fields did the projects signed at the signing ceremony cover?"),
    # a short question for a figure of something generic: a figure of what the last one named
    ("效率提高了多少?", "四川省广电局为了加快微短剧审查搞了哪些机制?", "四川省广电局微短剧审查机制效率提高了多少？"),
    ("How much of it goes to audio-visual?", "How large is Sichuan's annual special fund for high-quality cultural "
     "productions?", "How much of Sichuan's annual special fund goes to audio-visual?"),     # a possessive: the fund
    ("By how much?", "What did the Sichuan bureau do to speed up micro-drama reviews?",
     "By how much (the Sichuan bureau do to speed up micro-drama reviews)?"),
    ("微短剧审查时效提升了多少?", "四川出台了哪些影视扶持政策?", "微短剧审查时效提升了多少?"),   # a new question stays
    # "另外…", "还有…也…": the other ones of the last question's matter; what it counted is what
    # "都涉及哪些领域?" asks about (seed_holdout h084, h007, h018); "还有" alone starts a new one
    ("另外两家发起单位是谁?", "四川电影电视学院参与发起了什么计划?", "四川电影电视学院另外两家发起单位是谁？"),
    ("还有哪部片子也上了?", "《凌云壮志》是通过什么项目登上央视的?", "凌云壮志还有哪部片子也上了？"),
    ("都涉及哪些领域?", "签约仪式上签了几个项目?", "仪式项目都涉及哪些领域？"),
    ("还有大会在哪天举行?", "四川出台了哪些影视扶持政策?", "还有大会在哪天举行?"),
    # 这 / 那 + a noun the last question named: that phrase, of its topic; a noun always of
    # something (目的, 作用) asks of the last question's topic
    ("这政策能起啥作用?", "成都市文化广电旅游局提到了哪份影视政策?", "成都市文化广电旅游局的影视政策能起啥作用？"),
    ("目的是想让啥文化走出去?", "大会对AI应用主要关注哪几块?", "大会目的是想让啥文化走出去？"),
    ("这些项目涉及哪些领域?", "签约仪式上签了几个项目?", "这些项目涉及哪些领域?"),          # 这些: not one thing
    # a kind for a kind: quoted, so the evidence must say it ("the 微短剧 figure is no 电视剧's")
    ("那电视剧的审查呢?", "四川微短剧审查时效提升了多少?", "“电视剧”的审查时效提升了多少?"),
    ("那它的具体数字是多少?", "成渝影视发展大会至今已成功举办几届?", "成渝影视发展大会至今已成功举办几届?"),
    ("What exactly was its figure?", "How many films were signed?", "How many films were signed?"),
    # a noun phrase ending as a name of the last question does stands for that name; a year
    # for the year, the rest for a name without one
    ("那成都的天府新春灯会呢？", "2024年长安上元灯会的门票收入是多少？", "2024年成都的天府新春灯会的门票收入是多少？"),
    ("那国庆假期呢？", "五一假期武汉接待了多少游客？", "国庆假期武汉接待了多少游客？"),
    ("And Changsha in 2024?", "How many tourists did Kunming receive during the 2023 National Day holiday?",
     "How many tourists did Changsha receive during the 2024 National Day holiday?"),
    ("And in 2023?", "What policies did Sichuan announce in 2024?", "What policies did Sichuan announce in 2023?"),
    # where and whether are how a follow-up asks, not part of the name (seed_blind_b r056)
    ("重庆那边有吗?", "四川的“历史文化遗产扶持项目”助推了哪些作品上央视?", "重庆的“历史文化遗产扶持项目”助推了哪些作品上央视?"),
    ("重庆广电局呢?", "四川省广播电视局介绍了什么?", "重庆广电局介绍了什么?"),
    # "among them": of what the last question asked about, as it said it (r054)
    ("里面有出版类的吗?", "大会上签约了几个影视项目?", "大会上签约了几个影视项目，其中有出版类的吗？"),
    ("其发起单位是谁?", "AIGC创新伙伴计划是什么?", "AIGC创新伙伴计划发起单位是谁?"),       # 其 a pronoun, 其他 not
    # "there": the event or place the last question was about, not its theme (r058)
    ("and what program got launched there?", "What was the theme of this year's Chengdu-Chongqing film and TV conference?",
     "and what program got launched at this year's Chengdu-Chongqing film and TV conference?"),
    ("what else was announced there?", "What did Sichuan announce at the conference?",
     "what else was announced at the conference?"),
    ("Is there one about animation?", "Which projects were signed?", "Is there one about animation (the projects signed)?"),
    # names before a project's head noun for names (news_industry u058); a noun for the noun a
    # figure was asked of (u060)
    ("那宜宾锐能那个呢？", "常州金坛的恒锂电池项目全部达产后年产值有多少？", "宜宾锐能的项目全部达产后年产值有多少？"),
    ("税收呢？", "赣州经开区2024年规上工业总产值是多少？", "赣州经开区2024年规上工业税收是多少？"),
    # seed_blind_c's follow-ups (read after its held-out run): 这事儿 points back; "除此之外" is
    # said after the last question; a name inside the object phrase is part of it; "the name of
    # X" asks of X; "n what about …" is "and what about …", and a phrase of common words no name
    ("这事儿标志着什么?", "会上启动的那个伙伴计划是哪几家一起发起的?", "伙伴计划标志着什么?"),
    ("除此之外还明确了些什么?", "重庆那份资助和奖励办法,在资助标准上做了什么调整?",
     "重庆那份资助和奖励办法,在资助标准上做了什么调整，除此之外还明确了些什么？"),
    ("what were they there to talk about?", "When and where was the 2025 Chengdu-Chongqing film conference held?",
     "what were the 2025 Chengdu-Chongqing film conference there to talk about?"),
    ("how much subsidy does it give per project?", "What's the name of the Chengdu film policy mentioned at the conference?",
     "how much subsidy does the Chengdu film policy mentioned give per project?"),
    ("n what about government services?", "What does Sichuan say it will do about the business environment?",
     "government services (What does Sichuan say it will do about the business environment)?"),
    ("And chengdu?", "What policies did Sichuan announce?", "What policies did Chengdu announce?"),
])
def test_follow_ups_are_resolved_by_rule(question, previous, want):
    assert resolve(question, previous) == want


def test_constraints_and_what_a_text_misses():
    c = constraints("为什么四川每年5亿元的文艺精品专项资金全部拨给了广电视听?")
    assert ("四川", "zh") in c.entities and c.numbers == [5.0] and c.qtype == "reason"
    entities, numbers, years = missing(c, "四川省省级财政每年3亿元文艺精品专项资金中,广电视听独占一半")
    assert entities == [] and numbers == [5.0] and years == []
    c = constraints("What was China's total box office in 2025?")
    assert c.years == ["2025"]
    assert missing(c, "The 2025 Chengdu-Chongqing Film and Television Development Conference")[2] == []


def test_the_shipped_weights_meet_their_held_out_bars():
    """What `python -m rag.eval.fit` recorded on XQuAD val (never fitted on) for the shipped
    weights: the bars of issues 10 and 11 that these features reach — since round 30 the
    product's own decisions at the shipped thresholds, not only the best operating point — and a
    ceiling on false corrections (today 1.4 % zh, 2.8 % en). A refit that regresses fails here."""
    from rag.weights import load_weights
    val = load_weights()["validation"]["xquad_val"]
    for lang in ("zh", "en"):
        v = val["verifier"][lang]
        assert v["auc"] >= 0.90 and v["best_recall_at_far<=0.1"] >= 0.75, (lang, v)
        assert v["recall"] >= 0.75 and v["false_abstain"] <= 0.10, (lang, v)
        assert v["false_correct"] <= 0.06, (lang, v)
        assert val["answer_accuracy"][lang]["accuracy"] >= 0.70
    for direction, row in val["retrieval"].items():
        assert row["final"]["hit@1"] >= max(row[k]["hit@1"] for k in ("dense", "xling", "bm25")), direction


def _engine_with_news_article(sources, open_index, *names: str):
    """An engine over the seed and articles of eval/news_zh (real e5, USE and Chroma)."""
    import shutil
    from pathlib import Path

    from rag.engine import Engine
    from rag.ingest import ingest
    for name in names:
        shutil.copy2(Path(__file__).resolve().parent.parent / "eval" / "news_zh" / "sources" / name, sources / name)
    index = open_index()
    ingest(index, show_bar=False)
    return Engine(index.settings, index)


@pytest.mark.slow
def test_a_year_is_covered_by_the_articles_date_line(sources, open_index, shared_models):
    """A news paragraph says "10月15日" and "今年"; the article's date line says 2023. A question
    about the 2023 conference is answered, one about 2021 is told the source says 2023."""
    engine = _engine_with_news_article(sources, open_index, "n01_chengdu_film_conference.txt")
    right = engine.ask("2023年在成都召开的第二届西部影视发展大会是由哪两家单位共同主办的？")
    assert right.outcome == "answer" and "成都市人民政府" in right.text, (right.outcome, right.verdict.reasons)
    wrong = engine.ask("2021年在成都召开的第二届西部影视发展大会是由哪两家单位共同主办的？")
    # corrected (and answered for 2023) or declined with the reason, by the score (the year it
    # misses scores it down): either way it says the source's 2023
    assert wrong.outcome in ("correct", "abstain") and "2023" in wrong.text, (wrong.outcome, wrong.text)
    assert wrong.outcome == "correct" or not wrong.citations


def test_a_word_capitalised_only_because_it_starts_the_question_is_no_name():
    """XQuAD val answerable questions were "corrected" over "Prior", "Outside" (the question's
    first word) and "Much" (the sentence's)."""
    from rag.text.answer_types import facts
    from rag.text.constraints import constraints
    from rag.premise import aligned_conflict
    def names(q):
        return sorted(e for e, _ in constraints(q).entities)
    assert names("Prior to Manning, who was the oldest quarterback to play in a Super Bowl?") == ["Manning", "Super Bowl"]
    assert names("Outside of its use of automobiles, what else is California famous for?") == ["California"]
    assert facts("Much of southern California is famous for its suburban communities.")["person"] == ["California"]
    assert aligned_conflict("Southern Californian communities are well known to be large, and what else?",
                            "Southern Californian",
                            ["Much of southern California is famous for its large communities."]) == ""
    assert constraints("Apart from the production parks, which research facilities did the province attract?").entities == []
    assert [e for e, _ in constraints("According to Sichuan officials, how much is the fund?").entities] == ["Sichuan"]


@pytest.mark.slow
def test_a_count_in_another_measure_word_is_no_answer(sources, open_index, shared_models):
    """"多少家企业参展?" is not answered by "约1200名嘉宾出席" (a count of guests, in 名); the
    count the article does give, in 个, is."""
    engine = _engine_with_news_article(sources, open_index, "n04_hangzhou_conference_2025.txt")
    firms = engine.ask("2025之江影视创新发展大会共有多少家企业参展？")
    assert firms.outcome == "abstain", (firms.outcome, firms.text)
    projects = engine.ask("之江影视创新发展大会签约仪式上有多少个影视项目集中签约？")
    assert projects.outcome == "answer" and "31个" in projects.text, (projects.outcome, projects.text)


_FEATURES_SCRIPT = r"""
import sys
sys.path.insert(0, sys.argv[1])
from test_fusion import _candidates, _pair
from rag.extract import read, score
from rag.retrieve import Hit
from rag.text.constraints import constraints
from rag.verify import features
from rag.weights import load_weights
pair = _pair("d#p01", None, "The porpoise population recovered to about 1,200 after the ban.")
q = "How many porpoise calves, dolphins, sturgeons or herons live there?"
c = _candidates(q, [pair], {"dense": {"d#p01": 0.9}})          # every term has the same idf
c.focus, c.constraints, c.unseen, c.headers = q, constraints(q), set(), {}
readings = read(c, [("d#p01", 1.0)], "en")
score(readings, load_weights()["sentences"]["en"])
x, _ = features(c, [Hit(pair, 1.0)], readings)
print(list(x))
"""


@pytest.mark.slow           # eight fresh interpreters
def test_the_verifiers_features_do_not_depend_on_the_hash_seed():
    """Five question terms tie for the rarest; only one is in the passage. The choice once
    followed set order, which Python randomises per process: the same question could be
    answered in one run and declined in the next."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    here = str(Path(__file__).resolve().parent)
    outs = set()
    for seed in range(1, 9):
        env = dict(os.environ, PYTHONHASHSEED=str(seed))
        run = subprocess.run([sys.executable, "-c", _FEATURES_SCRIPT, here], env=env, capture_output=True,
                             text=True, timeout=120)
        assert run.returncode == 0, run.stderr[-2000:]
        outs.add(run.stdout.strip())
    assert len(outs) == 1, outs


@pytest.mark.slow
def test_each_of_two_things_asked_respectively_gets_its_sentence(sources, open_index, shared_models):
    """"A和B的票房分别是多少?" shows A's figure and B's (the paragraph about A matched the whole
    question best and gave both parts its sentence); a part's sentence may come from a
    paragraph that names its place only in the article's title ("西安" is in the headline)."""
    engine = _engine_with_news_article(sources, open_index, "n12_spring_festival_boxoffice_2024.txt",
                                       "n13_national_day_boxoffice_2023.txt", "n03_xian_conference_2022.txt")
    both = engine.ask("2024年春节档和2023年国庆档的全国电影票房分别是多少？")
    assert both.outcome == "answer" and "76.8亿元" in both.text and "25.9亿元" in both.text, both.text
    signed = engine.ask("2022年在西安召开的丝路影视发展大会上，签约了几个项目，金额约多少？")
    assert signed.outcome == "answer" and "9个" in signed.text and "21亿元" in signed.text, (signed.outcome, signed.text)


@pytest.mark.slow
def test_a_prize_money_question_is_not_answered_by_a_count(sources, open_index, shared_models):
    """"获奖作品能拿到多少奖金?" asks for money; the article counts entries (400余件) and names
    no prize money: declined. The per-work reward it does state is answered."""
    engine = _engine_with_news_article(sources, open_index, "n14_xiamen_film_festival_2024.txt",
                                       "n15_chengdu_microdrama_base.txt")
    prize = engine.ask("鹭岛国际影像节AIGC影像竞赛的获奖作品能拿到多少奖金？")
    assert prize.outcome == "abstain", (prize.outcome, prize.text)
    reward = engine.ask("郫都区对基地内出品、播放量超过1亿次的微短剧每部奖励多少钱？")
    assert reward.outcome == "answer" and "5万元" in reward.text, (reward.outcome, reward.text)


@pytest.mark.slow
def test_a_phase_the_sources_do_not_name_is_declined(sources, open_index, shared_models):
    """The article gives the base's first phase (一期投资6亿元) and another park's second phase
    (钱塘…二期工程): "曲江…二期计划投资多少?" is declined, not answered with the first phase's sum."""
    engine = _engine_with_news_article(sources, open_index, "n10_xian_microdrama_base.txt",
                                       "n11_hangzhou_microdrama_park.txt")
    second = engine.ask("曲江微短剧拍摄基地二期计划投资多少？")
    assert second.outcome == "abstain" and "phase 2" in " ".join(second.verdict.reasons), (second.outcome, second.text)
    first = engine.ask("曲江微短剧拍摄基地的一期投资是多少？")
    assert first.outcome == "answer" and "6亿元" in first.text, (first.outcome, first.text)


@pytest.mark.slow
def test_where_an_event_was_held_is_read_from_its_own_article(sources, open_index, shared_models):
    """Beside the other conferences' articles (the western one's "首届于2022年在重庆举办，今年移师
    成都"), "之江…大会是在成都举办的吗?" is corrected from the 之江 article's 在杭州 — a slot in another
    event's sentence is no correction of this one."""
    engine = _engine_with_news_article(sources, open_index, "n04_hangzhou_conference_2025.txt",
                                       "n01_chengdu_film_conference.txt", "n02_chongqing_conference_2024.txt",
                                       "n03_xian_conference_2022.txt", "n05_changsha_conference_2024.txt")
    answer = engine.ask("之江影视创新发展大会是在成都举办的吗?")
    assert answer.outcome == "correct" and answer.verdict.stated == "杭州", (answer.outcome, answer.text)
    # the short name ranks the western conference's paragraph first: its 在重庆举办 is not read
    # as this event's venue (the 之江 name missing there still draws a wrong correction —
    # README "Known limits")
    short = engine.ask("之江大会是在成都举办的吗?")
    assert (short.verdict.asked, short.verdict.stated) != ("成都", "重庆"), short.text


@pytest.mark.slow
def test_an_award_the_sources_do_not_name_is_declined(sources, open_index, shared_models):
    """The festival's report names its best film, director and actress awards but no
    cinematography award: "最佳摄影奖颁给了哪部影片?" is declined (it was answered with the best
    film); the best actress, named two paragraphs down, is answered."""
    engine = _engine_with_news_article(sources, open_index, "n14_xiamen_film_festival_2024.txt")
    camera = engine.ask("第五届鹭岛国际影像节的最佳摄影奖颁给了哪部影片？")
    assert camera.outcome == "abstain" and "最佳摄影奖" in " ".join(camera.verdict.reasons), (camera.outcome, camera.text)
    actress = engine.ask("第五届鹭岛国际影像节的最佳女演员奖颁给了谁？")
    assert actress.outcome == "answer" and "林晓禾" in actress.text, (actress.outcome, actress.text)


@pytest.mark.slow
def test_a_company_named_after_a_place_is_no_other_place_under_a_headline_naming_the_asked_one(
        sources, open_index, shared_models):
    """"长安视界文化有限公司负责人表示，基地二期…将新增虚拟制片棚" sits under the headline
    "曲江微短剧拍摄基地启动运营": asked what 曲江's second phase adds, it is answered, not
    "corrected" to 长安 (jieba tags the company's 长安 a place)."""
    engine = _engine_with_news_article(sources, open_index, "n10_xian_microdrama_base.txt",
                                       "n11_hangzhou_microdrama_park.txt")
    answer = engine.ask("曲江基地二期将新增什么?")
    assert answer.outcome == "answer" and "虚拟制片棚" in answer.text, (answer.outcome, answer.text)


@pytest.mark.slow
def test_a_value_asked_of_a_place_is_read_from_its_own_article(sources, open_index, shared_models):
    """"曲江基地共有几个摄影棚?": the 两江 base's sentence (24个标准摄影棚, naming 重庆) matches best;
    the 曲江 article's own (共设摄影棚16个, under the headline "曲江微短剧拍摄基地启动运营", naming
    西安) comes close enough and is the answer."""
    engine = _engine_with_news_article(sources, open_index, "n10_xian_microdrama_base.txt",
                                       "n09_chongqing_microdrama_base.txt")
    answer = engine.ask("曲江基地共有几个摄影棚?")
    assert answer.outcome == "answer" and "16个" in answer.text and "24个" not in answer.text, \
        (answer.outcome, answer.text)
    other = engine.ask("长沙微短剧基地有多少个摄影棚?")           # no 长沙 article: whose they are
    assert other.outcome != "answer", (other.outcome, other.text)


@pytest.mark.slow
def test_the_paragraph_the_answer_leads_with_is_the_first_source(engine):
    """"2025成渝影视发展大会已经举办了几届?": the paragraph with the date line matches best, the
    answer leads with 三届 from the eleventh: that one is source [1]."""
    answer = engine.ask("2025成渝影视发展大会已经举办了几届?")
    assert answer.outcome == "answer" and "三届" in answer.text, (answer.outcome, answer.text)
    assert answer.retrieved[0].pair.id == P + "11" and answer.text.index("三届") < answer.text.index("[1]")


@pytest.mark.slow
def test_a_thing_the_sources_say_is_yet_to_be_announced_is_declined(sources, open_index, shared_models):
    """"主办方表示，第三届西部影视发展大会的举办城市和时间将另行公布": no city to give."""
    engine = _engine_with_news_article(sources, open_index, "n01_chengdu_film_conference.txt")
    answer = engine.ask("第三届西部影视发展大会会在哪座城市举办？")
    assert answer.outcome == "abstain" and "announced" in " ".join(answer.verdict.reasons), (answer.outcome,
                                                                                             answer.text)
    first = engine.ask("西部影视发展大会的第一届是在哪一年、哪座城市办的？")     # the third's is unknown, not the first's
    assert first.outcome == "answer" and "2022" in first.text and "重庆" in first.text, (first.outcome, first.text)
