"""Prompts live as files in prompts/ (not as inline strings); loaded by name. The folder is
located by rag/resources.py: the checkout's prompts/, or the copy bundled in an installed wheel."""
from __future__ import annotations

from functools import lru_cache

from . import resources
from .errors import ConfigError
from .settings import PROMPTS_DIR


@lru_cache(maxsize=None)
def load_prompt(name: str) -> str:
    path = PROMPTS_DIR / f"{name}.md"
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        hint = ("restore it from the repository" if resources.in_checkout()
                else "reinstall the package (the wheel bundles the prompts under rag/_bundled/)")
        raise ConfigError(f"prompt file {path} is missing", hint) from None


def render(name: str, **values: str) -> str:
    """Fill {placeholders}; values are inserted verbatim (braces in a question are safe)."""
    return load_prompt(name).format_map(values)
