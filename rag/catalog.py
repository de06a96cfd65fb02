"""The catalog: one sqlite file holding the manifest (documents → paragraph hashes), the
paragraph texts, the passages, and the BM25 postings. One transaction per document keeps the
manifest, the texts and the lexical index in step; the vectors live in Chroma (store.py) and
are reconciled against this file after an interrupted run."""
from __future__ import annotations

import json
import math
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .errors import StoreError, storage_hint
from .records import Sentence
from .text import split_sentences, synonyms, term_counts, tokenize, tokenizer_state
from .text.answer_types import FACTS_VERSION
from .text.answer_types import facts as answer_facts
from .records import Document, DocumentMeta, ParagraphPair, Passage
from .text import CJK_RUN, sha256
from .text import spelling
from .text.translit import pinyin_key, roman_key

POSTINGS_TABLE = """CREATE TABLE IF NOT EXISTS postings (
  term TEXT, passage_id TEXT, tf INTEGER, length INTEGER, PRIMARY KEY (term, passage_id)) WITHOUT ROWID"""
POSTINGS_INDEX = "CREATE INDEX IF NOT EXISTS postings_passage ON postings(passage_id)"
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS documents (
  doc_id TEXT PRIMARY KEY, path TEXT, title TEXT, date TEXT, byline TEXT, file_hash TEXT,
  n_pairs INTEGER, ingested_at REAL, plan_key TEXT);
CREATE TABLE IF NOT EXISTS pairs (
  pair_id TEXT PRIMARY KEY, doc_id TEXT, ord INTEGER, zh TEXT, en TEXT,
  section_zh TEXT, section_en TEXT, hash TEXT);
CREATE INDEX IF NOT EXISTS pairs_doc ON pairs(doc_id);
CREATE TABLE IF NOT EXISTS passages (
  passage_id TEXT PRIMARY KEY, pair_id TEXT, doc_id TEXT, lang TEXT, chunk_no INTEGER,
  text TEXT, hash TEXT, length INTEGER);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);
{POSTINGS_TABLE};
{POSTINGS_INDEX};
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS sentences (
  pair_id TEXT, lang TEXT, pos INTEGER, text TEXT, terms TEXT, facts TEXT, PRIMARY KEY (pair_id, lang, pos));
