"""The only module that talks to an LLM: any OpenAI-compatible endpoint through llama-index
`OpenAILike`. Every failure becomes an LLMError that says what happened and what to do.

An LLM may stream forever, stop mid-sentence or send megabytes: `LLM.stream` reads the stream
in a worker thread and enforces a total deadline and a length cap; it ends with a `StreamEnd`
saying whether the answer is complete (finish_reason "stop") or cut, and why.
"""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Iterator

import httpx

from .errors import LLMError

HEARTBEAT_S = 0.5     # a waiting stream yields "" this often, so Stop is honoured promptly


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str = field(default="", repr=False)
    timeout_s: float = 60.0      # connect, and each gap between streamed chunks
    context_window: int = 4096
    max_tokens: int = 512
    deadline_s: float = 120.0    # the whole answer
    max_chars: int = 8000        # a longer answer is cut and marked as truncated

    @property
    def label(self) -> str:
        return f"llm:{self.model}"


@dataclass(frozen=True)
class StreamEnd:
    """The last item of `LLM.stream`: `complete` only when the model said it was done."""
    finish_reason: str | None    # the endpoint's: "stop", "length", … (None: the stream just ended)
    cut: str = ""                # "" | "deadline" | "max_chars" — we stopped reading

    @property
    def complete(self) -> bool:
        return not self.cut and self.finish_reason == "stop"

    def why(self, cfg: LLMConfig) -> str:
        if self.cut == "deadline":
            return f"the answer took longer than {cfg.deadline_s:.0f}s (RAG_LLM_DEADLINE) and was cut"
        if self.cut == "max_chars":
            return f"the answer was longer than {cfg.max_chars} characters (RAG_MAX_ANSWER_CHARS) and was cut"
        if self.finish_reason == "length":
            return f"the model stopped at its token limit ({cfg.max_tokens}, RAG_LLM_MAX_TOKENS)"
        return "the stream ended before the model finished"


def _explain(exc: Exception, cfg: LLMConfig) -> LLMError:
    import openai
    where = cfg.base_url or "api.openai.com"
    if isinstance(exc, openai.APITimeoutError):
        return LLMError(f"the LLM endpoint {where} did not answer within {cfg.timeout_s:.0f}s",
                        "raise RAG_LLM_TIMEOUT or check the server's load")
    if isinstance(exc, openai.APIConnectionError):
        return LLMError(f"cannot reach the LLM endpoint {where}", "start the server or fix OPENAI_BASE_URL")
    if isinstance(exc, openai.AuthenticationError):
        return LLMError(f"the LLM endpoint {where} rejected the API key", "check OPENAI_API_KEY")
    if isinstance(exc, openai.NotFoundError):
        return LLMError(f"the LLM endpoint {where} does not know model {cfg.model!r}", "check RAG_LLM_MODEL")
    if isinstance(exc, openai.APIStatusError):
        return LLMError(f"the LLM endpoint {where} answered HTTP {exc.status_code}", "check the server log")
    return LLMError(f"the LLM endpoint {where} returned an unusable response ({type(exc).__name__}: {exc})"[:300],
                    "check that it is an OpenAI-compatible /v1 endpoint")


def _finish_reason(chunk) -> str | None:
    try:
        return chunk.raw.choices[0].finish_reason
    except (AttributeError, IndexError, TypeError):
        return None


class LLM:
    def __init__(self, cfg: LLMConfig) -> None:
        self.cfg = cfg
        self._llm = self._client()

    def _client(self, http_client=None):
        from llama_index.llms.openai_like import OpenAILike
        cfg = self.cfg
        return OpenAILike(model=cfg.model, api_base=cfg.base_url or None, api_key=cfg.api_key or "not-needed",
                          is_chat_model=True, context_window=cfg.context_window, max_tokens=cfg.max_tokens,
                          timeout=cfg.timeout_s, max_retries=0, temperature=0.0, http_client=http_client)

    @staticmethod
    def _messages(system: str, user: str):
        from llama_index.core.llms import ChatMessage
        return [ChatMessage(role="system", content=system), ChatMessage(role="user", content=user)]

    def complete(self, system: str, user: str) -> str:
        """One short, non-streamed answer (condensing a follow-up, the judge)."""
        result: list = []

        def call() -> None:
            try:
                result.append(self._llm.chat(self._messages(system, user)))
            except Exception as exc:  # noqa: BLE001 - handed to the caller's thread
                result.append(exc)
        worker = threading.Thread(target=call, daemon=True)
        worker.start()
        worker.join(self.cfg.deadline_s)
        if not result:
            raise LLMError(f"the LLM endpoint {self.cfg.base_url} took longer than {self.cfg.deadline_s:.0f}s",
                           "raise RAG_LLM_DEADLINE or check the server's load")
        if isinstance(result[0], Exception):
            raise _explain(result[0], self.cfg) from None
        text = (result[0].message.content or "").strip()
        if not text:
            raise LLMError(f"the LLM endpoint {self.cfg.base_url} returned an empty answer", "check the model")
        return text[: self.cfg.max_chars]

    def stream(self, system: str, user: str) -> Iterator[str | StreamEnd]:
        """Yields text deltas, then one StreamEnd. Raises LLMError (before or during the stream).

        A worker thread reads the HTTP stream; this generator waits on it with the deadline,
        so a server that sends a chunk every few seconds forever is cut off on time. While
        nothing arrives it yields "" every HEARTBEAT_S, so a caller can stop it promptly;
        closing this generator (a user pressed Stop) tells the worker to drop the connection."""
        cfg = self.cfg
        items: queue.Queue = queue.Queue()
        stop = threading.Event()

        # a connection of its own, closed when the stream ends or is stopped: closing the
        # llama-index generator alone left the HTTP response open (the server kept generating)
        http = httpx.Client(timeout=cfg.timeout_s)

        def produce() -> None:
            gen = None
            try:
                gen = self._client(http).stream_chat(self._messages(system, user))
                for chunk in gen:
                    if stop.is_set():
                        break
                    items.put(("delta", chunk.delta or "", _finish_reason(chunk)))
                items.put(("end", None, None))
            except Exception as exc:  # noqa: BLE001 - handed to the consumer
                items.put(("error", exc, None))
            finally:
                close = getattr(gen, "close", None)
                if close is not None:
                    try:
                        close()
                    except Exception:
                        pass
                http.close()             # drops the HTTP connection: the server stops generating

        threading.Thread(target=produce, daemon=True, name="llm-stream").start()
        deadline = time.monotonic() + cfg.deadline_s
        finish: str | None = None
        total = 0
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    yield StreamEnd(finish, "deadline")
                    return
                try:
                    kind, value, reason = items.get(timeout=min(remaining, HEARTBEAT_S))
                except queue.Empty:
                    yield ""
                    continue
                if kind == "error":
                    raise _explain(value, cfg) from None
                if kind == "end":
                    yield StreamEnd(finish)
                    return
                finish = reason or finish
                if value:
                    if total + len(value) > cfg.max_chars:
                        yield value[: cfg.max_chars - total]
                        yield StreamEnd(finish, "max_chars")
                        return
                    total += len(value)
                    yield value
        finally:
            stop.set()
