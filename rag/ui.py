"""The Gradio UI: Chat (streaming, cited, bilingual sources), Sources (upload, re-ingest),
Evaluation. `build_app(engine)` returns the Blocks; `launch(app, settings)` serves it.

One Engine is shared by all sessions; each browser session keeps its own chat history (the
Chatbot value) and settings (component values). Named API endpoints: ask, upload, reingest,
documents, run_eval.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import gradio as gr

from .engine import Engine
from .errors import RagError
from .security import HostGuard, Rejected, allowed_hosts, exposure_warning, uploaded_file
from .settings import PROJECT_DIR, Settings, apply_gradio_env
from .ui_render import (CSS, HEAD, answer_markdown, error_html, md_text, plain_history, scrub,
                        sources_html)
from .ui_sources import DOC_HEADERS, IngestGuard, document_rows, save_uploads

OFFLINE_CHOICE = "offline (extractive)"
LLM_CHOICE = "OpenAI-compatible endpoint"
EXAMPLES = [
    "微短剧审查时效提升了多少?",
    "How large is Sichuan's annual special fund for cultural productions?",
    "有多少个影视项目签约?",
    "Who launched the AIGC innovation partnership program?",
]
STREAM_UPDATE_S = 0.1
EVAL_COLUMNS = ("id", "language", "kind", "answerable", "abstained", "backend", "support", "question", "answer")


def _status(answer) -> str:
    text = f"**Backend:** `{md_text(answer.backend)}`"
    if answer.abstained:
        text += " · **abstained** (the sources do not answer this; nearest paragraphs shown)"
    elif answer.outcome == "correct":
        text += " · **corrected** (the question assumes something the sources contradict)"
    if answer.notice:
        text += f"  \n⚠ {md_text(answer.notice)}"
    return text


class ChatHandler:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def ask(self, question, history, top_k, backend, language, base_url, model, api_key):
        """Streams (chatbot, sources html, status, answer json, cleared textbox)."""
        key = (api_key or "").strip()
        for out in self._ask(question, history, top_k, backend, language, base_url, model, key):
            yield scrub(out, key)

    def _ask(self, question, history, top_k, backend, language, base_url, model, key):
        history = list(history or [])
        try:
            q = self.engine.validate_question(question or "")
        except RagError as exc:
            yield history, error_html(str(exc)), f"⚠ {md_text(str(exc))}", None, question or ""
            return
        past = plain_history(history)
        history = history + [{"role": "user", "content": md_text(q)},
                             {"role": "assistant", "content": "…"}]
        yield history, sources_html(None, "Searching the sources… 正在检索…"), "Searching…", None, ""
        try:
            cfg, mode = None, "offline"
            if backend == LLM_CHOICE:
                cfg, mode = self.engine.client_llm_config(base_url or "", model or "", key), "llm"
            top_k = max(1, min(20, int(top_k or self.engine.settings.top_k)))
            language = language if language in ("auto", "zh", "en") else "auto"
            shown, answer, last = "", None, 0.0
            for event in self.engine.stream(q, past, top_k=top_k, backend=mode, language=language, llm=cfg):
                if isinstance(event, str):
                    # escaping is per character: only the new text is escaped; a few updates a
                    # second, not one per token; "" is the engine's heartbeat (lets Stop through)
                    shown += md_text(event)
                    if time.monotonic() - last >= STREAM_UPDATE_S:
                        last = time.monotonic()
                        history[-1] = {"role": "assistant", "content": shown or "…"}
                        yield history, gr.skip(), "Answering…", None, gr.skip()
                else:
                    answer = event
        except RagError as exc:
            history[-1] = {"role": "assistant", "content": "⚠ " + md_text(str(exc))}
            yield history, error_html(str(exc)), f"⚠ {md_text(str(exc))}", None, ""
            return
        except Exception as exc:  # noqa: BLE001 - show, don't crash the session
            msg = f"unexpected error: {type(exc).__name__}: {exc}"
            history[-1] = {"role": "assistant", "content": "⚠ " + md_text(msg)}
            yield history, error_html(msg), f"⚠ {md_text(msg)}", None, ""
            return
        markers = {c.marker for c in answer.citations}
        content = answer_markdown(answer.text, markers, answer.abstained, answer.language)
        if answer.notice:
            content = f"<em>{md_text(answer.notice)}</em><br>{content}"
        history[-1] = {"role": "assistant", "content": content}
        data = answer.to_dict()
        data.pop("sentences", None)
        yield history, sources_html(answer), _status(answer), data, ""


def _docs(engine: Engine) -> list[list]:
    return document_rows(engine.index.catalog)


EVAL_DIR = PROJECT_DIR / "eval"


def eval_sets() -> dict[str, Path]:
    """The question sets a client may evaluate by name (never by path): eval/*.jsonl."""
    return {p.name: p for p in sorted(EVAL_DIR.glob("*.jsonl")) if p.name != "claims.jsonl"}


def _run_eval(engine: Engine, name: str, uploaded: str | None, progress=gr.Progress()):
    from .eval import runner  # imported on use: matplotlib and the judge are not needed to chat

    empty = ([], [], None)
    try:
        if uploaded:
            path = uploaded_file(uploaded, engine.settings.uploads)
        else:
            sets = eval_sets()
            if name not in sets:
                raise Rejected(f"unknown question set {name!r}", f"choose one of {', '.join(sets)} or upload a file")
            path = sets[name]
    except Rejected as exc:
        return (f"⚠ {md_text(str(exc))}", *empty)
    out_dir = engine.settings.data_dir / "eval-ui" / time.strftime("%Y%m%d-%H%M%S")
    try:
        progress(0, desc="evaluating")
        runner.run(path, out_dir, engine, judge=None, progress=False)
    except Exception as exc:  # noqa: BLE001
        return (f"evaluation failed: {md_text(f'{type(exc).__name__}: {exc}')}", *empty)
    metrics_rows = []
    try:
        metrics = json.loads((out_dir / "metrics.json").read_text(encoding="utf-8"))
        metrics_rows = _flatten(metrics)
    except (OSError, ValueError):
        pass
    rows, metric_cols = [], []
    try:
        for line in (out_dir / "results.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                m = rec.get("metrics") if isinstance(rec.get("metrics"), dict) else {}
                metric_cols = metric_cols or sorted(m)
                rows.append([_cell(rec.get(c)) for c in EVAL_COLUMNS] + [_cell(m.get(c)) for c in metric_cols])
    except (OSError, ValueError):
        pass
    pngs = sorted(out_dir.glob("*.png"))
    msg = f"Evaluation written to `{md_text(str(out_dir))}` ({len(rows)} question(s))."
    table = {"headers": list(EVAL_COLUMNS) + metric_cols, "data": rows}
    return (msg, metrics_rows, table, str(pngs[0]) if pngs else None)


def _flatten(obj, prefix="") -> list[list]:
    rows = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            rows.extend(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    else:
        rows.append([prefix, _cell(obj)])
    return rows


def _cell(v):
    if v is None or isinstance(v, (str, int, float, bool)):
        return "" if v is None else v
    return json.dumps(v, ensure_ascii=False)[:300]


def build_app(engine: Engine) -> gr.Blocks:
    s: Settings = engine.settings
    apply_gradio_env(s)          # before any component: uploads land in our private folder
    chat = ChatHandler(engine)
    guard = IngestGuard()

    def documents():
        return _docs(engine)

    def upload(files, replace):
        if isinstance(files, str):
            files = [files]
        result = save_uploads([str(f) for f in (files or [])], s.sources_dir, s.max_upload_bytes, bool(replace),
                              upload_root=s.uploads, backup_dir=s.data_dir / "backups")
        return result.markdown(), _docs(engine), None

    def reingest(progress=gr.Progress()):
        def cb(done, total, msg):
            progress((done, max(total, 1)), desc=msg)
        progress(0, desc="scanning sources")
        return guard.run(engine.index, cb), _docs(engine)

    def run_eval(name, uploaded, progress=gr.Progress()):
        return _run_eval(engine, name, uploaded, progress)

    with gr.Blocks(title="Grounded bilingual QA · 双语溯源问答", analytics_enabled=False) as app:
        gr.Markdown("## Grounded bilingual QA · 双语溯源问答\nAnswers cite the paragraphs they come from. "
                    "回答均标注来源段落。")
        with gr.Tab("Chat · 问答", id="chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(label="Chat", height=460, elem_id="chatbot", latex_delimiters=[],
                                         sanitize_html=True, feedback_options=None, buttons=["copy"])
                    with gr.Row():
                        question = gr.Textbox(placeholder="Ask in Chinese or English · 用中文或英文提问",
                                              show_label=False, scale=5, elem_id="question", lines=1, max_lines=4)
                        send = gr.Button("Ask · 提问", variant="primary", scale=1, elem_id="ask")
                    with gr.Row():
                        clear = gr.Button("Clear chat · 清空", size="sm", elem_id="clear")
                    gr.Examples(EXAMPLES, inputs=[question], label="Examples · 示例")
                    status = gr.Markdown("", elem_id="status")
                    with gr.Accordion("Settings · 设置", open=False):
                        top_k = gr.Slider(1, 20, value=s.top_k, step=1, label="top-k paragraphs")
                        backend = gr.Radio([OFFLINE_CHOICE, LLM_CHOICE], label="Backend",
                                           value=LLM_CHOICE if s.llm_configured else OFFLINE_CHOICE)
                        base_url = gr.Textbox(
                            label=("Base URL (blank: the server's endpoint; another URL never gets the server's key)"
                                   if s.allow_client_endpoints else "Base URL (set on the server: OPENAI_BASE_URL)"),
                            value=s.llm_base_url, placeholder="http://127.0.0.1:8080/v1",
                            interactive=s.allow_client_endpoints)
                        model = gr.Textbox(label="Model", value=s.llm_model)
                        api_key = gr.Textbox(label="API key (blank: the server's key, for its own endpoint only)",
                                             type="password",
                                             value="", placeholder="sk-…")
                        language = gr.Radio(["auto", "zh", "en"], value="auto", label="Answer language · 回答语言")
                    with gr.Accordion("Answer details (JSON)", open=False):
                        details = gr.JSON(label="answer")
                with gr.Column(scale=2):
                    sources = gr.HTML(sources_html(None), elem_id="sources", label="Sources")
            inputs = [question, chatbot, top_k, backend, language, base_url, model, api_key]
            outputs = [chatbot, sources, status, details, question]
            # LLM answers hold an engine slot (RAG_LLM_CONCURRENCY) while offline ones are quick:
            # enough event slots that offline questions never queue behind slow LLM calls
            slots = max(8, 4 * s.llm_concurrency)
            question.submit(chat.ask, inputs, outputs, api_name="ask", concurrency_limit=slots)
            send.click(chat.ask, inputs, outputs, api_name=False, concurrency_limit=slots)
            clear.click(lambda: ([], sources_html(None), "", None, ""), None, outputs, api_name="clear")

        with gr.Tab("Sources · 资料", id="sources-tab"):
            docs = gr.Dataframe(headers=DOC_HEADERS, value=document_rows(engine.index.catalog),
                                label="Ingested documents", interactive=False, elem_id="documents")
            refresh = gr.Button("Refresh list", size="sm")
            with gr.Row():
                with gr.Column():
                    files = gr.File(label=f"Upload .txt / .md (max {s.max_upload_bytes:,} bytes each)",
                                    file_count="multiple", type="filepath")
                    replace = gr.Checkbox(label="replace existing files with the same name", value=False)
                    upload_btn = gr.Button("Upload", variant="primary")
                    upload_msg = gr.Markdown(elem_id="upload-msg")
                with gr.Column():
                    reingest_btn = gr.Button("Re-ingest sources", variant="primary", elem_id="reingest")
                    ingest_msg = gr.Markdown(elem_id="ingest-msg")
            refresh.click(documents, None, docs, api_name="documents")
            upload_btn.click(upload, [files, replace], [upload_msg, docs, files], api_name="upload")
            reingest_btn.click(reingest, None, [ingest_msg, docs], api_name="reingest",
                               concurrency_limit=1)

        with gr.Tab("Evaluation · 评测", id="eval"):
            sets = list(eval_sets())
            qset = gr.Dropdown(sets, value=sets[0] if sets else None, label="Question set (eval/)")
            qfile = gr.File(label="…or upload a questions file (JSONL)", file_count="single", type="filepath",
                            file_types=[".jsonl"])
            eval_btn = gr.Button("Run evaluation", variant="primary")
            eval_msg = gr.Markdown()
            metrics = gr.Dataframe(headers=["metric", "value"], label="Metrics", interactive=False)
            results = gr.Dataframe(headers=list(EVAL_COLUMNS), label="Per question", interactive=False, wrap=True)
            plot = gr.Image(label="Plot", type="filepath", interactive=False)
            eval_btn.click(run_eval, [qset, qfile], [eval_msg, metrics, results, plot], api_name="run_eval",
                           concurrency_limit=1)
    return app


def launch(app: gr.Blocks, settings: Settings, host: str | None = None, port: int | None = None, **kwargs):
    """Serve with the Host/Origin guard (DNS rebinding, cross-site calls) and, when RAG_AUTH
    is set, Gradio's login. Binding beyond loopback without a login prints a warning."""
    from starlette.middleware import Middleware

    host = host or settings.host
    hosts = allowed_hosts(host, settings.allowed_hosts)
    warning = exposure_warning(host, bool(settings.auth))
    if warning:
        print(warning, flush=True)
    max_file = max(settings.max_upload_bytes * 4, 5_000_000)
    return app.queue(default_concurrency_limit=4).launch(
        server_name=host, server_port=port or settings.port, share=False,
        css=CSS, head=HEAD, max_file_size=max_file, footer_links=["api"],
        auth=list(settings.auth) or None,
        app_kwargs={"middleware": [Middleware(HostGuard, allowed=hosts)]}, **kwargs)
