"""Checking an answer against its sources before it is shown.

`verify` decides, from evidence, one of three outcomes for a question:

- **answer** — the question's constraints (names, places, organisations, titles, numbers,
  years) are met by the paragraphs the answer quotes, on either language side, and the
  evidence is strong enough;
- **correct** — the best-matching sentence matches what the question asks about, but a
  constraint conflicts: the question names 重庆 where the sentence names 四川, 5亿 where it
  says 3亿, a year the sources do not cover. The answer then says what the source states
  (quoting and citing it), or, for a value of an entity the sources never give, that they
  give it only for the other entity;
- **abstain** — the evidence is weak or the question's key constraints are met nowhere in the
  top paragraphs.

The evidence score is a logistic model over features of the retrieval, the best sentences
and the constraint checks, fitted by `python -m rag.eval.fit` on the XQuAD training split
(unanswerable = gold paragraph withheld) plus the seed eval set's training folds; its
thresholds live in rag/data/weights.json.

`check_sentences` runs the offline support judge on every sentence of an LLM answer against
the paragraphs that sentence cites: an unsupported sentence is marked, never presented as
grounded.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .citations import AnswerSentence
from .evidence import (NOT_YET, abbreviations, listed_without_figure, names_a_person, only_jointly, only_listed, role_said,
                       unattributed_cause)
from .judge import OfflineJudge
from .premise import (aligned_conflict, attributed_other, conflict, figure_of_other, fmt, headline_is_about, held_in,
                      on_asked_place, other_period, places_seen)
from .records import ParagraphPair
from .regime import FEW
from .retrieve import VERIFIER_READS
from .extract import FEATURES as READING_FEATURES, choose, is_list_question
from .text import CJK, is_chinese, quantities, question_parts, tokenize
from .text.numbers import numbers
from .text.answer_types import (STATED_YEAR, TYPED_TYPES, answers_typed, asked_attribute, asked_role, asks_actual,
                                 asks_clock, asks_locality, asks_person, asks_theme, asks_venue, asks_work_title,
                                 asks_year, counted_unit, counts_other_zh, forecasts, gives_type, names_locality,
                                 names_venue, offers, states_attribute, states_clock, states_count, states_theme,
                                 states_year, zh_count_form)
from .text.constraints import (LEVELS, NEXT, PREVIOUS_SAID, Constraints, edition_count, editions, figure_phases,
                               levels, national_only, phases, places_asked, states)

if TYPE_CHECKING:
    from .extract import Reading
    from .retrieve import Candidates, Hit

_JUDGE = OfflineJudge()

# Only features that mean the same on any corpus: how well the best sentence and paragraph
# match the question. Margins over the runner-up (fusion's, the reader's) were dropped: on a
# corpus of one article every paragraph is on topic and margins are small for answerable
# questions too, so a model fitted on XQuAD's margins abstained on plain seed paraphrases.
FEATURES = ("top_score", "sent_e5", "sent_use", "cov_sent", "cov_para", "cov_top3",
            "rare_hit", "ent_n", "ent_missing_top3", "ent_missing_para", "num_missing", "year_missing",
            "typed_match", "typed_question", "conflict", "unseen")
# The direction each feature may push P(answerable) (fit.py drops a feature whose fitted
# weight comes out the other way): more evidence never argues for abstaining, a missing name,
# number or question word never for answering. On XQuAD's withheld-paragraph questions some
# of these flip (e.g. "unseen" rises with answerable paraphrases) and the flip does not carry
# over to other corpora. Unsigned: cov_sent (echoing the question), ent_n, typed_question, conflict.
SIGNS = {"top_score": 1, "sent_e5": 1, "sent_use": 1, "cov_para": 1, "cov_top3": 1, "rare_hit": 1,
         "typed_match": 1, "ent_missing_top3": -1, "ent_missing_para": -1, "num_missing": -1,
         "year_missing": -1, "unseen": -1}

def _titles(c: "Candidates", pairs: list[ParagraphPair]) -> str:
    """The title and date lines of the pairs' documents, once each: the context a paragraph
    leaves out (a news paragraph says "今年"; XQuAD's "Super Bowl 50" is only its title)."""
    headers = c.headers or {}
    return "\n".join(headers.get(doc, "") for doc in dict.fromkeys(p.doc for p in pairs))


def _named_scope(c: "Candidates", hits: list["Hit"], cons: Constraints) -> str:
    """The text of the top three paragraphs with a Chinese side that name all the question's
    names, in their text or their article's title; of the best one when none does ("" when
    none has a Chinese side: phases and awards are looked for in Chinese only)."""
    pairs = [h.pair for h in hits[:VERIFIER_READS] if h.pair.zh]
    if not pairs:
        return ""
    names = [e for e, _ in cons.entities]
    texts = {p.id: c.titled(p) for p in pairs}
    named = [p for p in pairs if all(states(e, texts[p.id]) for e in names)] or pairs[:1]
    return "\n".join(texts[p.id] for p in named)


def _side(pair: ParagraphPair, entity: str) -> str:
    """The side of a pair written in the entity's script ("" when the pair has none)."""
    return (pair.zh if CJK.search(entity) else pair.en) or ""


def missing(c: Constraints, text: str) -> tuple[list[str], list[float], list[str]]:
    """The question's entities, numbers and years that `text` does not state."""
    have = {q.written for q in quantities(text)} | {q.value for q in quantities(text)}
    return ([e for e, _ in c.entities if not states(e, text)], [n for n in c.numbers if n not in have],
            [y for y in c.years if y not in text])


# ---------------------------------------------------------------- the verdict -------------
@dataclass
class Verdict:
    outcome: str                      # answer | correct | abstain
    score: float                      # P(the sources answer it), from the fitted model
    reasons: list[str] = field(default_factory=list)
    asked: str = ""                   # for a correction: what the question assumed …
    stated: str = ""                  # … and what the source says instead
    evidence: "Reading | None" = None
    question: str = ""                # the question as checked (its focus)
    llm_floor: float = 0.0            # the deciding model's floor: below it, abstain even before an LLM
    not_for: bool = False             # a correction that quotes nothing: the sources give the asked value only
                                      # for another entity ("no figure for 重庆; the closest is about 四川省")
    answers_too: bool = False         # a correction of a detail (a year, a figure, "在福州闭幕时"): the
                                      # answer's sentences follow it
    shown: list["Reading"] | None = None  # a multi-part question answered in part: the answered parts' sentences …
    unanswered: list[str] = field(default_factory=list)   # … and the parts the sources don't answer

    def to_dict(self) -> dict:
        return {"outcome": self.outcome, "score": round(self.score, 4), "reasons": self.reasons,
                "asked": self.asked, "stated": self.stated, "not_for": self.not_for, "unanswered": self.unanswered}


_COV, _XCOV = READING_FEATURES.index("cov"), READING_FEATURES.index("xcov")


def _coverage(c: "Candidates", pair_id: str) -> float:
    """The pair's share of the question's terms, in its language or (no side in it) glossed."""
    return max(c.coverage.get(pair_id, 0.0), c.gloss_coverage.get(pair_id, 0.0))


def features(c: "Candidates", hits: list["Hit"], readings: list["Reading"], fused: dict[str, float] | None = None,
             question: str | None = None, lead: "Reading | None" = None) -> tuple[np.ndarray, dict]:
    """The verifier's features, and what the constraint checks found (for the verdict), for the
    best sentence or the `lead` one an answer would quote."""
    question = question or c.focus or c.query
    cons = c.constraints_of(question)
    ordered = sorted(readings, key=lambda r: -r.score)
    top = lead or (ordered[0] if ordered else None)
    x = dict.fromkeys(FEATURES, 0.0)
    info: dict = {"constraints": cons, "top": top, "conflict": None, "cross": False, "unseen_terms": c.unseen,
                  "pairs": c.pairs, "titled": c.titled, "aliases": getattr(c, "aliases", {})}
    if top is None or not hits:
        return np.array([x[f] for f in FEATURES]), info
    x["top_score"] = top.score
    e5, use = c.similarity.get((top.sentence.pair_id, top.sentence.lang, top.sentence.position), (0.0, 0.0))
    x["sent_e5"], x["sent_use"] = e5, use
    for space in getattr(c, "absent_spaces", ()):       # another embedder: no evidence either way
        x["sent_" + space] = None
    # (a sentence or paragraph in the other language covers the question through glosses)
    x["cov_sent"] = max(top.x[_COV], top.x[_XCOV])
    by_id = {h.pair.id: h.pair for h in hits}
    read = hits[:VERIFIER_READS]         # the paragraphs checked beside the best sentence's own
    x["cov_para"] = _coverage(c, top.pair_id)
    x["cov_top3"] = max(_coverage(c, h.pair.id) for h in read)
    terms = c.terms_of(question)
    info["terms"] = terms
    if terms:
        rarest = max(sorted(terms), key=lambda t: c.idf.get(t, 0.0))     # sorted: ties broken the same in every process
        x["rare_hit"] = float(any(rarest in s.terms for h in read for s in c.sentences.get(h.pair.id, ())))
    top_pair = by_id.get(top.pair_id, hits[0].pair)
    info["cross"] = not top_pair.text(c.lang)
    # a question about several things ("A和B各自…", "…？…？") is answered from several
    # paragraphs: what it names is looked for in the best three, not the best one alone
    several = is_list_question(question) or bool(question_parts(question))
    top3 = "\n".join(h.pair.both for h in read)
    scope = [h.pair for h in read] if several else [top_pair]
    scope_text = top3 if several else top_pair.both
    ent_para, num_para, year_para = missing(cons, scope_text)
    # a year is covered by the article's date line too, when the paragraph states no year of its
    # own (a news paragraph says "今年", "10月15日"; one that says 2022 is not about 2023)
    # (each paragraph on its own: in a question about several, one paragraph's 2023 does not
    # hide that another's article is dated 2024)
    dated = _titles(c, scope)
    undated = _titles(c, [p for p in scope if not STATED_YEAR.findall(p.both)])
    year_para = [y for y in year_para if y not in undated]
    ent_top3 = ent_para if several else missing(cons, top3)[0]
    # a name is only missing from a text written in its own script ("Chengdu" is not in a
    # Chinese-only paragraph that says 成都)
    ent_para = [e for e in ent_para if _side(top_pair, e)]
    ent_top3 = [e for e in ent_top3 if any(_side(h.pair, e) for h in read)]
    # a name the translation leaves out ("…落地成都" is "…in Sichuan" in English) is there when the
    # Chinese side says the name it spells
    spelled = getattr(c, "spelled", {})
    if spelled:
        def in_zh(e: str, pair) -> bool:
            return e in spelled and bool(pair.zh) and states(spelled[e], pair.zh)
        ent_para = [e for e in ent_para if not any(in_zh(e, p) for p in scope)]
        ent_top3 = [e for e in ent_top3 if not any(in_zh(e, h.pair) for h in read)]
    # the Chinese name an English word spells (c.aliases) is where English puts it, beside the
    # event: its article's title may say it for the paragraph ("…Ludao festival in Xiamen?" of
    # 第五届鹭岛国际影像节在厦门闭幕's paragraphs)
    aliased = set(getattr(c, "aliases", {}).values())
    if aliased:
        ent_para = [e for e in ent_para if e not in aliased or not states(e, c.titled(top_pair))]
        ent_top3 = [e for e in ent_top3 if e not in aliased or not any(states(e, c.titled(h.pair)) for h in read)]
    n_ent = len(cons.entities)
    x["ent_n"] = math.log1p(n_ent)
    x["ent_missing_top3"] = len(ent_top3) / n_ent if n_ent else 0.0
    x["ent_missing_para"] = len(ent_para) / n_ent if n_ent else 0.0
    x["num_missing"] = float(bool(num_para))
    x["year_missing"] = float(bool(year_para))
    x["typed_match"] = top.x[9]
    x["typed_question"] = float(cons.qtype not in ("other", "list", "reason"))
    # a Chinese name the paragraph's headline names, alone among places, is what the paragraph
    # is about ("曲江基地二期将新增什么?" under "曲江微短剧拍摄基地启动运营": its 长安视界 is a company)
    headline = _titles(c, [top_pair])
    # nor one the best-ranked paragraph names when the sentence is another's: the reader chose
    # past it ("Who is the director of the Sichuan Provincial Bureau …?" read another body's
    # paragraph for a name; the bureau's own is first)
    best_pair = hits[0].pair if hits else top_pair
    ent_other = [e for e in ent_para if not headline_is_about(e, headline)
                 and (best_pair.id == top_pair.id or not states(e, best_pair.both))]
    info["conflict"] = conflict(cons, top, by_id.get(top.pair_id), ent_other, num_para, year_para, dated,
                                c.sentences.get(top.pair_id, ()), places_seen(cons, c.sentences) if ent_para else [])
    x["conflict"] = float(info["conflict"] is not None)
    # the question's words no passage uses ("mayor", "占地面积"): the asked-for thing may not be
    # there at all (no signal when the best paragraph has no side in the question's language)
    asked = c.terms          # question words are not among them
    if asked and not info["cross"]:
        x["unseen"] = len(c.unseen & asked) / len(asked)
    titles = "\n" + _titles(c, [h.pair for h in read])
    named = _named_scope(c, hits, cons)
    info["phased"] = bool(named and phases(named))        # the asked thing is built in phases
    info["missing"] = {"entities": ent_para, "numbers": num_para, "years": year_para, "entities_top3": ent_top3,
                       # an edition no top paragraph or its article's title names ("第一届…": the
                       # sources speak of the third); a number will do beyond the first (the
                       # article "Super Bowl 50" names 第50届); only in Chinese text ("Super
                       # Bowl XXXIII" is 第33届)
                       "editions": [e for e in cons.editions if e not in editions(top3 + titles)
                                    and (e == 1 or e not in numbers(top3 + titles))
                                    and any(h.pair.zh for h in read)],
                       # a phase ("二期计划投资多少?") the paragraphs about the asked thing don't
                       # name: the first phase's figure is no answer for the second
                       "phases": [p for p in cons.phases if named and p not in phases(named)],
                       # an award no paragraph about the asked thing names ("最佳摄影奖颁给了谁?")
                       "awards": [a for a in cons.awards if named and not all(w in named for w in a)],
                       # "Where will the next … be held?": the top paragraphs never speak of a next one
                       "next": cons.next and not NEXT.search(top3 + titles),
                       # "How many … at last year's conference?": nor of an earlier one
                       "previous": cons.previous and not PREVIOUS_SAID.search(top3 + titles),
                       # how many editions the sources say have been held (a 第五届 premise is
                       # false when they say 三届)
                       "edition_count": edition_count(top3 + titles) if cons.editions else 0}
    return np.array([np.nan if x[f] is None else x[f] for f in FEATURES]), info


def model_score(x: np.ndarray, model: dict) -> float:
    """P(answerable) from the fitted logistic model; weights, means and scales are keyed by
    feature name, so a feature the weights file does not know counts for nothing."""
    w = np.array([model["weights"].get(name, 0.0) for name in FEATURES])
    mean = np.array([model.get("mean", {}).get(name, 0.0) for name in FEATURES])
    scale = np.array([model.get("scale", {}).get(name, 1.0) or 1.0 for name in FEATURES])
    x = np.where(np.isnan(x), mean, x)          # an absent feature sits at the fitted mean
    z = float(((x - mean) / scale) @ w + model.get("bias", 0.0))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def model_for(weights: dict, lang: str, cross: bool, regime: str = FEW) -> dict:
    """The fitted model for the question's language; a question answered from a paragraph with
    no side in its language is another regime (coverage and wording signals are weaker across
    languages), with its own model "<lang>-xl" when the weights have one. A corpus's kind
    (rag/regime.py) may have thresholds of its own ("regimes"): the same score, cut where
    that kind of corpus's answerable questions put it."""
    model = (cross and weights.get(f"{lang}-xl")) or weights.get(lang) or weights.get("en") or {}
    return {**model, **model["regimes"][regime]} if regime in model.get("regimes", {}) else model


def verify(c: "Candidates", hits: list["Hit"], readings: list["Reading"], weights: dict,
           fused: dict[str, float] | None = None, margin: float = 0.0, policy: dict | None = None,
           shown: list["Reading"] | None = None) -> Verdict:
    """The verdict for a question, from the retrieval's evidence and the fitted model. The
    sentences an answer would show must carry what a typed question asks for: `shown` (the
    engine's `Retriever.chosen`), else those `extract.choose` picks under the sentence
    `policy` (weights["sentences"]), else the best two."""
    x, info = features(c, hits, readings, fused)
    question = c.focus or c.query
    model = model_for(weights, c.lang, info["cross"], c.regime)
    if not model or info["top"] is None:
        return Verdict("abstain" if info["top"] is None else "answer", 0.0 if info["top"] is None else 1.0,
                       ["no sentence to answer with"] if info["top"] is None else ["no verifier weights"],
                       evidence=info["top"], question=question)
    score = model_score(x, model)
    instead = False             # the answer quotes another sentence than the one asked for
    ordered = sorted(readings, key=lambda r: -r.score)
    if shown is None:       # as `Retriever.chosen` picks them (multi-part reads aside)
        shown = (on_asked_place(choose(readings, question, policy), readings, question, c, policy)
                 if policy is not None else ordered[:2])
    if shown and shown[0] is not info["top"]:
        # the answer leads with another sentence than the best-scoring one (a typed or on-topic
        # one, `extract.choose`, `premise.on_asked_place`): its constraints are checked, the
        # score stays the model's (fitted on the best sentence)
        _, lead = features(c, hits, readings, fused, lead=shown[0])
        info = {**info, "conflict": lead["conflict"], "missing": lead["missing"], "top": shown[0]}
    if info["conflict"] is not None and info["conflict"][0] in info["constraints"].years:
        # the lead's paragraph says another year ("2023年长沙夜间消费额占…约为41%" for a question
        # about 2024): a sentence of another best paragraph, from an article of the asked year,
        # that names what the question names and gives what it asks, answers instead
        same = _of_the_year(c, hits, readings, fused, info, question)
        if same is not None:
            shown, info, instead = [same[0]], same[1], True
    if info["conflict"] is None and shown and shown[0].pair_id in c.pairs:
        # asked of 国庆档, shown what the 春节档 article says
        other = other_period(info["constraints"], shown[0], c.titled(c.pairs[shown[0].pair_id]))
        if other:
            info = {**info, "conflict": other, "other_entity": True}
    if info["conflict"] is None:
        # asked of 重庆, shown what its paragraph says of 四川: another place's answer
        other = (attributed_other(info["constraints"], shown, c.pairs, c.sentences, c.headers,
                                  getattr(c, "spelled", {}))
                 or figure_of_other(info["constraints"], shown))
        if other:
            info = {**info, "conflict": other, "other_entity": True}
    verdict = _decide(readings, _about(shown, c, info["constraints"]), info, model, score, question, margin,
                      c.sentences)
    verdict.llm_floor = float(model.get("llm_floor", 0.0))
    if instead and verdict.outcome == "answer":
        verdict.shown = shown
    return verdict


def _of_the_year(c: "Candidates", hits: list["Hit"], readings: list["Reading"], fused: dict[str, float] | None,
                 info: dict, question: str) -> tuple["Reading", dict] | None:
    """The best sentence of another of the best three paragraphs with no conflict, no missing
    year, every name and holiday period (国庆档) of the question in its paragraph or article
    title, and what a typed question asks (its kind, count, attribute); with its checks."""
    cons = info["constraints"]
    lead = info["top"].pair_id if info["top"] is not None else ""
    best = {h.pair.id for h in hits[:VERIFIER_READS]} - {lead}
    zh = is_chinese(question)
    attribute = asked_attribute(question) if cons.qtype in ("quantity", "money", "percent") else ""
    for r in sorted((r for r in readings if r.pair_id in best), key=lambda r: -r.score):
        same_lang = (r.sentence.lang == "zh") == zh
        if not answers_typed(question, cons.qtype, r.sentence.text, r.sentence.facts, same_lang) or (
                attribute and same_lang and not states_attribute(attribute, _with_previous(r, c.sentences))):
            continue
        titled = c.titled(c.pairs[r.pair_id])
        if not all(states(e, titled) for e, _ in cons.entities) or other_period(cons, r, titled):
            continue
        _, checked = features(c, hits, readings, fused, lead=r)
        if checked["conflict"] is None and not checked["missing"]["years"]:
            return r, {**info, "conflict": None, "missing": checked["missing"], "top": r}
    return None


def _about(shown: list["Reading"], c: "Candidates", cons: Constraints) -> list["Reading"]:
    """The shown sentences from paragraphs that name what the question asks about, in their text
    or their document's title ("成都的…提高了多少?" is not answered by a figure from a paragraph
    about 四川); all of them when no shown paragraph names it (a paraphrase, not another entity).
    A paragraph with no side in a name's script is not judged on it ("Chengdu" of a Chinese-only
    paragraph that says 成都)."""
    names = [e for e, _ in cons.entities]
    named = [r for r in shown if r.pair_id in c.pairs and all(
        states(e, c.titled(c.pairs[r.pair_id])) or not _side(c.pairs[r.pair_id], e) for e in names)]
    return named or shown


def _with_previous(r: "Reading", sentences: dict) -> str:
    """A shown sentence with the one before it in its paragraph (same language)."""
    before = [s.text for s in sentences.get(r.pair_id, ()) if s.lang == r.sentence.lang
              and s.position == r.sentence.position - 1]
    return " ".join(before + [r.sentence.text])


def _decide(readings: list["Reading"], shown: list["Reading"], info: dict, model: dict, score: float, question: str,
            margin: float, sentences: dict | None = None) -> Verdict:
    """The outcome, in order: an aligned false premise; a typed question the sentences an
    answer would show don't answer (no such thing, a count of something else, an edition, a
    phase, an award or a next edition the sources don't name, no year for "which year", no
    person for a role); a conflicting value; the fitted threshold."""
    reasons = _reasons(info)
    conflict = info["conflict"]
    cons = info["constraints"]
    best_two = sorted(readings, key=lambda r: -r.score)[:2]
    absent = info.get("missing") or {}       # what the question names that the sources don't
    # where an event was held, a name the best paragraph has elsewhere may still be in the wrong
    # slot ("是在重庆举办的吗?": the Chongqing bureau's paragraph ranks first, the next says
    # 在成都举行)
    slotted = [e for e, kind in cons.entities if kind == "zh" and e not in absent.get("entities", [])
               and held_in(question, e)]
    pairs = info.get("pairs", {})

    def of_the_event(r: "Reading", entity: str) -> bool:
        # the sentence's paragraph, or its article's title, names what else the question does
        # ("之江大会是在成都举办的吗?" is not answered by the western conference's 在重庆举办)
        text = info["titled"](pairs[r.pair_id]) if r.pair_id in pairs and "titled" in info else ""
        return all(states(e, text) for e, _ in cons.entities if e != entity)
    for entity in [*absent.get("entities", []), *slotted]:
        for r in best_two:
            if entity in slotted and not of_the_event(r, entity):
                continue
            stated = aligned_conflict(question, entity, [r.sentence.text])
            if stated:          # the question's own words around another name: a false premise,
                # quoted from the sentence that states it
                return Verdict("correct", score, reasons + [f"the source says {stated}, not {entity}"], asked=entity,
                               stated=stated, evidence=r, question=question, answers_too=cons.qtype in _VALUE_TYPES)

    def declined(why: str) -> Verdict:      # a rule, not the score: P(answerable) capped at the threshold
        return Verdict("abstain", min(score, model.get("threshold", 0.5)), reasons + [why], evidence=info["top"],
                       question=question)
    initials = abbreviations(absent.get("entities_top3", []))
    if initials and conflict is None:
        # "What is the GDP of Chongqing?": an abbreviation is written the same wherever it is
        # said, and none of the best passages says it
        return declined(f"the best passages never mention {initials[0]}")
    if cons.qtype in TYPED_TYPES and conflict is None and not any(
            gives_type(cons.qtype, question, r.sentence.text, r.sentence.facts) for r in shown):
        # a "how many / how much / when" question the answer's sentences state no such thing for
        return declined(f"the best passages state no {cons.qtype} for this")
    unit = counted_unit(question) if cons.qtype == "quantity" else ""
    # a measure word or noun is looked for in sentences of its own language (an English
    # sentence has no 家); one from a paragraph with no side in that language that gives a
    # count can't be judged so ("十八只大熊猫幼崽" for "how many giant panda cubs")
    zh = is_chinese(question)
    same_lang = [r for r in shown if (r.sentence.lang == "zh") == zh]
    other_lang = [r for r in shown if r not in same_lang
                  and gives_type(cons.qtype, question, r.sentence.text, r.sentence.facts)]
    if unit and conflict is None and same_lang and not other_lang and not any(
            states_count(unit, r.sentence.text) for r in same_lang):
        # "多少家企业参展?" is not answered by "约1200名嘉宾出席", "How many people attended?" not
        # by "convened 3 iterations": a count, but not of what is asked
        return declined(f"the best passages count no {unit}")
    counted_in = zh_count_form(unit) if unit and not zh and not same_lang else ""
    if counted_in and conflict is None and counts_other_zh(counted_in, [r.sentence.text for r in shown
                                                                      if r.sentence.lang == "zh"]):
        # an English question about Chinese-only passages: "How many people attended …?" is not
        # answered by "合作项目40余个"
        return declined(f"the best passages count no {unit}")
    attribute = asked_attribute(question) if cons.qtype in ("quantity", "money", "percent") else ""
    if attribute and conflict is None and same_lang and not other_lang and not any(
            states_attribute(attribute, _with_previous(r, sentences or {})) for r in same_lang):
        # "钱塘产业园的年产值是多少?" is not answered by "一期总投资20亿元": a figure, but of another thing
        # (the sentence before may name it: "…exceed five million in population. These are …
        # at 17,786,419")
        return declined(f"the best passages give no {attribute}")
    # the sentences giving the value asked: its type, its count's unit, its attribute
    valued = [r for r in same_lang if conflict is None and cons.qtype in TYPED_TYPES
              and gives_type(cons.qtype, question, r.sentence.text, r.sentence.facts)
              and (not unit or states_count(unit, r.sentence.text))
              and (not attribute or states_attribute(attribute, r.sentence.text))]
    given = [r for r in shown if conflict is None and cons.qtype in TYPED_TYPES
             and gives_type(cons.qtype, question, r.sentence.text, r.sentence.facts)]
    if given and asks_actual(question) and all(forecasts(r.sentence.text) for r in given):
        # "2024年五一重庆实际接待了多少游客?" is not answered by "…预测，…将接待游客约2600万人次"
        return declined("the best passages only forecast this")
    if cons.phases and valued:
        # "二期建成后年拍摄能力能达到多少部?" is not answered by "一期…年拍摄能力可达1500部": the
        # sentences that give the value asked (its count or attribute) all name another phase
        of = [figure_phases(r.sentence.text) for r in valued]
        if all(p and not p & set(cons.phases) for p in of):
            other = min(of[0])
            return declined(f"the best passages give this for phase {other} ({_phase(other)}), not phase {cons.phases[0]}")
        if not any(p & set(cons.phases) for p in of) and info.get("phased"):
            # "恒锂金坛项目一期要投多少钱?": the project is built in phases and the sentences giving a
            # sum name none ("总投资120亿元" is the whole project's)
            return declined(f"the best passages give this for the whole project, not phase {cons.phases[0]}")
    if cons.levels and valued:
        # "长沙新认定的市级夜间消费街区一次性能拿多少奖补?" is not answered by "对新获评国家级…奖励300万元，
        # 对新获评省级…奖励100万元": the sentences giving the value all name other levels
        named = [levels(r.sentence.text) for r in valued]
        if all(n and not n & set(cons.levels) for n in named):
            other = "/".join(f"{level}级" for level in sorted(set().union(*named), key=LEVELS.index))
            return declined(f"the best passages give this for {other}, not {cons.levels[0]}级")
    def country_not(place: str, r: "Reading") -> bool:
        return national_only(place, r.sentence.text, pairs[r.pair_id].both if r.pair_id in pairs else "")
    national = next((p for p in (places_asked(question) if zh else []) if valued and all(
        country_not(p, r) for r in valued)), "")
    if not zh and conflict is None:
        # an English question about Chinese-only passages, by the Chinese name it spells: the
        # lead value is the whole country's and no sentence giving a value names the place
        national = next((p for p in places_asked(question, info.get("aliases")) if other_lang
                         and country_not(p, other_lang[0]) and not any(states(p, r.sentence.text) for r in other_lang)), "")
    if national:
        # "2024年春节档江苏省的电影票房是多少?" is not answered by "…全国电影票房为76.8亿元": the
        # figure is the whole country's, and neither its sentence nor its paragraph names 江苏省
        # ("What was Xiamen's box office …?" neither)
        return declined(f"the best passages give this for the whole country (全国), not {national}")
    if absent.get("editions"):
        asked, held = absent["editions"][0], absent.get("edition_count", 0)
        if 0 < held < asked:
            # "Given that this was the fifth edition…": the sources say three have been held
            evidence = next((r for r in sorted(readings, key=lambda r: -r.score)
                             if edition_count(r.sentence.text)), info["top"])
            return Verdict("correct", score, reasons + [f"the sources say {held} editions have been held"],
                           asked=f"第{asked}届" if zh else f"edition {asked}",
                           stated=f"{held}届" if zh else f"{held} editions", evidence=evidence, question=question,
                           answers_too=True)
        return declined(f"the sources name no edition {asked} (第{asked}届)")
    if absent.get("phases"):
        return declined(f"the sources name no phase {absent['phases'][0]} ({_phase(absent['phases'][0])}) of it")
    if absent.get("next"):
        return declined("the sources say nothing of a next one")
    if absent.get("previous"):
        return declined("the sources say nothing of an earlier one")
    if absent.get("awards"):
        return declined(f"the sources name no {''.join(absent['awards'][0])}奖 for this")
    if shown and conflict is None and cons.qtype != "reason" and NOT_YET.search(shown[0].sentence.text) \
            and set(cons.editions) <= editions(shown[0].sentence.text):    # of the edition asked about
        # "第三届…会在哪座城市举办?" — "举办城市和时间将另行公布": the sources say it is not known yet
        return declined("the sources say this is yet to be announced")
    joint = only_jointly(cons, shown) if cons.qtype in _VALUE_TYPES else ""
    if joint and conflict is None:
        # "How many projects did Chongqing sign on its own?" is not answered by what "Chengdu
        # and Chongqing" signed together
        return declined(f"the sources give this only for {joint} together")
    cause = unattributed_cause(cons, shown, info.get("pairs", {})) if cons.qtype in TYPED_TYPES else ""
    if cause and conflict is None:
        # "AIGC创新伙伴计划让微短剧审查时效提升了多少?": the 50 % is the bureau's mechanisms', and
        # the programme's paragraph gives no figure
        return declined(f"the best passages do not credit this to {cause}")
    listed = only_listed(cons, shown, sentences or {})
    if listed and conflict is None:
        # "《苍穹以北》的作者是谁?" is not answered by the list of signed projects that names it
        return declined(f"the best passages only list {listed} and say nothing else of it")
    item = listed_without_figure(info.get("terms", set()), shown) if cons.qtype in ("quantity", "money", "percent") else ""
    if item and conflict is None:
        # "…专项资金里,纪录片具体能分到多少钱?" is not answered by the fund's 3亿 and the sector's
        # 一半 in a sentence listing 纪录片 among what the fund covers
        return declined(f"the best passages only list {item}, with no figure of its own")
    if asks_year(question) and conflict is None and not any(states_year(r.sentence.text) for r in shown):
        # "哪一年落地的?" is not answered by "近年来…落地成都": a time, but no year
        return declined("the best passages state no year for this")
    if asks_clock(question) and conflict is None and not any(states_clock(r.sentence.text) for r in shown):
        # "What time did the opening ceremony start on November 10?" is not answered by "…was
        # convened in Chengdu on November 10th": a date, no time of day
        return declined("the best passages state no time of day for this")
    if asks_locality(question) and conflict is None and not any(
            names_locality(r.sentence.text, question, r.sentence.facts) for r in shown):
        # "…设在成都哪个区?" is not answered by "…落地成都": the city, no district
        return declined("the best passages name no district or street for this")
    role = asked_role(question)
    # (only where the passages are written in the question's language: 总经理 is in no English one)
    if role and conflict is None and not info["cross"] and set(tokenize(role)) <= info.get("unseen_terms", set()) \
            and not role_said(role, "\n".join(p.both for p in info.get("pairs", {}).values())):
        # "Who is the mayor of Chengdu?": no passage speaks of a mayor at all
        return declined(f"no passage mentions a {role}")
    if asks_person(question) and conflict is None and not names_a_person(shown, sentences or {}):
        return declined("the best passages name no person for this")
    if asks_venue(question) and conflict is None and not any(names_venue(r.sentence.text, question) for r in shown):
        # "大会具体是在成都哪个场馆办的?" is not answered by "…大会在成都举行": a city, no building
        return declined("the best passages name no venue for this")
    if asks_theme(question) and conflict is None and not any(states_theme(r.sentence.text, r.sentence.facts) for r in shown):
        # "What was the theme of the China Internet Audio and Visual Convention?" is not answered
        # by the sentence naming that convention: no name there is said to be a theme
        return declined("the best passages name no theme for this")
    if asks_work_title(question) and conflict is None and not any(
            offers(r.sentence.text, question, r.sentence.facts) & {"name"} for r in shown):
        # "签约的3部院线电影分别叫什么名字?" is not answered by "签约项目包括3部院线电影、5部电视剧…":
        # a Chinese work's title is written in 《》 (or quotes), and no shown sentence gives one
        # the question does not already name (other names — "伊本·西那", "特斯拉 (tesla)" — are
        # too often unmarked for a rule: XQuAD lost eight answers to one)
        return declined("the best passages give no title for this")
    if asks_theme(question) and conflict is None and shown and not absent.get("entities") \
            and states_theme(shown[0].sentence.text, shown[0].sentence.facts):
        # "这次大会围绕什么主题展开讨论?": the lead, from a paragraph naming all the question names,
        # says a quoted name is the theme — an answer however unlike XQuAD's questions (which
        # the score was fitted on) the wording is
        return Verdict("answer", score, reasons + ["the best passage names a theme"], evidence=info["top"],
                       question=question)
    if conflict is not None and score >= model.get("correct_at", 0.0):
        return Verdict("correct", score, reasons, asked=conflict[0], stated=conflict[1], evidence=info["top"],
                       question=question, answers_too=_is_figure(conflict[0]),
                       not_for=not _is_figure(conflict[0]) and (info.get("other_entity", False) or cons.qtype in _VALUE_TYPES))
    if score < model.get("threshold", 0.5) + margin:
        return Verdict("abstain", score, reasons, evidence=info["top"], question=question)
    return Verdict("answer", score, reasons, evidence=info["top"], question=question)


# questions asking for a value: asked of the wrong entity, the answer is that the sources give
# it only for another, not the other's value; asked with a wrong detail in the question's own
# words ("在福州闭幕时…展映了多少部影片?" vs "在厦门闭幕"), the correction and then the value
_VALUE_TYPES = ("quantity", "money", "percent", "time", "place", "person", "org", "name")


def _phase(n: int) -> str:
    return ("一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)) + "期"


def _is_figure(asked: str) -> bool:
    return asked.replace(".", "", 1).isdigit()


def _reasons(info: dict) -> list[str]:
    out = []
    m = info.get("missing") or {}
    if m.get("entities_top3"):
        out.append("not in the sources: " + ", ".join(m["entities_top3"]))
    elif m.get("entities"):
        out.append("not in the best paragraph: " + ", ".join(m["entities"]))
    if m.get("numbers"):
        out.append("number not stated: " + ", ".join(fmt(n) for n in m["numbers"]))
    if m.get("years"):
        out.append("year not covered: " + ", ".join(m["years"]))
    if info.get("conflict"):
        asked, stated = info["conflict"]
        out.append(f"the best passage is about {stated}, not {asked}" if info.get("other_entity")
                   else f"the source says {stated}, not {asked}")
    return out


# ---------------------------------------------------------------- LLM sentences -----------
def check_sentences(sentences: list[AnswerSentence], hits: list["Hit"], judge=_JUDGE) -> int:
    """Set `supported`/`support` on each sentence; returns how many are unsupported."""
    by_id = {h.pair.id: h.pair for h in hits}
    unsupported = 0
    for s in sentences:
        pairs = [by_id[pid] for pid in dict.fromkeys(s.paragraph_ids) if pid in by_id]
        if not pairs:
            s.supported, s.support = False, 0.0
        else:
            zh = "\n".join(p.zh for p in pairs if p.zh)
            en = "\n".join(p.en for p in pairs if p.en)
            s.supported, s.support = judge.supports(s.text, zh, en)
            s.support = round(float(s.support), 4)
        unsupported += not s.supported
    return unsupported
