"""The engine: one object behind the CLI, the UI and the eval runner, so all three behave
the same. question (+history) → standalone query → hybrid retrieval → abstain or answer
(LLM or extractive) → validated citations → `Answer`."""
from __future__ import annotations

import threading
import time
from typing import Iterator

from .answer import (LLM_FALLBACK, LLM_TRUNCATED, MIXED_NO_ANSWER, NO_ANSWER, OFFLINE, UNSUPPORTED_SENTENCES,
                     Answer, abstention_text, compose_correction, compose_extractive)
from .citations import cite, complete_sentences
from .errors import LLMError, QuestionError
from .extract import choose
from .index import Index
from .llm import HEARTBEAT_S, LLM, LLMConfig, StreamEnd
from .prompts import render
from .followup import resolve
from .retrieve import Hit, Retrieval, Retriever
from .security import client_endpoint
from .settings import Settings, load_settings
from .verify import Verdict, check_sentences, verify
from .text import detect_language, unsupported_script, visible

BACKENDS = ("auto", "offline", "llm")
LANGUAGES = ("auto", "zh", "en")
NO_ANSWER_TOKEN = "[NO_ANSWER]"
LLM_SLOT_WAIT_S = 15.0       # a question waits this long for a free LLM slot, then answers offline


class Engine:
    def __init__(self, settings: Settings | None = None, index: Index | None = None,
                 retriever: Retriever | None = None) -> None:
        self.settings = settings or (index.settings if index else load_settings())
        self.index = index or Index.open(self.settings)
        self.retriever = retriever or Retriever(self.index)
        # LLM answers hold a slot while they stream; offline answers never wait for one
        self._llm_slots = threading.BoundedSemaphore(self.settings.llm_concurrency)

    # ---- configuration -------------------------------------------------------------
    def llm_config(self, base_url: str | None = None, model: str | None = None,
                   api_key: str | None = None) -> LLMConfig | None:
        s = self.settings
        base_url = s.llm_base_url if base_url is None else base_url
        api_key = s.llm_api_key if api_key is None else api_key
        if not (base_url or api_key):
            return None
        return LLMConfig(base_url=base_url, model=model or s.llm_model, api_key=api_key,
                         timeout_s=s.llm_timeout_s, context_window=s.llm_context_window,
                         deadline_s=s.llm_deadline_s, max_tokens=s.llm_max_tokens, max_chars=s.max_answer_chars)

    def client_llm_config(self, base_url: str, model: str, api_key: str) -> LLMConfig:
        """The endpoint a UI/API client asked for, under rag.security's policy: the server's
        key only goes to the configured URL; another URL needs RAG_ALLOW_CLIENT_ENDPOINTS=1
        and gets only the key the client typed. Raises security.Rejected."""
        s = self.settings
        ep = client_endpoint(base_url, model, api_key, configured_url=s.llm_base_url, configured_key=s.llm_api_key,
                             default_model=s.llm_model, allow_client_endpoints=s.allow_client_endpoints)
        return LLMConfig(base_url=ep.base_url, model=ep.model, api_key=ep.api_key, timeout_s=s.llm_timeout_s,
                         context_window=s.llm_context_window, deadline_s=s.llm_deadline_s,
                         max_tokens=s.llm_max_tokens, max_chars=s.max_answer_chars)

    def validate_question(self, question: str) -> str:
        q = visible(question)
        if not q:
            raise QuestionError("the question is empty", "type a question about the sources")
        if not any(ch.isalnum() for ch in q):
            raise QuestionError("the question has no words, only punctuation or symbols",
                                "type a question about the sources")
        script = unsupported_script(q)
        if script:
            raise QuestionError(f"the question looks like {script}; this assistant answers questions in Chinese or English",
                                "ask in Chinese or English · 请用中文或英文提问")
        if len(q) > self.settings.max_question_chars:
            raise QuestionError(f"the question is {len(q)} characters long, over the limit of {self.settings.max_question_chars}",
                                "shorten it (RAG_MAX_QUESTION_CHARS sets the limit)")
        return q

    # ---- steps ---------------------------------------------------------------------------
    def standalone(self, question: str, history: list[dict] | None, llm: LLM | None) -> str:
        """A follow-up becomes a standalone question: condensed by the LLM when there is one,
        else resolved by rule against the previous question (rag/followup.py)."""
        previous = [m["content"] for m in (history or []) if m.get("role") == "user" and isinstance(m.get("content"), str)]
        if not previous:
            return question
        if llm is not None:
            convo = "\n".join(f"{m['role']}: {m['content']}" for m in (history or [])[-6:] if isinstance(m.get("content"), str))
            try:
                rewritten = llm.complete("You rewrite follow-up questions.", render("condense", history=convo, question=question))
                rewritten = rewritten.strip().splitlines()[0].strip() if rewritten.strip() else ""
                if 0 < len(rewritten) <= self.settings.max_question_chars and not unsupported_script(rewritten):
                    return rewritten
            except LLMError:
                pass
        return resolve(question, visible(previous[-1]))

    def verdict(self, retrieval: Retrieval, lang: str) -> Verdict:
        c = retrieval.candidates
        if c is None or not retrieval.hits:
            return Verdict("abstain", 0.0, ["nothing retrieved"])
        return verify(c, retrieval.hits, self.retriever.readings(retrieval, c.lang), self.retriever.weights["verifier"],
                      retrieval.fused, margin=self.settings.abstain_margin)

    # ---- the main entry points ------------------------------------------------------------
    def ask(self, question: str, history: list[dict] | None = None, **kwargs) -> Answer:
        answer = None
        for event in self.stream(question, history, **kwargs):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def stream(self, question: str, history: list[dict] | None = None, *, top_k: int | None = None,
               backend: str = "auto", language: str = "auto", llm: LLMConfig | None = None) -> Iterator[str | Answer]:
        """Yields text deltas as the answer is produced, then the final `Answer`."""
        t0 = time.perf_counter()
        q = self.validate_question(question)
        if backend not in BACKENDS or language not in LANGUAGES:
            raise QuestionError(f"unknown backend {backend!r} or language {language!r}",
                                f"use backend in {BACKENDS} and language in {LANGUAGES}")
        lang = detect_language(q) if language == "auto" else language
        cfg = llm or (self.llm_config() if backend != "offline" else None)
        if backend == "llm" and cfg is None:
            raise QuestionError("the LLM backend was asked for but no endpoint is configured",
                                "set OPENAI_BASE_URL/OPENAI_API_KEY or choose the offline backend")
        client = LLM(cfg) if cfg is not None else None
        timings: dict[str, float] = {}

        t = time.perf_counter()
        query = self.standalone(q, history, client)
        timings["condense"] = (time.perf_counter() - t) * 1000
        retrieval = self.retriever.retrieve(query, top_k or self.settings.top_k)
        timings.update({f"retrieve_{k}": v for k, v in retrieval.timings_ms.items()})
        hits = retrieval.hits
        t = time.perf_counter()
        verdict = self.verdict(retrieval, lang)
        timings["verify"] = (time.perf_counter() - t) * 1000
        base = dict(question=q, language=lang, retrieved=hits, standalone_question=query, support=verdict.score,
                    verdict=verdict)

        # With an LLM only a confident "unsupported" abstains before it; borderline questions
        # reach it (its [NO_ANSWER] is honoured). Offline, the verdict decides.
        floor = self._verifier_setting(lang, "llm_floor", 0.0) + self.settings.abstain_margin
        if verdict.outcome == "abstain" and (client is None or verdict.score < floor):
            text = abstention_text(verdict, lang)
            yield text
            timings["total"] = (time.perf_counter() - t0) * 1000
            yield Answer(text=text, abstained=True, outcome="abstain", backend=cfg.label if client else OFFLINE,
                         timings_ms=timings, **base)
            return

        notice = ""
        if client is not None:
            t = time.perf_counter()
            try:
                try:
                    outcome = yield from self._llm_answer(client, q, hits, lang)
                finally:
                    timings["generate"] = (time.perf_counter() - t) * 1000
                timings["total"] = (time.perf_counter() - t0) * 1000
                yield Answer(backend=cfg.label, timings_ms=timings, **outcome, **base)
                return
            except LLMError as exc:
                notice = LLM_FALLBACK[lang].format(reason=exc.message)
                yield "\n" + notice + "\n"

        t = time.perf_counter()
        if verdict.outcome == "abstain":          # the LLM failed on a borderline question
            text = abstention_text(verdict, lang)
            timings["total"] = (time.perf_counter() - t0) * 1000
            yield text
            yield Answer(text=text, abstained=True, outcome="abstain", backend=OFFLINE, notice=notice,
                         timings_ms=timings, **base)
            return
        if verdict.outcome == "correct":
            draft = compose_correction(verdict, hits, lang)
        else:
            chosen = choose(self.retriever.readings(retrieval, lang), query, self.retriever.weights["sentences"])
            draft = compose_extractive(chosen, hits, lang)
        cited = cite(draft, hits, lang)
        timings["extract"] = (time.perf_counter() - t) * 1000
        yield cited.text
        timings["total"] = (time.perf_counter() - t0) * 1000
        for sentence in cited.sentences:          # verbatim quotes of the cited paragraph
            sentence.supported = bool(sentence.paragraph_ids)
        yield Answer(text=cited.text, abstained=False, outcome=verdict.outcome, backend=OFFLINE,
                     citations=cited.citations, sentences=cited.sentences, dropped_markers=cited.dropped_markers,
                     notice=notice, timings_ms=timings, **base)

    def _verifier_setting(self, lang: str, key: str, default: float) -> float:
        model = self.retriever.weights["verifier"].get(lang) or self.retriever.weights["verifier"].get("en") or {}
        return float(model.get(key, default))

    def _llm_answer(self, client: LLM, question: str, hits: list[Hit], lang: str):
        """Stream the LLM's answer (yielding its deltas), then check it; returns the Answer's
        fields. Raises LLMError when nothing usable came back, so the caller falls back to
        the extractive answer. What is checked:
        - `[NO_ANSWER]` anywhere (even mixed with text) is honoured as an abstention;
        - a cut-off answer (no finish_reason "stop": token limit, deadline, length cap, dropped
          stream) keeps only its finished sentences, with a notice saying why;
        - a sentence citing only sources that don't exist is dropped; each remaining sentence
          is checked against the paragraphs it cites, and flagged when they don't state it;
        - if no sentence is supported, the answer is not shown as grounded: fall back."""
        waited = 0.0
        while not self._llm_slots.acquire(timeout=HEARTBEAT_S):
            waited += HEARTBEAT_S
            if waited >= LLM_SLOT_WAIT_S:
                raise LLMError(f"all {self.settings.llm_concurrency} LLM slots are busy",
                               "try again shortly, or raise RAG_LLM_CONCURRENCY")
            yield ""                     # still waiting: lets a Stop through
        try:
            parts: list[str] = []
            end = StreamEnd(None)
            for item in client.stream(render("system"), self._qa_prompt(question, hits, lang)):
                if isinstance(item, StreamEnd):
                    end = item
                    break
                parts.append(item)
                yield item
        finally:
            self._llm_slots.release()
        draft = "".join(parts).strip()
        if not draft:
            raise LLMError("the LLM returned an empty answer" + ("" if end.complete else f" ({end.why(client.cfg)})"))
        notices = []
        if NO_ANSWER_TOKEN in draft:
            if draft.replace(NO_ANSWER_TOKEN, "").strip():
                notices.append(MIXED_NO_ANSWER[lang])
            return dict(text=NO_ANSWER[lang], abstained=True, outcome="abstain", notice=" ".join(notices))
        if not end.complete:
            draft = complete_sentences(draft)
            if not draft:
                raise LLMError(f"the LLM's answer was cut off before its first sentence ended: {end.why(client.cfg)}")
            notices.append(LLM_TRUNCATED[lang].format(reason=end.why(client.cfg)))
        cited = cite(draft, hits, lang)
        unsupported = check_sentences(cited.sentences, hits)
        if cited.sentences and unsupported == len(cited.sentences):
            raise LLMError("the LLM's answer is not supported by the paragraphs it cites (not one sentence)")
        if not cited.sentences:
            raise LLMError("the LLM's answer cited only sources that do not exist")
        if unsupported:
            notices.append(UNSUPPORTED_SENTENCES[lang].format(n=unsupported))
        return dict(text=cited.text, abstained=False, outcome="answer", citations=cited.citations,
                    sentences=cited.sentences, dropped_markers=cited.dropped_markers, notice=" ".join(notices))

    @staticmethod
    def _qa_prompt(question: str, hits: list[Hit], lang: str) -> str:
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
