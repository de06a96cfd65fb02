"""The Gradio app: Chat (streaming, cited, bilingual sources per turn, Stop, regenerate, edit,
history kept in the browser, export), Sources (documents, upload, re-ingest, documents from
elsewhere), Evaluation. `build_app(engine)` returns the Blocks; `launch(app, settings)` serves it.

One Engine is shared by all sessions; each browser keeps its own conversation. Named API
endpoints: ask, regenerate, clear, upload, reingest, prune, documents, run_eval, export.
"""
from __future__ import annotations

import time

import gradio as gr

from ..engine import Engine
from ..errors import RagError
from ..security import HostGuard, Rejected, allowed_hosts, exposure_warning
from ..settings import LANGUAGES, TOP_K_RANGE, Settings, apply_gradio_env
from . import render
from .chat import LLM_CHOICE, OFFLINE_CHOICE, ChatHandler, closing_stream
from .evaluation import METRICS, ROW_COLUMNS, eval_sets
from .evaluation import run as run_evaluation
from .sources_tab import DOC_HEADERS, IngestGuard, document_rows, save_uploads, summary

EXAMPLES = [
    "微短剧审查时效提升了多少?",
    "How large is Sichuan's annual special fund for cultural productions?",
    "有多少个影视项目签约?",
    "Who launched the AIGC innovation partnership program?",
]


