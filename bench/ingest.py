"""Ingest benchmark (not a test): how long does ingest take, cold and unchanged, and does an
unchanged or one-paragraph-edited corpus re-embed only what it should?

For each corpus (the seed folder; generated corpora of N paragraphs, see bench/corpus.py) and
each repetition, in a fresh temporary data dir (so the embedding cache is cold):

  1. first ingest            Index.open + ingest() into an empty data dir
  2. unchanged re-ingest     same data dir, sources untouched
  3. re-ingest after an edit one paragraph pair (both sides) edited in one file: 2 passages expected

Each step opens a fresh Index (as a new CLI run would), so the embedding model is loaded
lazily inside the first ingest of every repetition; that load is part of its wall time.
The sources are copied into the repetition's temp dir (the edit must not touch seeds/).

When the index keeps a second, cross-lingual vector space (Settings.cross_embedder == "use",
the product default over e5), every passage is embedded twice; "model s" is the time inside
all backends and the embedded column shows "<primary> + <cross> cross". --cross none measures
the primary space alone. Knobs change only through Settings.with_ (never the environment).

    python bench/ingest.py --embedder use                     # all sizes, fast embedder
    python bench/ingest.py --embedder e5 --sizes seed
    python bench/ingest.py --embedder e5 --sizes 2000         # slow: ~4000 passages at ~5/s

Writes DIR/ingest.json (results merged under "<embedder>+<cross>/<corpus>") and
DIR/ingest-<embedder>+<cross>-<sizes>.md, prints the Markdown table (stdout; progress on
stderr), and exits 1 when a check failed (unexpected embeds, errors, vector/catalog mismatch).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
for p in (PROJECT_DIR, PROJECT_DIR / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import corpus as bench_corpus

from rag.chunking import chunk_pair
from rag.index import Index
from rag.ingest import ingest
from rag.settings import load_settings
from rag.sources import discover, parse_file

SEED_DIR = PROJECT_DIR / "seeds"
STEPS = ("first", "reingest", "edit")
STEP_LABEL = {"first": "first ingest (cold cache)", "reingest": "unchanged re-ingest",
              "edit": "re-ingest after 1-paragraph edit"}


@dataclass
class StepResult:
    wall_s: float              # the ingest() call
    open_s: float              # Index.open before it
    embedded: int              # report.embedded: texts sent to the primary model
    embedded_cross: int        # report.embedded_cross: texts sent to the cross-lingual model (0 if none)
    model_s: float             # time inside the backends' passages() (all spaces, incl. lazy model load)
    by_model: dict             # slug -> {"texts": n, "seconds": s, "calls": c}
    diff: dict
    errors: list
    repaired: int
    store_counts: dict         # slug -> vectors in its Chroma collection after the step
    catalog_passages: int


def _spaces(index: Index) -> list:
    """(embedding, store) per vector space: Index.spaces when the index has several."""
    spaces = getattr(index, "spaces", None)
    if spaces:
        return [(s.embedding, s.store) for s in spaces]
    return [(index.embedding, index.store)]


class _BackendTimer:
    """Times and counts each backend's passages() calls (the model), returning what it returns."""

    def __init__(self, index: Index) -> None:
        self.by_model: dict[str, dict] = {}
        for embedding, _ in _spaces(index):
            backend = getattr(embedding, "_backend", None)
            if backend is None or not hasattr(backend, "passages"):
                continue
            stats = self.by_model.setdefault(embedding.slug, {"texts": 0, "seconds": 0.0, "calls": 0})
            backend.passages = self._wrap(backend.passages, stats)

    @staticmethod
    def _wrap(orig, stats):
        def timed(texts):
            t = time.perf_counter()
            try:
                return orig(texts)
            finally:
                stats["seconds"] += time.perf_counter() - t
                stats["calls"] += 1
                stats["texts"] += len(texts)
        return timed

    @property
    def seconds(self) -> float:
        return sum(s["seconds"] for s in self.by_model.values())


def _release() -> None:
    """Drop chroma's per-path client cache and collect cycles: a closed RagEmbedding keeps its
    model (~115 MB for USE) alive until the cyclic GC runs, which would inflate RSS across steps."""
    gc.collect()
    try:
        from chromadb.api.client import SharedSystemClient
        SharedSystemClient.clear_system_cache()
    except Exception:  # noqa: BLE001, S110 - best effort; only memory is at stake
        pass


