"""Question-answering benchmark (not a test): retrieval, answer accuracy and latency, side by
side in one run, on data the shipped weights (rag/data/weights.json) were not fitted on.

    .venv/bin/python bench/qa.py --xquad ../shared/data/xquad [--compare-ref REF] [--repeats 3]

Prints Markdown tables (progress on stderr) and writes JSON to --out (bench/out/qa.json):

1. Retrieval hit@1 / hit@3 / MRR per direction (zh→zh, en→en, en→zh-only, zh→en-only) for each
   single list (e5, USE, BM25), the earlier equal-weight min-max fusion, the learned fusion,
   the final ranking (fusion re-read by its best sentences), and for the bilingual directions
   a llama-index VectorStoreIndex quick-start (default splitter, the same e5; a chunk counts
   when it contains the gold paragraph's text — it cannot cite a paragraph). Corpora: the
   XQuAD validation split, eval/seed_holdout.jsonl and eval/news_sports (never fitted on by the
   shipped weights), the other eval/news_*/ sets and the seed eval set (in the fit — the news
   sets of the look-alike fusion: `_in_sample`; the held-out figures are the cross-validated
   ones in weights.json).
2. Answer accuracy per question language: a gold answer string in the answer's first two
   sentences, over answerable questions asked of the bilingual corpus, end to end through
   `Engine.ask(…, backend="offline")` (an abstention counts as wrong), for this checkout and
   for --compare-ref (default: the commit before this work).
3. Latency of `Engine.ask` (offline) p50/p95 on the seed eval questions for both versions,
   each in its own process (bench/qa_worker.py), passes alternating so background load is
   shared; the question cache is cleared before every question.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from rag.settings import quiet_outbound  # noqa: E402

quiet_outbound()
BASELINE_REF = "d2d62db"        # main before the learned fusion / reader / verifier


def log(msg: str) -> None:
    print(f"[qa] {msg}", file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] if ordered else float("nan")


class Worker:
    def __init__(self, tree: Path, data: Path, sources: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, str(PROJECT_DIR / "bench" / "qa_worker.py"), "--tree", str(tree),
                                      "--data", str(data), "--sources", str(sources)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=str(tree))
        ready = json.loads(self.proc.stdout.readline())
        self.ingest_s = ready["ingest_s"]

    def ask(self, questions: list[dict]) -> list[dict]:
        self.proc.stdin.write(json.dumps({"questions": questions}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())["rows"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(60)


def first_two_sentences(answer: str) -> str:
    parts = re.split(r"(?<=[。！？.!?])\s*", answer)
    return " ".join(parts[:2])


def accuracy(rows: list[dict], questions: dict[str, dict]) -> dict:
    stats: dict[str, list[int]] = {}
    for row in rows:
        q = questions[row["id"]]
        if not q["answers"]:
            continue
        s = stats.setdefault(q["lang"], [0, 0])
        s[0] += 1
        s[1] += (not row["abstained"]) and any(a in first_two_sentences(row["answer"]) for a in q["answers"])
    return {lang: {"n": n, "accuracy": round(ok / n, 4)} for lang, (n, ok) in sorted(stats.items())}


def llama_index_table(sources: Path, items, cache: Path) -> dict:
    """hit@1/hit@3 of the llama-index quick-start per bilingual direction."""
    sys.path.insert(0, str(PROJECT_DIR / "bench"))
    from query import build_baseline
    from rag.eval.evalset import Question
    from rag.sources import discover, parse_file
    gold_text = {p.id: (p.zh or "", p.en or "") for path in discover(sources) for p in parse_file(path).pairs}
    qs = [Question(id=f"{i.qid}/{i.direction}", question=i.question, gold=tuple(i.gold)) for i in items]
    _, systems, good = build_baseline(sources, cache, True, gold_text, qs)
    out: dict[str, dict] = {}
    by_k = {s.key: s for s in systems}
    for item, q in zip(items, qs):
        ranked = [r for r in by_k["top3"].run(q.question)[0]]
        d = out.setdefault(item.direction, {"n": 0, "hit@1": 0, "hit@3": 0})
        d["n"] += 1
        d["hit@1"] += bool(ranked) and ranked[0] in good[q.id]
        d["hit@3"] += any(r in good[q.id] for r in ranked[:3])
    return {k: {"hit@1": round(v["hit@1"] / v["n"], 4), "hit@3": round(v["hit@3"] / v["n"], 4), "n": v["n"]}
            for k, v in out.items()}


def markdown_retrieval(name: str, table: dict, llama: dict | None) -> str:
    systems = ["dense", "xling", "bm25", "minmax", "fusion", "final"]
    head = "| direction | n | " + " | ".join(["e5", "USE", "BM25", "min-max (before)", "learned fusion", "final (re-read)"])
    head += " | llama-index top-3 |" if llama is not None else " |"
    lines = [f"**{name}** — hit@1 / hit@3 / MRR", "", head, "|" + "---|" * (len(systems) + 2 + (llama is not None))]
    for direction, row in table.items():
        cells = [f"{row[s]['hit@1']:.3f} / {row[s]['hit@3']:.3f} / {row[s]['mrr']:.3f}" for s in systems]
        extra = ""
        if llama is not None:
            li = llama.get(direction)
            extra = f" {li['hit@1']:.3f} / {li['hit@3']:.3f} |" if li else " – |"
        lines.append(f"| {direction} | {row['final']['n']} | " + " | ".join(cells) + " |" + extra)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--xquad", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=PROJECT_DIR / ".dev" / "qa")
    parser.add_argument("--compare-ref", default=BASELINE_REF, help="git ref of the version to compare with ('' = none)")
    parser.add_argument("--repeats", type=int, default=3, help="latency passes per version")
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "bench" / "out" / "qa.json")
    args = parser.parse_args(argv)
    from rag.eval import devset
    from rag.eval.fit import answer_table, retrieval_table
    from rag.weights import load_weights

    weights = load_weights()
    args.work = args.work.resolve()      # the reference version's workers run in another folder
    args.work.mkdir(parents=True, exist_ok=True)
    folders = devset.prepare(args.xquad, args.work)
    indexes = devset.open_indexes(folders, args.work)
    items = [i for i in devset.questions(args.work) if not (i.corpus == "xquad" and i.split == "train")]
    log(f"reading {len(items)} questions")
    devset.collect(items, indexes, weights.get("corpus"))
    result: dict = {"weights_fitted": weights.get("fitted", {}), "retrieval": {}, "reader_accuracy": {},
                    "answer_accuracy": {}, "latency": {}}
    fitted_news = set(weights.get("fitted", {}).get("train", {}).get("news_questions", {}))
    groups = {"xquad_val": [i for i in items if i.corpus == "xquad"], "seed_in_sample": [i for i in items if i.corpus == "seed"],
              "holdout": [i for i in items if i.corpus == "holdout"],
              # a news set the look-alike fusion was fitted on is in-sample (its held-out figures
              # are the fit's `news_cv`)
              **{(f"{name}_in_sample" if name in fitted_news else name): [i for i in items if i.corpus == name]
                 for name in devset.news_sets()}}
    for name, group in groups.items():
        result["retrieval"][name] = retrieval_table([(i, weights) for i in group])
        result["reader_accuracy"][name] = answer_table([(i, weights) for i in group])
    llama = {}
    for name, source, group in (("xquad_val", folders["xq-bilingual"], groups["xquad_val"]),
                                ("seed_in_sample", folders["seed-bilingual"], groups["seed_in_sample"])):
        bilingual = [i for i in group if i.direction in ("zh→zh", "en→en") and i.answerable and i.gold]
        log(f"llama-index quick-start over {source} ({len(bilingual)} questions)")
        llama[name] = llama_index_table(source, bilingual, args.work / "llama-cache.sqlite")
    result["llama_index"] = llama

    # end to end, this checkout and the reference, in worker processes
    trees = {"this": PROJECT_DIR}
    tmp = Path(tempfile.mkdtemp(prefix="qa-ref-"))
    if args.compare_ref:
        subprocess.run(["git", "-C", str(PROJECT_DIR), "worktree", "add", "--detach", str(tmp / "tree"), args.compare_ref],
                       check=True, capture_output=True)
        trees["before"] = tmp / "tree"
    try:
        corpora = {"xquad_val": (folders["xq-bilingual"], groups["xquad_val"]),
                   "seed": (folders["seed-bilingual"], groups["seed_in_sample"])}
        for corpus, (source, group) in corpora.items():
            asked = [i for i in group if i.direction in ("zh→zh", "en→en")]
            questions = {f"{i.qid}/{i.direction}": {"lang": i.lang, "answers": i.answers if i.answerable else []}
                         for i in asked}
            payload = [{"id": f"{i.qid}/{i.direction}", "question": i.question} for i in asked]
            workers = {name: Worker(tree, args.work / f"e2e-{corpus}-{name}", source) for name, tree in trees.items()}
            try:
                timings: dict[str, list[float]] = {name: [] for name in workers}
                passes = args.repeats if corpus == "seed" else 1
                for rep in range(passes):
                    order = list(workers) if rep % 2 == 0 else list(reversed(workers))
                    for name in order:
                        log(f"{corpus}: {name} pass {rep + 1}/{passes}")
                        rows = workers[name].ask(payload)
                        timings[name] += [r["ms"] for r in rows]
                        if rep == 0:
                            result["answer_accuracy"].setdefault(corpus, {})[name] = accuracy(rows, questions)
                result["latency"][corpus] = {name: {"p50_ms": round(statistics.median(ms), 1),
                                                    "p95_ms": round(pct(ms, 95), 1), "n": len(ms)}
                                             for name, ms in timings.items()}
                if "before" in timings:
                    result["latency"][corpus]["p50_ratio_this_over_before"] = round(
                        statistics.median(timings["this"]) / statistics.median(timings["before"]), 3)
            finally:
                for w in workers.values():
                    w.close()
    finally:
        if args.compare_ref:
            subprocess.run(["git", "-C", str(PROJECT_DIR), "worktree", "remove", "--force", str(tmp / "tree")],
                           capture_output=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")

    for name, table in result["retrieval"].items():
        print(markdown_retrieval(name, table, llama.get(name)) + "\n")
    print("**Answer accuracy** (gold answer in the first two sentences; abstention = wrong)\n")
    print("| corpus | version | zh | en |\n|---|---|---|---|")
    for corpus, versions in result["answer_accuracy"].items():
        for name, acc in versions.items():
            print(f"| {corpus} | {name} | " + " | ".join(f"{acc[l]['accuracy']:.3f} (n={acc[l]['n']})" if l in acc else "–"
                                                      for l in ("zh", "en")) + " |")
    print("\n**Reader accuracy** (the chosen sentences, before the verifier)\n")
    for corpus, acc in result["reader_accuracy"].items():
        print(f"- {corpus}: " + ", ".join(f"{l} {m['accuracy']:.3f} (n={m['n']})" for l, m in acc.items()))
    print("\n**Latency of Engine.ask (offline)**\n\n| corpus | version | p50 ms | p95 ms |\n|---|---|---|---|")
    for corpus, versions in result["latency"].items():
        for name, m in versions.items():
            if isinstance(m, dict):
                print(f"| {corpus} | {name} | {m['p50_ms']} | {m['p95_ms']} |")
        if "p50_ratio_this_over_before" in versions:
            print(f"| {corpus} | ratio this/before (p50) | {versions['p50_ratio_this_over_before']} | |")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
