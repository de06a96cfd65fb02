"""Numbers a text states, in either language, normalised so that 3亿, 三亿 and "300 million"
meet: each quantity keeps its written value (3) and its scaled value (300000000). Chinese
numerals (一百二十, 三百万, 两千) are read by cn2an."""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass

_SCALE = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9,
          "trillion": 1e12, "k": 1e3, "m": 1e6, "bn": 1e9}
_DIGITS = re.compile(r"(?<![0-9.])(\d+(?:,\d{3})*(?:\.\d+)?)\s*(万|亿|千|百|%|％|percent\b|per cent\b|thousand\b|"
                     r"million\b|billion\b|trillion\b|bn\b)?", re.I)
_ZH_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
# a Chinese numeral counts when a measure word or unit follows it (一站式 and 统一 are no numbers)
_ZH_FOLLOW = re.compile(r"[个届家项部位年次条名%％倍元人座场所集天月日号成期批余多只台份种本首款亿万千百]")
EN_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
             "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
             "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
             "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12}
# a run of number words: "three hundred million" is 300 (written) million, "twenty-five" 25
_EN_WORD = re.compile(r"\b((?:" + "|".join(EN_NUMBER_WORDS) + r")(?:(?:(?<=hundred)\s+and\s+|[\s-]+)(?:" + "|".join(EN_NUMBER_WORDS) +
                      r"))*)\b(?:\s+(thousand|million|billion)\b)?", re.I)


def _en_run(run: str) -> float:
    total = 0.0
    for word in re.split(r"[\s-]+", run.lower()):
        if word == "hundred":
            total = (total or 1.0) * 100
        elif word in EN_NUMBER_WORDS:
            total += EN_NUMBER_WORDS[word]
    return total
HALF = re.compile(r"一半|半数|\bhalf\b", re.I)


@dataclass(frozen=True)
class Quantity:
    written: float        # as written: 3 for 3亿, 300 for "300 million"
    value: float          # scaled: 300000000 for both
    percent: bool = False


def _cn(run: str) -> float | None:
    import cn2an
    try:
        return float(cn2an.cn2an(run, "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def quantities(text: str) -> list[Quantity]:
    return list(_quantities(text or ""))


@lru_cache(maxsize=50_000)
def _quantities(text: str) -> tuple[Quantity, ...]:
    out: list[Quantity] = []
    for m in _DIGITS.finditer(text or ""):
        written = float(m.group(1).replace(",", ""))
        unit = (m.group(2) or "").lower()
        percent = unit in ("%", "％", "percent", "per cent")
        out.append(Quantity(written, written * _SCALE.get(unit, 1.0), percent))
    for m in _ZH_RUN.finditer(text or ""):
        run = m.group(0)
        nxt = text[m.end():m.end() + 1]
        prev = text[m.start() - 1:m.start()]
        if len(run) == 1 and (run in "万亿千百" or (run == "一" and prev and "\u4e00" <= prev <= "\u9fff")):
            continue              # a unit after digits (read above), or 一 inside a word: 统一, 唯一
        if not (_ZH_FOLLOW.match(nxt) or len(run) >= 3 or run[-1] in "万亿千百十"):
            continue
        value = _cn(run)
        if value is not None:
            out.append(Quantity(value, value, nxt in "%％"))
    for m in _EN_WORD.finditer(text or ""):
        if m.group(1).lower() == "one" and re.match(r"-[a-z]", text[m.end():m.end() + 2], re.I):
            continue              # "one-stop filing", "one-off": a word, not a count (as 一站式 is none)
        written = _en_run(m.group(1))
        out.append(Quantity(written, written * _SCALE.get((m.group(2) or "").lower(), 1.0)))
    if HALF.search(text or ""):
        out.append(Quantity(50.0, 50.0, True))
    return tuple(out)


def numeral(run: str) -> float | None:
    """The value of one numeral, in digits or Chinese (12, 十二, 两千)."""
    run = run.strip()
    return float(run) if run.isdigit() else _cn(run)


def numbers(text: str) -> set[float]:
    """Every value a text states, written and scaled (3亿 → {3, 300000000})."""
    return {v for q in quantities(text) for v in (q.written, q.value)}


def unmatched(claim: str, source: str, ignore: frozenset[float] = frozenset()) -> list[float]:
    """The claim's quantities the source does not state (in either form)."""
    have = numbers(source)
    return [q.written for q in quantities(claim)
            if q.written not in ignore and q.written not in have and q.value not in have]
