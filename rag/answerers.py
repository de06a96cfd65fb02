"""The answerers: one interface, two implementations. Each gets the question, its retrieval
and the verifier's verdict, yields the answer's text as it is produced, and returns the
`Answer` fields it decided (text, outcome, citations, sentences, notice …).

- `ExtractiveAnswerer` (offline, the default): the verdict decides — an abstention, a
  correction quoting what the source says instead, or the chosen source sentences verbatim.
- `LLMAnswerer`: streams an OpenAI-compatible model's answer, then checks it (an unusable
  answer raises LLMError and the engine falls back to the extractive answerer).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Generator, Protocol

from .answer import (LLM_TRUNCATED, MIXED_NO_ANSWER, NO_ANSWER, OFFLINE, UNANSWERED_PARTS, UNSUPPORTED_SENTENCES,
                     abstention_text, compose_correction, compose_extractive)
from .citations import cite, complete_sentences
from .errors import LLMError
from .llm import HEARTBEAT_S, LLM, StreamEnd
from .premise import of_the_asked_article
from .prompts import render
from .retrieve import Hit, Retrieval, Retriever
from .verify import Verdict, check_sentences

NO_ANSWER_TOKEN = "[NO_ANSWER]"
LLM_SLOT_WAIT_S = 15.0       # a question waits this long for a free LLM slot, then answers offline

Fields = dict                 # keyword arguments of `Answer` an answerer decides


@dataclass
class Question:
    """What every answerer is given."""
    text: str                 # as asked (validated)
    query: str                # standalone form that retrieval searched for
    lang: str                 # the answer's language
    retrieval: Retrieval
    verdict: Verdict
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def hits(self) -> list[Hit]:
        return self.retrieval.hits


class Answerer(Protocol):
    label: str

    def answer(self, q: Question) -> Generator[str, None, Fields]:
        """Yield text deltas ("" = still working), return the Answer's fields."""
        ...


class ExtractiveAnswerer:
    label = OFFLINE

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever

    def answer(self, q: Question) -> Generator[str, None, Fields]:
        t = time.perf_counter()
        if q.verdict.outcome == "abstain":
            text = abstention_text(q.verdict, q.lang)
            yield text
            return dict(text=text, abstained=True, outcome="abstain")
        if q.verdict.outcome == "correct":
            draft = compose_correction(q.verdict, q.hits, q.lang, self.retriever.chosen(q.retrieval, q.lang, q.query))
        else:
            shown = q.verdict.shown or self.retriever.chosen(q.retrieval, q.lang, q.query)
            draft = compose_extractive(of_the_asked_article(shown, q.retrieval.candidates, q.query), q.hits, q.lang)
        cited = cite(draft, q.hits, q.lang)
        for sentence in cited.sentences:          # verbatim quotes of the cited paragraph
            sentence.supported = bool(sentence.paragraph_ids)
        q.timings_ms["extract"] = (time.perf_counter() - t) * 1000
        yield cited.text
        notice = (UNANSWERED_PARTS[q.lang].format(parts=("；" if q.lang == "zh" else "; ").join(q.verdict.unanswered))
                  if q.verdict.unanswered else "")
        return dict(text=cited.text, abstained=False, outcome=q.verdict.outcome, citations=cited.citations,
                    sentences=cited.sentences, dropped_markers=cited.dropped_markers, notice=notice)


class LLMAnswerer:
    """The model answers from the retrieved paragraphs (prompts/system.md, prompts/qa.md);
    its answer is checked before it is kept:
    - `[NO_ANSWER]` anywhere (even mixed with text) is honoured as an abstention;
    - a cut-off answer (no finish_reason "stop": token limit, deadline, length cap, dropped
      stream) keeps only its finished sentences, with a notice saying why;
    - a sentence citing only sources that don't exist is dropped; each remaining sentence is
      checked against the paragraphs it cites, and flagged when they don't state it;
    - if no sentence is supported, the answer is not shown as grounded: LLMError (fallback)."""

    def __init__(self, client: LLM, slots: threading.BoundedSemaphore, concurrency: int) -> None:
        self.client = client
        self.slots = slots                       # LLM answers hold a slot while they stream
        self.concurrency = concurrency
        self.label = client.cfg.label

    def answer(self, q: Question) -> Generator[str, None, Fields]:
        t = time.perf_counter()
        try:
            return (yield from self._answer(q))
        finally:
            q.timings_ms["generate"] = (time.perf_counter() - t) * 1000

    def _answer(self, q: Question) -> Generator[str, None, Fields]:
        waited = 0.0
        while not self.slots.acquire(timeout=HEARTBEAT_S):
            waited += HEARTBEAT_S
            if waited >= LLM_SLOT_WAIT_S:
                raise LLMError(f"all {self.concurrency} LLM slots are busy",
                               "try again shortly, or raise RAG_LLM_CONCURRENCY")
            yield ""                     # still waiting: lets a Stop through
        try:
            parts: list[str] = []
            end = StreamEnd(None)
            for item in self.client.stream(render("system"), qa_prompt(q.text, q.hits, q.lang)):
                if isinstance(item, StreamEnd):
                    end = item
                    break
                parts.append(item)
                yield item
        finally:
            self.slots.release()
        cfg = self.client.cfg
        draft = "".join(parts).strip()
        if not draft:
            raise LLMError("the LLM returned an empty answer" + ("" if end.complete else f" ({end.why(cfg)})"))
        notices = []
        if NO_ANSWER_TOKEN in draft:
            if draft.replace(NO_ANSWER_TOKEN, "").strip():
                notices.append(MIXED_NO_ANSWER[q.lang])
            return dict(text=NO_ANSWER[q.lang], abstained=True, outcome="abstain", notice=" ".join(notices))
        if not end.complete:
            draft = complete_sentences(draft)
            if not draft:
                raise LLMError(f"the LLM's answer was cut off before its first sentence ended: {end.why(cfg)}")
            notices.append(LLM_TRUNCATED[q.lang].format(reason=end.why(cfg)))
        cited = cite(draft, q.hits, q.lang)
        unsupported = check_sentences(cited.sentences, q.hits)
        if cited.sentences and unsupported == len(cited.sentences):
            raise LLMError("the LLM's answer is not supported by the paragraphs it cites (not one sentence)")
        if not cited.sentences:
            raise LLMError("the LLM's answer cited only sources that do not exist")
        if unsupported:
            notices.append(UNSUPPORTED_SENTENCES[q.lang].format(n=unsupported))
        return dict(text=cited.text, abstained=False, outcome="answer", citations=cited.citations,
                    sentences=cited.sentences, dropped_markers=cited.dropped_markers, notice=" ".join(notices))


def qa_prompt(question: str, hits: list[Hit], lang: str) -> str:
    blocks = []
    for n, hit in enumerate(hits, 1):
        sides = [f"[{n}] ({hit.pair.id}; {hit.pair.section or 'no section'})"]
        if hit.pair.zh:
            sides.append(f"中文: {hit.pair.zh}")
        if hit.pair.en:
            sides.append(f"English: {hit.pair.en}")
        blocks.append("\n".join(sides))
    return render("qa", sources="\n\n".join(blocks), question=question,
                  language_name="Chinese (简体中文)" if lang == "zh" else "English")
