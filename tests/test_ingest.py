"""Incremental ingest end to end, with the real e5 model and the real embedded Chroma.

Most tests use the session's warm embedding cache (the seed and EXTRA_DOCS pre-embedded), so
`embedding.computed` counts only texts that are genuinely new.
"""
from __future__ import annotations

import json
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from _corpus import EXTRA_DOCS, ROOT, SEED, SEED_ID, SEED_PAIR_IDS, replace_once, subprocess_env, write_extra
from rag.catalog import Catalog
from rag.cli import ingest_main
from rag.embeddings import EmbeddingCache, RagEmbedding
from rag.ingest import DIRTY, ingest
from rag.settings import load_settings
from rag.sources import parse_file

pytestmark = pytest.mark.slow

P05 = f"{SEED_ID}#p05"
P05_EN_OLD = "RMB 300 million special fund"
P05_EN_NEW = "RMB 350 million special fund"
P05_ZH_OLD = "每年3亿元文艺精品专项资金"
P05_ZH_NEW = "每年3.5亿元文艺精品专项资金"
RIVER = "101_river"
NOTES = "102_notes"


# ------------------------------------------------------------------------- helpers ----
def spaces(index) -> list:
    """(embedding, store) of every vector space the index keeps: the primary (e5) and, by
    default, the cross-lingual USE space."""
    return [(s.embedding, s.store) for s in index.spaces] if hasattr(index, "spaces") \
        else [(index.embedding, index.store)]


def state(index) -> dict:
    """Everything an ingest is supposed to determine (no timestamps, no vectors)."""
    cat = index.catalog
    docs = {d["doc_id"]: {k: d[k] for k in ("path", "title", "date", "byline", "file_hash", "n_pairs")}
            for d in cat.documents()}
    pairs = {p.id: (p.doc, p.order, p.zh, p.en, p.section_zh, p.section_en) for p in cat.all_pairs()}
    vectors, counts = {}, {}
    for _, store in spaces(index):
        got = store._col.get(include=["metadatas"])
        vectors[store.name] = dict(zip(got["ids"], got["metadatas"]))
        counts[store.name] = store.count()
    return {
        "documents": docs,
        "pairs": pairs,
        "passages": cat.passage_hashes(),
        "vectors": vectors,
        "n_vectors": counts,
        "n_passages": cat.count_passages(),
        "dirty": cat.get_state(DIRTY),
    }


def assert_consistent(index) -> dict:
    s = state(index)
    assert s["dirty"] is None, "the dirty flag must be cleared by a finished run"
    assert s["n_passages"] == len(s["passages"])
    for name, vectors in s["vectors"].items():
        assert s["n_vectors"][name] == len(vectors) == s["n_passages"], name
        assert {pid: meta["hash"] for pid, meta in vectors.items()} == s["passages"], name
        for pid, meta in vectors.items():
            pair_id, lang, _ = pid.split(":")
            assert meta == {"pair_id": pair_id, "doc": pair_id.split("#")[0], "lang": lang, "hash": meta["hash"]}
            assert pair_id in s["pairs"]
    return s


def primary(s: dict) -> dict:
    """The primary (e5) space's vectors of a state()."""
    return s["vectors"]["rag_e5-small-q4"]


def assert_vectors_match_text(index) -> None:
    """Each stored vector (every space) is the embedding of the catalog's current text."""
    for embedding, store in spaces(index):
        got = store._col.get(include=["embeddings"])
        text = {p.id: p.text for p in index.catalog.passages_by_id(list(got["ids"]))}
        expected = embedding.embed_passages([text[i] for i in got["ids"]])
        cosines = np.sum(np.asarray(got["embeddings"], dtype=np.float32) * expected, axis=1)
        assert cosines.min() > 0.9999, (store.name, dict(zip(got["ids"], cosines)))


def vector_ids(index) -> set[str]:
    """Ids in the primary space; asserts every other space holds the same ids."""
    ids = [set(store.hashes()) for _, store in spaces(index)]
    assert all(other == ids[0] for other in ids[1:])
    return ids[0]


@pytest.fixture
def reopen(open_index, e5_backend, data_dir):
    """A new Index + new RagEmbedding on the same data dir: what the next process would get."""
    def _reopen(settings=None):
        settings = settings or load_settings()
        return open_index(settings, RagEmbedding(e5_backend, EmbeddingCache(settings.data_dir / "embed_cache.sqlite")))
    return _reopen


@pytest.fixture
def reference(open_index, e5_backend, tmp_path, data_dir):
    """State of one uninterrupted ingest of the current sources into a separate data dir
    (sharing the embedding cache file, which doesn't affect the state)."""
    def _reference() -> dict:
        settings = load_settings().with_(data_dir=tmp_path / "ref-data")
        cache = EmbeddingCache(data_dir / "embed_cache.sqlite")
        ref = open_index(settings, RagEmbedding(e5_backend, cache))
        report = ingest(ref, show_bar=False)
        assert report.errors == []
        return assert_consistent(ref)
    return _reference


