r"""Deterministic synthetic bilingual corpora derived from the seed article (for benchmarks).

Each generated .txt file follows the seed's layout (README "Sources", rag/sources.py):

    <optional English title line>
    2025-11-10 18:10:14 by BENCH
    <zh heading>            \  a heading pair every ~8 paragraphs
    <en heading>            /
    <zh paragraph>          \  one paragraph pair
    <en paragraph>          /
    ...

Paragraph pairs are recombined from the seed: the seed's zh and en paragraphs are split into
sentences with `rag.chunking.split_sentences`; a paragraph whose two sides have the same number
of sentences contributes one aligned unit per sentence pair, any other paragraph contributes
itself as one unit. A synthetic pair is 2-4 random units (zh joined with "", en with " ") plus
a unique marker "（第N期）" / "(Issue N)", so every text is distinct and nothing is an
embedding-cache hit by accident. Units are only added while both sides stay under
`max_tokens` (estimated, default 300 < the default chunk budget of 320), so each side stays
one passage, like the seed's paragraphs.

    python bench/corpus.py N OUT_DIR [--per-file 100] [--seed 0]
"""
from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from rag.chunking import chunk_pair
from rag.text import estimate_tokens, split_sentences
from rag.sources import parse_file

SEED_FILE = PROJECT_DIR / "seeds" / "000_09ff8f6f21da3254.txt"
DATE_LINE = "2025-11-10 18:10:14 by BENCH"
HEADING_EVERY = 8


@dataclass(frozen=True)
class Unit:
    zh: str
    en: str


@dataclass(frozen=True)
class SeedMaterial:
    title: str
    units: tuple[Unit, ...]
    headings: tuple[tuple[str, str], ...]


def load_seed(seed_file: Path = SEED_FILE) -> SeedMaterial:
    """The seed's aligned units (sentence pairs where the counts agree, else whole paragraphs)."""
    doc = parse_file(seed_file)
    units: list[Unit] = []
    for pair in doc.pairs:
        if not (pair.zh and pair.en):
            continue
        zh_s, en_s = split_sentences(pair.zh, "zh"), split_sentences(pair.en, "en")
        if len(zh_s) == len(en_s):
            units.extend(Unit(z, e) for z, e in zip(zh_s, en_s))
        else:
            units.append(Unit(pair.zh, pair.en))
    headings = tuple((zh, en) for zh, en in doc.headings if zh and en)
    if len(units) < 4 or not headings:
        raise ValueError(f"{seed_file}: too little aligned material ({len(units)} units, {len(headings)} headings)")
    return SeedMaterial(doc.meta.title or "Bench corpus", tuple(units), headings)


def _paragraph(rng: random.Random, units: tuple[Unit, ...], serial: int, max_tokens: int) -> tuple[str, str]:
    want = rng.randint(2, 4)
    zh_parts: list[str] = []
    en_parts: list[str] = []
    marker_zh, marker_en = f"（第{serial}期）", f"(Issue {serial})"
    for idx in rng.sample(range(len(units)), len(units)):
        if len(zh_parts) == want:
            break
        u = units[idx]
        zh = "".join(zh_parts + [u.zh]) + marker_zh
        en = " ".join(en_parts + [u.en, marker_en])
        if zh_parts and max(estimate_tokens(zh), estimate_tokens(en)) > max_tokens:
            continue   # keep each side one passage; the first unit is always taken
        zh_parts.append(u.zh)
        en_parts.append(u.en)
    return "".join(zh_parts) + marker_zh, " ".join(en_parts + [marker_en])


def file_counts(n_paragraphs: int, per_file: int) -> list[int]:
    """Paragraph pairs per generated file: full files of `per_file`, the remainder last."""
    if n_paragraphs < 1 or per_file < 1:
        raise ValueError("n_paragraphs and per_file must be >= 1")
    full, rest = divmod(n_paragraphs, per_file)
    return [per_file] * full + ([rest] if rest else [])


def generate(n_paragraphs: int, out_dir: Path, per_file: int = 100, seed: int = 0, *,
             titles: bool = True, max_tokens: int = 300, seed_file: Path = SEED_FILE) -> list[Path]:
    """Write `n_paragraphs` synthetic pairs into ceil(n/per_file) files `bench_NNNN.txt`.

    Same arguments → byte-identical files. Returns the paths, in order.
    """
    material = load_seed(seed_file)
    rng = random.Random(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    serial = 0
    for file_no, count in enumerate(file_counts(n_paragraphs, per_file)):
        lines: list[str] = []
        if titles:
            # a heading-like title: <= 20 words, no sentence-final punctuation at the end
            lines.append(f"{material.title.split(':')[0]} - Bench File {file_no + 1}")
        lines.append(DATE_LINE)
        next_heading = rng.randint(HEADING_EVERY - 2, HEADING_EVERY + 2)
        section = 0
        for n in range(count):
            if n == next_heading:
                zh_h, en_h = material.headings[section % len(material.headings)]
                section += 1
                lines += [f"{zh_h} {section}", f"{en_h} {section}"]
                next_heading += rng.randint(HEADING_EVERY - 2, HEADING_EVERY + 2)
            serial += 1
            zh, en = _paragraph(rng, material.units, serial + seed * 1_000_000, max_tokens)
            lines += [zh, en]
        path = out_dir / f"bench_{file_no:04d}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def verify(paths: list[Path], counts: list[int] | None = None, per_file: int = 100,
           budget: int = 320) -> dict:
    """Parse each file back with rag.sources.parse_file; raise AssertionError on any mismatch.

    Checks: the expected number of pairs per file (`counts`, or else `per_file` for every
    file but the last, which may hold 1..per_file), every pair bilingual, one passage per side at `budget`, and
    all passage texts distinct across the corpus. Returns summary figures.
    """
    texts: set[str] = set()
    n_pairs = n_passages = tokens = 0
    for i, path in enumerate(paths):
        doc = parse_file(Path(path))
        got = len(doc.pairs)
        if counts is not None:
            assert got == counts[i], f"{path}: parsed {got} pairs, expected {counts[i]}"
        elif i < len(paths) - 1:
            assert got == per_file, f"{path}: parsed {got} pairs, expected {per_file}"
        else:
            assert 1 <= got <= per_file, f"{path}: parsed {got} pairs, expected 1..{per_file}"
        assert all(p.zh and p.en for p in doc.pairs), f"{path}: a pair is missing a side"
        assert doc.meta.date, f"{path}: date line not recognised"
        for pair in doc.pairs:
            passages = chunk_pair(pair, budget)
            assert len(passages) == 2, f"{pair.id}: {len(passages)} passages at budget {budget}"
            for p in passages:
                assert p.text not in texts, f"{pair.id}: duplicate text"
                texts.add(p.text)
                tokens += estimate_tokens(p.text)
        n_pairs += got
        n_passages += 2 * got
    return {"files": len(paths), "pairs": n_pairs, "passages": n_passages,
            "mean_est_tokens_per_passage": round(tokens / max(1, n_passages), 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n_paragraphs", type=int)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--per-file", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    paths = generate(args.n_paragraphs, args.out_dir, args.per_file, args.seed)
    summary = verify(paths, file_counts(args.n_paragraphs, args.per_file))
    print(f"wrote {summary['files']} files, {summary['pairs']} pairs, {summary['passages']} passages "
          f"(mean ~{summary['mean_est_tokens_per_passage']} est. tokens/passage) to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
