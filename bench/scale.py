"""Cost growth benchmark (not a test): generated bilingual corpora of 1k, 10k and 50k
paragraphs (bench/corpus.py, from the seed's sentences), each ingested cold into a fresh
data dir by a fresh process, reporting ingest throughput, index size on disk, query p50/p95
(offline engine, the eval questions) and process RSS — one run, one table, one plot.

The model is the one cost that is plainly linear (measured in bench/ingest.py: USE ~30-90
passages/s, e5 ~3-5/s on 2 cores), and it would make a 50k run take hours. So by default the
vectors come from a deterministic hash "embedder" (`--embedder hash`: 384-d for the primary
space, 512-d for the cross-lingual one, like e5 and USE), which measures everything else the
product does at scale — chunking, sqlite catalog + BM25 postings, both Chroma collections,
retrieval, answering — with real vector sizes. `--embedder use` runs the real bundled model.

    python bench/scale.py                                   # sizes 1000 10000 50000, hash vectors
    python bench/scale.py --embedder use --sizes 1000 10000 # real USE model (slow)

Writes bench/out/scale.json, bench/out/scale.png and prints a Markdown table.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _peak_rss_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


class HashBackend:
    """Deterministic unit vectors from sha256(text): real dimensions, no model cost."""

    def __init__(self, slug: str, dim: int) -> None:
        self.slug, self.dim = slug, dim

    def _vec(self, text: str):
        import hashlib
        import numpy as np
        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
        v = np.random.default_rng(seed).standard_normal(self.dim).astype("float32")
        return v / np.linalg.norm(v)

    def passages(self, texts):
        import numpy as np
        return np.stack([self._vec(t) for t in texts])

    def query(self, text):
        return self._vec(text)


def one(n: int, work: Path, questions: Path, embedder: str) -> dict:
    """Measure one size in this (fresh) process."""
    from corpus import generate
    from rag.engine import Engine
    from rag.eval.evalset import load_questions
    from rag.index import Index
    from rag.ingest import ingest
    from rag.settings import load_settings

    src, data = work / "src", work / "data"
    t = time.perf_counter()
    generate(n, src)
    gen_s = time.perf_counter() - t
    if embedder == "hash":
        from rag.embeddings import EmbeddingCache, RagEmbedding
        settings = load_settings().with_(data_dir=data, sources_dir=src)
        cache = EmbeddingCache(data / "embed_cache.sqlite")
        index = Index.open(settings, RagEmbedding(HashBackend("hash-384", 384), cache),
                           RagEmbedding(HashBackend("hash-512", 512), cache))
    else:
        settings = load_settings().with_(data_dir=data, sources_dir=src, embedder=embedder)
        index = Index.open(settings)
    t = time.perf_counter()
    report = ingest(index, show_bar=False)
    ingest_s = time.perf_counter() - t
    assert not report.errors, report.errors[:3]
    t = time.perf_counter()
    again = ingest(index, show_bar=False)
    reingest_s = time.perf_counter() - t
    rss_after_ingest = _rss_mb()

    engine = Engine(settings, index)
    qs = [q.question for q in load_questions(questions)]
    engine.ask(qs[0], backend="offline")                       # warm-up
    latencies, retrieval = [], []
    for q in qs:
        t = time.perf_counter()
        engine.ask(q, backend="offline")
        latencies.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        engine.retriever.retrieve(q, settings.top_k)
        retrieval.append((time.perf_counter() - t) * 1000)
    recall = hnsw_recall(index, qs)
    index.close()

    def pct(xs, p):
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

    return {
        "paragraphs": n,
        "pairs_added": len(report.diff.added), "embedded": report.embedded,
        "generate_s": round(gen_s, 2), "ingest_s": round(ingest_s, 2),
        "ingest_pairs_per_s": round(n / ingest_s, 1),
        "unchanged_reingest_s": round(reingest_s, 2), "unchanged_embedded": again.embedded,
        "index_mb": round(_du_mb(data / "chroma") + sum(p.stat().st_size for p in data.glob("catalog.sqlite*")) / 2**20, 1),
        "chroma_mb": round(_du_mb(data / "chroma"), 1),
        "catalog_mb": round(sum(p.stat().st_size for p in data.glob("catalog.sqlite*")) / 2**20, 1),
        "embed_cache_mb": round(sum(p.stat().st_size for p in data.glob("embed_cache.sqlite*")) / 2**20, 1),
        "query_p50_ms": round(statistics.median(latencies), 1), "query_p95_ms": round(pct(latencies, 95), 1),
        "retrieve_p50_ms": round(statistics.median(retrieval), 1), "retrieve_p95_ms": round(pct(retrieval, 95), 1),
        "n_queries": len(latencies),
        "hnsw_recall_at_10": recall["recall"], "hnsw_recall_at_10_questions": recall["recall_questions"],
        "hnsw_query_ms": recall["hnsw_ms"], "exact_query_ms": recall["exact_ms"], "search": recall["product_path"],
        "rss_after_ingest_mb": round(rss_after_ingest, 0), "rss_peak_mb": round(_peak_rss_mb(), 0),
    }


def hnsw_recall(index, questions: list[str], k: int = 10, n_passage_queries: int = 100) -> dict:
    """Recall@k of Chroma's HNSW index (the product's parameters, rag.store.HNSW) against
    exact search, in every vector space, for two query sets: the eval questions, and stored
    passage vectors with a little noise (a query close to its answer). The product searches
    collections up to RAG_EXACT_SEARCH_MAX exactly, so this is the path it takes above that.
    With hash vectors (random points) only the nearest neighbour is meaningful: the next nine
    of a random point sit at nearly equal distances, so recall@10 there is a worst case.
    Also the median time of one query each way."""
    import numpy as np
    rng = np.random.default_rng(0)
    recalls: dict[str, list[float]] = {"questions": [], "near": []}
    hnsw_ms, exact_ms = [], []
    for space in index.spaces:
        store = space.store
        sets = {"questions": [space.embedding.embed_query(q) for q in questions], "near": []}
        got = store._col.get(include=["embeddings"], limit=n_passage_queries, offset=0)
        for v in np.asarray(got["embeddings"], dtype=np.float32):
            q = v + rng.normal(scale=0.3 / np.sqrt(len(v)), size=len(v)).astype(np.float32)
            sets["near"].append(q / np.linalg.norm(q))
        store.query(sets["near"][0], k, exact=True)          # load the matrix before timing
        for name, queries in sets.items():
            for q in queries:
                t = time.perf_counter()
                approx = {pid for pid, _ in store.query(q, k, exact=False)}
                hnsw_ms.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                exact = {pid for pid, _ in store.query(q, k, exact=True)}
                exact_ms.append((time.perf_counter() - t) * 1000)
                recalls[name].append(len(approx & exact) / len(exact))
    return {"recall": round(float(np.mean(recalls["near"])), 4),
            "recall_questions": round(float(np.mean(recalls["questions"])), 4),
            "hnsw_ms": round(statistics.median(hnsw_ms), 2), "exact_ms": round(statistics.median(exact_ms), 2),
            "product_path": "exact" if store.count() <= store.exact_max else "hnsw"}


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    xs = [r["paragraphs"] for r in rows]
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.6))
    axes[0].plot(xs, [r["ingest_pairs_per_s"] for r in rows], "o-")
    axes[0].set_title("ingest throughput (pairs/s)")
    axes[1].plot(xs, [r["index_mb"] for r in rows], "o-", label="index (chroma+catalog)")
    axes[1].plot(xs, [r["embed_cache_mb"] for r in rows], "s--", label="embedding cache")
    axes[1].set_title("size on disk (MB)")
    axes[1].legend(fontsize=7)
    axes[2].plot(xs, [r["query_p50_ms"] for r in rows], "o-", label="answer p50")
    axes[2].plot(xs, [r["query_p95_ms"] for r in rows], "o--", label="answer p95")
    axes[2].plot(xs, [r["retrieve_p50_ms"] for r in rows], "s-", label="retrieve p50")
    axes[2].set_title("query latency (ms)")
    axes[2].legend(fontsize=7)
    axes[3].plot(xs, [r["rss_peak_mb"] for r in rows], "o-")
    axes[3].set_title("peak RSS (MB)")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("paragraph pairs")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--embedder", default="hash", choices=("hash", "use", "e5"))
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.one, args.work, args.questions, args.embedder)))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"scale-{n}-") as work:
            print(f"[scale] {n} paragraphs …", file=sys.stderr, flush=True)
            env = {**os.environ, "RAG_DATA_DIR": str(Path(work) / "data")}
            out = subprocess.run([sys.executable, __file__, "--one", str(n), "--work", work,
                                  "--embedder", args.embedder, "--questions", str(args.questions)],
                                 env=env, capture_output=True, text=True)
            if out.returncode != 0:
                print(out.stderr[-3000:], file=sys.stderr)
                return 1
            row = json.loads(out.stdout.strip().splitlines()[-1])
            row.pop("passages", None)
            rows.append(row)
            print(f"[scale] {json.dumps(row)}", file=sys.stderr, flush=True)
    (args.out / "scale.json").write_text(json.dumps({"embedder": args.embedder, "rows": rows}, indent=2))
    plot(rows, args.out / "scale.png")
    cols = ["paragraphs", "ingest_s", "ingest_pairs_per_s", "unchanged_reingest_s", "chroma_mb", "catalog_mb", "embed_cache_mb",
            "query_p50_ms", "query_p95_ms", "retrieve_p50_ms", "retrieve_p95_ms", "rss_peak_mb",
            "search", "hnsw_recall_at_10", "hnsw_recall_at_10_questions", "hnsw_query_ms", "exact_query_ms"]
    print(f"embedder: {args.embedder}\n")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(str(r[c]) for c in cols) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