# ------------------------------------------------------------------------- first ingest ----
def test_first_ingest_of_the_seed_cold(seed_cold_ingest):
    """The session's one cold ingest (empty cache; see conftest.seed_cold_ingest)."""
    report, index, cold_embedding = seed_cold_ingest
    assert report.errors == [] and not report.dry_run
    assert report.documents == [SEED_ID]
    assert sorted(report.diff.added) == SEED_PAIR_IDS
    assert report.diff.changed == report.diff.removed == report.diff.unchanged == []
    assert report.embedded == 26     # 13 zh + 13 en sides, all computed by e5
    assert report.repaired == 0
    assert index.store.count() == 26
    assert index.catalog.count_passages() == 26
    s = assert_consistent(index)
    seed_copy = index.settings.sources_dir / SEED.name
    meta = parse_file(SEED).meta
    assert s["documents"] == {SEED_ID: {
        "path": str(seed_copy.resolve()), "title": meta.title, "date": "2025-11-10 18:10:14",
        "byline": "SICC", "file_hash": meta.file_hash, "n_pairs": 13}}
    assert sorted(s["pairs"]) == SEED_PAIR_IDS
    assert s["pairs"][P05][4] == "多维政策赋能 激活产业动能"
    assert sorted(primary(s)) == sorted(f"{pid}:{lang}:0" for pid in SEED_PAIR_IDS for lang in ("zh", "en"))
    # the real model put the real vectors there: the Chinese side of p05 is the nearest
    # passage to a Chinese question about the 300-million fund
    q = cold_embedding.embed_query("四川省每年文艺精品专项资金有多少？")
    assert index.store.query(q, 1)[0][0] == f"{P05}:zh:0"
    computed = cold_embedding.computed
    assert_vectors_match_text(index)               # (cache hits only)
    assert cold_embedding.computed == computed


def test_reingest_unchanged_embeds_nothing(sources, open_index, embedding, reopen):
    index = open_index()
    first = ingest(index, show_bar=False)
    assert len(first.diff.added) == 13
    before = embedding.computed
    again = ingest(index, show_bar=False)
    assert embedding.computed - before == 0 and again.embedded == 0
    assert sorted(again.diff.unchanged) == SEED_PAIR_IDS
    assert again.diff.added == again.diff.changed == again.diff.removed == []
    assert again.repaired == 0
    # and from a brand-new process (new objects on the same files)
    third = reopen()
    report = ingest(third, show_bar=False)
    assert report.embedded == 0 == third.embedding.computed
    assert len(report.diff.unchanged) == 13
    assert_consistent(third)


# ------------------------------------------------------------------------- edits ----
def test_edit_one_english_side_embeds_exactly_one_text(sources, open_index, embedding):
    index = open_index()
    ingest(index, show_bar=False)
    old = state(index)
    replace_once(sources / SEED.name, P05_EN_OLD, P05_EN_NEW)
    before = embedding.computed
    report = ingest(index, show_bar=False)
    assert report.diff.changed == [P05]
    assert len(report.diff.unchanged) == 12 and report.diff.added == report.diff.removed == []
    # one passage, and the one sentence that changed (the answerer's cache), for e5; the same in USE
    assert report.embedded == 1 and embedding.computed - before == 2 and report.embedded_sentences == 2
    new = assert_consistent(index)
    changed = {pid for pid in new["passages"] if new["passages"][pid] != old["passages"][pid]}
    assert changed == {f"{P05}:en:0"}
    assert "RMB 350 million" in new["pairs"][P05][3]
    assert new["n_passages"] == 26
    assert_vectors_match_text(index)


def test_edit_both_sides_embeds_two(sources, open_index, embedding):
    index = open_index()
    ingest(index, show_bar=False)
    replace_once(sources / SEED.name, P05_EN_OLD, P05_EN_NEW)
    replace_once(sources / SEED.name, P05_ZH_OLD, P05_ZH_NEW)
    before = embedding.computed
    report = ingest(index, show_bar=False)
    assert report.diff.changed == [P05]
    # two passages and the two changed sentences, for e5; USE likewise
    assert report.embedded == 2 and embedding.computed - before == 4 and report.embedded_sentences == 4
    assert_consistent(index)
    assert_vectors_match_text(index)


def test_section_heading_change_marks_its_pairs_changed_without_embedding(sources, open_index, embedding):
    """A heading is part of a pair's identity (citations show it) but not of its text."""
    index = open_index()
    ingest(index, show_bar=False)
    replace_once(sources / SEED.name, "多维政策赋能 激活产业动能", "多维政策赋能 激发产业动能")
    before = embedding.computed
    report = ingest(index, show_bar=False)
    assert sorted(report.diff.changed) == [f"{SEED_ID}#p{n:02d}" for n in (4, 5, 6, 7)]
    assert embedding.computed == before and report.embedded == 0
    s = assert_consistent(index)
    assert s["pairs"][P05][4] == "多维政策赋能 激发产业动能"