def build_app(engine: Engine) -> gr.Blocks:
    s: Settings = engine.settings
    apply_gradio_env(s)          # before any component: uploads land in our private folder
    chat = ChatHandler(engine)
    guard = IngestGuard()

    def documents():
        return document_rows(engine.index.catalog, s.sources_dir)

    def landing():
        return render.landing_html(summary(engine.index.catalog))

    def upload(files, replace):
        if isinstance(files, str):
            files = [files]
        result = save_uploads([str(f) for f in (files or [])], s.sources_dir, s.max_upload_bytes, bool(replace),
                              upload_root=s.uploads, backup_dir=s.data_dir / "backups")
        return result.html(), documents(), None

    def _reingest(prune: bool, progress):
        def cb(done, total, msg):
            progress((done, max(total, 1)), desc=msg)
        progress(0, desc="scanning sources")
        return guard.run(engine.index, cb, prune=prune), documents(), landing()

    def reingest(progress=gr.Progress()):
        return _reingest(False, progress)

    def prune(progress=gr.Progress()):
        return _reingest(True, progress)

    def run_eval(name, uploaded, progress=gr.Progress()):
        progress(0, desc="evaluating")
        try:
            return run_evaluation(engine, name, uploaded)
        except (Rejected, RagError) as exc:
            return f'<p class="notice">⚠ {render.esc(exc)}</p>', [], {"headers": ROW_COLUMNS, "data": []}, None

    def export(turns, kind):
        turns = [t for t in (turns or []) if isinstance(t, dict)]
        folder = s.uploads / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        if kind == "json":
            path = folder / f"conversation-{stamp}.json"
            path.write_text(render.export_json(turns), encoding="utf-8")
        else:
            path = folder / f"conversation-{stamp}.md"
            path.write_text(render.export_markdown(turns), encoding="utf-8")
        return str(path)

    with gr.Blocks(title="Grounded bilingual QA · 双语溯源问答", analytics_enabled=False) as app:
        gr.Markdown("## Grounded bilingual QA · 双语溯源问答\nAnswers cite the paragraphs they come from. "
                    "回答均标注来源段落。")
        intro = gr.HTML(landing(), elem_id="landing")
        saved = gr.BrowserState([], storage_key="rag-chat-v1")
        with gr.Tab("Chat · 问答", id="chat"):
            with gr.Row(elem_id="examples"):
                example_buttons = [gr.Button(e, size="sm", elem_classes=["example"]) for e in EXAMPLES]
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(label="Chat", height=460, elem_id="chatbot", latex_delimiters=[],
                                         sanitize_html=True, feedback_options=None, buttons=["copy"],
                                         editable="user")
                    with gr.Row(elem_id="ask-row"):
                        question = gr.Textbox(placeholder="Ask in Chinese or English · 用中文或英文提问",
                                              show_label=False, scale=5, elem_id="question", lines=1, max_lines=4)
                        send = gr.Button("Ask · 提问", variant="primary", scale=1, elem_id="ask")
                        stop = gr.Button("Stop · 停止", variant="stop", scale=1, elem_id="stop")
                    with gr.Row():
                        regenerate = gr.Button("Regenerate · 重新回答", size="sm", elem_id="regenerate")
                        clear = gr.Button("Clear chat · 清空", size="sm", elem_id="clear")
                        export_md = gr.Button("Export Markdown", size="sm", elem_id="export-md")
                        export_json = gr.Button("Export JSON", size="sm", elem_id="export-json")
                    exported = gr.File(label="Exported conversation", visible=True, interactive=False,
                                       elem_id="exported", height=60)
                    status = gr.HTML("", elem_id="status")
                    with gr.Accordion("Settings · 设置", open=False):
                        top_k = gr.Slider(*TOP_K_RANGE, value=s.top_k, step=1, label="top-k paragraphs")
                        backend = gr.Radio([OFFLINE_CHOICE, LLM_CHOICE], label="Backend",
                                           value=LLM_CHOICE if s.llm_configured else OFFLINE_CHOICE)
                        base_url = gr.Textbox(
                            label=("Base URL (blank: the server's endpoint; another URL never gets the server's key)"
                                   if s.allow_client_endpoints else "Base URL (set on the server: OPENAI_BASE_URL)"),
                            value=s.llm_base_url, placeholder="http://127.0.0.1:8080/v1",
                            interactive=s.allow_client_endpoints)
                        model = gr.Textbox(label="Model", value=s.llm_model)
                        api_key = gr.Textbox(label="API key (blank: the server's key, for its own endpoint only)",
                                             type="password", value="", placeholder="sk-…")
                        language = gr.Radio(list(LANGUAGES), value="auto", label="Answer language · 回答语言")
                    with gr.Accordion("Answer details (JSON)", open=False):
                        details = gr.JSON(label="answer")
                with gr.Column(scale=2):
                    sources = gr.HTML(render.sources_html([]), elem_id="sources", label="Sources")
            turns = gr.JSON(value=[], visible=False, elem_id="turns")
            pending = gr.Textbox(visible=False, elem_id="pending")
            settings_in = [top_k, backend, language, base_url, model, api_key]
            outputs = [chatbot, sources, status, details, turns]
            # LLM answers hold an engine slot (RAG_LLM_CONCURRENCY) while offline ones are quick:
            # enough event slots that offline questions never queue behind slow LLM calls
            slots = max(8, 4 * s.llm_concurrency)

            def take(text):              # the box is emptied once, when a question is sent
                return "", text

            # async wrappers: Stop cancels the task, and the engine's generator is closed at once
            ask, again_fn, edit_fn = (closing_stream(f) for f in (chat.ask, chat.regenerate, chat.edit))
            asks = []
            for trigger in (question.submit, send.click):
                event = trigger(take, [question], [question, pending], api_name=False, queue=False).then(
                    ask, [pending, turns, *settings_in], outputs, api_name="ask" if not asks else False,
                    concurrency_limit=slots)
                event.then(lambda t: t, turns, saved, api_name=False)
                asks.append(event)
            for button in example_buttons:
                event = button.click(lambda q=button.value: q, None, pending, api_name=False, queue=False).then(
                    ask, [pending, turns, *settings_in], outputs, api_name=False, concurrency_limit=slots)
                event.then(lambda t: t, turns, saved, api_name=False)
                asks.append(event)
            again = regenerate.click(again_fn, [turns, *settings_in], outputs, api_name="regenerate",
                                     concurrency_limit=slots)
            again.then(lambda t: t, turns, saved, api_name=False)
            retried = chatbot.retry(again_fn, [turns, *settings_in], outputs, api_name=False,
                                    concurrency_limit=slots)
            edited = chatbot.edit(edit_fn, [turns, *settings_in], outputs, api_name=False, concurrency_limit=slots)
            for event in (retried, edited):
                event.then(lambda t: t, turns, saved, api_name=False)
            asks += [again, retried, edited]
            # cancelling ends the answer's generator (its LLM stream is closed, its slot freed);
            # the status says so, since the cancelled event never sends its last update
            # the partial answer stays in the conversation, marked "stopped" (its citations unchecked)
            stop.click(chat.stopped, None, [chatbot, status, turns], cancels=asks, api_name=False).then(
                lambda t: t, turns, saved, api_name=False)
            clear.click(lambda: ([], render.sources_html([]), "", None, [], []), None, [*outputs, saved],
                        api_name="clear")
            export_md.click(lambda t: export(t, "md"), turns, exported, api_name="export")
            export_json.click(lambda t: export(t, "json"), turns, exported, api_name=False)
            app.load(chat.restore, saved, [chatbot, sources, turns], api_name=False)

        with gr.Tab("Sources · 资料", id="sources-tab"):
            docs = gr.Dataframe(headers=DOC_HEADERS, value=documents(), label="Indexed documents", interactive=False,
                                wrap=True, elem_id="documents", column_widths=["34%", "16%", "8%", "10%", "14%", "18%"])
            refresh = gr.Button("Refresh list", size="sm")
            with gr.Row():
                with gr.Column():
                    files = gr.File(label=f"Upload .txt / .md (max {s.max_upload_bytes:,} bytes each)",
                                    file_count="multiple", type="filepath")
                    replace = gr.Checkbox(label="replace existing files with the same name (the old one is backed up)",
                                          value=False)
                    upload_btn = gr.Button("Upload", variant="primary")
                    upload_msg = gr.HTML(elem_id="upload-msg")
                with gr.Column():
                    reingest_btn = gr.Button("Re-ingest sources", variant="primary", elem_id="reingest")
                    prune_btn = gr.Button("Remove documents from elsewhere", size="sm", elem_id="prune")
                    ingest_msg = gr.HTML(elem_id="ingest-msg")
            refresh.click(documents, None, docs, api_name="documents")
            upload_btn.click(upload, [files, replace], [upload_msg, docs, files], api_name="upload")
            reingest_btn.click(reingest, None, [ingest_msg, docs, intro], api_name="reingest", concurrency_limit=1)
            prune_btn.click(prune, None, [ingest_msg, docs, intro], api_name="prune", concurrency_limit=1)

        with gr.Tab("Evaluation · 评测", id="eval"):
            gr.Markdown("Runs a question set on the corpus it was written for (an index of its own), or an uploaded "
                        "set on the live index. 在题集对应的语料上评测。")
            sets = list(eval_sets())
            qset = gr.Dropdown(sets, value=sets[0] if sets else None, label="Question set (eval/)")
            qfile = gr.File(label="…or upload a questions file (JSONL)", file_count="single", type="filepath",
                            file_types=[".jsonl"])
            eval_btn = gr.Button("Run evaluation", variant="primary")
            eval_msg = gr.HTML()
            metrics = gr.Dataframe(headers=["metric", "value", "what it measures", "含义"], label="Metrics",
                                   interactive=False, wrap=True, value=[[m, "", en, zh] for m, en, zh in METRICS])
            results = gr.Dataframe(headers=ROW_COLUMNS, label="Per question", interactive=False, wrap=True, elem_id="eval-rows",
                                   column_widths=["7%", "10%", "6%", "8%", "5%", "6%", "26%", "32%"])
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
        css=render.CSS, head=render.HEAD, max_file_size=max_file, footer_links=["api"],
        auth=list(settings.auth) or None, allowed_paths=[str(settings.uploads / "exports")],
        app_kwargs={"middleware": [Middleware(HostGuard, allowed=hosts)]}, **kwargs)
