"""The chat's logic (no layout): asking with a conversation, regenerating, editing, restoring
a conversation saved in the browser.

A conversation is a list of turns, each {"n", "question", "answer": Answer.to_dict(), "titles"}:
the engine's history comes from their plain questions and answers (never from rendered HTML),
the chat and the source panel are rendered from them, the browser keeps them (BrowserState).
"""
from __future__ import annotations

import functools
import threading
import time

import anyio
import gradio as gr

from ..answer import LLM_FALLBACK
from ..engine import Engine
from ..errors import RagError
from ..security import Rejected
from ..text import detect_language
from . import render

OFFLINE_CHOICE = "offline (extractive)"
LLM_CHOICE = "OpenAI-compatible endpoint"
STREAM_UPDATE_S = 0.1
MAX_TURNS = 50          # kept in a conversation (and in the browser)


def closing_stream(fn):
    """`fn` (a generator function) as an async generator that closes it when the event is
    cancelled (Stop): gradio otherwise leaves a cancelled sync generator suspended, its LLM
    stream open and its LLM slot taken until garbage collection. Each step runs in a worker
    thread; close() runs the generator's finally blocks (the HTTP stream is dropped, the
    endpoint stops generating). A step still running when the cancel lands (waiting for the
    next LLM chunk) is let finish in its thread, then the generator is closed there."""
    @functools.wraps(fn)
    async def run(*args):
        gen = fn(*args)
        done = object()
        try:
            while True:
                item = await anyio.to_thread.run_sync(next, gen, done)
                if item is done:
                    return
                yield item
        finally:
            _close_when_idle(gen)
    return run


def _close_when_idle(gen, wait_s: float = 0.05, limit_s: float = 600.0) -> None:
    try:
        gen.close()
        return
    except ValueError:          # "generator already executing": its step is still running
        pass

    def retry() -> None:
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            try:
                gen.close()
                return
            except ValueError:
                time.sleep(wait_s)
    threading.Thread(target=retry, daemon=True, name="close-answer").start()


def titles(engine: Engine) -> dict[str, str]:
    return {d["doc_id"]: d.get("title") or d["doc_id"] for d in engine.index.catalog.documents()}


def history_of(turns: list[dict]) -> list[dict]:
    """The engine's view of the conversation: plain questions and answers."""
    out = []
    for turn in turns or []:
        out.append({"role": "user", "content": turn["question"]})
        out.append({"role": "assistant", "content": turn["answer"].get("answer", "")})
    return out


def _valid_turns(turns) -> list[dict]:
    """A client's conversation, kept only as far as it has the expected shape."""
    out = []
    for turn in turns if isinstance(turns, list) else []:
        if isinstance(turn, dict) and isinstance(turn.get("question"), str) and isinstance(turn.get("answer"), dict):
            out.append({"n": len(out) + 1, "question": turn["question"][:10_000], "answer": turn["answer"],
                        "titles": turn.get("titles") if isinstance(turn.get("titles"), dict) else {}})
    return out[-MAX_TURNS:]


STOPPED = "stopped — the partial answer is kept, its citations unchecked; ask again for a checked one · 已停止"
MAX_ANSWERING = 1000     # sessions with an answer in progress remembered for Stop


