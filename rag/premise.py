"""What the sources say instead of a question's premise: the other year, figure or name a
sentence states where the question names one ("大会在重庆举行" vs "大会在成都举行" → 成都), used by
the verifier to correct a false premise rather than answer or abstain (`verify._decide`)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .records import ParagraphPair
from .extract import FEATURES as READING_FEATURES, choose, is_list_question
from .text import CJK, EN_STARTERS, EN_STOP, is_chinese, pos_tags, quantities, question_parts, zh_names
from .text.tokens import merged_with
from .text.answer_types import STATED_YEAR, TYPED_TYPES, answers_typed, asked_attribute, states_attribute
from .text.answer_types import facts as facts_of
from .text.constraints import PERIOD, Constraints, phases, states

if TYPE_CHECKING:
    from .extract import Reading
    from .retrieve import Candidates


def held_in(question: str, place: str) -> bool:
    """Whether the question says an event was held in `place` ("在重庆举办", "于成都召开")."""
    i = question.find(place)
    after = question[i + len(place):i + len(place) + 2]
    return i > 0 and question[i - 1] in "在于" and len(merged_with(after)) > 1


def aligned_conflict(question: str, entity: str, sentences: list[str]) -> str:
    """What a sentence states in the slot where the question names `entity`: the question's
    words right before and after it, found around something else in the sentence
    ("大会在重庆举行" vs "大会在成都举行" → 成都; "held in Chongqing" vs "held in Chengdu")."""
    i = question.find(entity)
    if i < 0:
        return ""
    zh = bool(CJK.search(entity))
    if zh:
        left, right = question[max(0, i - 2):i], question[i + len(entity):i + len(entity) + 2]
        slot = r"([\u4e00-\u9fff]{2,8}?)"
    else:
        before = question[:i].split()[-2:]
        if all(w.lower() in EN_STOP for w in before):
            return ""       # "the director of the X": "of the" is around any name of any sentence
        after = [w.strip("?.!,") for w in question[i + len(entity):].split()[:1]]
        left, right = " ".join(before) + " ", (" " + after[0]) if after and after[0] else ""
        slot = r"([A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3})"
    right = re.sub(r"[?？。!！,，]", "", right)
    if not left.strip():
        return ""
    patterns = [re.compile(f"(?i:{re.escape(left)})" + slot + (f"(?i:{re.escape(right)})" if right else ""))]
    if zh and left[-1] in "在于" and right:
        # "是在重庆举办的吗?" of "大会在成都举行": the preposition alone, the verb as any word of
        # its merged class
        verbs = "|".join(map(re.escape, merged_with(right)))
        patterns.append(re.compile(re.escape(left[-1]) + slot + f"(?:{verbs})"))
    for sentence in sentences:
        names = zh_names(sentence) if zh else set()
        for m in (m for pattern in patterns for m in pattern.finditer(sentence)):
            stated = m.group(1)
            # a name in the slot, not any words there ("在第二届西部" is no place, "Much of …"
            # no name)
            if zh and stated not in names or not zh and stated.split()[0].lower() in EN_STARTERS:
                continue
            if stated and not states(stated, entity) and not states(entity, stated):
                return stated
    return ""


def places_seen(cons: Constraints, sentences: dict) -> list[str]:
    """The question's English names the candidate sentences use as places ("convened in
    Chengdu"): English has no place list, the sources say which names are places."""
    wanted = [e for e, _ in cons.entities if not CJK.search(e)]
    if not wanted:
        return []
    places = {p.lower() for group in sentences.values() for s in group if s.lang == "en"
              for p in s.facts.get("place", ())}
    return [e for e in wanted if e.lower() in places]


