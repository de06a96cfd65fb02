"""One question-answering system in its own process, for bench/qa.py: `--tree` is the source
tree whose `rag` package answers (this checkout, or an older one checked out by git
worktree), so two versions can be timed side by side in one run. Uses only the API every
version has: Index.open, ingest, Engine.ask(question, backend="offline").

Reads one JSON command per line on stdin, answers one JSON line on stdout:
  {"questions": [{"id", "question"}...]}  →  {"rows": [{"id", "answer", "retrieved", "abstained", "ms"}]}
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--sources", type=Path, required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree))
    from rag.engine import Engine
    from rag.index import Index
    from rag.ingest import ingest
    from rag.settings import load_settings

    settings = load_settings().with_(data_dir=args.data, sources_dir=args.sources, llm_base_url="", llm_api_key="")
    index = Index.open(settings)
    t = time.perf_counter()
    ingest(index, show_bar=False)
    print(json.dumps({"ready": True, "ingest_s": round(time.perf_counter() - t, 1)}), flush=True)
    engine = Engine(settings, index)
    embeddings = [index.embedding] + ([index.cross.embedding] if getattr(index, "cross", None) else [])
    for line in sys.stdin:
        command = json.loads(line)
        rows = []
        for q in command["questions"]:
            for e in embeddings:                      # each timing includes embedding the question
                e.clear_query_cache()
            start = time.perf_counter()
            answer = engine.ask(q["question"], backend="offline")
            ms = (time.perf_counter() - start) * 1000
            rows.append({"id": q["id"], "answer": answer.text, "abstained": answer.abstained,
                         "retrieved": [h.pair.id for h in answer.retrieved], "ms": round(ms, 2)})
        print(json.dumps({"rows": rows}, ensure_ascii=False), flush=True)
    index.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