def _run_step(settings, src: Path) -> StepResult:
    t0 = time.perf_counter()
    index = Index.open(settings)
    t1 = time.perf_counter()
    timer = _BackendTimer(index)
    try:
        t2 = time.perf_counter()
        report = ingest(index, [src], show_bar=False)
        t3 = time.perf_counter()
        store_counts = {emb.slug: store.count() for emb, store in _spaces(index)}
        cat_count = index.catalog.count_passages()
    finally:
        index.close()
        for emb, _ in _spaces(index):       # Index.close() leaves the embedding caches open
            cache = getattr(emb, "_cache", None)
            if cache is not None:
                cache.close()
    d = report.diff
    return StepResult(
        wall_s=t3 - t2, open_s=t1 - t0, embedded=report.embedded,
        embedded_cross=getattr(report, "embedded_cross", 0), model_s=timer.seconds,
        by_model={k: {**v, "seconds": round(v["seconds"], 4)} for k, v in timer.by_model.items()},
        diff={k: len(getattr(d, k)) for k in ("added", "changed", "removed", "unchanged")},
        errors=list(report.errors), repaired=report.repaired,
        store_counts=store_counts, catalog_passages=cat_count)


def edit_one_paragraph(folder: Path) -> dict:
    """Edit both sides of one pair in the middle file, in place. Returns what was edited."""
    files = discover(folder)
    path = files[len(files) // 2]
    doc = parse_file(path)
    pair = doc.pairs[len(doc.pairs) // 2]
    lines = path.read_text(encoding="utf-8").split("\n")
    for i in range(len(lines) - 1):
        if lines[i].strip() == pair.zh and lines[i + 1].strip() == pair.en:
            lines[i] = lines[i].rstrip() + "（修订）"
            lines[i + 1] = lines[i + 1].rstrip() + " (Revised.)"
            break
    else:
        raise RuntimeError(f"{path}: could not locate {pair.id} as a zh line followed by an en line")
    path.write_text("\n".join(lines), encoding="utf-8")
    return {"file": path.name, "pair": pair.id}


def _corpus_stats(folder: Path, budget: int) -> dict:
    t = time.perf_counter()
    docs = [parse_file(p) for p in discover(folder)]
    parse_s = time.perf_counter() - t
    passages = [x for d in docs for p in d.pairs for x in chunk_pair(p, budget)]
    return {"files": len(docs), "pairs": sum(len(d.pairs) for d in docs), "passages": len(passages),
            "unique_texts": len({x.hash for x in passages}), "parse_s": round(parse_s, 3)}


def bench_corpus_dir(name: str, source: Path, settings_base, repeats: int, tmp_root: Path,
                     log=print) -> dict:
    stats = _corpus_stats(source, settings_base.chunk_tokens)
    runs: dict[str, list[StepResult]] = {s: [] for s in STEPS}
    edits = []
    load_before = os.getloadavg()
    for rep in range(repeats):
        rep_dir = Path(tempfile.mkdtemp(prefix=f"{name}-r{rep}-", dir=tmp_root))
        try:
            src = rep_dir / "src"
            shutil.copytree(source, src)
            settings = settings_base.with_(data_dir=rep_dir / "data", sources_dir=src)
            for step in STEPS:
                if step == "edit":
                    edits.append(edit_one_paragraph(src))
                r = _run_step(settings, src)
                gc.collect()
                runs[step].append(r)
                log(f"  [{name} rep {rep + 1}/{repeats}] {step:8s} wall {r.wall_s:8.2f}s  "
                    f"embedded {r.embedded:5d} (+{r.embedded_cross} cross)  model {r.model_s:7.2f}s {r.by_model}  "
                    f"diff {r.diff}  errors {len(r.errors)}")
        finally:
            _release()
            shutil.rmtree(rep_dir, ignore_errors=True)
    load_after = os.getloadavg()

    out_steps = {}
    first_med = statistics.median(r.wall_s for r in runs["first"])
    for step, rs in runs.items():
        med = statistics.median(r.wall_s for r in rs)
        out_steps[step] = {
            "median_wall_s": round(med, 4),
            "pairs_per_s": round(stats["pairs"] / med, 2) if med > 0 else None,
            "embedded": [r.embedded for r in rs],
            "embedded_cross": [r.embedded_cross for r in rs],
            "median_model_s": round(statistics.median(r.model_s for r in rs), 4),
            "median_model_s_by_slug": {slug: round(statistics.median(r.by_model.get(slug, {}).get("seconds", 0.0) for r in rs), 4)
                                       for slug in rs[0].by_model},
            "median_other_s": round(statistics.median(r.wall_s - r.model_s for r in rs), 4),
            "median_open_s": round(statistics.median(r.open_s for r in rs), 4),
            "texts_per_model_s_by_slug": {
                slug: (round(statistics.median(r.by_model[slug]["texts"] / r.by_model[slug]["seconds"] for r in rs), 2)
                       if all(r.by_model.get(slug, {}).get("seconds", 0) > 0 for r in rs) else None)
                for slug in rs[0].by_model},
            "ratio_vs_first": round(med / first_med, 4) if first_med > 0 else None,
            "runs": [r.__dict__ for r in rs],
        }
    return {"corpus": name, "repeats": repeats, **stats, "loadavg_before": load_before,
            "loadavg_after": load_after, "edits": edits, "steps": out_steps}


def markdown(results: list[dict], embedder: str, cross: str) -> str:
    head = ("| corpus | pairs (passages) | step | runs | median wall s | pairs/s | passages embedded "
            "| model s | other s | vs first |\n|---|---|---|---|---|---|---|---|---|---|")
    rows = [head]
    for res in results:
        for step in STEPS:
            s = res["steps"][step]
            emb_txt = _same_or_all(s["embedded"])
            if any(s["embedded_cross"]):
                emb_txt += f" + {_same_or_all(s['embedded_cross'])} cross"
            model_txt = f"{s['median_model_s']:.2f}"
            by_slug = {k: v for k, v in s["median_model_s_by_slug"].items() if v > 0}
            if len(by_slug) > 1:
                model_txt += " (" + ", ".join(f"{k} {v:.2f}" for k, v in by_slug.items()) + ")"
            ratio = "" if step == "first" else f"{s['ratio_vs_first']:.3f}"
            rows.append(f"| {res['corpus']} | {res['pairs']} ({res['passages']}) | {STEP_LABEL[step]} | {res['repeats']} "
                        f"| {s['median_wall_s']:.2f} | {s['pairs_per_s']:.1f} | {emb_txt} "
                        f"| {model_txt} | {s['median_other_s']:.2f} | {ratio} |")
    return f"embedder: **{embedder}**, cross-lingual space: **{cross}**\n\n" + "\n".join(rows) + "\n"


def _same_or_all(values: list[int]) -> str:
    return str(values[0]) if len(set(values)) == 1 else "/".join(map(str, values))


def _warm_model(settings, cross_active: bool) -> float:
    """Load the model(s) once (reads their files into the OS cache) so rep 1 isn't penalised."""
    from rag.embeddings import make_backend
    t = time.perf_counter()
    make_backend(settings).passages(["warm-up 预热"])
    if cross_active:
        make_backend(settings.with_(embedder="use")).passages(["warm-up 预热"])
    return time.perf_counter() - t


def _rag_fingerprint() -> dict:
    """Which code was measured: rag/ is edited concurrently, so hash its sources."""
    import hashlib
    import subprocess
    h = hashlib.sha256()
    for f in sorted((PROJECT_DIR / "rag").glob("*.py")):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    try:
        head = subprocess.run(["git", "-C", str(PROJECT_DIR), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head = ""
    return {"git_head": head, "rag_sources_sha256": h.hexdigest()[:16]}


def check(results: list[dict], cross_active: bool) -> list[str]:
    """Things that look wrong: embeds on an unchanged corpus, more than 2 on a 1-pair edit, …"""
    notes = []
    for res in results:
        for step, s in res["steps"].items():
            for i, r in enumerate(s["runs"]):
                tag = f"{res['corpus']} rep {i + 1} {step}"
                want = {"first": res["unique_texts"], "reingest": 0, "edit": 2}[step]
                if r["embedded"] != want:
                    notes.append(f"{tag}: embedded {r['embedded']}, expected {want}")
                want_cross = want if cross_active else 0
                if r["embedded_cross"] != want_cross:
                    notes.append(f"{tag}: cross-lingual space embedded {r['embedded_cross']}, expected {want_cross}")
                if r["errors"]:
                    notes.append(f"{tag}: errors {r['errors']}")
                if r["repaired"]:
                    notes.append(f"{tag}: repaired {r['repaired']} vectors")
                for slug, count in r["store_counts"].items():
                    if count != r["catalog_passages"]:
                        notes.append(f"{tag}: Chroma collection {slug} has {count} vectors, catalog {r['catalog_passages']} passages")
                if step == "reingest" and r["diff"]["unchanged"] != res["pairs"]:
                    notes.append(f"{tag}: diff {r['diff']} (expected all {res['pairs']} unchanged)")
                if step == "edit" and r["diff"]["changed"] != 1:
                    notes.append(f"{tag}: diff {r['diff']} (expected 1 changed)")
    return notes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Ingest benchmark: first ingest, unchanged re-ingest, 1-paragraph edit.")
    ap.add_argument("--embedder", choices=("e5", "use"), default="e5")
    ap.add_argument("--sizes", default="seed,2000",
                    help="comma list: 'seed' and/or paragraph counts for generated corpora (default seed,2000)")
    ap.add_argument("--repeats", type=int, default=None,
                    help="repetitions per corpus (default 3 for seed, 1 for generated corpora)")
    ap.add_argument("--cross", choices=("use", "none"), default=None,
                    help="cross-lingual second space (Settings.cross_embedder); default: the product default")
    ap.add_argument("--per-file", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0, help="corpus generator seed")
    ap.add_argument("--out", type=Path, default=PROJECT_DIR / "bench" / "out")
    ap.add_argument("--tmp", type=Path, default=None, help="where temp data dirs go (default: system temp)")
    ap.add_argument("--no-warm", action="store_true", help="skip the model warm-up before the first repetition")
    args = ap.parse_args(argv)

    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for s in sizes:
        if s != "seed" and not s.isdigit():
            ap.error(f"--sizes: {s!r} is neither 'seed' nor a paragraph count")
    # Only Settings.with_ is used to change knobs; embedded Chroma always (a configured server
    # would mix benchmark data into it).
    base = load_settings().with_(embedder=args.embedder, chroma_host="")
    if args.cross is not None:
        if not hasattr(base, "cross_embedder"):
            ap.error("--cross: this version of rag.settings.Settings has no cross_embedder")
        base = base.with_(cross_embedder=args.cross)
    cross = getattr(base, "cross_embedder", "none")
    cross_active = cross == "use" and args.embedder != "use"   # rag.index skips a USE cross space over USE
    tmp_root = Path(tempfile.mkdtemp(prefix="rag-bench-", dir=args.tmp))
    meta = {
        "embedder": args.embedder, "cross_embedder": cross, "cross_active": cross_active,
        **_rag_fingerprint(), "chunk_tokens": base.chunk_tokens, "python": platform.python_version(),
        "cpus": os.cpu_count(), "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"), "command": " ".join([Path(sys.argv[0]).name] + (argv or sys.argv[1:])),
    }
    log = lambda msg: print(msg, file=sys.stderr, flush=True)
    results = []
    try:
        if not args.no_warm:
            meta["model_warmup_s"] = round(_warm_model(base, cross_active), 3)
            log(f"model warm-up ({args.embedder}): {meta['model_warmup_s']}s")
        for size in sizes:
            if size == "seed":
                source, name, reps = SEED_DIR, "seed", args.repeats or 3
            else:
                n = int(size)
                source = tmp_root / f"gen-{n}"
                bench_corpus.generate(n, source, per_file=args.per_file, seed=args.seed)
                bench_corpus.verify(discover(source), bench_corpus.file_counts(n, args.per_file))
                name = f"gen-{n}" if args.per_file == 100 else f"gen-{n}-pf{args.per_file}"
                reps = args.repeats or 1
            log(f"{name}: {reps} repetition(s)")
            results.append(bench_corpus_dir(name, source, base, reps, tmp_root, log))
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    meta["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    meta["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    notes = check(results, cross_active)
    table = markdown(results, args.embedder, cross if cross_active else "none")
    if notes:
        table += "\nChecks that failed:\n" + "\n".join(f"- {n}" for n in notes) + "\n"

    args.out.mkdir(parents=True, exist_ok=True)
    json_path = args.out / "ingest.json"
    merged = {"runs": {}}
    if json_path.exists():
        try:
            merged = json.loads(json_path.read_text(encoding="utf-8"))
        except ValueError:
            pass
    for res in results:
        merged.setdefault("runs", {})[f"{args.embedder}+{cross if cross_active else 'none'}/{res['corpus']}"] = {"meta": meta, "notes": notes, **res}
    tmp = json_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(merged, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    tmp.replace(json_path)
    (args.out / f"ingest-{args.embedder}+{cross if cross_active else 'none'}-{'_'.join(sizes)}{'' if args.per_file == 100 else f'-pf{args.per_file}'}.md").write_text(table, encoding="utf-8")
    print(table)
    return 1 if notes else 0


if __name__ == "__main__":
    raise SystemExit(main())
