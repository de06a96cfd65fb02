"""Paragraph sides → passages. The paragraph side is the unit of retrieval; a side over the
budget is split on sentence boundaries, each piece keeping its paragraph id."""
from __future__ import annotations

from .records import ParagraphPair, Passage
from .text import CJK, estimate_tokens, sha256, split_sentences


def _hard_split(sentence: str, budget: int, joiner: str) -> list[str]:
    """One sentence over the budget → pieces within it, in one pass (estimate_tokens's cost
    model, character by character); English is cut between words where there is a space."""
    pieces: list[str] = []
    start, i, n = 0, 0, len(sentence)
    cost, in_word, last_space = 0.0, False, -1
    while i < n:
        ch = sentence[i]
        if CJK.match(ch):
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
