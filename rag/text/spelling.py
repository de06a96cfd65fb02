"""Misspelt English question words read as the corpus's own ("natinal" → national,
"ecosytem" → ecosystem): a word no English dictionary knows (pyspellchecker's word list,
names included) and no passage has, within one edit of a word the passages use (two for a
long word), is looked up as that word. A real word the corpus lacks ("mayor") is never
respelt: that it is missing is what the checks read."""
from __future__ import annotations

import re
import threading
from functools import lru_cache

_lock = threading.Lock()
_checker = None
_WORD = re.compile(r"[A-Za-z]+")
MIN_LENGTH = 5          # shorter words are one edit from too many others ("coal", "goal")


def known(word: str) -> bool:
    """Whether an English dictionary has the word (any case)."""
    global _checker
    with _lock:
        if _checker is None:
            from spellchecker import SpellChecker
            _checker = SpellChecker(language="en", distance=1)
    return word.lower() in _checker


def misspelt(question: str) -> list[str]:
    """The question's words that may be typos: written in lower case (a capitalised word in the
    middle is a name: "Wuhai" is no typo of Wuhan) or opening the question, at least
    MIN_LENGTH letters, unknown to the dictionary."""
    out = []
    for m in _WORD.finditer(question):
        word = m.group(0)
        if len(word) < MIN_LENGTH or (word[0].isupper() and m.start() > 0) or word.isupper():
            continue
        if not known(word):
            out.append(word)
    return out


def deletes(word: str) -> set[str]:
    """The word and every form of it with one letter left out (the index a typo is looked up in)."""
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


@lru_cache(maxsize=4096)
def distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (a swap of two neighbours is one edit)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def allowed(word: str) -> int:
    return 2 if len(word) >= 8 else 1


def candidates(typo: str) -> list[str]:
    """Dictionary words one edit from `typo`, likeliest first: a typo leaves a letter out more
    often than it adds one ("signd" is signed before sign), then the commoner word."""
    known(typo)                      # loads the dictionary
    near = sorted(w for w in _checker.candidates(typo.lower()) or () if w != typo.lower() and known(w))
    return sorted(near, key=lambda w: (len(w) <= len(typo), len(w) != len(typo), -_checker.word_usage_frequency(w)))
