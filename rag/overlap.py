"""Language-neutral text overlap features: CJK character bigrams, English word uni/bigrams,
numbers. Used to find the span of a paragraph that supports an answer sentence
(citations.py) and by the offline support judge (judge.py)."""
from __future__ import annotations

import re

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_EN_WORD = re.compile(r"[a-z][a-z'-]*|\d+(?:\.\d+)?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ZH_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_EN_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "half": 50}
_STOP = frozenset("the a an of and or to in on at for by with from as is are was were be been it its this that".split())


def features(text: str) -> set[str]:
    """CJK char bigrams (and lone chars) + English words and word bigrams, lower-cased."""
    out: set[str] = set()
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            out.add(run)
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    words = [w for w in _EN_WORD.findall(_CJK_RUN.sub(" ", text.lower())) if w not in _STOP]
    out.update(words)
    out.update(f"{a} {b}" for a, b in zip(words, words[1:]))
    return out


def containment(claim: str, source: str) -> float:
    """Share of the claim's features found in the source (0..1)."""
    c = features(claim)
    if not c:
        return 0.0
    return len(c & features(source)) / len(c)


def numbers(text: str) -> set[float]:
    """Numbers a text states: digits (3亿 → 3, 50% → 50), 一..十 before a measure word, English words."""
    found = {float(n) for n in _NUMBER.findall(text)}
    for m in re.finditer(r"([一二两三四五六七八九十]+)(?=[个届亿万家项部位年次条名%])", text):
        s = m.group(1)
        if s == "十":
            found.add(10.0)
        elif len(s) == 1:
            found.add(float(_ZH_NUM[s]))
        elif s.startswith("十"):
            found.add(10.0 + _ZH_NUM.get(s[1], 0))
        elif len(s) == 2 and s[1] == "十":
            found.add(10.0 * _ZH_NUM.get(s[0], 0))
        elif len(s) == 3 and s[1] == "十":
            found.add(10.0 * _ZH_NUM.get(s[0], 0) + _ZH_NUM.get(s[2], 0))
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in _EN_NUM:
            found.add(float(_EN_NUM[word]))
    if "一半" in text or "半数" in text:
        found.add(50.0)
    return found
