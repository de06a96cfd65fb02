"""One exception hierarchy. Every error says what happened and what to do about it."""
from __future__ import annotations


class RagError(Exception):
    """Base class: `str(err)` is one line a user can act on."""

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message} — {hint}" if hint else message)


class ConfigError(RagError):
    """A setting (env var or argument) has a bad value."""


class SourceError(RagError):
    """A source file cannot be read or parsed; the rest of the corpus still ingests."""

    def __init__(self, path: str, reason: str, hint: str = "") -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}", hint)


class StoreError(RagError):
    """The vector store or catalog cannot be read or written."""


class EmptyIndexError(StoreError):
    """Nothing is indexed yet."""

    def __init__(self, detail: str = "the index is empty") -> None:
        super().__init__(detail, "run `rag-ingest` (or `python ingest.py`) to index the sources first")


class QuestionError(RagError):
    """The question itself is unusable (empty, too long)."""


class LLMError(RagError):
    """The OpenAI-compatible endpoint is down, slow, or answered garbage."""


class EmbeddingError(RagError):
    """The embedding backend failed."""
