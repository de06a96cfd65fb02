"""Paragraph sides → passages. The paragraph side is the unit of retrieval; a side over the
budget is split on sentence boundaries, each piece keeping its paragraph id."""
from __future__ import annotations

import re

from .records import ParagraphPair, Passage
from .sources import sha256

_ZH_SPLIT = re.compile(r"(?<=[。！？；!?;])(?![”’」』)）\"])|(?<=[。！？；!?;][”’」』)）\"])")
# English: end punctuation (+ optional closing quote) then space and a capital/number/quote;
# also "all.In" (a missing space after a period, seen in the seed).
_EN_SPLIT = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9“\"‘(])|(?<=[a-z][.!?])(?=[A-Z][a-z])")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def split_sentences(text: str, lang: str) -> list[str]:
    """Sentences of one side, punctuation kept, nothing lost: ''.join-able for zh."""
    text = text.strip()
    if not text:
        return []
    if lang == "zh":
        parts = _ZH_SPLIT.split(text)
    else:
        parts = []
        last = 0
        for m in _EN_SPLIT.finditer(text):
            end = m.start() + (len(m.group(0).rstrip()) if m.group(0).strip() else 0)
            parts.append(text[last:end])
            last = m.end()
        parts.append(text[last:])
    return [p.strip() for p in parts if p and p.strip()]


def estimate_tokens(text: str) -> int:
    """Cheap token estimate for the e5/XLM-R tokenizer: ~0.7 per CJK char, ~1.4 per word."""
    cjk = len(_CJK.findall(text))
    words = len(re.findall(r"[A-Za-z0-9]+", _CJK.sub(" ", text)))
    return int(cjk * 0.7 + words * 1.4) + 1


def _hard_split(sentence: str, budget: int, joiner: str) -> list[str]:
    """One sentence over the budget → pieces within it, in one pass (estimate_tokens's cost
    model, character by character); English is cut between words where there is a space."""
    pieces: list[str] = []
    start, i, n = 0, 0, len(sentence)
    cost, in_word, last_space = 0.0, False, -1
    while i < n:
        ch = sentence[i]
        if _CJK.match(ch):
            step, in_word = 0.7, False
        elif ch.isascii() and ch.isalnum():
            step, in_word = (0.0 if in_word else 1.4), True
        else:
            step, in_word = 0.0, False
        if cost + step + 1 > budget and i > start:
            cut, skip = i, 0
            if joiner == " " and last_space > start:
                cut, skip = last_space, 1
            pieces.append(sentence[start:cut])
            start = i = cut + skip           # re-scan at most the word that moved to the next piece
            cost, in_word, last_space = 0.0, False, -1
            continue
        if ch == " ":
            last_space = i
        cost += step
        i += 1
    if start < n:
        pieces.append(sentence[start:])
    return [p for p in pieces if p.strip()]


def _pack(sentences: list[str], budget: int, joiner: str) -> list[str]:
    """Sentences → chunks within the budget, in order; linear in the text's length (a 2 MB
    line used to take minutes)."""
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for sentence in sentences:
        cost = estimate_tokens(sentence)
        pieces = [sentence] if cost <= budget else _hard_split(sentence, budget, joiner)
        for piece in pieces:
            cost = estimate_tokens(piece)
            if current and used + cost > budget:
                chunks.append(joiner.join(current))
                current, used = [], 0
            current.append(piece)
            used += cost
    if current:
        chunks.append(joiner.join(current))
    return chunks


def chunk_pair(pair: ParagraphPair, budget: int) -> list[Passage]:
    passages: list[Passage] = []
    for lang in pair.languages:
        text = pair.text(lang) or ""
        pieces = [text] if estimate_tokens(text) <= budget else _pack(
            split_sentences(text, lang), budget, "" if lang == "zh" else " ")
        for n, piece in enumerate(pieces):
            passages.append(Passage(id=f"{pair.id}:{lang}:{n}", pair_id=pair.id, doc=pair.doc,
                                    lang=lang, chunk_no=n, text=piece, hash=sha256(piece)))
    return passages
