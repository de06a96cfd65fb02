"""The verifier on real same-topic news (eval/news_zh/sources): two micro-drama bases whose
articles give different figures. A value asked of one that only the other's article gives is
declined, not answered with the figure next to it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.embeddings import EmbeddingCache, RagEmbedding
from rag.engine import Engine
from rag.index import Index
from rag.ingest import ingest
from rag.settings import load_settings

pytestmark = pytest.mark.slow
NEWS = Path(__file__).resolve().parent.parent / "eval" / "news_zh" / "sources"
TOURISM = NEWS.parent.parent / "news_tourism" / "sources"


def _engine(tmp_path_factory, e5_backend, names: tuple[str, ...], news: Path = NEWS):
    folder = tmp_path_factory.mktemp("news")
    src = folder / "src"
    src.mkdir()
    for name in names:
        shutil.copy(news / name, src / name)
    settings = load_settings().with_(data_dir=folder / "data", sources_dir=src, llm_base_url="", llm_api_key="")
    index = Index.open(settings, RagEmbedding(e5_backend, EmbeddingCache(folder / "data" / "embed_cache.sqlite")))
    assert not ingest(index, show_bar=False).errors
    return Engine(settings, index), index


@pytest.fixture(scope="module")
def engine(tmp_path_factory, e5_backend):
    engine, index = _engine(tmp_path_factory, e5_backend, ("n11_hangzhou_microdrama_park.txt",
                                                           "n15_chengdu_microdrama_base.txt",
                                                           "n10_xian_microdrama_base.txt"))
    yield engine
    index.close()


@pytest.fixture(scope="module")
def events(tmp_path_factory, e5_backend):
    """Box office and a film festival: national and provincial figures, screenings."""
    engine, index = _engine(tmp_path_factory, e5_backend, ("n12_spring_festival_boxoffice_2024.txt",
                                                           "n13_national_day_boxoffice_2023.txt",
                                                           "n14_xiamen_film_festival_2024.txt"))
    yield engine
    index.close()


def _declined(engine, question: str, figure: str, why: str) -> None:
    """Declined, without the figure another thing's sentence gives, saying why."""
    answer = engine.ask(question)
    assert answer.outcome == "abstain" and figure not in answer.text, answer.text
    assert any(why in r for r in answer.verdict.reasons), answer.verdict.reasons


def _answered(engine, question: str, figure: str) -> None:
    answer = engine.ask(question)
    assert answer.outcome == "answer" and figure in answer.text, (answer.outcome, answer.text)


def test_a_value_of_another_thing_is_no_answer(engine):
    """The 钱塘 article gives its investment and floor area, no 年产值; the 天府 one gives its 年产值."""
    _declined(engine, "钱塘产业园的年产值是多少?", "20亿", "年产值")
    _answered(engine, "天府基地的年产值是多少?", "10亿")


def test_the_attribute_may_be_said_in_part(engine):
    answer = engine.ask("钱塘产业园的建筑面积是多少?")
    assert answer.outcome == "answer" and "11万平方米" in answer.text, answer.text


def test_an_english_count_is_looked_for_in_the_chinese_measure_words(engine):
    """An English question about Chinese-only news: "How many people …" is not answered by a
    count of studios (32个, 60个); "How many studios …" still is (个 is a studio's measure word)."""
    answer = engine.ask("How many people work at the Qiantang micro-drama industrial park?")
    assert answer.outcome == "abstain" and "people" in " ".join(answer.verdict.reasons), (answer.outcome, answer.text)
    answer = engine.ask("How many studios does the first phase of the Qiantang micro-drama industrial park have?")
    assert answer.outcome == "answer" and "32" in answer.text, (answer.outcome, answer.text)


def test_a_figure_of_another_phase_is_no_answer(engine):
    """The 钱塘 park's 1500部 a year is its first phase's; of the second the article says only
    that it will have over 60 studios."""
    _declined(engine, "钱塘微短剧产业园二期建成后年拍摄能力能达到多少部？", "1500", "phase 1")
    _answered(engine, "钱塘微短剧产业园一期年拍摄能力能达到多少部？", "1500")
    _answered(engine, "钱塘微短剧产业园二期建成后摄影棚总数会有多少个？", "60")


@pytest.fixture(scope="module")
def conference(tmp_path_factory, e5_backend):
    """A conference's news: counts of signed films, the names of its policies and lists."""
    engine, index = _engine(tmp_path_factory, e5_backend, ("n02_chongqing_conference_2024.txt",))
    yield engine
    index.close()


