"""Data safety of ingest (issue: security and data safety): files sharing a stem, concurrent
ingests (one lock per data dir, real processes), a running app noticing an external ingest,
documents reached through links or left from another sources folder, and the start-up
consistency check. Real e5/USE models and the real embedded Chroma."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from _corpus import EXTRA_DOCS, ROOT, SEED, SEED_ID, replace_once, subprocess_env, write_extra
from rag.ingest import DIRTY, check_on_start, ingest
from rag.lock import IngestBusy, IngestLock
from rag.settings import load_settings

pytestmark = pytest.mark.slow
RIVER = "101_river"


def test_a_new_md_beside_an_indexed_txt_never_replaces_it(sources, open_index):
    index = open_index()
    ingest(index, show_bar=False)
    (sources / f"{SEED_ID}.md").write_text("# Other\n\n另一篇文章的内容。\n\nSomething else entirely.\n", encoding="utf-8")
    report = ingest(index, show_bar=False)
    assert len(report.diff.unchanged) == 13 and report.diff.removed == [] and report.diff.changed == []
    assert len(report.errors) == 1 and f"{SEED_ID}.md" in report.errors[0] and "already used by" in report.errors[0]
    (doc,) = index.catalog.documents()
    assert doc["path"].endswith(f"{SEED_ID}.txt") and doc["n_pairs"] == 13


def test_an_unchanged_file_is_not_parsed_again(sources, open_index, monkeypatch):
    index = open_index()
    ingest(index, show_bar=False)
    import rag.ingest as ingest_module
    calls = []
    monkeypatch.setattr(ingest_module, "parse_loaded", lambda *a: calls.append(a) or pytest.fail("parsed"))
    report = ingest(index, show_bar=False)
    assert calls == [] and len(report.diff.unchanged) == 13 and report.documents == [SEED_ID]


def test_a_second_ingest_waits_or_says_who_holds_the_lock(sources, open_index):
    index = open_index()
    holder = IngestLock(index.settings.data_dir, what="rag-ingest")
    holder.acquire()
    try:
        t = time.monotonic()
        with pytest.raises(IngestBusy, match=r"another ingest is running .*pid \d+ \(rag-ingest\)"):
            ingest(index, show_bar=False, lock_wait=0.5)
        assert time.monotonic() - t >= 0.5
        from rag.ui.sources_tab import IngestGuard
        assert "another ingest is running" in IngestGuard().run(index)
    finally:
        holder.release()
    assert len(ingest(index, show_bar=False, lock_wait=0).diff.added) == 13


def _ingest_proc(data: Path, sources: Path, *args: str, out: Path) -> subprocess.Popen:
    env = subprocess_env(RAG_DATA_DIR=str(data), RAG_SOURCES_DIR=str(sources), RAG_EMBEDDER="use",
                         RAG_CROSS_EMBEDDER="none")
    return subprocess.Popen([sys.executable, "ingest.py", "--quiet", *args], cwd=ROOT, env=env,
                            stdout=open(out, "w"), stderr=open(str(out) + ".err", "w"))


def _lock_holder_pid(data: Path) -> int | None:
    try:
        import json
        return json.loads((data / "ingest.lock").read_text() or "{}").get("pid")
    except (OSError, ValueError):
        return None


def test_a_waiting_ingest_process_names_the_holder_and_runs_after_it(tmp_path):
    import os
    sources, data = tmp_path / "src", tmp_path / "data"
    sources.mkdir()
    shutil.copy2(SEED, sources / SEED.name)
    holder = IngestLock(data, what="test-holder")
    holder.acquire()
    try:
        no_wait = _ingest_proc(data, sources, "--no-wait", out=tmp_path / "nowait")
        assert no_wait.wait(120) == 2
        err = (tmp_path / "nowait.err").read_text()
        assert "another ingest is running" in err and f"pid {os.getpid()} (test-holder)" in err
        waiting = _ingest_proc(data, sources, out=tmp_path / "waiting")
        deadline = time.monotonic() + 60
        while "waiting for another ingest" not in (tmp_path / "waiting.err").read_text():
            assert waiting.poll() is None and time.monotonic() < deadline, (tmp_path / "waiting.err").read_text()
            time.sleep(0.05)
        assert f"pid {os.getpid()} (test-holder)" in (tmp_path / "waiting.err").read_text()
        time.sleep(0.5)
        assert waiting.poll() is None, "it must wait while the lock is held"
    finally:
        holder.release()
    assert waiting.wait(300) == 0, (tmp_path / "waiting.err").read_text()
    assert "added 13" in (tmp_path / "waiting").read_text()


def test_two_ingest_processes_at_once_end_consistent(tmp_path):
    """A plain run and a --rebuild started together (the race that once left 202 of 840
    vectors with the dirty flag cleared): serialised by the lock, both end with the index whole."""
    from test_ingest import make_kill_corpus, read_final_state
    sources, data = tmp_path / "src", tmp_path / "data"
    n_passages = make_kill_corpus(sources)
    for trial in range(2):
        runs = [_ingest_proc(data, sources, *args, out=tmp_path / f"run{trial}{n}")
                for n, args in enumerate([(), ("--rebuild",)])]
        for n, proc in enumerate(runs):
            assert proc.wait(300) == 0, (tmp_path / f"run{trial}{n}.err").read_text()
        state = read_final_state(data, sources)
        assert state["dirty"] is None and state["count"] == len(state["passages"]) == n_passages


def test_a_running_index_sees_another_process_ingest(sources, tmp_path, open_index):
    """The app's Index keeps serving; another process edits a paragraph and ingests. The
    next query must use the new vector (an embedded Chroma keeps its loaded segment otherwise)."""
    from rag.embeddings import EmbeddingCache, RagEmbedding, USEBackend
    from rag.retrieve import Retriever
    settings = load_settings().with_(embedder="use", cross_embedder="none")
    index = open_index(settings, RagEmbedding(USEBackend(), EmbeddingCache(settings.data_dir / "embed_cache.sqlite")))
    ingest(index, show_bar=False)
    new = "The province set aside RMB 950 million for quantum archery festivals."
    replace_once(sources / SEED.name, "According to officials from the Sichuan Provincial Bureau of Radio and Television, "
                 "the bureau’s audio-visual content accounts for half of the province’s annual RMB 300 million special fund "
                 "for high-quality cultural productions,", new)
    proc = _ingest_proc(settings.data_dir, sources, out=tmp_path / "external")
    assert proc.wait(300) == 0, (tmp_path / "external.err").read_text()
    retriever = Retriever(index, mode="dense")
    hits = retriever.retrieve(new, 1).hits
    assert hits[0].pair.id == f"{SEED_ID}#p05" and new in hits[0].pair.en
    vector = index.embedding.embed_query(new)
    top = index.store.query(vector, 1)[0]
    stored = index.store._col.get(ids=[top[0]], include=["embeddings"])["embeddings"][0]
    expected = index.embedding.embed_passages([hits[0].pair.en])[0]
    assert float(np.dot(stored, expected)) > 0.9999, "the query was served from the old vector"


def test_a_linked_source_is_tracked_by_its_link(sources, tmp_path, open_index):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = write_extra(outside, "101_river.txt")
    (sources / "101_river.txt").symlink_to(target)
    index = open_index()
    ingest(index, show_bar=False)
    doc = next(d for d in index.catalog.documents() if d["doc_id"] == RIVER)
    assert doc["path"] == str(sources / "101_river.txt")
    (sources / "101_river.txt").unlink()
    report = ingest(index, show_bar=False)
    assert report.removed_documents == [RIVER]
    assert [d["doc_id"] for d in index.catalog.documents()] == [SEED_ID]


def test_documents_from_another_sources_folder_are_reported_and_pruned(sources, tmp_path, open_index):
    index = open_index()
    ingest(index, show_bar=False)
    other = tmp_path / "other-sources"
    other.mkdir()
    write_extra(other, "101_river.txt")
    index2 = open_index(load_settings().with_(sources_dir=other))
    report = ingest(index2, show_bar=False)
    assert report.documents == [RIVER] and report.removed_documents == []
    assert len(report.outside_documents) == 1 and report.outside_documents[0].startswith(SEED_ID)
    report = ingest(index2, show_bar=False, prune=True)
    assert report.removed_documents == [SEED_ID]
    assert [d["doc_id"] for d in index2.catalog.documents()] == [RIVER]


def test_cli_prints_outside_documents_and_refuses_prune_with_paths(sources, tmp_path, embedding, capsys, monkeypatch):
    from rag.cli import ingest_main
    assert ingest_main(["--quiet"]) == 0
    other = tmp_path / "other-sources"
    other.mkdir()
    write_extra(other, "101_river.txt")
    monkeypatch.setenv("RAG_SOURCES_DIR", str(other))
    capsys.readouterr()
    assert ingest_main(["--quiet"]) == 0
    out = capsys.readouterr().out
    assert "indexed from outside" in out and SEED_ID in out and "--prune" in out
    with pytest.raises(SystemExit):
        ingest_main(["--prune", str(other)])


def test_start_up_check_repairs_an_interrupted_index(sources, open_index):
    index = open_index()
    ingest(index, show_bar=False)
    assert check_on_start(index) == ""
    victim = sorted(index.store.hashes())[:3]
    index.store.delete(victim)
    index.catalog.set_state(DIRTY, "1")
    line = check_on_start(index)
    assert line.startswith("repaired 3 vector(s)")
    assert index.store.count() == index.catalog.count_passages() and index.catalog.get_state(DIRTY) is None


def test_ingest_into_a_closed_pipe_exits_quietly(sources, tmp_path, embedding):
    """`rag-ingest | head`: the reader is gone before the report is printed (`true` reads
    nothing), which used to end in a BrokenPipeError traceback."""
    env = subprocess_env(RAG_DATA_DIR=str(tmp_path / "rag-data"), RAG_SOURCES_DIR=str(sources),
                         RAG_EMBEDDER="use", RAG_CROSS_EMBEDDER="none")
    proc = subprocess.run(f"'{sys.executable}' ingest.py --quiet | true; echo \"rc=${{PIPESTATUS[0]}}\"",
                          shell=True, executable="/bin/bash", cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr
    assert "rc=141" in proc.stdout


def test_identical_files_are_cited_once(sources, open_index):
    from rag.engine import Engine
    for name in ("101_river.txt", "201_river_copy.txt", "301_river_again.txt"):
        (sources / name).write_text(EXTRA_DOCS["101_river.txt"], encoding="utf-8")
    index = open_index()
    ingest(index, show_bar=False)
    answer = Engine(index.settings, index).ask("How many finless porpoises are there in the Yangtze?")
    texts = [(h.pair.zh, h.pair.en) for h in answer.retrieved]
    assert len(texts) == len(set(texts)), "an identical paragraph was retrieved twice"
    assert answer.text.count("1,200") == 1 and len(answer.citations) == 1, answer.text
