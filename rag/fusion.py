"""Fusing the three ranked lists into one ranking.

Each candidate pair is described by where it stands in each list (`features`): the z-value of
its score within the list (so a list's clear leader keeps its margin, where min-max gave every
leader a full 1.0), whether the list found it, whether it leads and by how much, 1/(rank+1),
and for BM25 whether the pair has a side in the question's language at all. The fused score
is a weighted sum; the weights, one set per question language (and another for a corpus of
look-alike articles: rag/regime.py), are learned on the XQuAD training split and the seed eval
set (the news sets for look-alike articles) by `python -m rag.eval.fit` (a softmax over each
question's candidates, so the gold paragraph is pushed to rank 1) and stored in
rag/data/weights.json.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .regime import keyed
from .text import shared_phrase, tokenize
from .text.constraints import constraints, states

if TYPE_CHECKING:
    from .retrieve import Candidates

LISTS = ("dense", "xling", "bm25")
PER_LIST = ("present", "z", "top", "gap", "rrank")
EXTRA = ("dense.dev", "xling.dev", "bm25.applies", "cov", "cov_top", "ent", "ent_doc", "year", "phrase", "phrase_top",
         "se5.z", "se5.dev", "se5.top", "suse.z", "suse.dev", "suse.top", "xcov", "cov_own", "cov_doc")
FEATURES = tuple(f"{name}.{f}" for name in LISTS for f in PER_LIST) + EXTRA
DEV_SCALE = 10.0      # cosine differences of 0.01-0.1 → 0.1-1: comparable to z-values


def _z(values: np.ndarray) -> np.ndarray:
    std = float(values.std())
    return (values - values.mean()) / (std if std > 1e-9 else 1.0)


def features(c: "Candidates", article: bool = True) -> tuple[list[str], np.ndarray]:
    """(pair ids, matrix of FEATURES) for every candidate pair.

    Per list: found it, z of its score, leads, the leader's margin (in the list's standard
    deviations), 1/(rank+1). For the two vector spaces also the raw cosine's distance from the
    candidates' mean: e5 cosines of same-topic paragraphs crowd together, and a z-value would
    blow a 0.01 difference up into a confident-looking one. Then the idf share of the
    question's terms the pair holds (through the dictionary's glosses for a pair with no side in
    the question's language: `xcov`), and the question's best sentence-level cosine in each
    space (the best sentence matters, not the paragraph's average). Last, how the pair stands in
    its article (`article_coverage`; `article=False` leaves them 0)."""
    ids = sorted({pid for ranked in c.lists.values() for pid in ranked})
    x = np.zeros((len(ids), len(FEATURES)), dtype=np.float64)
    if not ids:
        return ids, x
    row = {pid: i for i, pid in enumerate(ids)}
    col = {name: i for i, name in enumerate(FEATURES)}
    for name in LISTS:
        ranked = c.lists.get(name) or {}
        if not ranked:
            continue
        scores = np.array(list(ranked.values()), dtype=np.float64)
        z = _z(scores)
        std = float(scores.std()) or 1.0
        second = float(scores[1]) if len(scores) > 1 else float(scores[0])
        for rank, (pid, score) in enumerate(ranked.items(), 1):
            r = row[pid]
            x[r, col[f"{name}.present"]] = 1.0
            x[r, col[f"{name}.z"]] = z[rank - 1]
            if rank == 1:
                x[r, col[f"{name}.top"]] = 1.0
                x[r, col[f"{name}.gap"]] = (score - second) / std
            x[r, col[f"{name}.rrank"]] = 1.0 / (rank + 1)
            if name != "bm25":
                x[r, col[f"{name}.dev"]] = (score - scores.mean()) * DEV_SCALE
    cons = c.constraints or constraints(c.focus or c.query)
    entities = [e for e, _ in cons.entities]
    for pid, r in row.items():
        x[r, col["bm25.applies"]] = float(c.applies("bm25", pid))
        x[r, col["cov"]] = c.coverage.get(pid, 0.0)
        x[r, col["xcov"]] = c.gloss_coverage.get(pid, 0.0)     # no side in the question's language
        pair = c.pairs[pid]
        # what the paragraph and its article's title say: same-topic news articles differ in the
        # city and the year they are about, often named only in the title or the date line
        with_title = c.titled(pair)
        if entities:        # the names the question asks about (重庆, not 成都, in a same-topic pair)
            x[r, col["ent"]] = sum(states(e, pair.both) for e in entities) / len(entities)
            x[r, col["ent_doc"]] = sum(states(e, with_title) for e in entities) / len(entities)
        if cons.years:
            x[r, col["year"]] = sum(y in with_title for y in cons.years) / len(cons.years)
    if article:             # (0.6 ms a question: skipped for a model that gives them no weight)
        x[:, col["cov_own"]], x[:, col["cov_doc"]] = article_coverage(c, ids)
    phrase = np.array([shared_phrase(c.focus or c.query, f"{c.pairs[pid].zh or ''} {c.pairs[pid].en or ''}")
                       for pid in ids])
    x[:, col["phrase"]] = phrase
    if phrase.max() > 0:
        x[:, col["phrase_top"]] = (phrase >= phrase.max() - 1e-9).astype(float)
    if c.coverage:
        best = max(c.coverage.get(pid, 0.0) for pid in ids)
        x[:, col["cov_top"]] = [float(best > 0 and c.coverage.get(pid, 0.0) >= best - 1e-9) for pid in ids]
    for space, k in (("se5", 0), ("suse", 1)):
        best = np.full(len(ids), np.nan)
        for pid, r in row.items():
            sims = [c.similarity[(s.pair_id, s.lang, s.position)][k] for s in c.sentences.get(pid, ())
                    if (s.pair_id, s.lang, s.position) in c.similarity]
            if sims:
                best[r] = max(sims)
        have = ~np.isnan(best)
        if have.sum() >= 1:
            x[have, col[f"{space}.z"]] = _z(best[have]) if have.sum() > 1 else 0.0
            x[have, col[f"{space}.dev"]] = (best[have] - best[have].mean()) * DEV_SCALE
            x[int(np.nanargmax(best)), col[f"{space}.top"]] = 1.0
    return ids, x


@lru_cache(maxsize=4096)
def _title_terms(header: str) -> frozenset[str]:
    return frozenset(tokenize(header))


def article_coverage(c: "Candidates", ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, the idf share of the question's terms that the pair holds among those its
    article's title does not name (`cov_own`), and the share its whole article holds: the
    title and every candidate paragraph of it (`cov_doc`). A news article names its company and
    place in the title and the lead; "恒锂在金坛的项目一年交多少税?" is answered further down,
    by a paragraph that names neither, and whole-paragraph coverage ranks the lead first."""
    own, doc = np.zeros(len(ids)), np.zeros(len(ids))
    idf = c.idf
    total = sum(idf.get(t, 0.0) for t in c.terms)
    if not ids or total <= 0:
        return own, doc
    held = {pid: frozenset().union(*(s.terms for s in c.sentences.get(pid, ()))) & c.terms for pid in ids}
    titled: dict[str, frozenset[str]] = {}
    in_doc: dict[str, set[str]] = {}
    for pid in ids:
        d = c.pairs[pid].doc
        if d not in titled:
            titled[d] = _title_terms((c.headers or {}).get(d, "")) & c.terms
            in_doc[d] = set(titled[d])
        in_doc[d] |= held[pid]
    for i, pid in enumerate(ids):
        d = c.pairs[pid].doc
        rest = c.terms - titled[d]
        rest_weight = sum(idf.get(t, 0.0) for t in rest)
        own[i] = sum(idf.get(t, 0.0) for t in held[pid] & rest) / rest_weight if rest_weight > 0 else 0.0
        doc[i] = sum(idf.get(t, 0.0) for t in in_doc[d]) / total
    return own, doc


def fuse_learned(c: "Candidates", weights: dict) -> dict[str, float]:
    w = keyed(weights, c.lang, c.regime) or keyed(weights, "en", c.regime)
    ids, x = features(c, article=bool(w.get("cov_own") or w.get("cov_doc")))
    vector = np.array([w.get(name, 0.0) for name in FEATURES])
    return dict(zip(ids, (x @ vector).tolist()))


def fuse_minmax(c: "Candidates") -> dict[str, float]:
    """The earlier fusion, kept for side-by-side benchmarks: each list min-max scaled over its
    candidates, equal weights, absent = 0; BM25 left out for pairs without a side in the
    question's language."""
    ids = sorted({pid for ranked in c.lists.values() for pid in ranked})
    fused = {}
    bounds = {name: (min(r.values()), max(r.values())) for name, r in c.lists.items() if r}
    for pid in ids:
        total = score = 0.0
        for name, (lo, hi) in bounds.items():
            if not c.applies(name, pid):
                continue
            total += 1.0
            if pid in c.lists[name]:
                raw = c.lists[name][pid]
                score += (raw - lo) / (hi - lo) if hi > lo else 1.0
        fused[pid] = score / (total or 1.0)
    return fused
