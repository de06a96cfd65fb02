"""Checking an answer against its sources before it is shown.

`check_sentences` runs the offline support judge on every sentence of a (LLM) answer against
the paragraphs that sentence cites, jointly: a sentence that cites nothing, or whose cited
paragraphs do not state it (a changed number, a swapped name, a negation), is marked
`supported=False` — kept in the text but flagged, never presented as grounded.
"""
from __future__ import annotations

from .citations import AnswerSentence
from .judge import OfflineJudge
from .retrieve import Hit

_JUDGE = OfflineJudge()


def check_sentences(sentences: list[AnswerSentence], hits: list[Hit], judge=_JUDGE) -> int:
    """Set `supported`/`support` on each sentence; returns how many are unsupported."""
    by_id = {h.pair.id: h.pair for h in hits}
    unsupported = 0
    for s in sentences:
        pairs = [by_id[pid] for pid in dict.fromkeys(s.paragraph_ids) if pid in by_id]
        if not pairs:
            s.supported, s.support = False, 0.0
        else:
            zh = "\n".join(p.zh for p in pairs if p.zh)
            en = "\n".join(p.en for p in pairs if p.en)
            s.supported, s.support = judge.supports(s.text, zh, en)
            s.support = round(float(s.support), 4)
        unsupported += not s.supported
    return unsupported
