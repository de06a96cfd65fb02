"""Language-neutral overlap: CJK character bigrams, English words and word bigrams. Finds
the sentence of a paragraph that supports an answer sentence (citations) and feeds the
offline support judge."""
from __future__ import annotations

import re

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