class ChatHandler:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # session → the answer it is streaming (what Stop keeps: a cancelled event sends nothing)
        self._answering: dict[str, dict] = {}
        self._lock = threading.Lock()

    def ask(self, question, turns, top_k, backend, language, base_url, model, api_key, request: gr.Request = None):
        """Streams (chat, source panel, status, answer JSON, conversation). Every output is
        masked for the typed key and the server's key before it is rendered."""
        key = (api_key or "").strip()
        secrets = [key, self.engine.settings.llm_api_key]
        session = getattr(request, "session_hash", None)
        yield from self._ask(question, _valid_turns(turns), top_k, backend, language, base_url, model, key, secrets,
                             session)

    def _keep(self, session, turns: list[dict], question: str, partial: str) -> None:
        if session:
            with self._lock:
                self._answering.pop(session, None)
                self._answering[session] = {"turns": turns, "question": question, "partial": partial}
                while len(self._answering) > MAX_ANSWERING:
                    self._answering.pop(next(iter(self._answering)))

    def _done(self, session) -> None:
        if session:
            with self._lock:
                self._answering.pop(session, None)

    def stopped(self, request: gr.Request = None):
        """Stop: the conversation with the partial answer kept as a turn marked "stopped" (its
        text as streamed, masked, no citations checked), or without the pending bubble when
        nothing had arrived yet. (chat, status, conversation)."""
        session = getattr(request, "session_hash", None)
        with self._lock:
            got = self._answering.pop(session, None) if session else None
        if got is None:
            return gr.skip(), render.status_html(None, STOPPED), gr.skip()
        turns = got["turns"]
        if got["partial"].strip():
            turns = turns + [{"n": len(turns) + 1, "question": got["question"], "titles": {},
                              "answer": {"answer": got["partial"].rstrip() + " …", "outcome": "stopped",
                                         "sentences": []}}]
        return render.chat_messages(turns), render.status_html(None, STOPPED), turns

    def _ask(self, question, turns, top_k, backend, language, base_url, model, key, secrets, session=None):
        try:
            q = self.engine.validate_question(question or "")
        except RagError as exc:
            yield (render.chat_messages(turns), gr.skip(), render.status_html(None, str(exc)), None, turns)
            return
        pending = turns + [{"n": len(turns) + 1, "question": q,
                            "answer": {"answer": "…", "outcome": "answer", "sentences": []}, "titles": {}}]
        self._keep(session, turns, q, "")
        yield (render.chat_messages(pending), gr.skip(), "Searching… 正在检索…", None, gr.skip())
        notice = ""
        cfg, mode = None, "offline"
        if backend == LLM_CHOICE:
            try:
                cfg, mode = self.engine.client_llm_config(base_url or "", model or "", key), "llm"
            except Rejected as exc:     # the same notice as an endpoint failing mid-answer: offline, and why
                notice = LLM_FALLBACK["zh" if detect_language(q) == "zh" else "en"].format(reason=exc)
        raw, answer, last = "", None, 0.0
        try:
            # passed through as given: the engine checks top-k and language (one place)
            size = int(top_k) if isinstance(top_k, (int, float)) and not isinstance(top_k, bool) else None
            lang = language if isinstance(language, str) and language else "auto"
            for event in self.engine.stream(q, history_of(turns), top_k=size, backend=mode, language=lang, llm=cfg):
                if isinstance(event, str):
                    raw += event
                    if time.monotonic() - last >= STREAM_UPDATE_S:    # a few updates a second, not one per token
                        last = time.monotonic()
                        shown = render.mask_stream(raw, secrets)
                        pending[-1]["answer"] = {"answer": shown or "…", "outcome": "answer"}
                        self._keep(session, turns, q, shown)
                        yield (render.chat_messages(pending), gr.skip(), "Answering… 正在回答…", None, gr.skip())
                else:
                    answer = event
        except RagError as exc:
            self._done(session)
            message = render.mask(str(exc), secrets)
            pending[-1]["answer"] = {"answer": f"⚠ {message}", "outcome": "error"}
            yield (render.chat_messages(pending), render.error_html(message), render.status_html(None, message),
                   None, turns)
            return
        data = render.mask(answer.to_dict(), secrets)
        if notice:
            data["notice"] = (notice + " " + data.get("notice", "")).strip()
        if not data.get("abstained"):
            data["retrieved"] = []            # the cards show the cited paragraphs; keep the saved turn small
        done = turns + [{"n": len(turns) + 1, "question": q, "answer": data, "titles": titles(self.engine)}]
        self._done(session)
        yield (render.chat_messages(done), render.sources_html(done), render.status_html(data), data, done)

    def regenerate(self, turns, top_k, backend, language, base_url, model, api_key, request: gr.Request = None):
        """Ask the last question again (after the turns before it)."""
        turns = _valid_turns(turns)
        if not turns:
            yield (render.chat_messages([]), gr.skip(), "", None, [])
            return
        yield from self.ask(turns[-1]["question"], turns[:-1], top_k, backend, language, base_url, model, api_key,
                            request)

    def edit(self, turns, data: gr.EditData, top_k, backend, language, base_url, model, api_key,
             request: gr.Request = None):
        """A user message was edited in the chat: ask it again from that point."""
        turns = _valid_turns(turns)
        index = data.index if isinstance(data.index, int) else data.index[0]
        keep = turns[: index // 2]
        yield from self.ask(data.value, keep, top_k, backend, language, base_url, model, api_key, request)

    @staticmethod
    def restore(turns):
        turns = _valid_turns(turns)
        return render.chat_messages(turns), render.sources_html(turns), turns
