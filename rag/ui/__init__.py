"""The web UI (Gradio): layout (the Blocks), chat (asking with a conversation), render (HTML),
sources_tab (documents, uploads, re-ingest), evaluation (the eval tab)."""
from .layout import build_app, launch

__all__ = ["build_app", "launch"]
