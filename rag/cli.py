"""Console entry points: rag-ingest, rag-ask, rag-eval. Thin: parse arguments, call rag."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import RagError


def _fail(exc: RagError, code: int = 2) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return code


def ingest_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rag-ingest", description="Index the sources (incrementally).")
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: RAG_SOURCES_DIR, i.e. seeds/)")
    parser.add_argument("--dry-run", action="store_true", help="show the diff, write nothing")
    parser.add_argument("--rebuild", action="store_true", help="drop the index and start over (the embedding cache is kept)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    from .index import Index
    from .ingest import ingest
    try:
        index = Index.open()
        report = ingest(index, args.paths or None, dry_run=args.dry_run, rebuild=args.rebuild,
                        show_bar=not args.quiet and sys.stderr.isatty())
    except RagError as exc:
        return _fail(exc)
    for line in report.errors:
        print(f"skipped: {line}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        d = report.diff
        prefix = "dry run, would apply: " if args.dry_run else ""
        print(f"{prefix}{len(report.documents)} document(s): {d.summary()}"
              + (f"; removed documents: {', '.join(report.removed_documents)}" if report.removed_documents else ""))
        for name in ("added", "changed", "removed"):
            ids = getattr(d, name)
            if ids and len(ids) <= 20:
                print(f"  {name}: {', '.join(ids)}")
        if not args.dry_run:
            print(f"embedded {report.embedded} passage(s)"
                  + (f", repaired {report.repaired} vector(s) after an interrupted run" if report.repaired else "")
                  + f" in {report.seconds:.1f}s → {index.store.where} ({index.store.name})")
    return 1 if report.errors else 0


def _print_answer(answer) -> None:
    print(answer.text)
    if answer.notice:
        print(f"\n{answer.notice}")
    print(f"\n— backend: {answer.backend}; language: {answer.language}"
          + ("; abstained (sources too weak)" if answer.abstained else ""))
    if answer.dropped_markers:
        print(f"— dropped markers pointing at no source: {answer.dropped_markers}")
    shown = answer.citations or []
    if shown:
        print("\nCited paragraphs:")
        for c in shown:
            print(f"[{c.marker}] {c.paragraph_id}  ({c.section or 'no section'})")
            if c.quote:
                print(f"    quote: {c.quote}")
            print(f"    zh: {c.text_zh}\n    en: {c.text_en}")
    elif answer.retrieved:
        print("\nNearest paragraphs:")
        for h in answer.retrieved:
            print(f"- {h.pair.id} (score {h.score:.3f}): {(h.pair.zh or '')[:80]} | {(h.pair.en or '')[:100]}")


def ask_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rag-ask", description="Ask a question about the indexed sources.")
    parser.add_argument("question")
    parser.add_argument("--json", action="store_true", help="print the Answer as JSON")
    parser.add_argument("-k", "--top-k", type=int, default=None, help="paragraphs to retrieve (default RAG_TOP_K)")
    parser.add_argument("--backend", choices=("auto", "offline", "llm"), default="auto")
    parser.add_argument("--language", choices=("auto", "zh", "en"), default="auto")
    parser.add_argument("--stream", action="store_true", help="print the answer as it is generated")
    args = parser.parse_args(argv)
    from .engine import Engine
    try:
        engine = Engine()
        if args.top_k is not None and not 1 <= args.top_k <= 20:
            raise RagError(f"--top-k {args.top_k} is out of range", "use 1..20")
        answer = None
        for event in engine.stream(args.question, None, top_k=args.top_k, backend=args.backend, language=args.language):
            if isinstance(event, str):
                if args.stream and not args.json:
                    print(event, end="", flush=True)
            else:
                answer = event
    except RagError as exc:
        return _fail(exc)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        if args.stream:
            print("\n")
        _print_answer(answer)
    return 0
