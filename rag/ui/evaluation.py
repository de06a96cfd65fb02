"""The Evaluation tab's logic: which question sets a client may run (by name, never by path),
on which corpus (the one the set was written for, in an index of its own, not the live one),
and the tables it shows."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from ..engine import Engine
from ..security import Rejected, uploaded_file
from ..settings import PROJECT_DIR
from .render import esc

EVAL_DIR = PROJECT_DIR / "eval"
METRICS = [  # name, what it means (en), (zh)
    ("hit@1 / hit@3 / hit@5", "a gold paragraph is among the first 1/3/5 retrieved", "前 1/3/5 个检索结果中有正确段落"),
    ("mrr", "1 / rank of the first gold paragraph", "第一个正确段落排名的倒数"),
    ("citation_recall", "share of answer sentences their citations support", "被所引段落支持的回答句子比例"),
    ("citation_precision", "share of citations that support their sentence", "确实支持其句子的引用比例"),
    ("groundedness", "share of answer sentences some retrieved paragraph supports", "有检索段落支持的回答句子比例"),
    ("fact_recall", "share of required facts the answer states", "回答中包含的必需事实比例"),
    ("abstain_recall", "unanswerable questions declined", "无法回答的问题中被拒答的比例"),
    ("false_abstain_rate", "answerable questions wrongly declined", "可回答问题中被误拒的比例"),
    ("premise_corrected", "false premises answered with the true fact", "错误前提被更正（含真实事实）的比例"),
    ("wrong_figure", "answers giving another entity's figure (lower is better)", "给出其他实体数据的回答比例（越低越好）"),
    ("followup_resolved", "follow-ups rewritten to the right standalone question", "追问被正确改写的比例"),
]
ROW_COLUMNS = ["id", "kind", "language", "outcome", "hit@1", "fact recall", "question", "answer"]


def eval_sets() -> dict[str, tuple[Path, Path]]:
    """name → (questions file, the corpus it was written for): eval/*.jsonl are about seeds/,
    eval/<name>/questions.jsonl about eval/<name>/sources/."""
    out = {p.name: (p, PROJECT_DIR / "seeds") for p in sorted(EVAL_DIR.glob("*.jsonl")) if p.name != "claims.jsonl"}
    for p in sorted(EVAL_DIR.glob("*/questions.jsonl")):
        if (p.parent / "sources").is_dir():
            out[f"{p.parent.name}/questions.jsonl"] = (p, p.parent / "sources")
    return out


def corpus_engine(engine: Engine, corpus: Path) -> Engine:
    """An engine over an index of `corpus` alone (data dir <data>/eval-index/<name>), brought up
    to date with the product's ingest; the embedding cache is seeded from the main one."""
    from ..index import Index
    from ..ingest import ingest
    s = engine.settings
    data = s.data_dir / "eval-index" / corpus.name
    data.mkdir(parents=True, exist_ok=True)
    cache = s.data_dir / "embed_cache.sqlite"
    if cache.exists() and not (data / "embed_cache.sqlite").exists():
        shutil.copy2(cache, data / "embed_cache.sqlite")
    settings = s.with_(data_dir=data, sources_dir=corpus, chroma_prefix=f"{s.chroma_prefix}-eval")
    index = Index.open(settings, engine.index.embedding, engine.index.cross.embedding if engine.index.cross else None)
    ingest(index, show_bar=False)
    return Engine(settings, index)


def choose(engine: Engine, name: str, uploaded: str | None) -> tuple[Path, Engine, str]:
    """(questions file, engine to run on, a note on the corpus). Raises Rejected."""
    if uploaded:
        path = uploaded_file(uploaded, engine.settings.uploads)
        return path, engine, _live_note(engine, path)
    sets = eval_sets()
    if name not in sets:
        raise Rejected(f"unknown question set {name!r}", f"choose one of {', '.join(sets)} or upload a file")
    path, corpus = sets[name]
    return path, corpus_engine(engine, corpus), (f"Evaluated on the corpus this set was written for "
                                                  f"({corpus.relative_to(PROJECT_DIR) if corpus.is_relative_to(PROJECT_DIR) else corpus}), "
                                                  "in an index of its own — not on the live index.")


def _live_note(engine: Engine, path: Path) -> str:
    from ..eval.evalset import load_questions
    wanted = {g.split("#")[0] for q in load_questions(path) for g in q.gold}
    indexed = {d["doc_id"] for d in engine.index.catalog.documents()}
    note = f"Evaluated on the live index ({len(indexed)} document(s))."
    if wanted - indexed:
        note += f" ⚠ Gold documents not indexed: {', '.join(sorted(wanted - indexed))}."
    if indexed - wanted and wanted:
        note += f" ⚠ Also indexed (may change the answers): {', '.join(sorted(indexed - wanted))}."
    return note


def run(engine: Engine, name: str, uploaded: str | None) -> tuple[str, list[list], dict, str | None]:
    """(message HTML, metric rows, per-question table, plot path)."""
    from ..eval import runner
    path, target, note = choose(engine, name, uploaded)
    out_dir = engine.settings.data_dir / "eval-ui" / time.strftime("%Y%m%d-%H%M%S")
    result = runner.run(path, out_dir, target, judge=None, progress=False, modes=())
    agg = result["aggregate"]
    metric_rows = [[m, "" if agg.get(k) is None else round(agg[k], 3), en, zh]
                   for m, en, zh in METRICS for k in [m.split(" / ")[0]] if k in agg]
    rows = []
    for line in (out_dir / "results.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        m = rec.get("metrics") or {}
        rows.append([rec["id"], rec["kind"], rec["language"], rec.get("outcome", ""),
                     "" if m.get("hit@1") is None else m["hit@1"], "" if m.get("fact_recall") is None else round(m["fact_recall"], 2),
                     rec["question"], rec["answer"][:400]])
    pngs = sorted(out_dir.glob("*.png"))
    message = (f"<p>{esc(note)}</p><p>{result['n_questions']} question(s) in {result['runtime_s']} s; "
               f"files in <code>{esc(out_dir)}</code>.</p>")
    return message, metric_rows, {"headers": ROW_COLUMNS, "data": rows}, str(pngs[0]) if pngs else None
