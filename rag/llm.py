"""The only module that talks to an LLM: any OpenAI-compatible endpoint through llama-index
`OpenAILike`. Every failure becomes an LLMError that says what happened and what to do."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from .errors import LLMError


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


class LLM:
    def __init__(self, cfg: LLMConfig) -> None:
        from llama_index.llms.openai_like import OpenAILike
        self.cfg = cfg
        self._llm = OpenAILike(model=cfg.model, api_base=cfg.base_url or None, api_key=cfg.api_key or "not-needed",
                               is_chat_model=True, context_window=cfg.context_window, max_tokens=cfg.max_tokens,
                               timeout=cfg.timeout_s, max_retries=0, temperature=0.0)

    @staticmethod
    def _messages(system: str, user: str):
        from llama_index.core.llms import ChatMessage
        return [ChatMessage(role="system", content=system), ChatMessage(role="user", content=user)]

    def complete(self, system: str, user: str) -> str:
        try:
            resp = self._llm.chat(self._messages(system, user))
        except Exception as exc:
            raise _explain(exc, self.cfg) from None
        text = (resp.message.content or "").strip()
        if not text:
            raise LLMError(f"the LLM endpoint {self.cfg.base_url} returned an empty answer", "check the model")
        return text

    def stream(self, system: str, user: str) -> Iterator[str]:
        """Yields text deltas. Raises LLMError before or during the stream."""
        try:
            for chunk in self._llm.stream_chat(self._messages(system, user)):
                if chunk.delta:
                    yield chunk.delta
        except LLMError:
            raise
        except Exception as exc:
            raise _explain(exc, self.cfg) from None