@pytest.fixture(scope="module")
def changsha(tmp_path_factory, e5_backend):
    """Two articles on 长沙's night-time spending: a 2024 policy article quoting a 2023 share,
    and the 2024 National Day holiday's figures."""
    engine, index = _engine(tmp_path_factory, e5_backend, ("m04_changsha_night_economy_2024.txt",
                                                           "m10_changsha_national_day_tourism_2024.txt"), TOURISM)
    yield engine
    index.close()


def test_a_sum_given_only_for_other_levels_is_declined(changsha):
    """The 2024 policy article awards 国家级 (300万元) and 省级 (100万元) districts and counts the
    市级 ones it will build (25个): the 市级 award is declined, the 国家级 one answered."""
    city = changsha.ask("长沙新认定的市级夜间消费街区一次性能拿多少奖补？")
    assert city.outcome == "abstain" and "市级" in " ".join(city.verdict.reasons), (city.outcome, city.text)
    national = changsha.ask("长沙对新获评国家级夜间文化和旅游消费集聚区的街区一次性奖励多少？")
    assert national.outcome == "answer" and "300万元" in national.text, (national.outcome, national.text)


def test_a_year_the_lead_contradicts_is_answered_from_the_article_of_that_year(changsha):
    """"2024年国庆长沙夜间消费占…比重?": the best-matching sentence says 2023 (…约为41%); the
    2024 holiday article's "夜间消费占比高达52%" answers it, not a correction. A year neither
    article covers is still corrected."""
    answer = changsha.ask("2024年国庆长沙夜间消费占文旅消费的比重是多少？")
    assert answer.outcome == "answer" and "52%" in answer.text and "41%" not in answer.text, answer.text
    assert answer.citations[0].paragraph_id.startswith("m10_"), answer.citations[0].paragraph_id
    answer = changsha.ask("2022年国庆长沙夜间消费占文旅消费的比重是多少？")
    assert answer.outcome == "correct" and "2022" in " ".join(answer.verdict.reasons), answer.verdict.reasons


@pytest.fixture(scope="module")
def capacity(tmp_path_factory, e5_backend):
    """重庆's scenic spots before May Day 2024: capacities, last year's peak, a forecast."""
    engine, index = _engine(tmp_path_factory, e5_backend, ("m13_chongqing_scenic_capacity_2024.txt",), TOURISM)
    yield engine
    index.close()


def test_what_happened_is_not_answered_by_a_forecast(capacity):
    """"…实际接待了多少游客?": the article only forecasts 约2600万人次; asked for the forecast, it
    answers."""
    _declined(capacity, "2024年五一重庆实际接待了多少游客？", "2600", "forecast")
    _answered(capacity, "2024年五一重庆预计接待多少游客？", "2600")


def test_a_question_for_names_is_not_answered_by_a_count(conference):
    """"…签约的3部院线电影分别叫什么名字?": the article counts them (签约项目包括3部院线电影…) and gives
    no title (a work's is written in 《》); a name it does give (《…名录》) is answered."""
    _declined(conference, "2024巴渝影视产业发展大会上签约的3部院线电影分别叫什么名字？", "3部院线电影", "no title")
    _answered(conference, "大会发布的取景地推荐名录叫什么名字？", "2024重庆影视拍摄取景地推荐名录")


def test_the_whole_countrys_figure_is_no_provinces(events):
    """"全国电影票房为76.8亿元" is no answer for 江苏省 (named only in another paragraph's ranking)."""
    _declined(events, "2024年春节档江苏省的电影票房是多少？", "76.8", "全国")
    _answered(events, "2024年春节档全国电影票房是多少？", "76.8")


def test_the_whole_countrys_figure_is_no_answer_for_a_city_an_english_question_names(events):
    """"What was Xiamen's box office …?" of Chinese-only news: "Xiamen" is 厦门 (its pinyin), which
    "全国电影票房为76.8亿元" and its paragraph never name; the nationwide question and a city the
    sources give a figure for are answered."""
    _declined(events, "What was Xiamen's box office during the 2024 Spring Festival holiday?", "76.8", "全国")
    _answered(events, "What was the nationwide box office during the 2024 Spring Festival holiday?", "76.8")
    _answered(events, "What was Chengdu's box office during the 2024 Spring Festival holiday?", "2.3亿")


