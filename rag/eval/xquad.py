"""The development corpus: XQuAD (Artetxe et al. 2020, CC BY-SA 4.0) as a second parallel
bilingual corpus, read from its own folder (never copied into the project).

    python -m rag.eval.xquad --xquad ../shared/data/xquad --out .dev/xquad

writes, deterministically (fixed seed):

    bilingual/<doc>.txt   one file per article in the seed's format: title, then each Chinese
                          paragraph followed by its English translation
    zh/<doc>.txt          the same articles, Chinese side only   (English questions → zh-only)
    en/<doc>.txt          the same articles, English side only   (Chinese questions → en-only)
    questions.jsonl       every question in both languages (eval-set schema, plus `split`,
                          `article`, `answers`), gold paragraph ids valid in all three folders
    manifest.json         the data's hash, the seed, the split, the withheld paragraphs, counts

Unanswerable questions are made by withholding paragraphs: about a quarter of the questions
lose their gold paragraph while its same-article siblings stay (plausible, same topic, but
unanswerable). The split is by article: a fixed `train` part (fit weights and thresholds) and
a `val` part (report only; never fit on it).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..sources import parse_file
from ..text import sha256

SEED = 20251110
UNANSWERABLE_SHARE = 0.25
FILES = ("xquad.zh.json", "xquad.en.json")
NOT_STATED = {"zh": "这些段落没有说明。", "en": "The paragraphs do not say."}
CITATION = ("Artetxe, Ruder and Yogatama (2020), On the Cross-lingual Transferability of Monolingual "
            "Representations (XQuAD), CC BY-SA 4.0")


@dataclass(frozen=True)
class Paragraph:
    article: int
    index: int                 # 0-based position in the article
    zh: str
    en: str
    qas: tuple                 # ((id, zh question, en question, zh answer, en answer), ...)


def data_hash(folder: Path) -> str:
    return sha256(b"".join(sha256((folder / name).read_bytes()).encode() for name in FILES))


def load(folder: Path) -> tuple[list[str], list[Paragraph]]:
    """(article titles, paragraphs) from the aligned zh/en XQuAD files. Raises ValueError
    if the files are missing or not aligned."""
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise ValueError(f"{folder}: missing {', '.join(missing)} (the XQuAD folder holds xquad.zh.json and xquad.en.json)")
    zh = json.loads((folder / FILES[0]).read_text(encoding="utf-8"))["data"]
    en = json.loads((folder / FILES[1]).read_text(encoding="utf-8"))["data"]
    if [a["title"] for a in zh] != [a["title"] for a in en]:
        raise ValueError(f"{folder}: the zh and en files hold different articles")
    titles, paragraphs = [], []
    for n, (za, ea) in enumerate(zip(zh, en)):
        titles.append(ea["title"])
        for i, (zp, ep) in enumerate(zip(za["paragraphs"], ea["paragraphs"])):
            zq, eq = zp["qas"], ep["qas"]
            if [q["id"] for q in zq] != [q["id"] for q in eq]:
                raise ValueError(f"{folder}: questions of {ea['title']} paragraph {i} are not aligned")
            qas = tuple((a["id"], a["question"].strip(), b["question"].strip(), a["answers"][0]["text"],
                         b["answers"][0]["text"]) for a, b in zip(zq, eq))
            paragraphs.append(Paragraph(n, i, " ".join(zp["context"].split()), " ".join(ep["context"].split()), qas))
    return titles, paragraphs


def doc_id(n: int, title: str) -> str:
    return f"xq{n:02d}_" + re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:40]


def plan(titles: list[str], paragraphs: list[Paragraph], seed: int = SEED) -> tuple[set[str], set[tuple[int, int]]]:
    """(train article titles, withheld (article, index) paragraphs), deterministic."""
    rng = random.Random(seed)
    order = sorted(titles)
    rng.shuffle(order)
    train = set(order[: len(order) // 2])
    by_article: dict[int, list[Paragraph]] = {}
    for p in paragraphs:
        by_article.setdefault(p.article, []).append(p)
    total = sum(len(p.qas) for p in paragraphs)
    withheld: set[tuple[int, int]] = set()
    lost = 0
    for rounds in range(2):                        # one paragraph per article, then a second where needed
        articles = sorted(by_article)
        rng.shuffle(articles)
        for a in articles:
            if lost >= UNANSWERABLE_SHARE * total:
                break
            left = [p for p in by_article[a] if (p.article, p.index) not in withheld]
            pick = rng.choice(left)
            withheld.add((pick.article, pick.index))
            lost += len(pick.qas)
    return train, withheld


def build(folder: Path, out: Path, seed: int = SEED) -> dict:
    titles, paragraphs = load(folder)
    train, withheld = plan(titles, paragraphs, seed)
    for variant in ("bilingual", "zh", "en"):
        (out / variant).mkdir(parents=True, exist_ok=True)
        for old in (out / variant).glob("*.txt"):
            old.unlink()
    gold_id: dict[tuple[int, int], str] = {}
    for n, title in enumerate(titles):
        kept = [p for p in paragraphs if p.article == n and (n, p.index) not in withheld]
        stem = doc_id(n, title)
        # a title ending in ")" would read as a sentence, not a heading: "Sky – United Kingdom"
        head = re.sub(r"\s*\((.*)\)$", r" – \1", title.replace("_", " "))
        files = {"bilingual": [head] + [line for p in kept for line in (p.zh, p.en)],
                 "zh": [head] + [p.zh for p in kept], "en": [head] + [p.en for p in kept]}
        for variant, lines in files.items():
            (out / variant / f"{stem}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for order, p in enumerate(kept, 1):
            gold_id[(n, p.index)] = f"{stem}#p{order:02d}"
        for variant in files:                       # the parser must see exactly these paragraphs
            doc = parse_file(out / variant / f"{stem}.txt")
            sides = [(pair.zh, pair.en) for pair in doc.pairs]
            want = [(p.zh if variant != "en" else None, p.en if variant != "zh" else None) for p in kept]
            if sides != want:
                raise ValueError(f"{variant}/{stem}.txt does not parse back into its {len(kept)} paragraphs")
    rows = []
    for p in paragraphs:
        split = "train" if titles[p.article] in train else "val"
        answerable = (p.article, p.index) not in withheld
        for qid, q_zh, q_en, a_zh, a_en in p.qas:
            for lang, question, answer, other in (("zh", q_zh, a_zh, a_en), ("en", q_en, a_en, a_zh)):
                rows.append({
                    "id": f"{qid}-{lang}", "question": question, "language": lang,
                    "kind": "factual" if answerable else "unanswerable", "answerable": answerable,
                    "gold": [gold_id[(p.article, p.index)]] if answerable else [],
                    "reference": answer if answerable else NOT_STATED[lang], "facts": [[answer]] if answerable else [],
                    "answers": {"zh": a_zh, "en": a_en}, "split": split, "article": titles[p.article],
                    "xquad_id": qid})
    with open(out / "questions.jsonl", "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts = Counter((r["split"], r["language"], r["answerable"]) for r in rows)
    manifest = {
        "source": str(folder), "data_sha256": data_hash(folder), "seed": seed, "citation": CITATION,
        "train_articles": sorted(train), "val_articles": sorted(set(titles) - train),
        "withheld": sorted(f"{titles[a]}#{i}" for a, i in withheld),
        "paragraphs": len(paragraphs) - len(withheld), "questions": len(rows),
        "counts": {f"{s}/{lang}/{'answerable' if ok else 'unanswerable'}": c
                   for (s, lang, ok), c in sorted(counts.items())},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.eval.xquad", description=__doc__.split("\n\n")[0])
    parser.add_argument("--xquad", type=Path, required=True, help="folder with xquad.zh.json and xquad.en.json")
    parser.add_argument("--out", type=Path, required=True, help="where to write the corpus (replaced)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    try:
        manifest = build(args.xquad, args.out, args.seed)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({k: manifest[k] for k in ("data_sha256", "paragraphs", "questions", "counts")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
