"""The offline reader: which sentences of the best paragraphs answer the question.

Every sentence of the top paragraphs (their question-language side, else the other side) is
described by features — how closely it matches the question in both vector spaces, the idf
share of the question's terms it holds, whether it only restates the question (echo) or
brings new words, whether it is itself a question, whether it states the kind of thing the
question asks for (a number for "how many", a place for "where", an organisation for "who
launched …") that the question does not already contain, whether the sentence before it
matched (answers often follow the sentence that names the topic), where its paragraph
ranked. A linear score with weights per question language, fitted on the XQuAD training
split and the seed eval set (`python -m rag.eval.fit`), ranks them; the paragraphs are then re-ranked by their best
sentence.

`choose` keeps the best sentence, and a second one when its probability comes close (by a
ratio fitted on the training split); identical sentences count once; a list question ("which
…", "哪些") takes the best sentence of each paragraph that scores close to the best.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .records import Sentence
from .text import CJK, is_chinese, question_parts
from .text.answer_types import (answers_typed, asked_attribute, asks_theme, matches, offers, question_type,
                                states_attribute, typed)
from .text.constraints import awards, constraints, phases, states
from .text.glosses import gloss_share

if TYPE_CHECKING:
    from .retrieve import Candidates

FEATURES = ("e5_z", "e5_raw", "use_z", "cov", "cov_para", "echo", "novel", "is_question", "match", "typed_match",
            "prev_cov", "prev_match", "para_z", "para_rrank", "first", "length", "other_lang", "para_best_e5",
            "typed_missing", "echo_typed_missing", "typed_count", "xcov")
LIST_WORDS = ("哪些", "哪几", "分别", "各自", "which", "what are", "what were", "list", "name the", "respectively")


@dataclass
class Reading:
    """A candidate sentence with its features and score."""
    pair_id: str
    para_rank: int              # 1-based rank of its paragraph after fusion
    sentence: Sentence
    x: np.ndarray
    score: float = 0.0
    prob: float = 0.0


def _z(values: np.ndarray) -> np.ndarray:
    std = float(values.std())
    return (values - values.mean()) / (std if std > 1e-9 else 1.0)


def read(c: "Candidates", ranked: list[tuple[str, float]], lang: str) -> list[Reading]:
    """Features of every sentence of the ranked paragraphs (best first, with fused scores)."""
    if not ranked:
        return []
    question = c.focus or c.query
    qtype = question_type(question)
    terms = c.terms_of(question)
    total = sum(c.idf.get(t, 0.0) for t in terms) or 1.0
    para = _z(np.array([s for _, s in ranked], dtype=np.float64))
    rows: list[Reading] = []
    for rank, (pid, _) in enumerate(ranked, 1):
        pair = c.pairs[pid]
        side = lang if pair.text(lang) else ("en" if lang == "zh" else "zh")
        sentences = [s for s in c.sentences.get(pid, ()) if s.lang == side]
        e5s = [c.similarity.get((s.pair_id, s.lang, s.position), (0.0, 0.0))[0] for s in sentences]
        best = int(np.argmax(e5s)) if e5s else -1
        prev_cov = prev_match = 0.0
        cov_para = c.coverage.get(pid, 0.0)
        for j, s in enumerate(sentences):
            same = side == lang
            e5, use = c.similarity.get((s.pair_id, s.lang, s.position), (0.0, 0.0))
            cov = sum(c.idf.get(t, 0.0) for t in terms & s.terms) / total if same else 0.0
            xcov = 0.0 if same else gloss_share(c.glossed, c.gloss_idf, s.terms)    # through the dictionary
            echo = len(s.terms & terms) / len(s.terms) if (s.terms and same) else 0.0
            offered = offers(s.text, question, s.facts)
            match = matches(qtype, offered)
            typed_question = qtype not in ("other", "list", "reason")
            # a "where" question: a place in a locative construction counts fully, one merely
            # named half (every sentence of a regional news story names a place)
            typed = (match and typed_question) * (0.5 if qtype == "place" and "venue" not in offered else 1.0)
            missing = float(typed_question and not match)     # an echo of the question names no answer
            count = math.log1p(_typed_count(qtype, question, s.facts)) if typed_question else 0.0
            x = np.array([0.0, e5, use, cov, cov_para, echo, math.log1p(len(s.terms - terms)),
                          float(s.text.rstrip().endswith(("?", "？"))), float(match), float(typed), prev_cov,
                          prev_match, para[rank - 1], 1.0 / (rank + 1), float(j == 0), math.log(len(s.text) + 1),
                          float(not same), float(j == best), missing, missing * cov, count, xcov])
            rows.append(Reading(pid, rank, s, x))
            prev_cov, prev_match = cov, float(match)
    if rows:
        matrix = np.stack([r.x for r in rows])
        e5_z, use_z = _z(matrix[:, 1]), _z(matrix[:, 2])
        for r, a, b in zip(rows, e5_z, use_z):
            r.x[0], r.x[2] = a, b
    return rows


def _typed_count(qtype: str, question: str, facts: dict) -> int:
    """How many things of the asked-for kind the sentence names that the question doesn't."""
    kinds = {"person": ("person", "org"), "org": ("org", "person"), "quantity": ("quantity", "money", "percent"),
             "money": ("money",), "percent": ("percent",)}.get(qtype, (qtype,))
    q = question.lower()
    return sum(1 for kind in kinds for item in facts.get(kind, ()) if item.lower() not in q)


