"""Incremental ingest: sources → pairs → passages → (cached) vectors → Chroma + catalog.

Crash safety: a `dirty` flag is committed before the first write and cleared after the last.
A run that finds it set (or vector and passage counts that disagree) reconciles Chroma
against the catalog first: vectors the catalog doesn't know are deleted, vectors missing or
stale are re-upserted from the embedding cache. So a run killed anywhere, run again, ends in
the same state as an uninterrupted one.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .catalog import pair_hash
from .chunking import chunk_pair
from .errors import SourceError
from .index import Index, Space
from .records import Document, IngestDiff, IngestReport, Passage
from .sources import discover, parse_file

Progress = Callable[[int, int, str], None]   # (done, total, message)
DIRTY = "ingest_dirty"


@dataclass
class _Plan:
    doc: Document
    passages: list[Passage]
    diff: IngestDiff
    to_embed: list[Passage] = field(default_factory=list)
    stale_ids: list[str] = field(default_factory=list)
    changed: bool = False


def _meta(p: Passage) -> dict:
    return {"pair_id": p.pair_id, "doc": p.doc, "lang": p.lang, "hash": p.hash}


def _plan_document(index: Index, doc: Document) -> _Plan:
    budget = index.settings.chunk_tokens
    passages = [p for pair in doc.pairs for p in chunk_pair(pair, budget)]
    old_pairs = index.catalog.pair_hashes(doc.meta.doc_id)
    old_passages = index.catalog.passage_hashes(doc.meta.doc_id)
    diff = IngestDiff()
    for pair in doc.pairs:
        old = old_pairs.get(pair.id)
        (diff.added if old is None else diff.unchanged if old == pair_hash(pair) else diff.changed).append(pair.id)
    new_ids = {p.id for p in passages}
    pair_ids = {pair.id for pair in doc.pairs}
    diff.removed = [pid for pid in old_pairs if pid not in pair_ids]
    plan = _Plan(doc, passages, diff)
    plan.to_embed = [p for p in passages if old_passages.get(p.id) != p.hash]
    plan.stale_ids = [pid for pid in old_passages if pid not in new_ids]
    stored = index.catalog.document_meta(doc.meta.doc_id)
    plan.changed = bool(plan.to_embed or plan.stale_ids or diff.added or diff.changed or diff.removed
                        or stored is None or stored.file_hash != doc.meta.file_hash or stored.path != doc.meta.path)
    return plan


def _reconcile(index: Index, space: Space) -> int:
    """Make one Chroma collection agree with the catalog. Returns how many vectors were fixed."""
    stored = space.store.hashes()
    wanted = index.catalog.passage_hashes()
    extra = [pid for pid in stored if pid not in wanted]
    fix_ids = [pid for pid, h in wanted.items() if stored.get(pid) != h]
    if extra:
        space.store.delete(extra)
    if fix_ids:
        passages = index.catalog.passages_by_id(fix_ids)
        vectors = space.embedding.embed_passages([p.text for p in passages])
        space.store.upsert([p.id for p in passages], vectors, [_meta(p) for p in passages])
    return len(extra) + len(fix_ids)


def _under(path: str, roots: list[Path]) -> bool:
    p = Path(path)
    return any(p == r or r in p.parents for r in roots)


def ingest(index: Index, paths: list[Path] | None = None, *, dry_run: bool = False,
           rebuild: bool = False, progress: Progress | None = None, show_bar: bool = True) -> IngestReport:
    """Bring the index in step with the sources under `paths` (default: the sources dir)."""
    started = time.perf_counter()
    report = IngestReport(dry_run=dry_run)
    computed_before = index.embedding.computed
    cross_before = index.cross.embedding.computed if index.cross else 0
    roots = [Path(p).resolve() for p in (paths or [index.settings.sources_dir])]
    existing_roots = []
    for root in roots:
        if not root.exists():
            report.errors.append(f"{root}: does not exist — check the path (nothing was removed from the index)")
        else:
            existing_roots.append(root)

    if rebuild and not dry_run and len(existing_roots) < len(roots):
        # a typo'd or unmounted path must not wipe the index (the error above promises that)
        report.errors.append("--rebuild skipped: a source path does not exist, so the index was not dropped")
        rebuild = False
    if rebuild and not dry_run:
        index.catalog.set_state(DIRTY, "1")
        for doc in index.catalog.documents():
            index.catalog.remove_document(doc["doc_id"])
        for space in index.spaces:
            space.store.delete(list(space.store.hashes()))

    # 1. parse everything; a bad file is reported and keeps whatever it had in the index
    docs: list[Document] = []
    keep: set[str] = set()
    seen_paths: dict[str, str] = {}
    for root in existing_roots:
        for path in discover(root):
            try:
                doc = parse_file(path)
            except SourceError as exc:
                report.errors.append(str(exc))
                keep.add(path.stem)
                continue
            other = seen_paths.get(doc.meta.doc_id)
            if other and other != doc.meta.path:
                report.errors.append(f"{path}: document id {doc.meta.doc_id!r} is already used by {other} — rename one of the files")
                continue
            seen_paths[doc.meta.doc_id] = doc.meta.path
            docs.append(doc)
    seen = set(seen_paths) | keep
    gone = [d for d in index.catalog.documents()
            if d["doc_id"] not in seen and _under(d["path"], existing_roots)]

    # 2. reconcile after an interrupted run (cheap check first)
    if not dry_run:
        n_passages = index.catalog.count_passages()
        for space in index.spaces:
            if index.catalog.get_state(DIRTY) or space.store.count() != n_passages:
                index.catalog.set_state(DIRTY, "1")
                report.repaired += _reconcile(index, space)

    plans = [_plan_document(index, doc) for doc in docs]
    for plan in plans:
        report.diff.merge(plan.diff)
        report.documents.append(plan.doc.meta.doc_id)
    for d in gone:
        report.diff.removed.extend(index.catalog.pair_hashes(d["doc_id"]))
        report.removed_documents.append(d["doc_id"])
    if dry_run:
        report.seconds = time.perf_counter() - started
        return report

    # 3. embed what is new or changed (cache first), with progress
    todo = [p for plan in plans for p in plan.to_embed]
    spaces = index.spaces
    vectors: list[dict[str, np.ndarray]] = [{} for _ in spaces]
    bar = None
    total = len(todo) * len(spaces)
    if show_bar and todo:
        from tqdm import tqdm
        bar = tqdm(total=total, desc="embedding", unit="passage", leave=False)
    batch = 32
    done = 0
    for space, out in zip(spaces, vectors):
        for start in range(0, len(todo), batch):
            chunk = todo[start:start + batch]
            for p, v in zip(chunk, space.embedding.embed_passages([p.text for p in chunk])):
                out[p.id] = v
            done += len(chunk)
            if bar:
                bar.update(len(chunk))
            if progress:
                progress(done, total, f"embedding ({space.embedding.slug})")
    if bar:
        bar.close()

    # 4. write: vectors first, then the catalog (one transaction per doc), then drop stale vectors
    if any(p.changed for p in plans) or gone:
        index.catalog.set_state(DIRTY, "1")
    for n, plan in enumerate(plans, 1):
        if not plan.changed:
            continue
        for space, out in zip(spaces, vectors):
            if plan.to_embed:
                space.store.upsert([p.id for p in plan.to_embed], np.stack([out[p.id] for p in plan.to_embed]),
                                   [_meta(p) for p in plan.to_embed])
        index.catalog.replace_document(plan.doc, plan.passages)
        for space in spaces:
            if plan.stale_ids:
                space.store.delete(plan.stale_ids)
        if progress:
            progress(n, len(plans), "writing")
    for d in gone:
        stale = list(index.catalog.passage_hashes(d["doc_id"]))
        index.catalog.remove_document(d["doc_id"])
        for space in spaces:
            space.store.delete(stale)
    index.catalog.set_state(DIRTY, None)
    report.embedded = index.embedding.computed - computed_before
    report.embedded_cross = (index.cross.embedding.computed - cross_before) if index.cross else 0
    report.seconds = time.perf_counter() - started
    return report