def test_a_figure_in_a_ranking_belongs_to_the_place_before_it(events):
    """"分省份看，…广东省票房达9.1亿元，继续位居全国第一，江苏、浙江分列第二、第三位": asked 浙江's
    box office, it had been answered with 广东省's 9.1亿元; 广东省 and 四川省 (its own sentence)
    are answered."""
    answer = events.ask("2024年春节档浙江的票房是多少?")
    assert answer.outcome != "answer" and "9.1" not in answer.text, (answer.outcome, answer.text)
    assert "广东省" in " ".join(answer.verdict.reasons), answer.verdict.reasons
    _answered(events, "2024年春节档广东省的票房是多少?", "9.1亿")
    _answered(events, "2024年春节档四川省票房多少?", "4.2亿")


def test_screenings_are_counted_in_chang(events):
    """"How many screening events …?" of Chinese-only news: 展映活动320场 (it had been looked for in
    a screen's measure words, 块/个/张, and declined)."""
    answer = events.ask("How many screening events did Xiamen hold during the fifth Ludao festival?")
    assert answer.outcome == "answer" and "320" in answer.text, (answer.outcome, answer.text)


def test_an_english_name_of_chinese_only_news_is_looked_up_in_pinyin(engine):
    """"Qujiang" is no word of these Chinese-only articles: the checks read it as 曲江."""
    c = engine.retriever.retrieve("How much was invested in the first phase of the Qujiang base?", 5).candidates
    assert c.aliases == {"Qujiang": "曲江"}, c.aliases
    assert ("曲江", "zh") in c.constraints.entities
    answer = engine.ask("How much was invested in the first phase of the Qujiang base?")
    assert answer.outcome == "answer" and "6亿" in answer.text, (answer.outcome, answer.text)
    # a possessive is the name's ("Qujiang's" had been no word to spell)
    c = engine.retriever.retrieve("How much was invested in the first phase of Qujiang's base?", 5).candidates
    assert c.aliases == {"Qujiang": "曲江"}, c.aliases


def test_an_english_name_asked_of_another_citys_share_is_declined(events):
    """"What share of Chengdu's box office…?" of Chinese-only news is asked of 成都 (its pinyin):
    a share the shown sentence gives for another place is no answer."""
    answer = events.ask("What share of Xiamen's spring festival box office came from comedies?")
    assert answer.outcome != "answer", (answer.outcome, answer.text)


def test_an_english_name_may_be_stated_by_the_article_title(events):
    """"…in Xiamen" (厦门): the winner's paragraph leaves the city to its article's title
    (第五届鹭岛国际影像节在厦门闭幕), as Chinese news does; it was declined as "not in the sources"."""
    c = events.retriever.retrieve("Which film won Best Film at the fifth Ludao International Image Festival in Xiamen?", 5).candidates
    assert c.aliases.get("Xiamen") == "厦门", c.aliases
    answer = events.ask("Which film won Best Film at the fifth Ludao International Image Festival in Xiamen?")
    assert answer.outcome == "answer" and "海上的灯" in answer.text, (answer.outcome, answer.text)


INDUSTRY = NEWS.parent.parent / "news_industry" / "sources"


@pytest.fixture(scope="module")
def industry(tmp_path_factory, e5_backend):
    """Look-alike investment news (eval/news_industry, read in round 28): battery projects in
    Jintan and Yibin, IC parks in Wuxi and Hefei, mass signings in Chengdu's and Chongqing's new
    areas, a development zone's annual report."""
    engine, index = _engine(tmp_path_factory, e5_backend, (
        "u01_changzhou_battery_project_2023.txt", "u02_yibin_battery_project_2024.txt", "u05_wuxi_ic_park_2023.txt",
        "u06_hefei_ic_park_2024.txt", "u11_chengdu_project_signing_2024.txt", "u12_chongqing_project_signing_2024.txt",
        "u14_ganzhou_development_zone_2024.txt"), INDUSTRY)
    yield engine
    index.close()


