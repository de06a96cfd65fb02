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