def score(readings: list[Reading], weights: dict) -> None:
    """Set each reading's score and its softmax probability among all readings."""
    if not readings:
        return
    w = np.array([weights.get(name, 0.0) for name in FEATURES])
    scores = np.stack([r.x for r in readings]) @ w
    probs = np.exp(scores - scores.max())
    probs /= probs.sum()
    for r, s, p in zip(readings, scores.tolist(), probs.tolist()):
        r.score, r.prob = s, p


def blend_for(policy: dict, lang: str, ranked: list[tuple[str, float]], pairs: dict) -> float:
    """The fused share of the re-read order for a question's regime: asked in a language the
    best fused paragraph is written in, or across languages (`<lang>-xl`; fitted apart, as the
    verifier's two models are: across languages the sentence scores carry more of the order)."""
    blends = policy.get("blend", {})
    top = pairs.get(ranked[0][0]) if ranked else None
    cross = top is not None and not top.text(lang)
    return blends.get(f"{lang}-xl" if cross else lang, blends.get(lang, 0.0))


def rerank(readings: list[Reading], ranked: list[tuple[str, float]], blend: float = 0.0) -> list[str]:
    """Paragraph ids by a blend of their fused score and their best sentence's score (both as
    z-values among the re-read paragraphs; `blend` is the fused share, `blend_for`'s).
    Paragraphs without sentences keep their fused order, after the others."""
    best: dict[str, float] = {}
    for r in readings:
        best[r.pair_id] = max(best.get(r.pair_id, -math.inf), r.score)
    ids = [pid for pid, _ in ranked if pid in best]
    if not ids:
        return [pid for pid, _ in ranked]
    fused = _z(np.array([s for pid, s in ranked if pid in best], dtype=np.float64))
    sentence = _z(np.array([best[pid] for pid in ids], dtype=np.float64))
    combined = dict(zip(ids, (blend * fused + (1 - blend) * sentence).tolist()))
    order = sorted(ids, key=lambda pid: -combined[pid])
    return order + [pid for pid, _ in ranked if pid not in best]


def choose_parts(per_part: list[list[Reading]], taken: list[Reading] = (), parts: list[str] = (),
                 policy: dict | None = None) -> list[Reading]:
    """The sentences a multi-part question adds to `taken` (what `choose` picked for the whole
    question): each part's best sentence, once — a part whose best sentence is already there
    is answered ("签了几个项目？总额多少？" gets the count and the sum even when they sit in two
    sentences or two paragraphs). With the parts' text and the policy, each part's lead is
    `choose`'s (a sentence giving what the part asks for leads: "…的总面积有多大" is answered by
    "总面积约6000平方米", not by the best-matching "可减少…约30%")."""
    seen = {r.sentence.text for r in taken}
    added: list[Reading] = []
    for n, readings in enumerate(per_part):
        if readings:
            best = (choose(readings, parts[n], policy)[0] if policy is not None and n < len(parts)
                    else max(readings, key=lambda r: r.score))
            if best.sentence.text not in seen:
                added.append(best)
                seen.add(best.sentence.text)
    return added