def conflict(cons: Constraints, top: "Reading", pair: ParagraphPair | None, ent: list[str], num: list[float],
              years: list[str], dated: str = "", paragraph: tuple = (), places: list[str] = ()) -> tuple[str, str] | None:
    """(asked, stated) when the best sentence states, in the place of a constraint the
    question names, something else of the same kind; for a figure asked of a name, the best
    sentence's paragraph when the sentence names nothing ("省级财政每年统筹安排4亿元…" is about
    the 浙江省 its paragraph names, not the 湖南省 asked about)."""
    if pair is None:
        return None
    sentence = top.sentence.text
    facts = top.sentence.facts
    # what the source states instead must not be something the question names itself
    # ("在2024年大会上发布的、从2025年开始的措施" is not contradicted by "自2025年起")
    if years:
        stated = [y for y in STATED_YEAR.findall(sentence) or STATED_YEAR.findall(pair.both)
                  or STATED_YEAR.findall(dated) if y not in cons.years]
        if stated:
            return years[0], stated[0]
    # a number: not when the question asks for one (the sentence's number is then its answer:
    # "How old was Manning in Super Bowl 50?" → 39), and only one of the same order of magnitude
    # (a premise gets a figure wrong, 5亿 for 3亿; "15世纪" is not contradicted by "1455")
    if num and cons.qtype not in TYPED_TYPES:
        stated = [q.written for q in quantities(sentence) if q.written != 1.0 and q.written not in cons.numbers
                  and num[0] and 0.1 <= q.written / num[0] <= 10]
        if stated:
            return fmt(num[0]), fmt(stated[0])
    elif num:
        # a question that asks for a number may still get another wrong, when that one is a sum
        # or a share ("四川每年5亿元的专项资金中广电视听占多少?" vs 3亿元): a sentence's sum of the
        # same kind is then no answer to find but the premise's own figure
        premise = [q for q in quantities(cons.question) if q.written in num and (q.value != q.written or q.percent)]
        stated = [q.written for q in quantities(sentence) for a in premise[:1]
                  if (q.value != q.written) == (a.value != a.written) and q.percent == a.percent
                  and q.value != a.value and a.value and 0.1 <= q.value / a.value <= 10]
        if stated:
            return fmt(premise[0].written), fmt(stated[0])
    named = [e for e, _ in cons.entities]
    asked_kinds = facts_of(cons.question) if cons.question else {}
    if places:
        asked_kinds = {**asked_kinds, "place": [*asked_kinds.get("place", ()), *places]}
    for entity in ent:
        around = f"{pair.zh or ''}\n{pair.en or ''}\n{dated}"
        stated = _other_name(cons, entity, facts, named, asked_kinds, sentence, around)
        if not stated and cons.qtype in TYPED_TYPES and any(entity in asked_kinds.get(k, ()) for k in ("place", "org")):
            # only for a figure asked of a place or an organisation (the wrong-entity question:
            # "重庆的资金是多少?"); a name in a "who / which" question is often an adjective
            # ("哪位欧洲新教领袖") and English capitalised words ("Earth") say too little
            same_side = [x for x in paragraph if x.lang == top.sentence.lang]
            stated = _other_name(cons, entity, _merged([x.facts for x in same_side]), named,
                                 {k: v for k, v in asked_kinds.items() if k in ("place", "org")},
                                 "".join(x.text for x in same_side), around)
        if stated:
            return entity, stated
    return None


_COMPANY = re.compile(r"(?:有限公司|股份公司|公司|集团)$")


def in_own_right(places, facts: dict, text: str) -> list[str]:
    """The places a sentence names other than inside a company's name (之江 of 之江数字影视有限公司,
    长安 of 长安视界文化有限公司 are brands, not where anything is)."""
    companies = [o for o in facts.get("org", ()) if _COMPANY.search(o)]
    out = []
    for place in places:
        spans = [m.start() for m in re.finditer(re.escape(place), text)]
        inside = [any(c in text and text.find(c) <= at < text.find(c) + len(c) and place in c for c in companies)
                  for at in spans]
        if not spans or not all(inside):
            out.append(place)
    return out


def _merged(all_facts: list[dict]) -> dict:
    out: dict = {}
    for f in all_facts:
        for kind, items in f.items():
            out.setdefault(kind, []).extend(i for i in items if i not in out.get(kind, []))
    return out


