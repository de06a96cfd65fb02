"""Console entry points: rag-ingest, rag-ask, rag-eval. Thin: parse arguments, call rag."""
from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from pathlib import Path

from .errors import RagError
from .settings import BACKENDS, LANGUAGES


def _pipe_safe(main):
    """`rag-ingest | head`: when the reader goes away, stop quietly (exit 141, as a tool killed
    by SIGPIPE would) instead of a BrokenPipeError traceback."""
    @functools.wraps(main)
    def wrapper(argv: list[str] | None = None) -> int:
        try:
            code = main(argv)
            sys.stdout.flush()
            return code
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # no second error at exit
            return 141
    return wrapper


def _fail(exc: RagError, code: int = 2) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return code


@_pipe_safe
def ingest_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rag-ingest", description="Index the sources (incrementally).")
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: RAG_SOURCES_DIR, i.e. seeds/)")
    parser.add_argument("--dry-run", action="store_true", help="show the diff, write nothing")
    parser.add_argument("--rebuild", action="store_true", help="drop the index and start over (the embedding cache is kept)")
    parser.add_argument("--prune", action="store_true",
                        help="also remove documents indexed from outside the sources folder (e.g. an earlier RAG_SOURCES_DIR)")
    parser.add_argument("--wait", type=float, default=None, metavar="SECONDS",
                        help="how long to wait for another ingest of the same data dir (default: until it ends)")
    parser.add_argument("--no-wait", action="store_true", help="fail at once if another ingest is running")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.prune and args.paths:
        parser.error("--prune works on the sources folder only: drop the paths")
    from .index import Index
    from .ingest import ingest
    index = None

    def waiting(holder: str) -> None:
        print(f"waiting for another ingest of this data dir to finish: {holder} (Ctrl-C to give up)",
              file=sys.stderr, flush=True)

    try:
        index = Index.open()
        where = f"{index.store.where} ({index.store.name})"
        report = ingest(index, args.paths or None, dry_run=args.dry_run, rebuild=args.rebuild, prune=args.prune,
                        show_bar=not args.quiet and sys.stderr.isatty(),
                        lock_wait=0 if args.no_wait else args.wait, on_wait=waiting)
    except RagError as exc:
        return _fail(exc)
    finally:
        if index is not None:   # releases Chroma's per-path system (a failed one must not be reused)
            index.close()
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
        if report.outside_documents and not args.prune:
            print(f"note: {len(report.outside_documents)} document(s) are indexed from outside "
                  f"{index.settings.sources_dir}: {', '.join(report.outside_documents[:10])}"
                  + (" …" if len(report.outside_documents) > 10 else "")
                  + " — `rag-ingest --prune` removes them")
        if not args.dry_run:
            print(f"embedded {report.embedded} passage(s)"
                  + (f", repaired {report.repaired} vector(s) that were out of step with the catalog" if report.repaired else "")
                  + f" in {report.seconds:.1f}s → {where}")
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


@_pipe_safe
def ask_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rag-ask", description="Ask a question about the indexed sources.")
    parser.add_argument("question")
    parser.add_argument("--json", action="store_true", help="print the Answer as JSON")
    parser.add_argument("-k", "--top-k", type=int, default=None, help="paragraphs to retrieve (default RAG_TOP_K)")
    parser.add_argument("--backend", choices=BACKENDS, default="auto")
    parser.add_argument("--language", choices=LANGUAGES, default="auto")
    parser.add_argument("--stream", action="store_true", help="print the answer as it is generated")
    args = parser.parse_args(argv)
    from .engine import Engine
    try:
        engine = Engine()
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


@_pipe_safe
def eval_main(argv: list[str] | None = None) -> int:
    """rag-eval: run the grounding evaluation (rag/eval/runner.py). Exit codes: 0 ok, 1 a metric
    is below its threshold (--check), 2 unusable input (questions file, empty index, config)."""

    parser = argparse.ArgumentParser(prog="rag-eval", description="Evaluate retrieval, citations, groundedness and abstention.")
    parser.add_argument("--questions", type=Path, default=None, help="questions JSONL (default eval/questions.jsonl)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default eval/out)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a metric is below its threshold")
    parser.add_argument("--thresholds", type=Path, default=None,
                        help="metric → minimum JSON (default $RAG_EVAL_THRESHOLDS or eval/thresholds.json)")
    parser.add_argument("--no-ablation", action="store_true", help="skip the dense/BM25/hybrid ablation")
    backend = parser.add_mutually_exclusive_group()
    backend.add_argument("--llm", action="store_true", help="LLM backend and LLM judge (needs OPENAI_BASE_URL/OPENAI_API_KEY)")
    backend.add_argument("--offline", action="store_true", help="force the offline backend and judge even if an endpoint is configured")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    from .eval import runner as ev
    from .engine import Engine
    from .judge import LLMJudge, OfflineJudge
    from .settings import load_settings

    questions = args.questions or ev.DEFAULT_QUESTIONS
    out = args.out or ev.DEFAULT_OUT
    try:
        thresholds_path = args.thresholds or load_settings().eval_thresholds or ev.DEFAULT_THRESHOLDS
    except RagError as exc:
        return _fail(exc)
    progress = not args.quiet and sys.stderr.isatty()
    try:
        ev.load_questions(questions)                       # fail fast, naming the line
        thresholds = ev.load_thresholds(thresholds_path) if args.check else {}
        engine = Engine()
        use_llm = args.llm or (engine.settings.llm_configured and not args.offline)
        if use_llm:
            cfg = engine.llm_config()
            if cfg is None:
                raise RagError("--llm needs an LLM endpoint", "set OPENAI_BASE_URL (and OPENAI_API_KEY if it needs one)")
            judge, backend = LLMJudge(cfg), "llm"
        else:
            judge, backend = OfflineJudge(), "offline"
        result = ev.run(questions, out, engine, judge, progress=progress,
                        modes=() if args.no_ablation else ev.MODES, backend=backend)
    except RagError as exc:
        return _fail(exc)
    agg = result["aggregate"]
    print(f"{result['n_questions']} questions in {result['runtime_s']} s → {out}/"
          "{results.jsonl,metrics.json,report.md,metrics.png}")
    print("  " + "  ".join(f"{k}={agg[k]:.3f}" for k in ("hit@1", "hit@5", "mrr", "citation_recall", "citation_precision",
                                                         "groundedness", "fact_recall", "abstain_f1")
                           if agg.get(k) is not None))
    if "judge_accuracy" in result:
        print(f"  judge ({result['judge']}) accuracy on claims: {result['judge_accuracy']['accuracy']:.3f}")
    if args.check:
        failures = ev.check(result, thresholds)
        for line in failures:
            print(f"below threshold: {line}", file=sys.stderr)
        if failures:
            return 1
        print(f"all {len(thresholds)} thresholds met ({thresholds_path})")
    return 0