"""


K1, B = 1.2, 0.75          # BM25
OVERLAP_SAMPLE = 300       # documents read for `Catalog.topic_overlap`


def _mean_nearest(rows: list[tuple[str, str, int]]) -> float | None:
    """The mean, over documents, of the tf-idf cosine with the most alike other document;
    `rows` = (document, term, count). Only terms two or more documents share add to a cosine
    (the rest only to its norm), so the matrix stays documents × shared terms."""
    docs = sorted({d for d, _, _ in rows})
    if len(docs) < 2:
        return None
    at = {d: i for i, d in enumerate(docs)}
    df: dict[str, int] = {}
    for _, term, _ in rows:
        df[term] = df.get(term, 0) + 1
    shared = {t: j for j, t in enumerate(t for t, n in df.items() if n > 1)}
    norm = np.zeros(len(docs))
    m = np.zeros((len(docs), len(shared)), dtype=np.float32)
    for doc, term, tf in rows:
        w = (1.0 + math.log(tf)) * math.log(1 + len(docs) / df[term])
        norm[at[doc]] += w * w
        if term in shared:
            m[at[doc], shared[term]] = w
    m /= np.sqrt(np.maximum(norm, 1e-12))[:, None].astype(np.float32)
    sims = m @ m.T
    np.fill_diagonal(sims, -1.0)
    return round(float(sims.max(axis=1).mean()), 4)


def bm25_idf(n_docs: int, df: int) -> float:
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def bm25_term(tf: int, length: int, avg_len: float, idf: float) -> float:
    return idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / max(avg_len, 1e-9)))


def pair_sentences(pair: ParagraphPair) -> list[Sentence]:
    """The sentences of both sides of a pair, with their terms and the facts they state."""
    out = []
    for lang in pair.languages:
        for pos, text in enumerate(split_sentences(pair.text(lang) or "", lang)):
            out.append(Sentence(pair.id, lang, pos, text, frozenset(tokenize(text)), answer_facts(text)))
    return out


def _sentence_rows(sentences: list[Sentence]) -> list[tuple]:
    return [(s.pair_id, s.lang, s.position, s.text, " ".join(sorted(s.terms)), json.dumps(s.facts, ensure_ascii=False))
            for s in sentences]


def pair_hash(pair: ParagraphPair) -> str:
    return sha256("\x1f".join([pair.zh or "", pair.en or "", pair.section_zh, pair.section_en]))


class Catalog:
    def __init__(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            # postings inserts land on random B-tree pages: sqlite's default 2 MB page cache
            # made ingest slow down as the catalog grew (bench/scale.py); 64 MB keeps it flat
            self._db.execute("PRAGMA cache_size=-65536")
            self._db.executescript(SCHEMA)
            columns = [row[1] for row in self._db.execute("PRAGMA table_info(postings)")]
            if "plan_key" not in [row[1] for row in self._db.execute("PRAGMA table_info(documents)")]:
                with self._db:   # catalogs from before: their documents get re-planned once
                    self._db.execute("ALTER TABLE documents ADD COLUMN plan_key TEXT")
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the catalog at {path}: {exc}", storage_hint(exc, path.parent)) from None
        self.path = path
        self._lock = threading.RLock()
        self._stats: tuple[int, float] | None = None
        self._stats_version = -1
        self._pinyin: tuple[int, dict[str, list[str]]] | None = None      # (data_version, pinyin → terms)
        self._spelling: tuple[int, dict[str, list[str]]] | None = None    # (data_version, a deletion → terms)
        self._overlap: tuple[tuple[int, int], tuple[int, float | None]] | None = None   # (state, topic_overlap())
        if "length" not in columns or self.get_state("tokenizer") != tokenizer_state():
            self._migrate_postings()
        self._stale_facts = self.get_state("facts") != str(FACTS_VERSION)
        if self._stale_facts:
            self._drop_stale_sentences()

    def _drop_stale_sentences(self) -> None:
        """Sentences stored with facts from an older `answer_types.facts`: dropped, and read
        anew from their pairs when next asked for (`sentences`); a read-only catalog keeps
        them and recomputes them in memory instead."""
        try:
            with self._write():
                self._db.execute("DELETE FROM sentences")
                self._db.execute("INSERT OR REPLACE INTO state VALUES ('facts', ?)", (str(FACTS_VERSION),))
            self._stale_facts = False
        except StoreError:
            pass

    def close(self) -> None:
        self._db.close()

    def _migrate_postings(self) -> None:
        """Postings written by an older tokenizer (or before they carried passage lengths):
        rebuild them from the stored passage texts (no re-embedding, no re-reading of sources)."""
        with self._write():   # one transaction: executescript would commit half-way
            self._db.execute("DROP TABLE postings")
            self._db.execute(POSTINGS_TABLE)
            self._db.execute(POSTINGS_INDEX)
            for pid, text in self._db.execute("SELECT passage_id, text FROM passages").fetchall():
                counts = term_counts(text)
                length = sum(counts.values())
                self._db.execute("UPDATE passages SET length=? WHERE passage_id=?", (length, pid))
                self._db.executemany("INSERT INTO postings VALUES (?,?,?,?)",
                                     [(term, pid, tf, length) for term, tf in counts.items()])
            self._db.execute("DELETE FROM sentences")     # their terms too: read anew when next asked for
            self._db.execute("INSERT OR REPLACE INTO state VALUES ('tokenizer', ?)", (tokenizer_state(),))

    @contextmanager
    def _write(self):
        """One transaction (rolled back on error); a failed write (disk full, read-only
        folder, locked file) surfaces as a StoreError that says what to do."""
        try:
            with self._lock, self._db:
                yield
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write the catalog at {self.path}: {exc}",
                             storage_hint(exc, self.path.parent)) from None

    # ---- state flags (the "dirty" marker that says an ingest did not finish) ----
    def generation(self) -> int:
        """Bumped by every ingest that wrote something: a long-running reader (the app)
        compares it to notice an ingest by another process and reopen its vector stores."""
        return int(self.get_state("generation") or 0)

    def bump_generation(self) -> None:
        with self._write():
            self._db.execute("INSERT INTO state VALUES ('generation', '1') ON CONFLICT(key) "
                             "DO UPDATE SET value = CAST(value AS INTEGER) + 1")

    def get_state(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM state WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_state(self, key: str, value: str | None) -> None:
        with self._write():
            if value is None:
                self._db.execute("DELETE FROM state WHERE key=?", (key,))
            else:
                self._db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (key, value))

    # ---- manifest ----
    def documents(self) -> list[dict]:
        with self._lock:
            cur = self._db.execute("SELECT doc_id, path, title, date, byline, file_hash, n_pairs, ingested_at, plan_key "
                                   "FROM documents ORDER BY doc_id")
            cols = [c[0] for c in cur.description]
            return [dict(zip(cols, row)) for row in cur.fetchall()]

    def pair_hashes(self, doc_id: str) -> dict[str, str]:
        with self._lock:
            return dict(self._db.execute("SELECT pair_id, hash FROM pairs WHERE doc_id=?", (doc_id,)))

    def passage_hashes(self, doc_id: str | None = None) -> dict[str, str]:
        with self._lock:
            if doc_id is None:
                return dict(self._db.execute("SELECT passage_id, hash FROM passages"))
            return dict(self._db.execute("SELECT passage_id, hash FROM passages WHERE doc_id=?", (doc_id,)))

    def passages_by_id(self, ids: list[str]) -> list[Passage]:
        out: list[Passage] = []
        with self._lock:
            for start in range(0, len(ids), 500):
                batch = ids[start:start + 500]
                marks = ",".join("?" * len(batch))
                for row in self._db.execute(
                        f"SELECT passage_id, pair_id, doc_id, lang, chunk_no, text, hash FROM passages WHERE passage_id IN ({marks})", batch):
                    out.append(Passage(id=row[0], pair_id=row[1], doc=row[2], lang=row[3], chunk_no=row[4], text=row[5], hash=row[6]))
        return out

    def replace_document(self, doc: Document, passages: list[Passage], plan_key: str = "") -> None:
        """Bring a document's rows in step, in one transaction. Passages whose id and text are
        unchanged keep their rows and postings, so editing one paragraph of a long file
        tokenises one paragraph, not the file."""
        old = self.passage_hashes(doc.meta.doc_id)
        old_pairs = self.pair_hashes(doc.meta.doc_id)
        fresh = [p for p in doc.pairs if old_pairs.get(p.id) != pair_hash(p)]
        gone_pairs = set(old_pairs) - {p.id for p in doc.pairs}
        sentence_rows = _sentence_rows([s for p in fresh for s in pair_sentences(p)])
        keep = {p.id for p in passages if old.get(p.id) == p.hash}
        drop = [pid for pid in old if pid not in keep]
        rows = []
        postings = []
        for p in passages:
            if p.id in keep:
                continue
            counts = term_counts(p.text)
            length = sum(counts.values())
            rows.append((p.id, p.pair_id, p.doc, p.lang, p.chunk_no, p.text, p.hash, length))
            postings.extend((term, p.id, tf, length) for term, tf in counts.items())
        m = doc.meta
        with self._write():
            for start in range(0, len(drop), 500):
                batch = drop[start:start + 500]
                marks = ",".join("?" * len(batch))
                self._db.execute(f"DELETE FROM postings WHERE passage_id IN ({marks})", batch)
                self._db.execute(f"DELETE FROM passages WHERE passage_id IN ({marks})", batch)
            for table in ("pairs", "documents"):
                self._db.execute(f"DELETE FROM {table} WHERE doc_id=?", (m.doc_id,))
            self._db.execute("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
                             (m.doc_id, m.path, m.title, m.date, m.byline, m.file_hash, len(doc.pairs), time.time(),
                              plan_key))
            self._db.executemany("INSERT INTO pairs VALUES (?,?,?,?,?,?,?,?)",
                                 [(p.id, p.doc, p.order, p.zh, p.en, p.section_zh, p.section_en, pair_hash(p)) for p in doc.pairs])
            self._db.executemany("INSERT INTO passages VALUES (?,?,?,?,?,?,?,?)", rows)
            self._db.executemany("INSERT INTO postings VALUES (?,?,?,?)", postings)
            stale = [p.id for p in fresh] + sorted(gone_pairs)
            for start in range(0, len(stale), 500):
                batch = stale[start:start + 500]
                self._db.execute(f"DELETE FROM sentences WHERE pair_id IN ({','.join('?' * len(batch))})", batch)
            self._db.executemany("INSERT OR REPLACE INTO sentences VALUES (?,?,?,?,?,?)", sentence_rows)
            self._stats = self._pinyin = None

    def remove_document(self, doc_id: str) -> None:
        with self._write():
            self._delete_rows(doc_id)
            self._stats = self._pinyin = None

    def _delete_rows(self, doc_id: str) -> None:
        self._db.execute("DELETE FROM postings WHERE passage_id IN (SELECT passage_id FROM passages WHERE doc_id=?)", (doc_id,))
        self._db.execute("DELETE FROM sentences WHERE pair_id IN (SELECT pair_id FROM pairs WHERE doc_id=?)", (doc_id,))
        for table in ("passages", "pairs", "documents"):
            self._db.execute(f"DELETE FROM {table} WHERE doc_id=?", (doc_id,))

    # ---- reads for retrieval ----
    def count_passages(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM passages").fetchone()[0]

    def pairs(self, ids: list[str]) -> dict[str, ParagraphPair]:
        out: dict[str, ParagraphPair] = {}
        with self._lock:
            for start in range(0, len(ids), 500):
                batch = ids[start:start + 500]
                marks = ",".join("?" * len(batch))
                for row in self._db.execute(
                        f"SELECT pair_id, doc_id, ord, zh, en, section_zh, section_en FROM pairs WHERE pair_id IN ({marks})", batch):
                    out[row[0]] = ParagraphPair(id=row[0], doc=row[1], order=row[2], zh=row[3], en=row[4],
                                                section_zh=row[5] or "", section_en=row[6] or "")
        return out

    def all_pairs(self) -> list[ParagraphPair]:
        with self._lock:
            ids = [r[0] for r in self._db.execute("SELECT pair_id FROM pairs ORDER BY doc_id, ord")]
        found = self.pairs(ids)
        return [found[i] for i in ids]

    def sentences(self, pairs: dict[str, ParagraphPair]) -> dict[str, list[Sentence]]:
        """pair id → its sentences (both sides, in order). Pairs indexed before sentences were
        stored get them computed now, and stored when the catalog is writable."""
        out: dict[str, list[Sentence]] = {pid: [] for pid in pairs}
        ids = list(pairs)
        with self._lock:
            for start in range(0, len(ids), 500):
                batch = ids[start:start + 500]
                for pid, lang, pos, text, terms, facts in self._db.execute(
                        f"SELECT pair_id, lang, pos, text, terms, facts FROM sentences WHERE pair_id IN "
                        f"({','.join('?' * len(batch))}) ORDER BY pair_id, lang DESC, pos", batch):
                    out[pid].append(Sentence(pid, lang, pos, text, frozenset(terms.split()), json.loads(facts)))
        missing = [pid for pid, found in out.items() if not found or self._stale_facts]
        if missing:
            computed = {pid: pair_sentences(pairs[pid]) for pid in missing}
            out.update(computed)
            try:
                with self._write():
                    self._db.executemany("INSERT OR REPLACE INTO sentences VALUES (?,?,?,?,?,?)",
                                         _sentence_rows([s for ss in computed.values() for s in ss]))
            except StoreError:
                pass        # a read-only data dir: computed, not kept
        return out

    def coverage(self, terms: set[str], pair_ids: list[str], idf: dict[str, float]) -> dict[str, float]:
        """pair id → idf-weighted share of `terms` found in the pair (either side), from the
        postings: no re-tokenising of paragraph texts at query time."""
        total = sum(idf.get(t, 0.0) for t in terms) or 1.0
        out = dict.fromkeys(pair_ids, 0.0)
        for pid, got in self.holding(terms, pair_ids).items():
            out[pid] = sum(idf.get(t, 0.0) for t in got) / total
        return out

    def holding(self, terms: set[str], pair_ids: list[str]) -> dict[str, set[str]]:
        """pair id → which of `terms` the pair has (either side), from the postings."""
        found: dict[str, set[str]] = {}
        if not terms or not pair_ids:
            return found
        with self._lock:
            t_marks = ",".join("?" * len(terms))
            for start in range(0, len(pair_ids), 400):
                batch = pair_ids[start:start + 400]
                rows = self._db.execute(
                    f"SELECT p.pair_id, po.term FROM postings po JOIN passages p ON p.passage_id = po.passage_id "
                    f"WHERE po.term IN ({t_marks}) AND p.pair_id IN ({','.join('?' * len(batch))})",
                    [*terms, *batch])
                for pid, term in rows:
                    found.setdefault(pid, set()).add(term)
        return found

    def document_languages(self) -> dict[str, list[str]]:
        """doc id → the languages its passages are in ("zh", "en")."""
        out: dict[str, list[str]] = {}
        with self._lock:
            for doc_id, lang in self._db.execute("SELECT DISTINCT doc_id, lang FROM passages ORDER BY doc_id, lang DESC"):
                out.setdefault(doc_id, []).append(lang)
        return out

    def headers(self, doc_ids: set[str] | list[str]) -> dict[str, str]:
        """doc id → its title and date line ("第二届西部影视发展大会在成都开幕 2023-10-16"): what
        dates a news paragraph that says only "今年" or "10月15日"."""
        ids = list(doc_ids)
        out: dict[str, str] = {}
        with self._lock:
            for start in range(0, len(ids), 500):
                batch = ids[start:start + 500]
                for doc_id, title, date in self._db.execute(
                        f"SELECT doc_id, title, date FROM documents WHERE doc_id IN ({','.join('?' * len(batch))})", batch):
                    out[doc_id] = f"{title or ''} {date or ''}".strip()
        return out

    def document_meta(self, doc_id: str) -> DocumentMeta | None:
        with self._lock:
            row = self._db.execute("SELECT doc_id, path, title, date, byline, file_hash FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return DocumentMeta(*row) if row else None

    def _document_frequencies(self, terms: list[str]) -> dict[str, int]:
        # identical passages (the same file twice, boilerplate) count once, as in retrieval:
        # copies must not make their own words look common
        marks = ",".join("?" * len(terms))
        return dict(self._db.execute(
            f"SELECT po.term, count(DISTINCT pa.hash) FROM postings po JOIN passages pa ON pa.passage_id = po.passage_id "
            f"WHERE po.term IN ({marks}) GROUP BY po.term", terms))

    def idf(self, terms: set[str] | list[str]) -> dict[str, float]:
        """BM25's idf for each term (a term no passage has gets the highest idf)."""
        return self.lookup(terms)[1]

    def unseen(self, terms: set[str] | list[str]) -> set[str]:
        """The terms no passage has (a question's word the corpus never uses)."""
        return self.lookup(terms)[0]

    def lookup(self, terms: set[str] | list[str]) -> tuple[set[str], dict[str, float]]:
        """(`unseen`, `idf`) of the terms from one read of their document frequencies."""
        terms = list(dict.fromkeys(terms))
        if not terms:
            return set(), {}
        with self._lock:
            n = max(self._corpus_stats()[0], 1)
            dfs = self._document_frequencies(terms)
        return set(terms) - set(dfs), {t: bm25_idf(n, dfs.get(t, 0)) for t in terms}

    def substitutes(self, terms: set[str] | list[str]) -> dict[str, str]:
        """A question's term no passage has → the word of its synonym class (rag.text.synonyms)
        the passages use most: 会议 is looked up as 大会 in an article that only says 大会."""
        alike = {t: synonyms(t) for t in dict.fromkeys(terms) if synonyms(t)}
        if not alike:           # most questions: no SQL at all
            return {}
        with self._lock:
            dfs = self._document_frequencies(sorted(set(alike) | {o for os in alike.values() for o in os}))
        # most passages first, then the class's own order: the same choice in every process
        return {t: max(os, key=lambda o: (dfs.get(o, 0), -os.index(o)))
                for t, os in alike.items() if t not in dfs and any(dfs.get(o) for o in os)}

    def romanised(self, words: list[str]) -> dict[str, str]:
        """English words that spell a Chinese name of the corpus in pinyin → that name ("Qujiang"
        → 曲江): a word no passage has, of five letters or more, whose letters are exactly a
        term's reading (two to four characters); the term most passages have when two read so."""
        keys = {w: key for w in dict.fromkeys(words) if len(key := roman_key(w)) >= 5}
        if not keys:
            return {}
        readings = self._readings()
        found = {w: readings[k] for w, k in keys.items() if k in readings}
        if not found:
            return {}
        with self._lock:
            dfs = self._document_frequencies(sorted({t for ts in found.values() for t in ts}))
        return {w: max(sorted(ts), key=lambda t: dfs.get(t, 0)) for w, ts in found.items()}

    def respelled(self, terms: set[str]) -> dict[str, str]:
        """Misspelt English terms no passage has → the corpus's term they most likely mean
        (rag/text/spelling.py): the nearest within one edit (two for eight letters or more), then
        the one most passages have, then the first in order."""
        index = self._spellings()
        out: dict[str, str] = {}
        for term in sorted(terms):
            near = {c for d in spelling.deletes(term) for c in index.get(d, ())
                    if c != term and spelling.distance(term, c) <= spelling.allowed(term)}
            if not near:
                continue
            with self._lock:
                dfs = self._document_frequencies(sorted(near))
            out[term] = min(sorted(near), key=lambda c: (spelling.distance(term, c), -dfs.get(c, 0)))
        return out

    def _spellings(self) -> dict[str, list[str]]:
        """A one-deletion index of the corpus's English terms (four letters or more); built once
        per state of the catalog."""
        with self._lock:
            version = self._db.execute("PRAGMA data_version").fetchone()[0]
            if self._spelling is None or self._spelling[0] != version:
                index: dict[str, list[str]] = {}
                for (term,) in self._db.execute("SELECT DISTINCT term FROM postings"):
                    if len(term) >= 4 and term.isascii() and term.isalpha():
                        for d in spelling.deletes(term):
                            index.setdefault(d, []).append(term)
                self._spelling = (version, index)
            return self._spelling[1]

    def _readings(self) -> dict[str, list[str]]:
        """pinyin → the Chinese terms (two to four characters) of the postings that read so;
        built once per state of the catalog."""
        with self._lock:
            version = self._db.execute("PRAGMA data_version").fetchone()[0]
            if self._pinyin is None or self._pinyin[0] != version:
                terms = [t for (t,) in self._db.execute("SELECT DISTINCT term FROM postings")
                         if 2 <= len(t) <= 4 and CJK_RUN.fullmatch(t)]
                table: dict[str, list[str]] = {}
                for term in terms:
                    table.setdefault(pinyin_key(term), []).append(term)
                self._pinyin = (version, table)
            return self._pinyin[1]

    def topic_overlap(self) -> tuple[int, float | None]:
        """(documents, how alike their topics are): over the documents, the mean tf-idf cosine
        of each with the most alike other one (both language sides' terms; idf over the
        documents). Articles on one subject (a news set of look-alike reports) share their
        subject's words; encyclopaedia articles on different subjects share few. None for fewer
        than two documents. Read from the postings once per state of the catalog, on at most
        OVERLAP_SAMPLE documents (evenly spaced by id) so a large corpus costs the same."""
        with self._lock:
            # data_version moves when another connection commits; total_changes when this one does
            state = (self._db.execute("PRAGMA data_version").fetchone()[0], self._db.total_changes)
            if self._overlap is not None and self._overlap[0] == state:
                return self._overlap[1]
            docs = [d for (d,) in self._db.execute("SELECT doc_id FROM documents ORDER BY doc_id")]
            sample = docs[::max(1, math.ceil(len(docs) / OVERLAP_SAMPLE))]
            rows: list[tuple[str, str, int]] = []
            for start in range(0, len(sample), 500):
                batch = sample[start:start + 500]
                rows += self._db.execute(
                    "SELECT pa.doc_id, po.term, SUM(po.tf) FROM postings po JOIN passages pa USING (passage_id) "
                    f"WHERE pa.doc_id IN ({','.join('?' * len(batch))}) GROUP BY pa.doc_id, po.term", batch).fetchall()
            result = (len(docs), _mean_nearest(rows))
            self._overlap = (state, result)
            return result

    def query_terms(self, text: str, substitutes: dict[str, str] | None = None) -> list[str]:
        """The BM25 terms of a question, each unseen one with a synonym the corpus uses as that
        (`substitutes` when the caller looked them up already)."""
        terms = tokenize(text)
        swap = self.substitutes(terms) if substitutes is None else substitutes
        return [swap.get(t, t) for t in terms]

    def _corpus_stats(self) -> tuple[int, float]:
        # data_version changes when another connection (a CLI ingest beside the app) commits
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if self._stats is None or self._stats_version != version:
            n, avg = self._db.execute("SELECT count(DISTINCT hash), coalesce(avg(length), 0) FROM passages").fetchone()
            self._stats, self._stats_version = (n, float(avg)), version
        return self._stats

    def bm25(self, query: str, k: int, max_df_ratio: float = 0.5,
             substitutes: dict[str, str] | None = None) -> list[tuple[str, float]]:
        """Top-k (passage_id, score) by BM25, scored inside sqlite from the postings (which
        carry each passage's length): no in-memory index to rebuild, no Python loop over
        posting lists.

        Terms in more than `max_df_ratio` of passages are skipped on corpora of 100+ passages:
        their idf is near zero and their posting lists are the expensive part.
        """
        terms = list(dict.fromkeys(self.query_terms(query, substitutes)))
        if not terms:
            return []
        with self._lock:
            n, avg = self._corpus_stats()
            if n == 0:
                return []
            dfs = self._document_frequencies(terms)
            weights = [(term, bm25_idf(n, df)) for term, df in dfs.items() if not (n >= 100 and df > max_df_ratio * n)]
            if not weights:
                return []
            values = ",".join("(?, ?)" * 1 for _ in weights)
            rows = self._db.execute(
                f"WITH q(term, w) AS (VALUES {values}) "
                f"SELECT p.passage_id, SUM(q.w * p.tf * {K1 + 1} / (p.tf + {K1} * ({1 - B} + {B} * p.length / ?))) AS s "
                "FROM q JOIN postings p ON p.term = q.term GROUP BY p.passage_id ORDER BY s DESC, p.passage_id LIMIT ?",
                [x for pair in weights for x in pair] + [max(avg, 1e-9), k]).fetchall()
        return [(pid, float(score)) for pid, score in rows]
