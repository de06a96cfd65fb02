"""One exception hierarchy. Every error says what happened and what to do about it."""
from __future__ import annotations

import re


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


def _folder_state(folder) -> str:
    """'readonly', 'full' (under 1 MiB free) or '' for the file system holding `folder`."""
    import os
    try:
        st = os.statvfs(folder)
    except OSError:
        return ""
    if st.f_flag & os.ST_RDONLY:
        return "readonly"
    return "full" if st.f_bavail * st.f_frsize < 1 << 20 else ""


def storage_hint(exc: BaseException, folder) -> str:
    """What to do about a failed write under `folder` (RAG_DATA_DIR), from the error's text or,
    when that doesn't say (Chroma's often don't), from the state of the file system."""
    text = str(exc).lower()
    if "unique constraint" in text or "database is locked" in text:
        return (f"another process was writing {folder} at the same time — run again (ingests of one data dir "
                "take turns through its ingest.lock; a tool outside rag-ingest may be holding it)")
    state = _folder_state(folder)
    if re.search(r"\bfull\b|no space|enospc|quota", text) or state == "full":
        return (f"the disk holding {folder} is full — free some space (or point RAG_DATA_DIR at a bigger disk) "
                "and run again; an interrupted ingest resumes where it stopped")
    if "readonly" in text or "read-only" in text or "read only" in text or "permission" in text or state == "readonly":
        return (f"{folder} is read-only — make it writable (or point RAG_DATA_DIR at a writable folder) "
                "and run again (nothing could be written there)")
    return f"check that {folder} (RAG_DATA_DIR) is writable and has free space, then run again"