# ------------------------------------------------------------------------- add / delete ----
def test_add_a_new_file(sources, open_index, embedding):
    index = open_index()
    ingest(index, show_bar=False)
    write_extra(sources, "101_river.txt")
    write_extra(sources, "102_notes.md")
    report = ingest(index, show_bar=False)
    assert report.documents == [SEED_ID, RIVER, NOTES]
    assert report.diff.added == [f"{RIVER}#p01", f"{RIVER}#p02", f"{NOTES}#p01", f"{NOTES}#p02", f"{NOTES}#p03"]
    assert len(report.diff.unchanged) == 13
    assert report.embedded == 0, "EXTRA_DOCS are in the warm cache"
    s = assert_consistent(index)
    assert s["documents"][RIVER]["title"] == "长江水质报告"
    assert s["documents"][RIVER]["byline"] == "环境观察"
    assert s["pairs"][f"{RIVER}#p02"][4:] == ("渔业资源恢复", "Recovery of Fishery Resources")
    assert s["n_passages"] == 26 + 4 + 4      # river: 2 pairs x 2 sides; notes: 1 pair + 2 en-only
    assert s["pairs"][f"{NOTES}#p01"][2:4] == (None, "We left the camp before sunrise and walked along the ridge.")


def test_delete_a_file_removes_its_vectors_and_rows(sources, open_index):
    write_extra(sources, "101_river.txt")
    index = open_index()
    ingest(index, show_bar=False)
    assert any(pid.startswith(RIVER) for pid in vector_ids(index))
    (sources / "101_river.txt").unlink()
    report = ingest(index, show_bar=False)
    assert report.removed_documents == [RIVER]
    assert sorted(report.diff.removed) == [f"{RIVER}#p01", f"{RIVER}#p02"]
    assert len(report.diff.unchanged) == 13
    ids = vector_ids(index)
    assert not any(pid.startswith(RIVER) for pid in ids) and len(ids) == 26
    assert RIVER not in {d["doc_id"] for d in index.catalog.documents()}
    assert index.catalog.pair_hashes(RIVER) == {} and index.catalog.passage_hashes(RIVER) == {}
    assert index.catalog.bm25("江豚", 5) == []            # postings are gone too
    assert_consistent(index)


def test_removed_paragraph_drops_its_vectors(sources, open_index):
    index = open_index()
    ingest(index, show_bar=False)
    lines = (sources / SEED.name).read_text(encoding="utf-8").split("\n")
    (sources / SEED.name).write_text("\n".join(lines[:37]) + "\n", encoding="utf-8")   # drop p13
    report = ingest(index, show_bar=False)
    assert report.diff.removed == [f"{SEED_ID}#p13"]
    assert f"{SEED_ID}#p13:zh:0" not in vector_ids(index)
    assert assert_consistent(index)["n_passages"] == 24


