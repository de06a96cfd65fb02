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


def _pack(sentences: list[str], budget: int, joiner: str) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        while estimate_tokens(sentence) > budget:  # one over-long sentence: hard split
            cut = max(1, int(len(sentence) * budget / estimate_tokens(sentence)))
            while cut > 1 and estimate_tokens(sentence[:cut]) > budget:  # tokens are uneven: stay in budget
                cut = max(1, cut * 9 // 10)
            skip = 0
            if joiner == " ":  # English: cut between words, never inside one
                space = sentence.rfind(" ", 0, cut + 1)
                if space > 0:
                    cut, skip = space, 1
            if current:
                chunks.append(joiner.join(current))
                current = []
            chunks.append(sentence[:cut])
            sentence = sentence[cut + skip:]
        if current and estimate_tokens(joiner.join(current + [sentence])) > budget:
            chunks.append(joiner.join(current))
            current = []
        current.append(sentence)
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
