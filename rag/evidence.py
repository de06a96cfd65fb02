"""What the sentences an answer would show say, or fail to say, about a question — the
evidence checks the verifier's rules read (`verify._decide`): a person for a role, the role
itself anywhere, a thing said to be unknown yet, a name given only as an item of a list, a
figure given only for two together when one alone is asked about, a change credited to
something its paragraph never names."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .text import CJK, is_chinese, tokenize
from .text.constraints import Constraints
from .text.sentences import list_item
from .text.tokens import question_word

if TYPE_CHECKING:
    from .extract import Reading


def names_a_person(shown: list["Reading"], sentences: dict) -> bool:
    """Whether the shown sentences name a person, by jieba's person tags: a Chinese sentence's
    own, an English sentence's Chinese side (its paragraph's; English has no name list, every
    capitalised word looks like a name). True when no shown pair has a Chinese side."""
    zh = [r for r in shown if r.sentence.lang == "zh"]
    if zh:
        return any("person" in r.sentence.facts for r in zh)
    sides = [[s for s in sentences.get(r.pair_id, ()) if s.lang == "zh"] for r in shown]
    if not any(sides):
        return True
    return any("person" in s.facts for side in sides for s in side)


_INITIALS = re.compile(r"[A-Z]{2,5}s?")


def abbreviations(names: list[str]) -> list[str]:
    """The abbreviations among names (GDP, NBA): written the same wherever they are said, so
    a passage that lacks one does not speak of it in other words."""
    return [n for n in names if _INITIALS.fullmatch(n)]


def role_said(role: str, text: str) -> bool:
    """Whether the candidate paragraphs speak of the role in any form the index's terms miss
    (兼总经理; "founded" for founder, "directed" for director)."""
    if CJK.search(role):
        return role in text
    root = role[:-2] if len(role) > 5 and role.endswith(("er", "or")) else role
    return re.search(rf"\b{re.escape(root)}", text, re.I) is not None


# a sentence saying the asked thing is not known yet
NOT_YET = re.compile(r"另行(?:公布|通知|发布|确定)|尚未(?:公布|确定|披露|宣布)|暂未(?:公布|确定|披露)|待定|"
                      r"(?:to be|will be) (?:announced|confirmed|decided|determined) (?:later|at a later date|in due course)|"
                      r"(?:has|have) not (?:yet )?been (?:announced|disclosed|decided|confirmed)|\byet to be (?:announced|decided|confirmed)",
                      re.I)


def only_listed(cons: Constraints, shown: list["Reading"], sentences: dict) -> str:
    """The question's name that the best shown sentence gives only as an item of a list, when
    the shown paragraphs have none of the question's other words ("作者", "operate", "located";
    the item's own words are its name's: "Maiya … Filming Base") in that sentence's language:
    a list names its items and says nothing of their author or operator ("" otherwise)."""
    if not shown:
        return ""
    names = [e for e, _ in cons.entities]
    top = shown[0].sentence
    items = {e: list_item(e, top.text) for e in names}
    listed = next((e for e in names if items[e]), "")
    if not listed:
        return ""
    zh = top.lang == "zh"
    named = {t for e in names for t in tokenize(e)} | item_words(cons.question, listed, items[listed])
    asked = {t for t in set(tokenize(cons.question)) - named if not question_word(t) and bool(CJK.search(t)) == zh}
    said = [s for r in shown for s in sentences.get(r.pair_id, ()) if s.lang == top.lang]
    if not asked or any(asked & s.terms for s in said or [r.sentence for r in shown]):
        return ""
    return listed


_FIGURE_WORD = re.compile(r"\d|[一二两三四五六七八九十百千万亿半]")


def listed_without_figure(terms: set[str], shown: list["Reading"]) -> str:
    """A word of a figure question that the sentence an answer leads with names once, as an
    item of a list with no figure of its own ("纪录片具体能分到多少钱?" and "…每年3亿元…广电视听独占
    一半,覆盖剧集、纪录片、动画片…": the figures are the fund's and the sector's, not the
    documentaries'); "" otherwise. An item holding its figure ("3部院线电影") answers."""
    if not shown:
        return ""
    text = shown[0].sentence.text
    for term in sorted(terms, key=lambda t: (-len(t), t)):
        if len(term) < 2 or question_word(term) or text.count(term) != 1:
            continue
        item = list_item(term, text)
        if item and item != text.strip() and not _FIGURE_WORD.search(item):
            return term
    return ""


def item_words(question: str, name: str, item: str) -> set[str]:
    """The question's words right after `name` that go on naming the list item, when two or
    more do ("the Maiya micro-drama filming base" is the item "Maiya Micro-Drama Filming Base
    …": micro-drama, film, base are its name, not what is asked of it)."""
    words, named, said = tokenize(question), set(tokenize(name)), set(tokenize(item))
    at = max((i for i, w in enumerate(words) if w in named), default=-1)
    run = []
    for w in words[at + 1:] if at >= 0 else ():
        if w not in said:
            break
        run.append(w)
    return set(run) if len(run) >= 2 else set()


# "How many projects did Chongqing sign on its own?", "重庆单独签约了多少个项目?"
_ALONE = re.compile(r"\b(?:on (?:its|their) own|alone|by itself|by themselves|separately|individually|solely)\b|"
                    r"单独|独自|单方面|独立(?:签约|完成|举办|发布|出资)", re.I)


def only_jointly(cons: Constraints, shown: list["Reading"]) -> str:
    """The pair of names the sentence an answer leads with gives a figure for jointly, when the
    question asks about one of them on its own ("Chengdu and Chongqing" for "Chongqing … on its
    own"); "" otherwise."""
    if not shown or not _ALONE.search(cons.question):
        return ""
    text = shown[0].sentence.text
    for name, _ in cons.entities:
        e = re.escape(name)
        if CJK.search(name):
            m = re.search(rf"{e}[和与及、][\u4e00-\u9fff]{{2,4}}|[\u4e00-\u9fff]{{2,4}}[和与及、]{e}", text)
        else:
            m = re.search(rf"\b{e}\s+(?:and|&)\s+[A-Z][\w-]+|\b[A-Z][\w-]+\s+(?:and|&)\s+{e}\b", text)
        if m:
            return m.group(0)
    return ""


# "AIGC创新伙伴计划让微短剧审查时效提升了多少?", "By how much did the partnership program cut
# review times?": what the question credits a change to
_ZH_CAUSE = re.compile(r"^(?:请问)?([^，,？?]{2,24}?)(?:让|使得|使|令|帮助|助力|推动|带动)[^，,？?]{1,24}?"
                       r"(?:提升|提高|增长|增加|降低|减少|缩短|下降|上升|扩大|加快)了?(?:多少|几成|百分之几|几倍)")
_EN_CAUSE = re.compile(r"\bhow much (?:did|does|has|have|will) (?:the |a |an )?([^?,]{3,60}?) (?:reduce|cut|improve|"
                       r"raise|increase|boost|shorten|lower|speed|accelerate|grow|lift|expand|decrease|shrink)", re.I)


def unattributed_cause(cons: Constraints, shown: list["Reading"], pairs: dict) -> str:
    """What a "how much did X raise Y?" question credits the change to, when the paragraph of
    the sentence an answer leads with (one with a side in the question's language) names less
    than half of its words on either side: the figure is the change's, not X's (the review
    times were cut by the bureau's mechanisms, not by the partnership programme). "" otherwise."""
    zh = is_chinese(cons.question)
    m = shown and (_ZH_CAUSE if zh else _EN_CAUSE).search(cons.question)
    pair = pairs.get(shown[0].pair_id) if m else None
    if pair is None or ("zh" if zh else "en") not in pair.languages:     # 哈佛 is no "Harvard"
        return ""
    words = {t for t in tokenize(m.group(1)) if not question_word(t)}
    said = set(tokenize(pair.both))
    return m.group(1) if words and 2 * len(words & said) < len(words) else ""
