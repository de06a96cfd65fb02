"""Hybrid retrieval: three ranked lists over paragraph pairs — dense e5 (both language sides),
dense USE (a cross-lingual space) and BM25 (jieba tokens) — fused by weights learned on data.

Each list is read to `DEPTH` passages; a passage hit counts for its pair at the pair's best
score, so an English question can land on a pair whose wording matched on its Chinese side.

Fusion (rag/fusion.py) scores every candidate pair from its place in each list — the score's
z-value within that list (so a clear leader keeps its margin), whether the list found it,
whether it leads — with weights per question language fitted on the XQuAD training split
(`python -m rag.eval.fit`, rag/data/weights.json). Mode "minmax" keeps the earlier
equal-weight min-max fusion for side-by-side benchmarks; "dense", "xling" and "bm25" rank by
one list alone.
"""
from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np

from .errors import ConfigError, EmptyIndexError, StoreError
from .extract import Reading, blend_for, choose, choose_parts, read, rerank
from .extract import score as score_readings
from .fusion import LISTS, fuse_learned, fuse_minmax
from .index import Index
from .premise import on_asked_place
from .records import ParagraphPair, Sentence
from .regime import FEW, regime_of
from .text import CJK, MAX_PARTS, detect_language, focus_question, question_parts, tokenize
from .text.spelling import candidates, known, misspelt
from .text.answer_types import asked_attribute, states_attribute
from .text.constraints import Constraints, constraints, phases, states
from .text.glosses import gloss_share, glosses
from .text.tokens import asked_kinds, glued, question_word
from .weights import load_weights