@pytest.mark.parametrize("question, figure", [
    ("成都东部新区这一批签约的项目里投资最大的是哪个？多少钱？", "386亿"),      # 新区 is no other place than 成都
    ("2024年宜宾签下的那个动力电池项目，满产后能带动多少人就业？", "3200"),    # nor 西南地区, a region
    ("两江新区二季度签的那些项目全部达产后一年能贡献多少税收？", "33亿"),     # 两江 of "重庆两江新区"
])
def test_a_district_named_with_its_city_or_a_region_is_no_other_place(industry, question, figure):
    """The paragraph's place is the asked one when its article names the two together
    ("成都东部新区", "重庆两江新区"); a region or a kind of zone (西南地区, 新区) is nobody's: each
    had been answered "no such information for 成都; the closest is about 新区"."""
    answer = industry.ask(question)
    assert answer.outcome == "answer" and figure in answer.text, (answer.outcome, answer.text)


def test_a_phase_is_read_where_the_article_names_it(industry):
    """"一期…投产?": the phase's paragraph is read (it ranked outside the best four) and leads;
    a figure belongs to the phase named before it ("其中一期总建筑面积42万平方米，…二期计划…")."""
    answer = industry.ask("宜宾锐能那个电池厂一期啥时候能投产？")
    assert answer.outcome == "answer" and "2025年9月" in answer.text, (answer.outcome, answer.text)
    answer = industry.ask("锡山芯谷产业园一期建筑面积有多大？")
    assert answer.outcome == "answer" and "42万平方米" in answer.text, (answer.outcome, answer.text)
    _declined(industry, "锡山芯谷产业园二期建筑面积有多大？", "42万", "phase 1")
    # a project built in phases whose sums name none: the whole project's, no phase's
    _declined(industry, "恒锂金坛项目一期要投多少钱？", "120亿", "whole project")


def test_a_sum_of_a_named_thing_is_answered_by_a_sentence_that_names_it(industry):
    """"一年能给地方交多少税?" asks a sum of tax (after 多少): the project's own article's "年纳税约
    9.5亿元" leads, not its "总投资120亿元" nor the look-alike Yibin project's 10.2亿; 奖补 is no award."""
    answer = industry.ask("恒锂在金坛的电池项目全部建好以后，一年能给地方交多少税？")
    assert answer.outcome == "answer" and "9.5亿" in answer.text and "10.2亿" not in answer.text, answer.text
    answer = industry.ask("赣州经开区2024年一共给企业兑现了多少奖补资金？")
    assert answer.outcome == "answer" and "7.2亿" in answer.text, (answer.outcome, answer.text)


TWO_CITIES = """成都重庆两地同日发布影视产业扶持政策

2025-03-01

3月1日,成都市和重庆市分别召开新闻发布会,发布新一轮影视产业扶持政策。

成都市发布的政策提出,每年安排影视产业专项资金2亿元,对在蓉拍摄的电影按投资额的20%给予资助,单个项目最高500万元。

重庆市发布的政策提出,每年安排影视产业专项资金1.5亿元,对在渝拍摄的电影按投资额的15%给予资助,单个项目最高400万元。

两地还将共建川渝影视拍摄基地联盟,推动取景地资源共享。
"""


@pytest.fixture(scope="module")
def two_cities(tmp_path_factory, e5_backend):
    written = tmp_path_factory.mktemp("two-cities")
    (written / "policies.txt").write_text(TWO_CITIES, encoding="utf-8")
    engine, index = _engine(tmp_path_factory, e5_backend, ("policies.txt",), written)
    yield engine
    index.close()


@pytest.mark.parametrize("question, pid, figure", [
    ("重庆每年安排多少影视产业专项资金?", "#p03", "1.5亿"),
    ("重庆对电影按投资额的多少给予资助?", "#p03", "15%"),
    ("成都单个项目最高资助多少?", "#p02", "500万"),
])
def test_under_a_headline_naming_both_cities_the_asked_citys_paragraph_leads(two_cities, question, pid, figure):
    """One article, headlined with both cities, a paragraph for each: the asked city's leads the
    learned fusion and the final ranking, and gives the answer. Weights fitted on the news sets
    without sign limits (`ent` -3.1, `ent_doc` +3.2) fused Chengdu's paragraph first for the
    Chongqing questions (the re-reading put it right; the fusion should not need that)."""
    ranked = two_cities.retriever.retrieve(question, k=3)
    assert max(ranked.fused, key=ranked.fused.get).endswith(pid), ranked.fused
    assert ranked.hits[0].pair.id.endswith(pid), [h.pair.id for h in ranked.hits]
    answer = two_cities.ask(question)
    assert answer.outcome == "answer" and figure in answer.text, (answer.outcome, answer.text)