def _other_name(cons: Constraints, entity: str, facts: dict, named: list[str], asked_kinds: dict,
                text: str = "", around: str = "") -> str:
    """A name in `facts` of the same kind as the asked `entity` (a place for a place: "四川省" is
    not contradicted by the organisation "许可", when the question's own tags say which), and
    not one the question names; no place inside a company's name in `text`."""
    kind = next(k for e, k in cons.entities if e == entity)
    if kind == "term":          # a currency or a measure ("GDP") is no body another is named instead of
        return ""
    if text:
        facts = {**facts, "place": in_own_right(facts.get("place", ()), facts, text)}
    same = [k for k in ("place", "org", "person") if any(n == entity or states(n, entity)
                                                        for n in asked_kinds.get(k, ()))]
    pool = [p for k in same for p in facts.get(k, [])] if same else (
        (facts.get("place", []) + facts.get("org", []) + facts.get("person", [])) if kind in ("zh", "name")
        else facts.get(kind, []) + facts.get("place", []))
    # (nor a region or a kind of zone, nor a district named with the asked place: "新区" of
    # "成都东部新区", "锡山区" of "无锡市锡山经济技术开发区")
    others = [p for p in pool if p and not states(p, entity) and not states(entity, p)
              and not any(states(p, e) or states(e, p) for e in named)
              and not _GENERIC_PLACE.match(p) and not within(entity, p, text + "\n" + around)]
    if text and same == ["place"]:      # the first place the text names (tags come grouped, not in order)
        others.sort(key=lambda p: text.find(p) if p in text else len(text))
    return others[0] if others else ""


def fmt(value: float) -> str:
    """A figure as a question writes it (3, not 3.0)."""
    return str(int(value)) if float(value).is_integer() else str(value)


def attributed_other(cons: Constraints, shown: list["Reading"], pairs: dict[str, ParagraphPair],
                     sentences: dict, headers: dict | None = None,
                     spelled: dict[str, str] | None = None) -> tuple[str, str] | None:
    """(asked place, other place) when the lead's paragraph does not name a place the question
    asks about and the lead sentence is about another one: its own place, else the nearest one its
    paragraph named before it ("省广电局推出…工作机制" follows "四川省广播电视局…介绍": asked of 重庆,
    it is 四川's). Chinese places by the question's own tags, English ones by how the sources use
    them ("Sichuan Provincial Bureau" speaks for Sichuan). A name sharing a character with the
    asked one (成渝 / 川渝, 成都 / 成渝) may be its alias: no conflict."""
    if not shown:
        return None
    # a Chinese place the question names, or the Chinese name an English word of it spells
    # (`with_aliases`: "Chengdu's …" of Chinese-only news is asked of 成都)
    # (`spelled`: an English name whose Chinese one the lead's paragraph says is named there,
    # whatever its translation left out)
    asked_zh = [e for e, _ in cons.entities if CJK.search(e)
                and (e not in cons.question or any(e == p or states(p, e) for p in facts_of(cons.question).get("place", ())))]
    # not a place the asked-for thing is described by ("哪位欧洲新教领袖…", "Which European …")
    asked = [e for e in asked_zh + places_seen(cons, sentences)
             if not _WHICH_BEFORE.search(cons.question[:max(0, cons.question.find(e))])]
    known = {p for group in sentences.values() for s in group if s.lang == "en" for p in s.facts.get("place", ())}
    top = shown[0]
    title = (headers or {}).get(pairs[top.pair_id].doc, "") if top.pair_id in pairs else ""
    for entity in asked:
        zh = bool(CJK.search(entity))
        # (the lead's paragraph: a second shown sentence naming the place in passing — "Chongqing
        # Micro-Drama … Park" in a list — does not make the lead, "Sichuan has promoted…", its)
        sides = [pairs[r.pair_id].zh if zh else pairs[r.pair_id].en for r in shown[:1] if r.pair_id in pairs]
        if not all(sides) or any(states(entity, side) for side in sides) or headline_is_about(entity, title):
            continue
        if not zh and (spelled or {}).get(entity) and any(states(spelled[entity], pairs[r.pair_id].zh or "")
                                                        for r in shown[:1] if r.pair_id in pairs):
            continue
        walk = [s for s in sentences.get(top.pair_id, ()) if (s.lang == "zh") == zh]
        if top.sentence.lang == ("zh" if zh else "en"):
            walk = [s for s in walk if s.position <= top.sentence.position][::-1]
        # the nearest sentence that names a place says whose it is
        first = next((places[0] for s in walk for places in [_places(s, known)] if places), "")
        if not first and zh:
            # a news paragraph leaves its city to the headline ("…大会在成都开幕")
            first = next(iter(sorted((p for p in facts_of(title).get("place", ()) if p in title), key=title.find)), "")
        # (a district of the asked place, named with it in the paragraph or the headline, is its)
        if first and not (states(first, entity) or states(entity, first) or (zh and set(first) & set(entity))
                          or any(states(first, e) or states(e, first) for e, _ in cons.entities)
                          or nested(entity, first, pairs[top.pair_id].both + "\n" + title)):
            return entity, first
    return None


