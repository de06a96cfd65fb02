"""The engine: one object behind the CLI, the UI and the eval runner, so all three behave
the same. question (+history) → standalone query → hybrid retrieval → learned fusion and
reading → verdict (answer / correct / abstain) → an answerer (LLM or extractive) → validated citations → `Answer`."""
from __future__ import annotations

import re
import threading
import time
from typing import Iterator

from .answer import LLM_FALLBACK, TOO_MANY_PARTS, Answer
from .answerers import Answerer, ExtractiveAnswerer, LLMAnswerer, Question
from .errors import LLMError, QuestionError
from .extract import Reading, choose
from .index import Index
from .llm import LLM, LLMConfig
from .prompts import render
from .followup import resolve
from .retrieve import Retrieval, Retriever
from .security import client_endpoint
from .settings import BACKENDS, LANGUAGES, TOP_K_RANGE, Settings, load_settings
from .verify import Verdict, verify
from .text import MAX_PARTS, detect_language, plain_question, question_parts, unsupported_script, visible



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
        else resolved by rule against the previous question (rag/followup.py). A question in
        Traditional characters is read in Simplified ones, colloquial question words as written
        ones (啥 → 什么: the checks and the embedders read the question's own characters, not only
        its tokens; `plain_question`)."""
        question = self.retriever.respell(plain_question(question))
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
        return resolve(question, self.retriever.respell(plain_question(visible(previous[-1]))))

    def verdict(self, retrieval: Retrieval, lang: str) -> Verdict:
        c = retrieval.candidates
        if c is None or not retrieval.hits:
            return Verdict("abstain", 0.0, ["nothing retrieved"])
        verdict = verify(c, retrieval.hits, self.retriever.readings(retrieval, c.lang), self.retriever.weights["verifier"],
                         retrieval.fused, margin=self.settings.abstain_margin,
                         shown=self.retriever.chosen(retrieval, c.lang, c.focus or c.query))
        if verdict.outcome == "abstain":
            return self.answered_parts(retrieval, verdict) or verdict
        return verdict

    def answered_parts(self, retrieval: Retrieval, whole: Verdict) -> Verdict | None:
        """A multi-part question declined as a whole may have parts the sources answer
        ("大会哪天在哪开的?这是办到第几届了?": one score for both read 0.01; each part alone is
        answered): each part is verified on the whole question's paragraphs, and when any is
        answered, the answer gives those parts' sentences and names the others as not answered."""
        c = retrieval.candidates
        question = c.focus or c.query
        parts = question_parts(question)
        if not parts:
            return None
        weights = self.retriever.weights
        answered: list[Verdict] = []
        reasons: list[str] = []
        unanswered: list[str] = []
        shown: list[Reading] = []
        for part in parts[:MAX_PARTS]:       # the rest: the answer's notice (`stream`)
            sub, readings = self.retriever.part_read(retrieval, c.lang, part)
            lead = choose(readings, part, weights["sentences"]) if readings else []
            verdict = (verify(sub, retrieval.hits, readings, weights["verifier"], retrieval.fused,
                              margin=self.settings.abstain_margin, shown=lead) if lead else None)
            if verdict is not None and verdict.outcome == "answer":
                # the sentence the part's verdict checked, not the runner-up `choose` may add
                answered.append(verdict)
                reasons.append(f"answered by the sources: {part}")
                shown += [r for r in lead[:1] if r.sentence.text not in {s.sentence.text for s in shown}]
            else:
                unanswered.append(re.sub(r"(?i)^and\s+", "", part))
                reasons.append(f"not answered by the sources: {part}")
        if not answered:
            return None
        return Verdict("answer", max(v.score for v in answered), reasons, evidence=shown[0], question=question,
                       llm_floor=whole.llm_floor, shown=shown, unanswered=unanswered)

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
        """Yields text deltas as the answer is produced, then the final `Answer`. The one place
        the request's options are checked (the CLI and the UI pass them through)."""
        t0 = time.perf_counter()
        q = self.validate_question(question)
        if backend not in BACKENDS or language not in LANGUAGES:
            raise QuestionError(f"unknown backend {backend!r} or language {language!r}",
                                f"use backend in {BACKENDS} and language in {LANGUAGES}")
        top_k = self.settings.top_k if top_k is None else top_k
        if not TOP_K_RANGE[0] <= top_k <= TOP_K_RANGE[1]:
            raise QuestionError(f"top-k {top_k} is out of range", f"use {TOP_K_RANGE[0]}..{TOP_K_RANGE[1]}")
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
        retrieval = self.retriever.retrieve(query, top_k)
        timings.update({f"retrieve_{k}": v for k, v in retrieval.timings_ms.items()})
        t = time.perf_counter()
        verdict = self.verdict(retrieval, lang)
        timings["verify"] = (time.perf_counter() - t) * 1000
        if verdict.outcome != "abstain" and retrieval.candidates is not None:
            # the paragraph the answer leads with comes first among the sources: a correction
            # leads with the sentence it quotes
            c = retrieval.candidates
            chosen = verdict.shown or self.retriever.chosen(retrieval, c.lang, c.focus or c.query)
            quoted = verdict.evidence if verdict.outcome == "correct" and not verdict.not_for else None
            lead = quoted.pair_id if quoted is not None else chosen[0].pair_id if chosen else ""
            retrieval.hits.sort(key=lambda h: h.pair.id != lead)
        asked = Question(q, query, lang, retrieval, verdict, timings)

        # With an LLM only a confident "unsupported" abstains before it; borderline questions
        # reach it (its [NO_ANSWER] is honoured). Offline, the verdict decides.
        extractive = ExtractiveAnswerer(self.retriever)
        answerer: Answerer = extractive
        floor = verdict.llm_floor + self.settings.abstain_margin      # the deciding model's own floor
        if client is not None and not (verdict.outcome == "abstain" and verdict.score < floor):
            answerer = LLMAnswerer(client, self._llm_slots, self.settings.llm_concurrency)
        notice = ""
        try:
            fields = yield from answerer.answer(asked)
        except LLMError as exc:
            if answerer is extractive:
                raise
            notice = LLM_FALLBACK[lang].format(reason=exc)     # what happened — what to do
            yield "\n" + notice + "\n"
            answerer = extractive
            fields = yield from extractive.answer(asked)
        c = retrieval.candidates
        asks = len(question_parts(c.focus or c.query)) if c is not None else 0
        unread = TOO_MANY_PARTS[lang].format(n=asks, max=MAX_PARTS) if asks > MAX_PARTS else ""
        fields["notice"] = " ".join(n for n in (notice, fields.get("notice", ""), unread) if n)
        timings["total"] = (time.perf_counter() - t0) * 1000
        yield Answer(question=q, language=lang, retrieved=retrieval.hits, standalone_question=query,
                     support=verdict.score, verdict=verdict, backend=answerer.label, timings_ms=timings, **fields)
