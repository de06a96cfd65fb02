"""Typed records that flow through the pipeline. Small, immutable where possible."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class DocumentMeta:
    doc_id: str                 # file stem, e.g. "000_09ff8f6f21da3254"
    path: str                   # absolute path of the source file
    title: str = ""
    date: str = ""
    byline: str = ""
    file_hash: str = ""         # sha256 of the raw bytes


@dataclass(frozen=True)
class ParagraphPair:
    """A Chinese paragraph and its English translation (either side may be missing)."""
    id: str                     # "<doc-stem>#p07": stable while the paragraph keeps its place
    doc: str
    order: int                  # 1-based position among the document's paragraphs
    zh: str | None
    en: str | None
    section_zh: str = ""
    section_en: str = ""

    @property
    def section(self) -> str:
        return " / ".join(s for s in (self.section_zh, self.section_en) if s)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang, text in (("zh", self.zh), ("en", self.en)) if text)

    def text(self, lang: str) -> str | None:
        return self.zh if lang == "zh" else self.en

    @property
    def both(self) -> str:
        """Both sides as one text, zh then en (where a name or figure is looked for on either)."""
        return f"{self.zh or ''}\n{self.en or ''}"


@dataclass(frozen=True)
class Document:
    meta: DocumentMeta
    pairs: tuple[ParagraphPair, ...]
    headings: tuple[tuple[str, str], ...] = ()   # (zh, en) per section heading, in order


@dataclass(frozen=True)
class Passage:
    """What gets a vector: one language side of a pair, or a sentence-aligned piece of it."""
    id: str                     # "<pair id>:<lang>:<chunk no>"
    pair_id: str
    doc: str
    lang: str                   # "zh" | "en"
    chunk_no: int
    text: str
    hash: str                   # sha256 of text: the embedding-cache key with the model name


@dataclass(frozen=True)
class Sentence:
    """One sentence of one language side of a pair, with what the answerer needs of it."""
    pair_id: str
    lang: str
    position: int               # 0-based within its side
    text: str
    terms: frozenset[str]       # BM25 terms (rag.text.tokenize)
    facts: dict                 # answer type → things of that type it states (rag.text.answer_types)


@dataclass
class IngestDiff:
    """What one ingest changed, in paragraph pairs."""
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def merge(self, other: "IngestDiff") -> None:
        for name in ("added", "changed", "removed", "unchanged"):
            getattr(self, name).extend(getattr(other, name))

    def summary(self) -> str:
        return (f"added {len(self.added)}, changed {len(self.changed)}, "
                f"removed {len(self.removed)}, unchanged {len(self.unchanged)}")


@dataclass
class IngestReport:
    diff: IngestDiff = field(default_factory=IngestDiff)
    documents: list[str] = field(default_factory=list)          # docs seen this run
    removed_documents: list[str] = field(default_factory=list)
    outside_documents: list[str] = field(default_factory=list)  # indexed from outside the sources dir
    errors: list[str] = field(default_factory=list)              # one line per rejected file
    embedded: int = 0                                            # texts sent to the primary model
    embedded_cross: int = 0                                      # texts sent to the cross-lingual model
    embedded_sentences: int = 0                                  # sentences sent to any model (answerer's cache)
    repaired: int = 0                                            # vectors fixed after an interrupted run
    dry_run: bool = False
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)
