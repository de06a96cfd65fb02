"""`rag-app [--host H] [--port P] [--no-ingest]` (or `python app.py ...` in a checkout): the Gradio
chat UI (loopback by default, no share link, no analytics). On a fresh machine the sources are
ingested first, so the chat works at once."""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """Parse arguments, ingest the sources if the index is empty, then serve (blocks). Returns
    the exit code: 0 after a normal shutdown, 2 on a configuration or storage error."""
    parser = argparse.ArgumentParser(prog=prog, description="Serve the grounded bilingual QA web UI.")
    parser.add_argument("--host", default=None, help="interface to listen on (default RAG_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default RAG_PORT, 7860)")
    parser.add_argument("--no-ingest", action="store_true", help="do not ingest the sources when the index is empty")
    args = parser.parse_args(argv)

    from rag.errors import RagError
    from rag.settings import load_settings

    try:
        settings = load_settings()
        from rag.engine import Engine
        engine = Engine(settings)
        from rag.ingest import check_on_start
        line = check_on_start(engine.index)
        if line:
            print(line, flush=True)
        if not args.no_ingest and engine.index.catalog.count_passages() == 0:
            from rag.ingest import ingest
            print(f"index is empty: ingesting {settings.sources_dir} …", flush=True)

            def progress(done: int, total: int, msg: str) -> None:
                print(f"  {msg}: {done}/{total}", flush=True)

            report = ingest(engine.index, None, progress=progress, show_bar=False)
            for line in report.errors:
                print(f"  skipped: {line}", file=sys.stderr, flush=True)
            print(f"ingested {len(report.documents)} document(s): {report.diff.summary()} "
                  f"in {report.seconds:.1f}s", flush=True)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from rag.text.glosses import warm
    from rag.ui import build_app, launch
    warm()              # the dictionary for questions across languages, read while the UI starts
    app = build_app(engine)
    host = args.host or settings.host
    port = args.port or settings.port
    print(f"serving on http://{host}:{port}", flush=True)
    launch(app, settings, host=host, port=port)
    return 0


if __name__ == "__main__":
    sys.exit(main(prog="python -m rag.app_main"))