# a sum or a share: the kinds the reader's facts hold every figure of (a count like 3100余部 is
# not among them, so "how many" is not judged by whose figures the sentence's are)
_FIGURE_KINDS = {"money": ("money",), "percent": ("percent",)}


def figure_of_other(cons: Constraints, shown: list["Reading"]) -> tuple[str, str] | None:
    """(asked place, other place) when the shown Chinese sentence names the asked place but every
    figure of the asked kind in it follows another place: "分省份看，…广东省票房达9.1亿元，…江苏、
    浙江分列第二、第三位" gives 广东省's box office, not 浙江's."""
    kinds = _FIGURE_KINDS.get(cons.qtype)
    if not kinds or not shown or shown[0].sentence.lang != "zh":
        return None
    text, facts = shown[0].sentence.text, shown[0].sentence.facts
    asked_places = facts_of(cons.question).get("place", ())
    asked = [e for e, _ in cons.entities if CJK.search(e) and any(e == p or states(p, e) for p in asked_places)]
    places = [p for p in facts.get("place", ()) if p in text]
    figures = [f for k in kinds for f in facts.get(k, ()) if f in text]
    for entity in asked:
        if not figures or not states(entity, text):
            continue
        owners = set()
        for figure in figures:
            at = text.find(figure)
            # the asked place is a candidate owner too (浙江 of 浙江省广播电视局 is no tagged place),
            # and a place right after it is part of its name (曲江新区, 成都高新区)
            before = [(i, p) for p in [*places, entity] for i in [text.rfind(p, 0, at)]
                      if i >= 0 and not (p != entity and (within(entity, p, text[max(0, i - len(entity) - 4):i + len(p)])
                                                          or _GENERIC_PLACE.match(p)))]
            owners.add(max(before)[1] if before else "")
        if "" in owners or any(states(o, entity) or states(entity, o) or set(o) & set(entity) for o in owners):
            continue
        return entity, sorted(owners, key=text.find)[0]
    return None


