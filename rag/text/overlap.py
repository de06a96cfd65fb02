"""Language-neutral overlap: CJK character bigrams, English words and word bigrams. Finds
the sentence of a paragraph that supports an answer sentence (citations) and feeds the
offline support judge."""
from __future__ import annotations

import re
from functools import lru_cache

from .lang import CJK_RUN
from .tokens import EN_STOP, stem

_EN_WORD = re.compile(r"[a-z][a-z'-]*|\d+(?:\.\d+)?")


def en_words(text: str) -> list[str]:
    """Lower-cased English words and numbers, stop words dropped, stemmed."""
    return [stem(w) for w in _EN_WORD.findall(CJK_RUN.sub(" ", text.lower())) if w not in EN_STOP]


def features(text: str) -> set[str]:
    """CJK char bigrams (and lone chars) + English words and word bigrams."""
    out: set[str] = set()
    for run in CJK_RUN.findall(text):
        if len(run) == 1:
            out.add(run)
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    words = en_words(text)
    out.update(words)
    out.update(f"{a} {b}" for a, b in zip(words, words[1:]))
    return out


def containment(claim: str, source: str) -> float:
    """Share of the claim's features found in the source (0..1)."""
    c = features(claim)
    if not c:
        return 0.0
    return len(c & features(source)) / len(c)


_KEEP = re.compile(r"[^\w]+")


@lru_cache(maxsize=50_000)
def _zh_clean(text: str) -> str:
    return _KEEP.sub("", text)


@lru_cache(maxsize=50_000)
def _en_stemmed(text: str) -> str:
    return " " + " ".join(stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())) + " "


def shared_phrase(query: str, text: str) -> float:
    """The longest run of the query found verbatim in the text, as a share of the query:
    characters for Chinese (an exact phrase such as 影视文旅产业 is strong evidence), words for
    English (stop words kept, so "factor aggregation" must appear as such)."""
    if CJK_RUN.search(query):
        units, haystack, joined = list(_KEEP.sub("", query)), _zh_clean(text), "".join
    else:
        units, haystack = [stem(w) for w in re.findall(r"[a-z0-9]+", query.lower())], _en_stemmed(text)
        joined = lambda run: " " + " ".join(run) + " "      # noqa: E731 — whole words only

    def found(length: int) -> bool:
        return any(joined(units[i:i + length]) in haystack for i in range(len(units) - length + 1))

    # a run found at one length has its prefixes found at every shorter one: binary search
    lo, hi = 1, len(units)              # lo: longest length known found (1 counts as "none")
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if found(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo / len(units) if lo > 1 else 0.0