def test_ingest_a_single_file_leaves_other_documents_alone(sources, tmp_path, open_index):
    index = open_index()
    ingest(index, show_bar=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    river = write_extra(elsewhere, "101_river.txt")
    report = ingest(index, [river], show_bar=False)
    assert report.documents == [RIVER] and report.removed_documents == []
    assert {d["doc_id"] for d in index.catalog.documents()} == {SEED_ID, RIVER}
    assert_consistent(index)


def test_duplicate_document_ids_are_reported(sources, open_index):
    (sources / "a").mkdir()
    (sources / "b").mkdir()
    write_extra(sources / "a", "101_river.txt")
    (sources / "b" / "101_river.md").write_text(EXTRA_DOCS["101_river.txt"], encoding="utf-8")
    index = open_index()
    report = ingest(index, show_bar=False)
    assert len(report.errors) == 1
    assert "101_river.md" in report.errors[0] and "already used by" in report.errors[0]
    assert report.documents == [SEED_ID, RIVER]
    assert_consistent(index)


# ------------------------------------------------------------------------- dry run / rebuild ----
def test_dry_run_writes_nothing_but_reports_the_diff(sources, open_index, embedding):
    index = open_index()
    report = ingest(index, dry_run=True, show_bar=False)
    assert report.dry_run and sorted(report.diff.added) == SEED_PAIR_IDS
    assert index.catalog.count_passages() == 0 and index.store.count() == 0
    assert embedding.computed == 0 and report.embedded == 0

    ingest(index, show_bar=False)
    before = state(index)
    replace_once(sources / SEED.name, P05_EN_OLD, P05_EN_NEW)
    write_extra(sources, "101_river.txt")
    computed = embedding.computed
    report = ingest(index, dry_run=True, show_bar=False)
    assert report.diff.changed == [P05]
    assert report.diff.added == [f"{RIVER}#p01", f"{RIVER}#p02"]
    assert len(report.diff.unchanged) == 12
    assert embedding.computed == computed, "a dry run embeds nothing"
    assert state(index) == before

    (sources / SEED.name).unlink()
    report = ingest(index, dry_run=True, show_bar=False)
    assert report.removed_documents == [SEED_ID] and sorted(report.diff.removed) == SEED_PAIR_IDS
    assert state(index) == before


def test_rebuild_starts_over_but_reuses_the_embedding_cache(sources, open_index, reopen):
    write_extra(sources, "101_river.txt")
    index = open_index()
    ingest(index, show_bar=False)
    before = assert_consistent(index)
    rebuilt = reopen()
    report = ingest(rebuilt, rebuild=True, show_bar=False)
    assert rebuilt.embedding.computed == 0 and report.embedded == 0
    assert len(report.diff.added) == 15 and report.diff.unchanged == []
    assert assert_consistent(rebuilt) == before


def test_rebuild_drops_vectors_the_catalog_does_not_know(sources, open_index, reopen):
    index = open_index()
    ingest(index, show_bar=False)
    index.store.upsert(["orphan#p01:en:0"], np.ones((1, 384), dtype=np.float32) / np.sqrt(384),
                       [{"pair_id": "orphan#p01", "doc": "orphan", "lang": "en", "hash": "x"}])
    report = ingest(reopen(), rebuild=True, show_bar=False)
    assert report.errors == []
    assert "orphan#p01:en:0" not in vector_ids(index)
    assert_consistent(index)


def test_rebuild_with_a_missing_path_drops_nothing(sources, tmp_path, open_index):
    index = open_index()
    ingest(index, show_bar=False)
    before = state(index)
    report = ingest(index, [tmp_path / "typo"], rebuild=True, show_bar=False)
    assert any("does not exist" in e for e in report.errors)
    assert state(index) == before


# ------------------------------------------------------------------------- bad input ----
def test_bad_file_among_good_ones(sources, open_index):
    write_extra(sources, "101_river.txt")
    index = open_index()
    ingest(index, show_bar=False)
    river_before = {pid for pid in vector_ids(index) if pid.startswith(RIVER)}
    assert len(river_before) == 4
    # the river file gets corrupted, an empty file and a binary file appear, a new good file too
    (sources / "101_river.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 4)
    (sources / "empty.txt").write_bytes(b"")
    write_extra(sources, "102_notes.md")
    report = ingest(index, show_bar=False)
    assert len(report.errors) == 2
    by_file = {e.split(": ")[0]: e for e in report.errors}
    assert by_file.keys() == {str(sources / "101_river.txt"), str(sources / "empty.txt")}
    assert "binary" in by_file[str(sources / "101_river.txt")]
    assert "empty" in by_file[str(sources / "empty.txt")]
    assert report.documents == [SEED_ID, NOTES]
    assert len(report.diff.added) == 3 and len(report.diff.unchanged) == 13
    assert report.removed_documents == [] and report.diff.removed == []
    # what the broken file had indexed is kept (vectors, pairs, document row)
    assert {pid for pid in vector_ids(index) if pid.startswith(RIVER)} == river_before
    assert len(index.catalog.pair_hashes(RIVER)) == 2
    assert_consistent(index)


def test_source_turned_into_a_dangling_link_is_reported_not_deleted(sources, open_index):
    write_extra(sources, "101_river.txt")
    index = open_index()
    ingest(index, show_bar=False)
    river = sources / "101_river.txt"
    river.unlink()
    river.symlink_to(sources / "moved-away.txt")      # e.g. a file on an unmounted share
    report = ingest(index, show_bar=False)
    assert len(report.errors) == 1 and report.errors[0].startswith(f"{river}: not a regular file")
    assert report.removed_documents == [] and report.diff.removed == []
    assert len(index.catalog.pair_hashes(RIVER)) == 2
    assert_consistent(index)


def test_nonexistent_directory_removes_nothing(sources, tmp_path, open_index, monkeypatch):
    index = open_index()
    ingest(index, show_bar=False)
    before = state(index)
    report = ingest(index, [tmp_path / "nope"], show_bar=False)
    assert len(report.errors) == 1
    assert str(tmp_path / "nope") in report.errors[0] and "does not exist" in report.errors[0]
    assert report.diff.removed == [] and report.removed_documents == []
    assert state(index) == before
    # the same through RAG_SOURCES_DIR pointing nowhere
    monkeypatch.setenv("RAG_SOURCES_DIR", str(tmp_path / "unmounted"))
    other = open_index(load_settings(), index.embedding)
    report = ingest(other, show_bar=False)
    assert "does not exist" in report.errors[0]
    assert state(other) == before


# ------------------------------------------------------------------------- interrupted runs (deterministic) ----
class Boom(RuntimeError):
    pass


def fail_on_call(n: int):
    calls = {"n": 0}

    def _fail(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] >= n:
            raise Boom(f"simulated crash on call {calls['n']}")
        return _fail.real(*args, **kwargs)
    return _fail


def test_crash_after_vectors_before_catalog(sources, open_index, reopen, reference, monkeypatch):
    index = open_index()
    ingest(index, show_bar=False)
    replace_once(sources / SEED.name, P05_EN_OLD, P05_EN_NEW)
    write_extra(sources, "101_river.txt")
    crash = fail_on_call(1)
    crash.real = index.catalog.replace_document
    monkeypatch.setattr(index.catalog, "replace_document", crash)
    with pytest.raises(Boom):
        ingest(index, show_bar=False)
    torn = state(index)
    assert torn["dirty"] == "1"
    assert primary(torn)[f"{P05}:en:0"]["hash"] != torn["passages"][f"{P05}:en:0"]   # Chroma ahead of catalog

    after = reopen()
    report = ingest(after, show_bar=False)
    assert report.repaired >= 1
    assert report.diff.changed == [P05] and len(report.diff.added) == 2
    final = assert_consistent(after)
    assert_vectors_match_text(after)
    assert final == reference()


def test_crash_after_catalog_before_stale_vectors_deleted(sources, open_index, reopen, reference, monkeypatch):
    index = open_index()
    ingest(index, show_bar=False)
    lines = (sources / SEED.name).read_text(encoding="utf-8").split("\n")
    (sources / SEED.name).write_text("\n".join(lines[:37]) + "\n", encoding="utf-8")   # drop p13
    crash = fail_on_call(1)
    crash.real = index.store.delete
    monkeypatch.setattr(index.store, "delete", crash)
    with pytest.raises(Boom):
        ingest(index, show_bar=False)
    torn = state(index)
    assert torn["dirty"] == "1" and torn["n_passages"] == 24
    assert all(n == 26 for n in torn["n_vectors"].values())

    after = reopen()
    report = ingest(after, show_bar=False)
    assert report.repaired == 2 * len(spaces(after)) and report.embedded == 0   # p13 zh+en, every space
    assert f"{SEED_ID}#p13:en:0" not in vector_ids(after)
    assert assert_consistent(after) == reference()


def test_crash_while_removing_a_deleted_document(sources, open_index, reopen, reference, monkeypatch):
    write_extra(sources, "101_river.txt")
    index = open_index()
    ingest(index, show_bar=False)
    (sources / "101_river.txt").unlink()
    crash = fail_on_call(1)
    crash.real = index.store.delete
    monkeypatch.setattr(index.store, "delete", crash)
    with pytest.raises(Boom):
        ingest(index, show_bar=False)
    assert state(index)["dirty"] == "1"

    after = reopen()
    report = ingest(after, show_bar=False)
    assert report.repaired == 4 * len(spaces(after))     # the river's 4 orphaned vectors, every space
    assert not any(pid.startswith(RIVER) for pid in vector_ids(after))
    assert assert_consistent(after) == reference()


def test_crash_while_embedding_writes_nothing(sources, open_index, e5_backend, data_dir, reopen):
    index = open_index()
    ingest(index, show_bar=False)
    before = state(index)
    replace_once(sources / SEED.name, P05_EN_OLD, P05_EN_NEW)

    class DiesMidway:
        slug = e5_backend.slug

        def passages(self, texts):
            raise MemoryError("out of memory in the model")

        def query(self, text):
            return e5_backend.query(text)

    broken = open_index(load_settings(), RagEmbedding(DiesMidway(), EmbeddingCache(data_dir / "embed_cache.sqlite")))
    from rag.errors import EmbeddingError
    with pytest.raises(EmbeddingError, match="out of memory"):
        ingest(broken, show_bar=False)
    assert state(index) == before            # nothing written, not even the dirty flag

    report = ingest(reopen(), show_bar=False)
    assert report.diff.changed == [P05] and report.embedded == 1 and report.repaired == 0


def test_missing_vector_is_repaired_without_a_dirty_flag(sources, open_index, reopen):
    index = open_index()
    ingest(index, show_bar=False)
    index.store.delete([f"{P05}:zh:0"])
    s = state(index)
    index.store.upsert([f"{P05}:en:0"], np.ones((1, 384), dtype=np.float32) / np.sqrt(384),
                       [dict(primary(s)[f"{P05}:en:0"], hash="stale")])
    after = reopen()
    report = ingest(after, show_bar=False)
    assert report.repaired == 2 and report.embedded == 0
    assert_consistent(after)
    assert_vectors_match_text(after)


# ------------------------------------------------------------------------- CLI ----
def run_cli(capsys, *argv):
    code = ingest_main(["--quiet", *argv])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def test_cli_first_run_and_rerun(sources, embedding, capsys, data_dir):
    code, out, err = run_cli(capsys)
    assert code == 0 and err == []
    assert out[0] == "1 document(s): added 13, changed 0, removed 0, unchanged 0"
    assert out[1] == "  added: " + ", ".join(SEED_PAIR_IDS)
    assert re.fullmatch(r"embedded \d+ passage\(s\) in \d+\.\ds → .*/chroma \(rag_e5-small-q4\)", out[2]), out[2]
    assert str(data_dir / "chroma") in out[2]

    code, out, err = run_cli(capsys)
    assert code == 0 and err == []
    assert out == [out[0], out[1]] and out[0] == "1 document(s): added 0, changed 0, removed 0, unchanged 13"
    assert out[1].startswith("embedded 0 passage(s) in ")


def test_cli_dry_run_edit_and_json(sources, embedding, capsys):
    assert run_cli(capsys)[0] == 0
    replace_once(sources / SEED.name, P05_EN_OLD, P05_EN_NEW)
    code, out, err = run_cli(capsys, "--dry-run")
    assert code == 0
    assert out == ["dry run, would apply: 1 document(s): added 0, changed 1, removed 0, unchanged 12",
                   f"  changed: {P05}"]
    code, out, err = run_cli(capsys, "--json")
    assert code == 0
    report = json.loads("\n".join(out))
    assert report["diff"]["changed"] == [P05] and report["embedded"] == 1
    assert report["errors"] == [] and report["dry_run"] is False


def test_cli_bad_file_and_missing_path(sources, embedding, capsys, tmp_path):
    (sources / "empty.txt").write_bytes(b"")
    code, out, err = run_cli(capsys)
    assert code == 1
    assert err == [f"skipped: {sources / 'empty.txt'}: file is empty — add text or remove the file"]
    assert out[0] == "1 document(s): added 13, changed 0, removed 0, unchanged 0"

    code, out, err = run_cli(capsys, str(tmp_path / "nope"))
    assert code == 1
    assert len(err) == 1 and err[0].startswith(f"skipped: {tmp_path / 'nope'}: does not exist")
    assert out[0] == "0 document(s): added 0, changed 0, removed 0, unchanged 0"


def test_cli_removed_document_line(sources, embedding, capsys):
    write_extra(sources, "101_river.txt")
    assert run_cli(capsys)[0] == 0
    (sources / "101_river.txt").unlink()
    code, out, err = run_cli(capsys)
    assert code == 0
    assert out[0] == ("1 document(s): added 0, changed 0, removed 2, unchanged 13; "
                      f"removed documents: {RIVER}")
    assert out[1] == f"  removed: {RIVER}#p01, {RIVER}#p02"


def test_cli_bad_setting_exits_2(sources, capsys, monkeypatch):
    monkeypatch.setenv("RAG_CHUNK_TOKENS", "5")
    code, out, err = run_cli(capsys)
    assert code == 2 and out == []
    assert len(err) == 1 and err[0].startswith("error: RAG_CHUNK_TOKENS=5 is out of range")


def test_cli_writes_the_catalog_where_settings_say(sources, embedding, capsys, data_dir):
    assert run_cli(capsys)[0] == 0
    catalog = Catalog(data_dir / "catalog.sqlite")
    assert catalog.count_passages() == 26
    catalog.close()


# ------------------------------------------------------------------------- kill -9 (real processes) ----
KILL_FILES, KILL_PAIRS = 16, 4   # many small files: a long per-document write phase to kill in
_CITIES = [("成都", "Chengdu"), ("重庆", "Chongqing"), ("绵阳", "Mianyang"), ("宜宾", "Yibin"), ("泸州", "Luzhou")]
_TOPICS = [("影视", "film"), ("动漫", "animation"), ("文旅", "cultural tourism"), ("音乐", "music"),
           ("出版", "publishing"), ("游戏", "gaming")]


def make_kill_corpus(folder: Path) -> int:
    """The seed plus KILL_FILES generated bilingual files; returns the number of passages."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(SEED, folder / SEED.name)
    for i in range(1, KILL_FILES + 1):
        lines = [f"测试文件{i}"]
        for j in range(1, KILL_PAIRS + 1):
            (city, city_en), (topic, topic_en) = _CITIES[(i + j) % 5], _TOPICS[(i * j) % 6]
            amount, jobs = i * 10 + j, i * 100 + j * 7
            lines.append(f"第{i}号文件第{j}段：{city}的{topic}项目在{2015 + j}年取得进展，累计投资{amount}亿元，"
                         f"带动就业{jobs}人，并计划在未来三年继续扩大规模。")
            lines.append(f"File {i}, paragraph {j}: the {topic_en} project in {city_en} made progress in {2015 + j}, "
                         f"with RMB {amount} billion invested and {jobs} jobs created, and it plans to keep growing.")
        (folder / f"gen_{i:02d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 26 + 2 * KILL_FILES * KILL_PAIRS


def _sql(path: Path, query: str):
    """One value from a sqlite file another process is writing; None if not there (yet)."""
    if not path.exists():
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.05)
        try:
            row = con.execute(query).fetchone()
            return row[0] if row else None
        finally:
            con.close()
    except sqlite3.Error:
        return None


class Child:
    """`python ingest.py --quiet --json` in a real subprocess (network guard installed)."""

    def __init__(self, tmp_path: Path, sources: Path, data: Path) -> None:
        self.tmp, self.data, self.runs = tmp_path, data, 0
        self.env = subprocess_env(RAG_DATA_DIR=str(data), RAG_SOURCES_DIR=str(sources), RAG_EMBEDDER="use")

    def cache_rows(self):
        return _sql(self.data / "embed_cache.sqlite", "SELECT count(*) FROM vectors")

    def documents(self):
        return _sql(self.data / "catalog.sqlite", "SELECT count(*) FROM documents")

    def signature(self):
        return _sql(self.data / "catalog.sqlite",
                    "SELECT group_concat(doc_id || ':' || file_hash, ',') FROM (SELECT * FROM documents ORDER BY doc_id)")

    def dirty(self):
        return _sql(self.data / "catalog.sqlite", f"SELECT value FROM state WHERE key='{DIRTY}'")

    def run(self, kill_when=None, timeout: float = 300) -> dict:
        """Run once; SIGKILL as soon as kill_when(elapsed_s) is true. Returns what happened."""
        self.runs += 1
        out_path = self.tmp / f"child-{self.data.name}-{self.runs}.out"
        with open(out_path, "w") as out, open(str(out_path) + ".err", "w") as err:
            proc = subprocess.Popen([sys.executable, "ingest.py", "--quiet", "--json"], cwd=ROOT,
                                    env=self.env, stdout=out, stderr=err)
            started = time.monotonic()
            killed = False
            try:
                while proc.poll() is None:
                    elapsed = time.monotonic() - started
                    if elapsed > timeout:
                        raise AssertionError(f"ingest.py did not finish in {timeout} s")
                    if kill_when is not None and kill_when(elapsed):
                        proc.send_signal(signal.SIGKILL)
                        killed = True
                        break
                    time.sleep(0.005)
            finally:
                if proc.poll() is None and not killed:
                    proc.kill()
                proc.wait(60)
        result = {"killed": killed and proc.returncode == -signal.SIGKILL, "returncode": proc.returncode,
                  "seconds": round(time.monotonic() - started, 2),
                  "dirty_after": self.dirty(), "documents_after": self.documents(),
                  "cache_after": self.cache_rows(),
                  "stdout": out_path.read_text(), "stderr": Path(str(out_path) + ".err").read_text()}
        print(f"ingest.py run {self.runs} ({self.data.name}): {result['seconds']} s, killed={result['killed']}")
        if not killed:
            assert proc.returncode == 0, result
            result["report"] = json.loads(result["stdout"])
        return result


def read_final_state(data: Path, sources: Path) -> dict:
    """Catalog + Chroma (ids, metadata, vectors) of a finished data dir, read in-process."""
    from rag.store import VectorStore

    settings = load_settings().with_(data_dir=data, sources_dir=sources, embedder="use")
    catalog = Catalog(data / "catalog.sqlite")
    store = VectorStore(settings, "use-m3")
    try:
        got = store._col.get(include=["metadatas", "embeddings"])
        docs = {d["doc_id"]: (d["path"], d["title"], d["file_hash"], d["n_pairs"]) for d in catalog.documents()}
        return {
            "documents": docs,
            "pairs": {p.id: (p.zh, p.en, p.section_zh, p.section_en) for p in catalog.all_pairs()},
            "passages": catalog.passage_hashes(),
            "dirty": catalog.get_state(DIRTY),
            "count": store.count(),
            "ids": list(got["ids"]),
            "metadatas": dict(zip(got["ids"], got["metadatas"])),
            "embeddings": dict(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32))),
        }
    finally:
        catalog.close()
        store._client.close()


def assert_same_final_state(got: dict, want: dict) -> None:
    assert got["dirty"] is None and want["dirty"] is None
    assert len(got["ids"]) == len(set(got["ids"])) == got["count"], "duplicate or miscounted vectors"
    assert got["documents"] == want["documents"]
    assert got["pairs"] == want["pairs"]
    assert got["passages"] == want["passages"]
    assert got["count"] == want["count"] == len(want["passages"])
    assert got["metadatas"] == want["metadatas"]
    assert {pid: m["hash"] for pid, m in got["metadatas"].items()} == got["passages"]
    worst = min(float(np.dot(got["embeddings"][pid], want["embeddings"][pid])) for pid in want["ids"])
    assert worst > 0.9999, f"a stored vector differs from the uninterrupted run's (cosine {worst})"


def test_kill_minus_9_at_several_moments_then_rerun_matches_an_uninterrupted_run(tmp_path):
    """Real `python ingest.py` processes SIGKILLed while importing, while embedding, inside the
    first Chroma write, and in the middle of the per-document writes; then re-run to the end.
    The result must equal one uninterrupted run into a separate data dir. A second round edits,
    truncates and deletes files and kills the run as soon as its first catalog write lands."""
    sources = tmp_path / "kill-sources"
    n_passages = make_kill_corpus(sources)
    ref = Child(tmp_path, sources, tmp_path / "ref-data")
    victim = Child(tmp_path, sources, tmp_path / "victim-data")

    reference = ref.run()
    assert reference["report"]["errors"] == [] and reference["report"]["embedded"] == n_passages
    assert len(reference["report"]["diff"]["added"]) == n_passages // 2

    kills = [
        ("while importing", lambda t: t > 0.5),
        ("while embedding", lambda t: (victim.cache_rows() or 0) >= 40),
        ("inside the first Chroma write", lambda t: (victim.cache_rows() or 0) >= n_passages),
        ("between document writes", lambda t: (victim.documents() or 0) >= 4),
    ]
    log = []
    for moment, when in kills:
        result = victim.run(when)
        log.append((moment, result["killed"], result["dirty_after"], result["documents_after"], result["cache_after"]))
    assert all(killed for _, killed, *_ in log), log
    assert log[-1][2] == "1", f"the last kill did not land mid-write: {log}"

    final = victim.run()
    report = final["report"]
    assert report["errors"] == []
    assert_same_final_state(read_final_state(victim.data, sources), read_final_state(ref.data, sources))

    # round 2: edit one file, drop a paragraph from another, delete two; kill right after the
    # run's first catalog transaction; rerun; compare with the reference brought up to date by
    # one uninterrupted run.
    edited = (1, 3, 4, 5, 6, 7, 8)
    for i in edited:
        replace_once(sources / f"gen_{i:02d}.txt", f"File {i}, paragraph 3:", f"File {i}, paragraph three:")
    lines = (sources / "gen_02.txt").read_text(encoding="utf-8").split("\n")
    (sources / "gen_02.txt").write_text("\n".join(lines[:-3]) + "\n", encoding="utf-8")
    (sources / "gen_09.txt").unlink()
    (sources / "gen_10.txt").unlink()
    before = victim.signature()
    first_write = victim.run(lambda t: victim.signature() not in (before, None))
    assert first_write["killed"] and first_write["dirty_after"] == "1", first_write
    final = victim.run()["report"]
    assert final["errors"] == []
    ref_report = ref.run()["report"]
    assert sorted(ref_report["removed_documents"]) == ["gen_09", "gen_10"]
    assert ref_report["diff"]["changed"] == [f"gen_{i:02d}#p03" for i in edited]
    assert ref_report["diff"]["removed"][:1] == [f"gen_02#p{KILL_PAIRS:02d}"]
    got, want = read_final_state(victim.data, sources), read_final_state(ref.data, sources)
    assert_same_final_state(got, want)
    assert not any(pid.startswith(("gen_09", "gen_10", f"gen_02#p{KILL_PAIRS:02d}")) for pid in got["ids"])
    assert len(got["ids"]) == n_passages - 2 * 2 * KILL_PAIRS - 2


def test_a_running_engine_answers_from_the_edited_text_after_a_reingest(sources, open_index, embedding):
    # the retriever keeps sentences and their vectors in memory between questions: an edited
    # paragraph must be read anew, in the same process, without reopening anything
    from rag.engine import Engine
    index = open_index()
    ingest(index, show_bar=False)
    engine = Engine(index.settings, index)
    question = "How much is Sichuan's annual special fund for literary and artistic works?"
    before = engine.ask(question)
    assert "300 million" in before.text and "350 million" not in before.text
    assert engine.retriever._read_cache, "the first question fills the sentence cache"
    replace_once(sources / SEED.name, P05_EN_OLD, P05_EN_NEW)
    ingest(index, show_bar=False)
    after = engine.ask(question)
    assert "350 million" in after.text and "300 million" not in after.text


def test_a_catalog_without_vectors_names_the_ingest_to_run(sources, open_index):
    from rag.engine import Engine
    from rag.errors import StoreError
    index = open_index()
    ingest(index, show_bar=False)
    index.store.delete(list(index.store.hashes()))
    with pytest.raises(StoreError, match="no vectors for embedder") as err:
        Engine(index.settings, index).ask("有多少个影视项目签约?")
    assert "rag-ingest" in str(err.value) + str(getattr(err.value, "hint", ""))
