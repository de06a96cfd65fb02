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
from .lock import IngestLock
from .sources import PARSE_VERSION, discover, load_source, parse_loaded, source_path
from .text import split_sentences

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


def _plan_document(index: Index, doc: Document, stored: dict | None, key: str) -> _Plan:
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
    plan.changed = bool(plan.to_embed or plan.stale_ids or diff.added or diff.changed or diff.removed
                        or stored is None or stored["file_hash"] != doc.meta.file_hash
                        or stored["path"] != doc.meta.path or stored["plan_key"] != key)
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


def plan_key(index: Index) -> str:
    """What a document's passages depend on besides its bytes: the parser's rules and the
    chunk budget. A file whose bytes and key are unchanged is skipped before parsing."""
    return f"parse{PARSE_VERSION}:chunk{index.settings.chunk_tokens}"


def _owners(paths: list[Path], indexed: dict[str, str]) -> tuple[list[Path], list[str]]:
    """One file per document id (file stem). When two files share a stem, the one already
    indexed under it keeps it (else the first in sorted order); the others are reported, so a
    new `x.md` never replaces an indexed `x.txt`."""
    by_stem: dict[str, list[Path]] = {}
    for path in paths:
        by_stem.setdefault(path.stem, []).append(path)
    owners, errors = [], []
    for stem, group in by_stem.items():
        owner = next((p for p in group if source_path(p) == indexed.get(stem)), group[0])
        owners.append(owner)
        for other in group:
            if other is not owner:
                errors.append(f"{other}: document id {stem!r} is already used by {source_path(owner)} — "
                              "rename one of the files")
    return sorted(owners), errors


def ingest(index: Index, paths: list[Path] | None = None, *, dry_run: bool = False,
           rebuild: bool = False, prune: bool = False, progress: Progress | None = None, show_bar: bool = True,
           lock_wait: float | None = None, on_wait: Callable[[str], None] | None = None) -> IngestReport:
    """Bring the index in step with the sources under `paths` (default: the sources dir).
    Takes the data dir's ingest lock (waiting `lock_wait` seconds, None: until it is free);
    a dry run reads only. `prune` also removes documents indexed from outside the sources dir."""
    if dry_run:
        return _ingest(index, paths, dry_run=True, rebuild=rebuild, prune=prune, progress=progress, show_bar=show_bar)
    lock = IngestLock(index.settings.data_dir)
    lock.acquire(lock_wait, on_wait)
    try:
        index.refresh()                 # another process may have written since this index was opened
        report = _ingest(index, paths, dry_run=False, rebuild=rebuild, prune=prune, progress=progress,
                         show_bar=show_bar)
        index.mark_written()
        return report
    finally:
        lock.release()


def repair(index: Index, lock_wait: float | None = 0) -> int:
    """Make every vector space agree with the catalog (after an interrupted or concurrent
    run), under the ingest lock. Returns how many vectors were fixed."""
    lock = IngestLock(index.settings.data_dir)
    lock.acquire(lock_wait)
    try:
        index.refresh()
        fixed = 0
        n_passages = index.catalog.count_passages()
        for space in index.spaces:
            if index.catalog.get_state(DIRTY) or space.store.count() != n_passages:
                index.catalog.set_state(DIRTY, "1")
                fixed += _reconcile(index, space)
        if index.catalog.get_state(DIRTY):
            index.catalog.set_state(DIRTY, None)
        if fixed:
            index.mark_written()
        return fixed
    finally:
        lock.release()


def check_on_start(index: Index) -> str:
    """The app's start-up check: if a run was interrupted (dirty flag) or a vector space
    disagrees with the catalog in size, repair it now (if no ingest is running). Returns a
    line to print, or ""."""
    from .lock import IngestBusy
    n_passages = index.catalog.count_passages()
    if not index.catalog.get_state(DIRTY) and all(space.store.count() == n_passages for space in index.spaces):
        return ""
    try:
        fixed = repair(index, lock_wait=0)
    except IngestBusy as exc:
        return f"the index is being written by another ingest ({exc.message}); answers may lag until it ends"
    return f"repaired {fixed} vector(s) that were out of step with the catalog (an earlier ingest was interrupted)"