def is_list_question(question: str) -> bool:
    q = question.lower()
    return any(w in q for w in LIST_WORDS)


def choose(readings: list[Reading], question: str, policy: dict) -> list[Reading]:
    """The sentences to answer with: the best, a close second, one per close paragraph for
    list questions; identical sentences once. Policy keys: second_ratio, list_ratio,
    max_sentences."""
    ordered = sorted(readings, key=lambda r: -r.score)
    if not ordered:
        return []
    top = ordered[0]
    chosen = [top]
    seen = {top.sentence.text}
    limit = int(policy.get("max_sentences", 2))
    if is_list_question(question):
        for r in ordered[1:]:
            if r.prob >= policy.get("list_ratio", 0.3) * top.prob and r.pair_id not in {c.pair_id for c in chosen} \
                    and r.sentence.text not in seen:
                chosen.append(r)
                seen.add(r.sentence.text)
            if len(chosen) >= max(limit, 3):
                break
        # and a chosen paragraph's close second, the best paragraph's first ("Which mechanisms did
        # the bureau introduce?": its first sentence names the bureau, the next the mechanisms;
        # "Which film won Best Film …?": "…揭晓了本届金鹭奖各奖项。" then "《海上的灯》获得最佳影片奖"),
        # one sentence more at most
        for at, lead in enumerate(list(chosen)):
            second = next((r for r in ordered if r.pair_id == lead.pair_id and r is not lead), None)
            if second is not None and second.prob >= policy.get("second_ratio", 0.5) * top.prob \
                    and second.sentence.text not in seen:
                chosen.insert(at + 1, second)
                seen.add(second.sentence.text)
                break
    else:
        for r in ordered[1:]:
            if len(chosen) >= limit or r.prob < policy.get("second_ratio", 0.5) * top.prob:
                break
            if r.sentence.text not in seen:
                chosen.append(r)
                seen.add(r.sentence.text)
    return _phase_first(_award_first(_typed_first(chosen, ordered, question, policy), ordered, question, policy),
                        ordered, question, policy)


def _phase_first(chosen: list[Reading], ordered: list[Reading], question: str, policy: dict) -> list[Reading]:
    """"How many studios does the first phase of the park have?": when the lead names another
    phase of a project than the one asked ("二期…摄影棚总数将超过60个"), the best sentence naming
    the asked one ("一期建有摄影棚32个") leads, if its probability comes within `typed_ratio`."""
    ratio = policy.get("typed_ratio")
    asked = phases(question) if ratio and chosen else set()
    lead = phases(chosen[0].sentence.text) if asked else set()
    if not lead or lead & asked:
        return chosen
    return _closest(chosen, ordered, ratio, policy, lambda r: bool(phases(r.sentence.text) & asked))


def _award_first(chosen: list[Reading], ordered: list[Reading], question: str, policy: dict) -> list[Reading]:
    """"第五届鹭岛国际影像节的最佳女演员奖颁给了谁?": when the lead sentence does not name the asked
    award (it gives the best film's), the best sentence that does leads, if its probability comes
    within `typed_ratio` of the lead's."""
    ratio = policy.get("typed_ratio")
    asked = awards(question) if ratio and chosen else []
    if not asked:
        return chosen

    def names(r: Reading) -> bool:
        return all(w in r.sentence.text for award in asked for w in award)
    if names(chosen[0]):
        return chosen
    return _closest(chosen, ordered, ratio, policy, names)


def _closest(chosen: list[Reading], ordered: list[Reading], ratio: float, policy: dict, fits) -> list[Reading]:
    """The best sentence `fits` holds for leads, if its probability comes within `ratio` of the
    lead's; the chosen as they were when none does."""
    alt = next((r for r in ordered if r.prob >= ratio * chosen[0].prob and fits(r)), None)
    return chosen if alt is None else _led_by(alt, chosen, policy)