def on_asked_place(chosen: list["Reading"], readings: list["Reading"], question: str, c: "Candidates",
                   policy: dict) -> list["Reading"]:
    """The sentences to show when those chosen are another place's (`attributed_other`): the
    best from paragraphs that name the asked place (text or headline), if the best of them comes
    within `typed_ratio` of the chosen one's probability (the reader's fitted ratio for an
    on-topic sentence over a better-matching one: "曲江基地共有几个摄影棚?" is answered from the
    曲江 article's 16, not the 两江 base's 24); else the chosen ones (the verifier then says
    whose they are). A list question is led by a paragraph naming what it asks about
    (`_naming_first`)."""
    ratio = policy.get("typed_ratio")
    if not ratio or not chosen:
        return chosen
    cons = c.constraints_of(question)
    if cons.qtype not in TYPED_TYPES:
        return _naming_first(chosen, readings, question, c, cons, ratio)
    # (the article a headline names, then whose place: a place the checks know is judged below)
    chosen = _titled_article(chosen[0], readings, c, question, cons, policy) or chosen
    zh = is_chinese(question)
    wanted = set(cons.phases)
    attribute = asked_attribute(question) if zh and cons.qtype in ("quantity", "money", "percent") else ""
    # a value asked of a phase ("一期建筑面积有多大?": "其中一期总建筑面积42万平方米", not the park's
    # "规划面积2.1平方公里" before it), or a sum of a named thing ("一年能给地方交多少税?": "年纳税约
    # 10.2亿元", not the lead's "总投资120亿元"): a sentence that names it leads
    for said in ([lambda s: bool(phases(s.text) & wanted)] if wanted else []) + (
            [lambda s: s.lang == "zh" and states_attribute(attribute, s.text)] if attribute else []):
        if not said(chosen[0].sentence):
            alt = _naming_lead(said, chosen[0], readings, c, question, cons, policy, ratio)
            if alt:
                return alt
    # a value asked of a place
    other = attributed_other(cons, chosen, c.pairs, c.sentences, c.headers, getattr(c, "spelled", {}))
    if not other:
        return chosen
    naming = [r for r in readings if r.pair_id in c.pairs and states(other[0], c.titled(c.pairs[r.pair_id]))]
    # of those, one that speaks of the thing a sum is of ("两江新区…一年能贡献多少税收?" is answered by
    # 两江's "年税收约33亿元", not its "总投资246亿元", which would be declined for want of it): when it
    # comes within the ratio of the best naming sentence, or says as much of the question as the
    # chosen one ("28个签约项目全部达产后…年税收约33亿元" for 两江 as "24个…年税收约31亿元" for 成都)
    alt = choose(naming, question, policy) if naming else []
    of_it = [r for r in naming if attribute and states_attribute(attribute, r.sentence.text)]
    best_of_it = choose(of_it, question, policy) if of_it else []
    if best_of_it and (alt and best_of_it[0].prob >= ratio * alt[0].prob and alt[0].prob >= ratio * chosen[0].prob
                       or best_of_it[0].x[_COV] >= chosen[0].x[_COV]):
        alt = best_of_it
    elif not alt or alt[0].prob < ratio * chosen[0].prob:
        return chosen
    # only a sentence that gives what is asked ("820部作品入围" is no area of a base in 亩)
    lead = alt[0].sentence
    return alt if answers_typed(question, cons.qtype, lead.text, lead.facts, (lead.lang == "zh") == zh) else chosen


_COV = READING_FEATURES.index("cov")       # the reader's question coverage of a sentence


def of_the_asked_article(shown: list["Reading"], c: "Candidates | None", question: str) -> list["Reading"]:
    """An answer led by a sentence whose article names all the question's names shows no
    sentence of another article that does not: "南昌九龙湖体育中心的雨水回收系统一年能省多少水?"
    is not answered with 郑州龙湖's figure beside 南昌's lead. Only what is shown: the verifier
    read them all (another place's sentence is how it tells an unanswerable question). Not for
    a question of several parts or a list: each part may be another article's ("恒锂落户金坛的
    项目和锐能落户宜宾的项目…分别多少?", whose 恒锂 and 金坛 no check knows as names)."""
    if c is None or len(shown) < 2 or question_parts(question) or is_list_question(question):
        return shown
    names = [e for e, _ in c.constraints_of(question).entities]
    if not names or not c.names_all(shown[0].pair_id, names):
        return shown
    return [shown[0], *(r for r in shown[1:] if _same_article(r, shown[0], c) or c.names_all(r.pair_id, names))]


def _same_article(a: "Reading", b: "Reading", c: "Candidates") -> bool:
    return a.pair_id in c.pairs and b.pair_id in c.pairs and c.pairs[a.pair_id].doc == c.pairs[b.pair_id].doc