def _ingest(index: Index, paths: list[Path] | None, *, dry_run: bool, rebuild: bool, prune: bool,
            progress: Progress | None, show_bar: bool) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport(dry_run=dry_run)
    computed_before = index.embedding.computed
    cross_before = index.cross.embedding.computed if index.cross else 0
    default_roots = paths is None
    roots = [Path(source_path(p)) for p in (paths or [index.settings.sources_dir])]
    existing_roots = []
    for root in roots:
        if not root.exists():
            report.errors.append(f"{root}: does not exist — check the path (nothing was removed from the index)")
        else:
            existing_roots.append(root)

    if (rebuild or prune) and len(existing_roots) < len(roots):
        # a typo'd or unmounted path must not wipe the index (the error above promises that)
        report.errors.append("--rebuild/--prune skipped: a source path does not exist, so nothing was dropped")
        rebuild = prune = False
    if rebuild and not dry_run:
        index.catalog.set_state(DIRTY, "1")
        for doc in index.catalog.documents():
            index.catalog.remove_document(doc["doc_id"])
        for space in index.spaces:
            space.store.recreate()      # a new HNSW graph, built with the current parameters

    # 1. read everything; an unchanged file (same bytes, same plan key) is not even parsed; a
    #    bad file is reported and keeps whatever it had in the index
    indexed = {d["doc_id"]: d for d in index.catalog.documents()}
    key = plan_key(index)
    discovered = [path for root in existing_roots for path in discover(root)]
    owned, duplicate_errors = _owners(discovered, {k: d["path"] for k, d in indexed.items()})
    report.errors.extend(duplicate_errors)
    docs: list[Document] = []
    unchanged: list[str] = []
    seen: set[str] = set()
    for path in owned:
        seen.add(path.stem)
        try:
            text, file_hash = load_source(path)
            old = indexed.get(path.stem)
            if (old and old["file_hash"] == file_hash and old["path"] == source_path(path)
                    and old["plan_key"] == key):
                unchanged.append(path.stem)
                continue
            docs.append(parse_loaded(path, text, file_hash))
        except SourceError as exc:
            report.errors.append(str(exc))
    gone = [d for d in indexed.values() if d["doc_id"] not in seen and _under(d["path"], existing_roots)]
    if default_roots:
        outside = [d for d in indexed.values() if d["doc_id"] not in seen and not _under(d["path"], existing_roots)]
        report.outside_documents = [f"{d['doc_id']} ({d['path']})" for d in outside]
        if prune:
            gone += outside

    # 2. reconcile after an interrupted run (cheap check first)
    if not dry_run:
        n_passages = index.catalog.count_passages()
        for space in index.spaces:
            if index.catalog.get_state(DIRTY) or space.store.count() != n_passages:
                index.catalog.set_state(DIRTY, "1")
                report.repaired += _reconcile(index, space)

    plans = [_plan_document(index, doc, indexed.get(doc.meta.doc_id), key) for doc in docs]
    for doc_id in unchanged:
        report.diff.unchanged.extend(index.catalog.pair_hashes(doc_id))
        report.documents.append(doc_id)
    for plan in plans:
        report.diff.merge(plan.diff)
        report.documents.append(plan.doc.meta.doc_id)
    report.documents.sort()
    for d in gone:
        report.diff.removed.extend(index.catalog.pair_hashes(d["doc_id"]))
        report.removed_documents.append(d["doc_id"])
    if dry_run:
        report.seconds = time.perf_counter() - started
        return report
    # 3. embed what is new or changed (cache first), with progress: the passages (into Chroma)
    #    and the sentences of new or changed pairs (into the embedding cache only: the answerer
    #    compares the question with each sentence)
    todo = [p for plan in plans for p in plan.to_embed]
    sentences = sorted({s for plan in plans for pair in plan.doc.pairs
                        if pair.id in plan.diff.added or pair.id in plan.diff.changed
                        for lang in pair.languages for s in split_sentences(pair.text(lang) or "", lang)})
    spaces = index.spaces
    vectors: list[dict[str, np.ndarray]] = [{} for _ in spaces]
    sentence_counts: list[int] = []
    bar = None
    total = (len(todo) + len(sentences)) * len(spaces)
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
        before = space.embedding.computed
        for start in range(0, len(sentences), batch):
            chunk = sentences[start:start + batch]
            space.embedding.embed_passages(chunk)
            done += len(chunk)
            if bar:
                bar.update(len(chunk))
            if progress:
                progress(done, total, f"embedding sentences ({space.embedding.slug})")
        sentence_counts.append(space.embedding.computed - before)
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
        index.catalog.replace_document(plan.doc, plan.passages, key)
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
    report.embedded_sentences = sum(sentence_counts)
    report.embedded = index.embedding.computed - computed_before - (sentence_counts[0] if sentence_counts else 0)
    report.embedded_cross = ((index.cross.embedding.computed - cross_before - sentence_counts[1])
                             if index.cross and len(sentence_counts) > 1 else 0)
    report.seconds = time.perf_counter() - started
    return report
