"""Parse [n] markers in an answer, validate them against the numbered sources, and map every
answer sentence to the paragraphs that support it.

A marker that points at no source is dropped from the text and reported — never shown as a
link to nothing. A quote is always a verbatim sentence of the cited paragraph (or empty when
no sentence of it overlaps the answer sentence enough to count as support).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from .retrieve import Hit
from .text import containment, split_sentences

_MARKER_GROUP = re.compile(r"\s*[\[【]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】]")
_BOUNDARY = re.compile(r"(?:[。！？!?]|\.(?=\s|$|[\[【]))(?:\s*[\[【]\s*\d+(?:\s*[,，、]\s*\d+)*\s*[\]】])*")
QUOTE_MIN_SUPPORT = 0.25   # share of the answer sentence's features a quote must cover


@dataclass
class Citation:
    marker: int
    paragraph_id: str
    doc: str
    section: str
    text_zh: str
    text_en: str
    quote: str
    score: float               # retrieval score of the cited paragraph
    support: float = 0.0       # overlap of the best-supported citing sentence with the quote
    quote_zh: str = ""         # the quote's sentence on each language side (aligned by position
    quote_en: str = ""         # when both sides split into the same number of sentences)


@dataclass
class AnswerSentence:
    text: str                  # the sentence without its markers
    markers: list[int] = field(default_factory=list)
    paragraph_ids: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    supported: bool | None = None   # checked against its cited paragraphs (None: not checked)
    support: float = 0.0            # the judge's score


@dataclass
class CitedText:
    text: str                  # the answer with only valid markers left
    sentences: list[AnswerSentence]
    citations: list[Citation]
    dropped_markers: list[int]


def split_answer(text: str) -> list[tuple[str, list[int]]]:
    """Answer text → [(sentence without markers, markers)]. Markers before a sentence's end
    punctuation (`…50% [1].`) or right after it (`…50%。[1]`) belong to that sentence."""
    out: list[tuple[str, list[int]]] = []
    pos = 0
    segments = []
    for m in _BOUNDARY.finditer(text):
        segments.append(text[pos:m.end()])
        pos = m.end()
    segments.append(text[pos:])
    for segment in segments:
        markers = [int(x) for group in _MARKER_GROUP.findall(segment) for x in re.split(r"\s*[,，、]\s*", group)]
        clean = _MARKER_GROUP.sub("", segment).strip()
        if clean:
            out.append((clean, markers))
        elif markers and out:
            out[-1][1].extend(markers)
    return out


def best_quote(sentence: str, hit: Hit, prefer: str = "") -> tuple[str, float]:
    """The paragraph sentence (either language) that best covers `sentence`."""
    best, best_score = "", 0.0
    sides = [(lang, hit.pair.text(lang)) for lang in ("zh", "en")]
    sides.sort(key=lambda s: s[0] != prefer)
    for lang, text in sides:
        if not text:
            continue
        for candidate in split_sentences(text, lang):
            score = containment(sentence, candidate)
            if score > best_score + 1e-9:
                best, best_score = candidate, score
    return (best, best_score) if best_score >= QUOTE_MIN_SUPPORT else ("", best_score)


def aligned_quotes(quote: str, zh: str | None, en: str | None) -> tuple[str, str]:
    """(zh sentence, en sentence) for a quote taken from one side. The translation's sentence
    is the one at the same position when both sides have as many sentences; otherwise the
    other side's sentence sharing the most anchors with it (numbers, Latin names, titles),
    near the same relative position; "" when nothing on the other side matches."""
    if not quote:
        return "", ""
    zs, es = split_sentences(zh or "", "zh"), split_sentences(en or "", "en")
    if quote in zs:
        i = zs.index(quote)
        if len(zs) == 1 and es:                 # the whole side is one sentence: its translation is the other side
            return quote, (en or "").strip()
        return quote, es[i] if len(zs) == len(es) else _counterpart(quote, i / max(len(zs), 1), es)
    if quote in es:
        i = es.index(quote)
        if len(es) == 1 and zs:
            return (zh or "").strip(), quote
        return (zs[i] if len(zs) == len(es) else _counterpart(quote, i / max(len(es), 1), zs)), quote
    return (quote, "") if quote in (zh or "") else ("", quote)


_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9+-]{1,}")
_TITLES = re.compile(r"《([^》]+)》|“([^”]+)”")


def _anchors(text: str) -> set[str]:
    from .text import numbers
    out = {f"#{v:g}" for v in numbers(text)}
    out |= {w.lower() for w in _LATIN.findall(text) if len(w) >= 3 or w.isupper()}
    out |= {next(g for g in m.groups() if g) for m in _TITLES.finditer(text)}
    return out


def _counterpart(quote: str, where: float, candidates: list[str]) -> str:
    """The candidate that best matches `quote` across languages (shared anchors first, then
    the nearest relative position); "" if none shares an anchor."""
    anchors = _anchors(quote)
    if not anchors or not candidates:
        return ""
    scored = [(len(anchors & _anchors(c)), -abs(where - i / len(candidates)), c) for i, c in enumerate(candidates)]
    best = max(scored)
    return best[2] if best[0] > 0 else ""


def cite(text: str, sources: list[Hit], language: str = "") -> CitedText:
    """Validate the answer's markers against the numbered sources and renumber them 1, 2, …
    in the order the answer first cites them (so a reader never sees [1], [3] and no [2]);
    citation n is then the n-th cited paragraph."""
    sentences: list[AnswerSentence] = []
    dropped: list[int] = []
    by_marker: dict[int, Citation] = {}
    out_parts: list[str] = []
    number: dict[int, int] = {}           # source position → marker shown
    for sentence, markers in split_answer(text):
        valid = []
        for n in dict.fromkeys(markers):
            if 1 <= n <= len(sources):
                valid.append(number.setdefault(n, len(number) + 1))
            else:
                dropped.append(n)
        if markers and not valid:
            continue     # it cited only sources that don't exist ("See also [7] and [8]."): nothing is left to show
        record = AnswerSentence(text=sentence, markers=valid)
        position = {shown: n for n, shown in number.items()}
        for n in valid:
            hit = sources[position[n] - 1]
            quote, support = best_quote(sentence, hit, language)
            record.paragraph_ids.append(hit.pair.id)
            record.quotes.append(quote)
            current = by_marker.get(n)
            if current is None or support > current.support:
                quote_zh, quote_en = aligned_quotes(quote, hit.pair.zh, hit.pair.en)
                by_marker[n] = Citation(marker=n, paragraph_id=hit.pair.id, doc=hit.pair.doc,
                                        section=hit.pair.section, text_zh=hit.pair.zh or "",
                                        text_en=hit.pair.en or "", quote=quote,
                                        score=round(hit.score, 6), support=round(support, 4),
                                        quote_zh=quote_zh, quote_en=quote_en)
        sentences.append(record)
        marks = "".join(f"[{n}]" for n in valid)
        out_parts.append(_attach(sentence, marks))
    joiner = "" if language == "zh" else " "
    return CitedText(text=joiner.join(p for p in out_parts if p).strip(), sentences=sentences,
                     citations=[by_marker[n] for n in sorted(by_marker)], dropped_markers=sorted(set(dropped)))


def complete_sentences(text: str) -> str:
    """The text up to its last finished sentence (end punctuation, then any markers): what
    is safe to show of an answer that was cut off mid-sentence. "" if no sentence finished."""
    last = None
    for last in _BOUNDARY.finditer(text):
        pass
    return text[:last.end()].rstrip() if last else ""


def _attach(sentence: str, marks: str) -> str:
    if not marks:
        return sentence
    m = re.search(r"[。！？.!?]$", sentence)
    return f"{sentence[:-1]}{marks}{sentence[-1]}" if m else f"{sentence}{marks}"


def citation_dict(c: Citation) -> dict:
    return asdict(c)