def _titled_article(chosen: "Reading", readings: list["Reading"], c: "Candidates", question: str,
                    cons: Constraints, policy: dict) -> list["Reading"]:
    """The sentences of the article whose headline names more of the question's words than the
    chosen sentence's article (and paragraph) do, when one of its sentences gives what is asked:
    news headlines name the project, the company and the place ("恒锂…项目签约金坛"), and a name
    jieba does not know as one (恒锂, 金坛) is no constraint the checks read — "恒锂在金坛的电池项目
    …一年能给地方交多少税?" was answered from the look-alike Yibin project's paragraph. [] else."""
    headers = c.headers or {}
    if not headers or chosen.pair_id not in c.pairs:
        return []
    docs = sorted({c.pairs[r.pair_id].doc for r in readings if r.pair_id in c.pairs})
    mine = c.pairs[chosen.pair_id].doc
    # the question's names of an article: words one or two of the candidates' headlines say,
    # and that the chosen sentence's article says nowhere (its headline, its paragraphs here)
    told = "\n".join([headers.get(mine, "")] + [p.both for p in c.pairs.values() if p.doc == mine])
    # (names the checks know — 重庆, 四川省广播电视局 — are theirs: asked of 重庆, an answer only
    # another place's article gives is declined there, not looked for in 重庆's)
    # (Chinese questions only: an English one's names by the pinyin they spell — "Hengli" → 恒锂 —
    # moved one English question to its article but lost the declines of two, whose article
    # lacks the asked thing and whose English attribute no check reads: tried, dropped)
    known = {e for e, _ in cons.entities}
    terms = {t for t in c.terms if len(t) >= 2 and CJK.search(t) and t not in told
             and not any(t in e or e in t for e in known) and _noun(t)
             and 1 <= sum(t in headers.get(d, "") for d in docs) <= 2}
    named = {d: {t for t in terms if t in headers.get(d, "")} for d in docs}
    most = max((len(n) for n in named.values()), default=0)
    best = {d for d in docs if len(named[d]) == most}
    if not most or mine in best:
        return []
    # (two articles may name as much — a park's 2023 and 2024 reports: the best sentence of either)
    zh = is_chinese(question)
    own = [r for r in readings if r.pair_id in c.pairs and c.pairs[r.pair_id].doc in best and answers_typed(
        question, cons.qtype, r.sentence.text, r.sentence.facts, (r.sentence.lang == "zh") == zh)]
    return choose(own, question, policy) if own else []


def _noun(term: str) -> bool:
    """A word that may name something (jieba: a noun or a name), not a verb like 举行."""
    tags = pos_tags(term)
    return bool(tags) and all(flag.startswith("n") for _, flag in tags)


def _naming_lead(said, chosen: "Reading", readings: list["Reading"], c: "Candidates", question: str,
                 cons: Constraints, policy: dict, ratio: float) -> list["Reading"]:
    """The sentences to show instead of the chosen one, which misses what `said` checks: the best
    that meets it and gives what is asked, of the chosen one's article first, when it may lead
    (`_may_lead`); [] else."""
    zh = is_chinese(question)
    meeting = [r for r in readings if said(r.sentence) and answers_typed(
        question, cons.qtype, r.sentence.text, r.sentence.facts, (r.sentence.lang == "zh") == zh)]
    alt = _own_first(meeting, chosen, c, question, policy)
    return alt if alt and _may_lead(alt[0], chosen, c, cons, ratio) else []


def _own_first(readings: list["Reading"], chosen: "Reading", c: "Candidates", question: str, policy: dict) -> list["Reading"]:
    """`choose` over the readings of the chosen sentence's article when it has any, else over all."""
    own = [r for r in readings if _same_article(r, chosen, c)]
    return choose(own or readings, question, policy) if readings else []


def _may_lead(alt: "Reading", chosen: "Reading", c: "Candidates", cons: Constraints, ratio: float) -> bool:
    """Whether a sentence that meets a constraint the chosen one misses may lead instead: one of
    the chosen one's article, or one within the ratio whose paragraph (with its headline) names
    all the question names — a look-alike article's "年纳税约10.2亿元" is no answer for 金坛's."""
    if _same_article(alt, chosen, c):
        return True
    names = [e for e, _ in cons.entities]
    return alt.prob >= ratio * chosen.prob and alt.pair_id in c.pairs and all(
        states(e, c.titled(c.pairs[alt.pair_id])) for e in names)