MODES = ("hybrid", "minmax", "dense", "xling", "bm25")
DEPTH = 30
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:['’][a-z]+)?\b")       # Qingdao, Xi'an


def with_aliases(cons: Constraints, aliases: dict[str, str]) -> Constraints:
    """The question's constraints with the Chinese names its English words spell: "Qujiang" is
    looked for as 曲江 in a Chinese-only paragraph (the English name is looked for only where a
    paragraph has an English side)."""
    extra = [(term, "zh") for word, term in aliases.items() if word in cons.question
             and (term, "zh") not in cons.entities]
    return replace(cons, entities=[*cons.entities, *extra]) if extra else cons


VERIFIER_READS = 3      # the best kept paragraphs the verifier reads (rag/verify.py)


def _with_named(c: "Candidates", order: list[str], kept: list[str]) -> list[str]:
    """A question about a phase of a project ("一期啥时候投产?") or a sum of a named thing ("一年能
    交多少税?") whose kept paragraphs name no such phase or thing gets the best-fused paragraph of
    the lead's article that does, second after the lead (the verifier reads the best three): it is
    the constraint the answer hangs on, and the verifier declines when no paragraph it reads
    names it."""
    cons = c.constraints
    if cons is None or not kept:
        return kept
    wanted = set(cons.phases)
    attribute = (asked_attribute(c.focus or c.query) if c.lang == "zh" and cons.qtype in ("quantity", "money", "percent")
                 else "")
    tests = ([lambda text: bool(phases(text) & wanted)] if wanted else []) + (
        [lambda text: states_attribute(attribute, text)] if attribute else [])
    # the article: of the best kept paragraph that names what the question names (a look-alike
    # article may lead: "两江新区…多少税收?" found 成都东部新区's first)
    asked = [e for e, _ in cons.entities]
    lead = next((pid for pid in kept if c.names_all(pid, asked)), kept[0])
    doc = c.pairs[lead].doc
    for said in tests:
        read = kept[:VERIFIER_READS]
        if any(said(c.pairs[pid].zh or "") for pid in read if c.pairs[pid].doc == doc):
            continue
        # one kept further down moves up too: the verifier would not read it there
        extra = next((pid for pid in order if pid not in read and c.pairs[pid].doc == doc
                      and said(c.pairs[pid].zh or "")), "")
        if extra:
            rest = [pid for pid in kept if pid != extra]
            at = rest.index(lead) + 1 if lead in rest else 1     # the lead itself names it: second
            kept = [*rest[:at], extra, *rest[at:]][:len(kept)]
    return kept


@dataclass(frozen=True)
class Hit:
    pair: ParagraphPair
    score: float                      # fused score (what the ranking uses)
    dense: float | None = None        # best cosine of the pair's passages (e5)
    lexical: float | None = None      # best BM25 of the pair's passages
    xling: float | None = None        # best cosine in the cross-lingual (USE) space

    def to_dict(self) -> dict:
        return {"paragraph_id": self.pair.id, "doc": self.pair.doc, "section": self.pair.section,
                "text_zh": self.pair.zh or "", "text_en": self.pair.en or "", "score": round(self.score, 6),
                "dense": None if self.dense is None else round(self.dense, 6),
                "lexical": None if self.lexical is None else round(self.lexical, 6),
                "xling": None if self.xling is None else round(self.xling, 6)}


SIMILARITY_SPACES = {"e5-small-q4": "e5", "use-m3": "use"}   # embedder slug → similarity slot
READ_CACHE_PAIRS = 2048     # pairs whose sentences and sentence vectors stay in memory (~40 KB each)


@dataclass
class Candidates:
    """What the three lists returned for one query, before fusion, and what fusion and the
    answerer read about each candidate pair."""
    query: str
    lang: str
    lists: dict[str, dict[str, float]]          # list → pair id → best score, best first
    pairs: dict[str, ParagraphPair]
    timings_ms: dict[str, float] = field(default_factory=dict)
    focus: str = ""                                           # the question it asks (rag.text.focus_question)
    terms: set[str] = field(default_factory=set)             # the query's BM25 terms but question words
    idf: dict[str, float] = field(default_factory=dict)
    unseen: set[str] = field(default_factory=set)            # query terms no passage has
    substitutes: dict[str, str] = field(default_factory=dict)  # unseen term → the synonym looked up
    aliases: dict[str, str] = field(default_factory=dict)     # an English word → the Chinese name it spells
    # the same for words the corpus has too ("Chengdu" → 成都): where a translation leaves the
    # name out, its paragraph still names it on the Chinese side (the checks only)
    spelled: dict[str, str] = field(default_factory=dict)
    coverage: dict[str, float] = field(default_factory=dict)  # pair → idf share of the query's terms it has
    # a question term → the corpus's words that gloss it in the other language, and their idf
    # (read for pairs with no side in the question's language: rag.text.glosses)
    glossed: dict[str, frozenset[str]] = field(default_factory=dict)
    gloss_idf: dict[str, float] = field(default_factory=dict)
    gloss_coverage: dict[str, float] = field(default_factory=dict)  # such a pair → idf share of the glossed terms it has
    sentences: dict[str, list[Sentence]] = field(default_factory=dict)
    similarity: dict[tuple[str, str, int], tuple[float, float]] = field(default_factory=dict)
    # (pair id, lang, position) → cosine of the question with that sentence: (e5, USE)
    absent_spaces: tuple[str, ...] = ()                       # "e5"/"use" when this index has no such space
    constraints: Constraints | None = None                     # what the focus question pins down
    headers: dict[str, str] | None = None                      # doc id → its title and date line
    regime: str = FEW                                          # the corpus's kind (rag/regime.py)

    def applies(self, name: str, pair_id: str) -> bool:
        """BM25 cannot match a pair with no side in the query's language."""
        return name != "bm25" or bool(self.pairs[pair_id].text(self.lang))

    def constraints_of(self, question: str) -> Constraints:
        """What `question` pins down: read once per query for its focus question."""
        if self.constraints is not None and question == self.focus:
            return self.constraints
        return with_aliases(constraints(question), self.aliases)

    def terms_of(self, text: str) -> set[str]:
        """The terms of (part of) the question that the query's idf knows, synonyms swapped in
        as for the whole query."""
        return {self.substitutes.get(t, t) for t in tokenize(text)} & set(self.idf)

    def titled(self, pair: ParagraphPair) -> str:
        """Both sides of a pair and its article's title and date line: where a same-topic news
        paragraph's city and year are named (fusion, the verifier and multi-part reading look
        for the question's names and years there)."""
        return pair.both + "\n" + (self.headers or {}).get(pair.doc, "")

    def names_all(self, pair_id: str, names: list[str]) -> bool:
        """Whether a candidate pair states every one of `names`, in its text or its article's
        title and date line (`titled`)."""
        pair = self.pairs.get(pair_id)
        return pair is not None and all(states(e, self.titled(pair)) for e in names)


@dataclass
class Retrieval:
    hits: list[Hit]
    timings_ms: dict[str, float] = field(default_factory=dict)
    candidates: Candidates | None = None
    readings: list[Reading] = field(default_factory=list)   # scored sentences of the hits (hybrid)
    fused: dict[str, float] = field(default_factory=dict)   # every candidate's fused score
    chosen: dict[tuple[str, str], list[Reading]] = field(default_factory=dict)  # (lang, question) → Retriever.chosen
    parts: dict[tuple[str, str], tuple[Candidates, list[Reading]]] = field(default_factory=dict)  # → Retriever.part_read


def _pair_scores(passage_hits: list[tuple[str, float]]) -> dict[str, float]:
    """passage hits (best first) → pair id → best score, in rank order."""
    out: dict[str, float] = {}
    for pid, score in passage_hits:
        pair_id = pid.rsplit(":", 2)[0]   # passage ids are "<pair id>:<lang>:<chunk no>"
        if pair_id not in out:
            out[pair_id] = score
    return out


def _distinct(found: dict[str, dict[str, float]], pairs: dict[str, ParagraphPair]
              ) -> tuple[dict[str, dict[str, float]], dict[str, ParagraphPair]]:
    """Identical paragraphs (the same file twice, boilerplate) count once, before fusion:
    copies would crowd the lists and shift every score's spread. The copy ranked best in any
    list stays (ties: the smaller id), with the best score any copy got in each list (a list's
    cut-off may have kept another copy)."""
    best: dict[str, int] = {}
    for ranked in found.values():
        for rank, pid in enumerate(sorted(ranked, key=lambda p: (-ranked[p], p))):
            best[pid] = min(best.get(pid, rank), rank)
    keep: dict[tuple[str, str], str] = {}
    for pid in sorted(pairs, key=lambda p: (best.get(p, len(best)), p)):
        keep.setdefault((pairs[pid].zh, pairs[pid].en), pid)
    lists: dict[str, dict[str, float]] = {}
    for name, ranked in found.items():
        out = lists[name] = {}
        for pid, score in ranked.items():
            if pid in pairs:
                kept = keep[(pairs[pid].zh, pairs[pid].en)]
                out[kept] = max(out.get(kept, score), score)
    kept_ids = set(keep.values())
    return lists, {pid: pair for pid, pair in pairs.items() if pid in kept_ids}


class Retriever:
    def __init__(self, index: Index, mode: str = "hybrid", weights: dict | None = None) -> None:
        if mode not in MODES:
            raise ConfigError(f"retrieval mode {mode!r} is not known", f"use one of {', '.join(MODES)}")
        self.index, self.mode = index, mode
        self.weights = weights if weights is not None else load_weights()
        # (pair id, zh, en) → (its sentences, embedder slug → their vectors): a question reads
        # every sentence of ~50 candidate pairs, and loading them from SQLite each time cost more
        # than the rest of the reading. Keyed by the texts, so a re-ingested pair is read anew.
        self._read_cache: OrderedDict[tuple, tuple[list[Sentence], dict[str, np.ndarray]]] = OrderedDict()
        self._read_lock = threading.Lock()      # the app answers several questions at once

    def check_ready(self, vectors: bool = True) -> None:
        """EmptyIndexError / StoreError saying what to run when this mode has nothing to read.
        `vectors=False` skips counting the vector store (a query finds out for itself)."""
        n = self.index.catalog.count_passages()
        if n == 0:
            raise EmptyIndexError(f"the index at {self.index.settings.data_dir} is empty")
        if self.mode == "xling" and self.index.cross is None:
            raise StoreError("retrieval mode 'xling' needs the cross-lingual index",
                             "set RAG_CROSS_EMBEDDER=use and run `rag-ingest`")
        if vectors and self.mode in ("hybrid", "minmax", "dense") and self.index.store.count() == 0:
            raise StoreError(f"no vectors for embedder {self.index.embedding.slug} in {self.index.store.where}",
                             "run `rag-ingest` with this RAG_EMBEDDER to embed the corpus")

    def retrieve(self, query: str, k: int) -> Retrieval:
        self.index.refresh()              # another process may have ingested since the last question
        with self.index.reading():
            candidates = self.candidates(query)
        return self.rank(candidates, k)

    def candidates(self, query: str, lists: tuple[str, ...] | None = None) -> Candidates:
        """The ranked lists this mode needs (all three for the fusions)."""
        self.check_ready(vectors=False)
        wanted = lists or (LISTS if self.mode in ("hybrid", "minmax") else (self.mode,))
        timings: dict[str, float] = {}
        found: dict[str, dict[str, float]] = {}
        if "dense" in wanted:
            t = time.perf_counter()
            vector = self.index.embedding.embed_query(query)
            timings["embed_query"] = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            found["dense"] = _pair_scores(self.index.store.query(vector, DEPTH))
            if not found["dense"]:
                self.check_ready()            # an empty store: say which ingest to run
            timings["dense"] = (time.perf_counter() - t) * 1000
        if "xling" in wanted and self.index.cross is not None:
            t = time.perf_counter()
            vector = self.index.cross.embedding.embed_query(query)
            found["xling"] = _pair_scores(self.index.cross.store.query(vector, DEPTH))
            timings["xling"] = (time.perf_counter() - t) * 1000
        swap: dict[str, str] = {}
        aliases: dict[str, str] = {}
        if "bm25" in wanted:
            t = time.perf_counter()
            # looked up once: BM25 and the coverage (`_read_candidates`) read the same swaps
            swap, aliases = self._swaps(query)
            found["bm25"] = _pair_scores(self.index.catalog.bm25(query, DEPTH, substitutes=swap))
            timings["bm25"] = (time.perf_counter() - t) * 1000
        ids = sorted({pid for ranked in found.values() for pid in ranked})
        found, pairs = _distinct(found, self.index.catalog.pairs(ids))
        c = Candidates(query, detect_language(query), found, pairs, timings, substitutes=swap, aliases=aliases,
                       regime=regime_of(*self.index.catalog.topic_overlap(), self.weights.get("corpus")))
        if self.mode in ("hybrid", "minmax") and lists is None:
            self._read_candidates(c)
        return c

    def respell(self, question: str) -> str:
        """An English question with its misspelt words written as the corpus's words they most
        likely mean ("natinal platforms" → "national platforms"; rag/text/spelling.py): every
        list, check and the shown standalone question read the same words. A word the corpus
        has, however rare, stays; a typo is respelt only as a word the corpus uses: a dictionary
        word one edit away, else (eight letters or more) a corpus term two edits away."""
        if CJK.search(question):
            return question
        typos = misspelt(question)
        if not typos:
            return question
        near = {w: candidates(w) for w in typos}
        stems = {w: tokenize(w) for ws in [typos, *near.values()] for w in ws}
        with self.index.reading():
            catalog = self.index.catalog
            unseen = catalog.unseen({t for ts in stems.values() for t in ts})
            for word in typos:
                if len(stems[word]) != 1 or stems[word][0] not in unseen:
                    continue            # the corpus writes it so
                written = next((c for c in near[word] if len(stems[c]) == 1 and stems[c][0] not in unseen), "")
                if not written and len(word) >= 8:
                    term = catalog.respelled({stems[word][0]}).get(stems[word][0], "")
                    written = term if term and known(term) else ""
                if written:
                    written = written.capitalize() if word[0].isupper() else written
                    question = re.sub(rf"\b{word}\b", written, question)
        return question

    def _swaps(self, query: str) -> tuple[dict[str, str], dict[str, str]]:
        """(unseen term → the synonym the corpus uses, `Catalog.substitutes`; a capitalised word
        no passage has → the Chinese name of the corpus it spells in pinyin, "Qujiang" → 曲江).
        The names go to the checks only: looked up by BM25 too, they moved the learned fusion's
        English weights (BM25's presence 1.29 → 0.22) and cost the seed's English questions
        (hold-out hit@1 0.875 → 0.812) for news en→zh-only 0.500 → 0.667."""
        catalog = self.index.catalog
        swap = catalog.substitutes(set(tokenize(query)))
        words = [w[:-2] if w.endswith(("'s", "’s")) else w for w in _CAPITALISED.findall(query)]   # Chengdu's
        token = {w: ts[0] for w in words for ts in [tokenize(w)] if len(ts) == 1}
        unseen = catalog.unseen(set(token.values()) - set(swap)) if token else set()
        return swap, catalog.romanised([w for w, t in token.items() if t in unseen]) if unseen else {}

    def _read_candidates(self, c: Candidates) -> None:
        """Query-term coverage from the postings, and the question's similarity with every
        sentence of every candidate pair in both vector spaces (sentence vectors come from the
        embedding cache, filled at ingest)."""
        t = time.perf_counter()
        catalog = self.index.catalog
        c.focus = focus_question(c.query, c.lang)       # an injected preamble doesn't pick the sentence
        raw = set(tokenize(c.focus))                    # nor weigh in the coverage
        if "bm25" not in c.lists:           # read lazily for a mode that ran no BM25 (`candidates`)
            c.substitutes, c.aliases = self._swaps(c.focus)
        # question words (哪里, 本次, "which") name nothing a passage must hold: not in its coverage
        c.terms = {c.substitutes.get(t, t) for t in raw if not question_word(t)}
        c.unseen, idf = catalog.lookup(c.terms)
        # the kind a which-question asks for, or the measure word of a count it asks, when no
        # passage says it ("哪个城市", "哪两家"): not a word its answer must hold (an unseen term
        # weighs most in the coverage)
        ignored = c.unseen & asked_kinds(c.focus, raw)
        # nor a single Chinese character no passage says: a colloquial verb or a piece jieba
        # broke off ("拿", "给", "钱" of 多少钱, "里" of 名录里), never what is asked about — nor
        # two such characters its HMM glued (想聊)
        ignored |= {t for t in c.unseen if (len(t) == 1 and CJK.match(t)) or glued(t)}
        c.terms -= ignored
        c.unseen -= ignored
        c.idf = {t: idf[t] for t in c.terms}          # a term's idf is its own: the same after the cut
        c.coverage = catalog.coverage(c.terms, list(c.pairs), c.idf)
        # a pair with no side in the question's language may hold the question's words as the
        # dictionary glosses them ("box office" → 票房): a coverage of its own, which fusion and
        # the reader weigh apart (a weight shared with the same-language coverage cost en→en)
        cross = [pid for pid, pair in c.pairs.items() if not pair.text(c.lang)]
        if cross:
            glossed = glosses(c.focus, c.terms)
            words = {w for ws in glossed.values() for w in ws}
            unseen, idf = catalog.lookup(words)
            c.glossed = {k: ws - unseen for k, ws in glossed.items() if ws - unseen}
            c.gloss_idf = {w: v for w, v in idf.items() if w not in unseen}
            held = catalog.holding(words - unseen, cross)
            c.gloss_coverage = {pid: gloss_share(c.glossed, c.gloss_idf, held.get(pid, set())) for pid in cross}
        if c.lang == "en":
            c.spelled = catalog.romanised([w[:-2] if w.endswith(("'s", "’s")) else w
                                           for w in _CAPITALISED.findall(c.focus)])
        c.headers = catalog.headers({pair.doc for pair in c.pairs.values()})
        c.constraints = with_aliases(constraints(c.focus), c.aliases)
        c.sentences, c.similarity = self._similarity(c.pairs, c.focus)
        c.absent_spaces = tuple(sorted(set(SIMILARITY_SPACES.values()) - {SIMILARITY_SPACES.get(e.slug) for e in self._embeddings()}))
        c.timings_ms["read"] = (time.perf_counter() - t) * 1000

    def _embeddings(self) -> list:
        return [self.index.embedding] + ([self.index.cross.embedding] if self.index.cross else [])

    def _similarity(self, pairs: dict[str, ParagraphPair], focus: str) -> tuple[dict, dict]:
        """(pair id → its sentences, (pair id, lang, position) → the cosines of `focus` with that
        sentence: (e5, USE)). The weights were fitted on e5 and USE cosines: each goes in its own
        slot, and a space this index lacks (another embedder) stays 0."""
        embeddings = self._embeddings()
        material = self._sentence_material(pairs, embeddings)
        sentences = {pid: got for pid, (got, _) in material.items()}
        keys = [(s.pair_id, s.lang, s.position) for ss in sentences.values() for s in ss]
        sims = {space: [0.0] * len(keys) for space in SIMILARITY_SPACES.values()}
        for embedding in embeddings:
            space = SIMILARITY_SPACES.get(embedding.slug)
            if space and keys:
                matrix = np.concatenate([vectors[embedding.slug] for _, vectors in material.values()
                                         if len(vectors[embedding.slug])])
                sims[space] = (matrix @ embedding.embed_query(focus)).tolist()
        return sentences, {key: (a, b) for key, a, b in zip(keys, sims["e5"], sims["use"])}

    def chosen(self, retrieval: Retrieval, lang: str, question: str) -> list[Reading]:
        """The sentences an extractive answer shows (and the verifier checks): `extract.choose`
        over the readings, and for a multi-part question each part's best sentence too. Kept on
        the retrieval: the verifier and the answerer ask for the same sentences."""
        key = (lang, question)
        if key not in retrieval.chosen:
            readings = self.readings(retrieval, lang)
            chosen = choose(readings, question, self.weights["sentences"])
            if retrieval.candidates is not None:
                chosen = on_asked_place(chosen, readings, question, retrieval.candidates, self.weights["sentences"])
            parts = question_parts(question)[:MAX_PARTS]
            if parts:
                chosen += choose_parts([self.part_read(retrieval, lang, part)[1] for part in parts], chosen,
                                       parts, self.weights["sentences"])
            retrieval.chosen[key] = chosen
        return retrieval.chosen[key]

    def part_read(self, retrieval: Retrieval, lang: str, part: str) -> tuple[Candidates | None, list[Reading]]:
        """One part of a multi-part question (`text.question_parts`), read on the paragraphs
        found for the whole question: its candidates (focus, terms and coverage of the part
        alone: what the verifier checks the part against) and the hits' sentences scored
        against the part — its words, its answer type, its embedding — not by how well their
        paragraph matched the whole question, which favours the part it names first
        ("2024年春节档和2023年国庆档的票房分别…"). Paragraphs that name the part's places and
        organisations (in their text or their document's title) are read, when any do. Kept
        on the retrieval: the answer and the verdict ask for the same part."""
        c = retrieval.candidates
        if c is None or not retrieval.hits:
            return None, []
        key = (lang, part)
        if key not in retrieval.parts:
            if not c.sentences:
                self._read_candidates(c)
            names = [e for e, _ in constraints(part).entities]
            naming = [h for h in retrieval.hits if c.names_all(h.pair.id, names)]
            hits = naming or retrieval.hits
            _, similarity = self._similarity({h.pair.id: h.pair for h in hits}, part)
            sub = dataclasses.replace(c, focus=part, similarity=similarity)
            readings = self._scored(sub, [(h.pair.id, 0.0) for h in hits], lang)
            # the part's own terms, coverage and constraints for the verifier (the readings above
            # keep the whole question's, as the sentence weights were fitted on them)
            terms = c.terms_of(part)
            sub = dataclasses.replace(sub, terms=terms, constraints=None,
                                      coverage=self.index.catalog.coverage(terms, list(c.pairs), c.idf))
            retrieval.parts[key] = (sub, readings)
        return retrieval.parts[key]

    def _sentence_material(self, pairs: dict[str, ParagraphPair],
                           embeddings: list) -> dict[str, tuple[list[Sentence], dict[str, np.ndarray]]]:
        """pair id → (its sentences, embedder slug → their vectors, one row per sentence), from
        memory where the same pair text was read before, else from the catalog and the
        embedding cache (filled at ingest)."""
        out, missing = {}, {}
        with self._read_lock:
            for pid, pair in pairs.items():
                key = (pid, pair.zh, pair.en)
                got = self._read_cache.get(key)
                if got is None or any(e.slug not in got[1] for e in embeddings):
                    missing[pid] = pair
                else:
                    self._read_cache.move_to_end(key)
                    out[pid] = got
        if missing:
            found = self.index.catalog.sentences(missing)
            texts = [s.text for ss in found.values() for s in ss]
            vectors = {e.slug: e.embed_passages(texts) for e in embeddings}
            start = 0
            for pid, sentences in found.items():
                end = start + len(sentences)
                out[pid] = (sentences, {slug: m[start:end].copy() for slug, m in vectors.items()})
                start = end
            with self._read_lock:
                for pid in found:
                    self._read_cache[(pid, missing[pid].zh, missing[pid].en)] = out[pid]
                while len(self._read_cache) > READ_CACHE_PAIRS:
                    self._read_cache.popitem(last=False)
        return {pid: out[pid] for pid in pairs}

    def rank(self, c: Candidates, k: int) -> Retrieval:
        """Fuse (or take one list), re-read the best paragraphs (hybrid), keep the best k."""
        t = time.perf_counter()
        readings: list[Reading] = []
        if self.mode == "hybrid":
            fused = fuse_learned(c, self.weights["fusion"])
        elif self.mode == "minmax":
            fused = fuse_minmax(c)
        else:
            fused = dict(c.lists.get(self.mode, {}))
        order = sorted(fused, key=lambda pid: (-fused[pid], pid))
        if self.mode == "hybrid":
            order, readings = self._reread(c, fused, order, k)
        kept = order[:k]            # identical paragraphs were collapsed already (`_distinct`)
        if self.mode == "hybrid" and c.terms:
            kept = self._with_parts(c, order, kept)
            kept = _with_named(c, order, kept)
            unread = [pid for pid in kept if pid not in {r.pair_id for r in readings}]
            if unread:          # a paragraph kept for a part, a phase or a sum is read too
                readings = readings + self._scored(c, [(pid, fused[pid]) for pid in unread], c.lang)
        timings = dict(c.timings_ms, fuse=(time.perf_counter() - t) * 1000)
        hits = [Hit(pair=c.pairs[pid], score=fused[pid], dense=c.lists.get("dense", {}).get(pid),
                    lexical=c.lists.get("bm25", {}).get(pid), xling=c.lists.get("xling", {}).get(pid))
                for pid in kept]
        return Retrieval(hits, timings, c, [r for r in readings if r.pair_id in set(kept)], fused)

    def _with_parts(self, c: Candidates, order: list[str], kept: list[str]) -> list[str]:
        """The kept paragraphs of a multi-part question with, for each part, the candidate that
        holds most of the part's own words (idf-weighted, at least half): the whole question's
        best four may all answer one part ("主题是什么?另外，…依托的是哪个区域战略?" found four
        paragraphs on the strategy and none with the theme). It takes the place of the lowest
        kept paragraph no part needs; the order of the others stands."""
        parts = question_parts(c.focus or c.query)[:MAX_PARTS]
        if not parts or not c.pairs:
            return kept
        rank = {pid: n for n, pid in enumerate(order)}
        needed: list[str] = []
        for part in parts:
            terms = c.terms_of(part)
            if not terms:
                continue
            cover = self.index.catalog.coverage(terms, list(c.pairs), c.idf)
            best = min(cover, key=lambda pid: (-cover[pid], rank.get(pid, len(rank))))
            if cover[best] >= 0.5 and best not in needed:
                needed.append(best)
        out = list(kept)
        for pid in needed:
            if pid in out:
                continue
            spare = [n for n, kept_id in enumerate(out) if kept_id not in needed]
            if not spare:
                break
            out[spare[-1]] = pid
        return out

    def readings(self, retrieval: Retrieval, lang: str) -> list[Reading]:
        """The scored sentences of the hits, read on the `lang` side (the hybrid ranking's own
        readings when they are on that side already)."""
        c = retrieval.candidates
        if c is None or not retrieval.hits:
            return []
        if retrieval.readings and lang == c.lang:
            return retrieval.readings
        if not c.sentences:
            self._read_candidates(c)
        return self._scored(c, [(h.pair.id, h.score) for h in retrieval.hits], lang)

    def _scored(self, c: Candidates, ranked: list[tuple[str, float]], lang: str) -> list[Reading]:
        """The sentences of these paragraphs, read on the `lang` side and scored by the reader's
        weights for the question's language."""
        readings = read(c, ranked, lang)
        policy = self.weights["sentences"]
        score_readings(readings, policy.get(c.lang) or policy.get("en") or {})
        return readings

    def _reread(self, c: Candidates, fused: dict[str, float], order: list[str],
                k: int) -> tuple[list[str], list[Reading]]:
        """Read the sentences of the best fused paragraphs and re-rank those paragraphs by
        their best sentence (rag/extract.py); the rest keep their fused order after them."""
        policy = self.weights["sentences"]
        n = max(k, int(policy.get("rerank_n", 6)))
        ranked = [(pid, fused[pid]) for pid in order[:n]]
        readings = self._scored(c, ranked, c.lang)
        head = rerank(readings, ranked, blend_for(policy, c.lang, ranked, c.pairs))
        return head + order[n:], readings
