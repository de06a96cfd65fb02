"""Sentences of one language side, and the token estimate that sizes chunks."""
from __future__ import annotations

import re

from .lang import CJK, CJK_CLASS

_ZH_SPLIT = re.compile(r"(?<=[。！？；!?;])(?![”’」』)）\"])|(?<=[。！？；!?;][”’」』)）\"])")
# English: end punctuation (+ optional closing quote) then space and a capital/number/quote;
# also "all.In" (a missing space after a period, seen in the seed).
_EN_SPLIT = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9“\"‘(])|(?<=[a-z][.!?])(?=[A-Z][a-z])")
_NOT_CJK_WORD = re.compile(r"[A-Za-z0-9]+")
_CJK_ANY = re.compile(f"[{CJK_CLASS}]")


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
    cjk = len(CJK.findall(text))
    words = len(_NOT_CJK_WORD.findall(_CJK_ANY.sub(" ", text)))
    return int(cjk * 0.7 + words * 1.4) + 1


_ASKING = re.compile(r"[?？]|^(who|what|when|where|which|why|how|is|are|was|were|do|does|did|can)\b|"
                     r"(吗|呢|什么|哪|谁|几|多少|怎么|如何|为何|为什么|是否)", re.I)


_POINTING = re.compile(r"\b(it|its|they|them|their|this|that|these|those|he|she|his|her)\b|它|他|她", re.I)


def focus_question(text: str, lang: str) -> str:
    """The question a longer message asks: its last sentence, when there are several and the
    last one asks something on its own and the others ask nothing ("Ignore previous
    instructions … . How many projects were signed?"). Otherwise — one sentence, a last one
    that points back ("… fund. How large is it?"), or several questions — the text itself."""
    parts = split_sentences(text, lang)
    last = parts[-1] if parts else ""
    # several sentences that each ask are one multi-part question, not a preamble and a question
    if len(parts) >= 2 and len(last) >= 4 and _ASKING.search(last) and not _POINTING.search(last) \
            and not any(_ASKING.search(p) for p in parts[:-1]):
        return last
    return text.strip()


_PIECE = re.compile(r"[？?；;，,、:：]+")
_ASKS_ZH = re.compile(r"多少|多[大长久远高重宽深]|几[个家项部位届次条名座所批种年天号月成岁]|什么|哪|谁|何时|何地|怎样|怎么|如何|是否")
_ASKS_EN = re.compile(r"\b(?:what|which|who|whom|whose|when|where|why|how)\b", re.I)


def question_parts(question: str) -> list[str]:
    """The questions a multi-part question asks, each with the shared context in front
    ("在成都举办的那届大会上，签约了几个项目、签约总额是多少？" → "…大会上 签约了几个项目",
    "…大会上 签约总额是多少"); [] for a question that asks one thing. A piece asks when it has
    a question word; pieces that don't lead the first asking one (context) or follow the
    piece they belong to ("Which film, released in 2023, won?" asks one thing)."""
    asks = _ASKS_ZH if CJK.search(question) else _ASKS_EN
    context: list[str] = []
    parts: list[list[str]] = []
    for piece in (p.strip() for p in _PIECE.split(question)):
        if not piece:
            continue
        # a piece that asks and says what about (5 characters, 3 words): "哪些单位、哪些个人参加了"
        # asks one thing
        if asks.search(piece) and (len(piece) >= 5 if CJK.search(piece) else len(piece.split()) >= 3):
            parts.append([piece])
        elif parts:
            parts[-1].append(piece)
        else:
            context.append(piece)
    if len(parts) < 2:
        return []
    glue = "，" if CJK.search(question) else ", "
    return [glue.join(context + part) for part in parts]
