"""The development set the weights are fitted and measured on: XQuAD (train/val split by
article, rag/eval/xquad.py) and the seed in four directions (zh→zh, en→en, en→zh-only,
zh→en-only), the seed hold-out (eval/seed_holdout.jsonl) and the news sets (eval/news_*/),
each corpus ingested by the product's own ingest and every question's candidate lists read
once. Which of them a fit learns from is the fit's choice (rag/eval/fit.py); here each is
only named by its `corpus`."""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..settings import PROJECT_DIR, load_settings
from . import xquad
from .evalset import load_questions
from .variants import monolingual

K_FOLDS = 4
DIRECTIONS = {("bilingual", "zh"): "zh→zh", ("bilingual", "en"): "en→en",
              ("zh", "en"): "en→zh-only", ("en", "zh"): "zh→en-only"}


def _log(msg: str) -> None:
    print(f"[fit] {msg}", file=sys.stderr, flush=True)


def fold_of(text: str) -> int:
    return int(hashlib.md5(text.encode("utf-8")).hexdigest(), 16) % K_FOLDS


@dataclass
class Item:
    """One question asked of one corpus variant."""
    qid: str
    question: str
    lang: str
    direction: str
    corpus: str                              # xquad | seed | holdout | news_zh | news_tourism | …
    split: str                               # train | val | fold0..3 | report
    answerable: bool
    gold: set[str]
    answers: list[str]                       # strings a right sentence contains (any)
    candidates: object = None
    extra: dict = field(default_factory=dict)


def sha_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def news_sets() -> dict[str, Path]:
    """eval/news_*/: fictional Chinese news in look-alike pairs, each folder a corpus."""
    return {d.name: d for d in sorted((PROJECT_DIR / "eval").glob("news_*")) if (d / "questions.jsonl").exists()}


def prepare(xquad_dir: Path, work: Path) -> dict[str, Path]:
    """Source folders of every corpus variant, built under `work`."""
    manifest = xquad.build(xquad_dir, work / "xquad")
    _log(f"XQuAD corpus: {manifest['paragraphs']} paragraphs, {manifest['questions']} questions")
    folders = {"xq-bilingual": work / "xquad" / "bilingual", "xq-zh": work / "xquad" / "zh",
               "xq-en": work / "xquad" / "en", "seed-bilingual": PROJECT_DIR / "seeds",
               **{name: d / "sources" for name, d in news_sets().items()}}
    for lang in ("zh", "en"):
        shutil.rmtree(work / f"seed-{lang}", ignore_errors=True)
        monolingual(PROJECT_DIR / "seeds", work / f"seed-{lang}", lang)
        folders[f"seed-{lang}"] = work / f"seed-{lang}"
    return folders


def open_indexes(folders: dict[str, Path], work: Path) -> dict:
    """Ingest every variant with the product's ingest (one shared embedding cache)."""
    from ..index import Index
    from ..ingest import ingest
    indexes = {}
    shared = work / "embed_cache.sqlite"
    for name, src in folders.items():
        data = work / "data" / name
        data.mkdir(parents=True, exist_ok=True)
        cache = data / "embed_cache.sqlite"
        if shared.exists() and not cache.exists():
            shutil.copy2(shared, cache)
        settings = load_settings().with_(data_dir=data, sources_dir=src)
        index = Index.open(settings)
        t = time.perf_counter()
        report = ingest(index, show_bar=False)
        if report.errors:
            raise RuntimeError(f"ingest of {name} failed: {report.errors[:3]}")
        _log(f"ingested {name}: {len(report.documents)} docs, embedded {report.embedded} passages + "
             f"{report.embedded_sentences} sentences in {time.perf_counter() - t:.0f}s")
        index.close()                # every connection closed: the cache file is complete
        shutil.copy2(cache, shared)  # and the next variant starts from it
        indexes[name] = Index.open(settings)
    return indexes


def questions(work: Path) -> list[Item]:
    items: list[Item] = []
    for line in (work / "xquad" / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        for (variant, lang), direction in DIRECTIONS.items():
            if lang == q["language"]:
                answers = [q["answers"][l] for l in ("zh", "en") if variant == "bilingual" and l == lang
                           or variant != "bilingual" and l != lang] if q["answerable"] else []
                items.append(Item(q["id"], q["question"], lang, direction, "xquad", q["split"], q["answerable"],
                                  set(q["gold"]), answers, extra={"variant": f"xq-{variant}"}))
    sets = {"seed": PROJECT_DIR / "eval" / "questions.jsonl", "holdout": PROJECT_DIR / "eval" / "seed_holdout.jsonl"}
    for corpus, path in sets.items():
        for q in load_questions(path):
            if q.kind == "follow_up":
                continue                       # asked with its history by the eval runner
            lang = q.language or "en"
            for (variant, qlang), direction in DIRECTIONS.items():
                if qlang == lang:
                    split = f"fold{fold_of(q.question)}" if corpus == "seed" else "report"
                    items.append(Item(q.id, q.question, lang, direction, corpus, split, q.answerable, set(q.gold),
                                      [v for fact in q.facts for v in fact],
                                      extra={"variant": f"seed-{variant}", "kind": q.kind}))
    for name, folder in news_sets().items():      # Chinese sources: English questions ask across
        for q in load_questions(folder / "questions.jsonl"):
            if q.kind == "follow_up":
                continue
            lang = q.language or "zh"
            items.append(Item(q.id, q.question, lang, "zh→zh" if lang == "zh" else "en→zh-only", name, "report",
                              q.answerable, set(q.gold), [v for fact in q.facts for v in fact],
                              extra={"variant": name, "kind": q.kind}))
    return items


def collect(items: list[Item], indexes: dict, corpus: dict | None = None) -> None:
    """Every item's candidate lists, read by the product's retriever; each marked with its
    corpus's regime under the boundary `corpus` (weights["corpus"]; the fit marks them after,
    under the boundary it fits: `fit.corpus_regimes`)."""
    from ..retrieve import Retriever
    placeholder = {"fusion": {}, "sentences": {}, "verifier": {}, "corpus": corpus}
    retrievers = {name: Retriever(index, "hybrid", placeholder) for name, index in indexes.items()}
    t = time.perf_counter()
    for n, item in enumerate(items, 1):
        item.candidates = retrievers[item.extra["variant"]].candidates(item.question)
        if n % 500 == 0:
            _log(f"read {n}/{len(items)} questions ({time.perf_counter() - t:.0f}s)")