def _led_by(alt: Reading, chosen: list[Reading], policy: dict) -> list[Reading]:
    """`alt` first, then the chosen sentences but it, up to the policy's max_sentences."""
    rest = [r for r in chosen if r.sentence.text != alt.sentence.text]
    return [alt] + rest[:int(policy.get("max_sentences", 2)) - 1]


def _typed_first(chosen: list[Reading], ordered: list[Reading], question: str, policy: dict) -> list[Reading]:
    """The first chosen sentence that gives what a how-many / how-much / when / what-theme
    question asks for, or names an organisation or person for a who / which-company one, leads.
    When none does (the verifier would decline), the best sentence that does — in the question's
    language (a theme in either), from a paragraph naming what the question asks about — leads
    instead, if its probability comes within `typed_ratio` of the best's (fitted on the
    training split; "大会已经举办了几届?": the paragraph with the date line matched best, the
    sentence with 三届 sat in the third)."""
    ratio = policy.get("typed_ratio")
    qtype = question_type(question)
    named_type = qtype in ("org", "person")     # "…由哪家公司运营?": the echo names no company
    if not ratio or not (typed(question, qtype) or named_type):
        return chosen
    zh = is_chinese(question)
    # the thing a value is asked of, in a sentence of the question's language ("总面积有多大?" is
    # not answered by "可减少外景转场约30%")
    attribute = asked_attribute(question) if zh and qtype in ("quantity", "money", "percent") else ""

    def gives(r: Reading) -> bool:
        if named_type:
            return (r.sentence.lang == "zh") == zh and matches(qtype, offers(r.sentence.text, question,
                                                                              r.sentence.facts))
        same = (r.sentence.lang == "zh") == zh
        return answers_typed(question, qtype, r.sentence.text, r.sentence.facts, same) and (
            not (attribute and same) or states_attribute(attribute, r.sentence.text))
    at = next((i for i, r in enumerate(chosen) if gives(r)), None)
    if at is not None:
        # it leads ("When did the conference open?": not the "open and innovative" echo), unless
        # the question asks two things ("总面积有多大？由哪家公司运营？": each part's sentence
        # keeps its place)
        return chosen if question_parts(question) else [chosen[at], *chosen[:at], *chosen[at + 1:]]
    # from a paragraph that names what the question asks about (重庆's budget is not Sichuan's)
    names = [e for e, _ in constraints(question).entities]
    side = {pid: " ".join(r.sentence.text for r in ordered if r.pair_id == pid and (r.sentence.lang == "zh") == zh)
            for pid in {r.pair_id for r in ordered}}
    best = chosen[0].prob
    # a count or a year is read in the question's language (an English sentence has no 届); a
    # theme in either, and anything when no paragraph has a side in the question's language (an
    # English question of Chinese-only news has no English sentence to be led by)
    any_lang = asks_theme(question) or not any((r.sentence.lang == "zh") == zh for r in ordered)
    # a sentence stating the asked attribute itself ("实验室总面积约6000平方米" for "…的总面积有多大"),
    # or calling a quoted name the theme, leads however far its score falls behind: it says what
    # is asked of, in the question's words
    fits = [r for r in ordered if (r.prob >= ratio * best or (attribute and (r.sentence.lang == "zh") == zh)
                                   or asks_theme(question))
            and (any_lang or (r.sentence.lang == "zh") == zh)
            and gives(r) and (not side[r.pair_id]       # a name is looked for in its own script
                              or all(states(e, side[r.pair_id]) for e in names if bool(CJK.search(e)) == zh))]
    # the best sentence's own paragraph first: "…共接待游客1085.2万人次；实现旅游总收入118.3亿元" is
    # split at "；", and the sum it goes on to give is the asked holiday's, not the 前三季度's
    # 1620亿元 another paragraph gives
    alt = next((r for r in fits if r.pair_id == chosen[0].pair_id), fits[0] if fits else None)
    return chosen if alt is None else _led_by(alt, chosen, policy)