def _naming_first(chosen: list["Reading"], readings: list["Reading"], question: str, c: "Candidates",
                  cons: Constraints, ratio: float) -> list["Reading"]:
    """A list question ("重庆出台了哪些影视扶持政策?") whose lead sentence comes from a paragraph
    that never names what it asks about (川渝's "政策矩阵" sentence): a chosen sentence from one
    that names it all leads, else the best such sentence, if it comes within `ratio` of the
    chosen one. Only a list question: a why-question about the Sichuan bureau and Chongqing's
    rules is a premise to correct from the sentence that matched; an English one about
    "Chengdu" is answered by a paragraph whose English side says "Sichuan" and whose Chinese
    side says 成都."""
    names = [e for e, _ in cons.entities] if is_list_question(question) else []

    def naming(r: "Reading") -> bool:
        return c.names_all(r.pair_id, names)
    if not names or naming(chosen[0]):
        return chosen
    if any(naming(r) for r in chosen):
        return [r for r in chosen if naming(r)] + [r for r in chosen if not naming(r)]
    alt = choose([r for r in readings if naming(r)], question, {})
    if not alt or alt[0].prob < ratio * chosen[0].prob:
        return chosen
    return [alt[0], *chosen]


_WHICH_BEFORE = re.compile(r"(哪[位个些家所座一]?|什么|(?i:\bwhich|\bwhat))\s*$")


def other_period(cons: Constraints, lead: "Reading | None", titled: str) -> tuple[str, str] | None:
    """(asked season, other season) when the paragraph the answer leads with (with its headline)
    names another box-office season and not the asked one ("2023年国庆档的平均票价?" is not
    answered by "2024年春节档平均票价为48.6元")."""
    if lead is None or len(cons.periods) != 1:       # two seasons asked: each from its own paragraph
        return None
    seen = [m.group(0) for m in PERIOD.finditer(titled)]
    for period in cons.periods:
        others = [p for p in seen if p != period]
        if period not in seen and others:
            return period, others[0]
    return None


def headline_is_about(entity: str, headline: str) -> bool:
    """Whether an article's headline names a Chinese place and no other ("曲江微短剧拍摄基地启动运营"
    for 曲江): its paragraphs are about that place whatever else they name (西安, a company's
    长安 or 重庆). A district of it named with it is no other ("成都东部新区…" is about 成都)."""
    return bool(CJK.search(entity)) and states(entity, headline) and not (
        {p for p in facts_of(headline).get("place", ()) if not nested(entity, p, headline)} - {entity})


# a region or a kind of zone, not a place a figure belongs to ("主要为西南地区整车企业配套", "新区")
_GENERIC_PLACE = re.compile(r"^(?:(?:东|西|南|北|中|华东|华南|华北|华中|西南|西北|东北|东南|中西)部?地区|"
                            r"(?:新|高新|开发|经开|园|城|市|全|本|该|辖)区|全市|本市|全省|本省|当地)$")


def nested(a: str, b: str, text: str) -> bool:
    """Whether `text` names one of the two places as part of the other ("重庆两江新区": 两江 of 重庆)."""
    return within(a, b, text) or within(b, a, text)


def within(entity: str, place: str, text: str) -> bool:
    """Whether `text` names `place` as part of `entity` ("成都东部新区", "宜宾市三江新区", "无锡市锡山
    经济技术开发区" for 锡山区): the asked place, a few characters, then the other."""
    head = place[:-1] if len(place) >= 3 and place[-1] in "区县市镇" else place
    return bool(CJK.search(entity)) and bool(re.search(re.escape(entity) + r"[\u4e00-\u9fff]{0,4}?" + re.escape(head), text))


def _places(sentence, known: set[str]) -> list[str]:
    """The places a sentence names, in the order it names them; in English also a known place
    that begins an organisation's name ("Sichuan Provincial Bureau of …")."""
    text = sentence.text
    found = in_own_right(sentence.facts.get("place", ()), sentence.facts, text)
    if sentence.lang == "en":
        for name in (*sentence.facts.get("org", ()), *sentence.facts.get("person", ())):
            found += [p for p in known if name.startswith(p + " ")]
    found = [p for p in dict.fromkeys(found) if p in text and not _GENERIC_PLACE.match(p)]
    return sorted(found, key=text.find)
