"""Read a source file and align it into paragraph pairs.

Layout rules (README "Sources"):
- `.txt`: every non-empty line is a block. `.md`: blank-line-separated paragraphs, `#` headings;
  a paragraph whose lines switch language is split at the switch.
- A block's language is decided by its share of CJK characters.
- A heading is a short block without sentence-final punctuation (or a Markdown `#` line);
  the first heading before any paragraph is the title, a date line before any paragraph is
  the date/byline.
- A zh block directly followed by an en block of the same kind (or the reverse) is a pair;
  anything else stays a monolingual passage. A document pairs in one order only (zh→en unless
  en→zh neighbours are the majority), so an untranslated block never steals the next block's
  translation. Paragraphs get ids `<stem>#p01`, `#p02`, …
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError
from .records import Document, DocumentMeta, ParagraphPair
from .text import detect_language, sha256

SUFFIXES = (".txt", ".md")
PARSE_VERSION = 2      # bump when the parsing rules change: unchanged files are then re-parsed once
MAX_FILE_BYTES = 20_000_000

_SENTENCE_END = tuple("。！？.!?；;…:：") + ("”", "\"", "’", "」", "』", "）", ")")
_DATE_LINE = re.compile(
    r"^(?P<date>\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?)"
    r"\s*(?:(?:by|来源[:：]?|作者[:：]?)\s*(?P<byline>.+))?$",
    re.IGNORECASE,
)


def read_text(path: Path) -> tuple[str, bytes]:
    """Decode a source file: UTF-8 (with or without BOM), then GB18030. Raises SourceError."""
    try:
        if not path.is_file():
            raise SourceError(str(path), "not a regular file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceError(str(path), f"file is {size} bytes, over the {MAX_FILE_BYTES}-byte limit", "split it into smaller files")
        raw = path.read_bytes()
    except PermissionError:
        raise SourceError(str(path), "permission denied", "make the file readable (chmod +r) and ingest again") from None
    except OSError as exc:
        raise SourceError(str(path), f"cannot read ({exc.strerror or exc})") from None
    if not raw.strip():
        raise SourceError(str(path), "file is empty", "add text or remove the file")
    if b"\x00" in raw[:8192]:
        raise SourceError(str(path), "looks binary (contains NUL bytes)", "only UTF-8 or GB18030 .txt/.md text is ingested")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SourceError(str(path), "not valid UTF-8 or GB18030 text", "re-save the file as UTF-8")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text) // 100):
        raise SourceError(str(path), "looks binary (control characters)", "only plain text is ingested")
    return text.replace("\r\n", "\n").replace("\r", "\n"), raw


@dataclass
class _Block:
    text: str
    lang: str
    kind: str = "para"        # para | heading | list | table | code

    @property
    def heading(self) -> bool:
        return self.kind == "heading"


PAIRABLE = ("para", "heading", "list")    # a table or a code block is never someone's translation
_FENCE = re.compile(r"^(```|~~~)")
_LIST_ITEM = re.compile(r"^([-*+]|\d+[.)])\s+")


def _is_heading_like(text: str, lang: str) -> bool:
    if text.endswith(_SENTENCE_END):
        return False
    return len(text) <= 40 if lang == "zh" else len(text) <= 160 and len(text.split()) <= 20


def _split_language_runs(lines: list[str], joiner: str | None = None) -> list[tuple[str, str]]:
    """Consecutive lines of one language join into one block (Markdown paragraphs; list
    items keep their lines)."""
    runs: list[tuple[str, list[str]]] = []
    for line in lines:
        lang = detect_language(line)
        if runs and runs[-1][0] == lang:
            runs[-1][1].append(line)
        else:
            runs.append((lang, [line]))
    return [(lang, (joiner if joiner is not None else "" if lang == "zh" else " ").join(parts)) for lang, parts in runs]


def _blocks(text: str, markdown: bool) -> list[_Block]:
    blocks: list[_Block] = []
    if not markdown:
        for line in text.split("\n"):
            line = line.strip()
            if line:
                lang = detect_language(line)
                blocks.append(_Block(line, lang, "heading" if _is_heading_like(line, lang) else "para"))
        return blocks
    for kind, chunk in _markdown_chunks(text):
        if kind == "code":
            blocks.append(_Block(chunk, detect_language(chunk), "code"))
            continue
        lines = [ln.strip() for ln in chunk.split("\n") if ln.strip()]
        if lines and all(ln.startswith("|") for ln in lines):
            blocks.append(_Block("\n".join(lines), detect_language(chunk), "table"))
            continue
        body: list[str] = []
        for line in lines + [None]:  # type: ignore[list-item]
            if line is None or line.startswith("#"):
                listed = bool(body) and all(_LIST_ITEM.match(b) for b in body)
                for lang, joined in _split_language_runs(body, "\n" if listed else None):
                    blocks.append(_Block(joined, lang, "list" if listed else "para"))
                body = []
                if line is not None:
                    heading = line.lstrip("#").strip()
                    if heading:
                        blocks.append(_Block(heading, detect_language(heading), "heading"))
            else:
                body.append(line)
    return blocks


def _markdown_chunks(text: str) -> list[tuple[str, str]]:
    """Blank-line separated chunks, with fenced code blocks kept whole (their blank lines
    and `#` lines are code, not paragraphs or headings)."""
    out: list[tuple[str, str]] = []
    prose: list[str] = []
    fence: list[str] | None = None
    for line in text.split("\n"):
        if fence is not None:
            fence.append(line)
            if _FENCE.match(line.strip()) and len(fence) > 1:
                out.append(("code", "\n".join(fence).strip()))
                fence = None
        elif _FENCE.match(line.strip()):
            if prose:
                out.extend(("prose", c) for c in re.split(r"\n\s*\n", "\n".join(prose)))
                prose = []
            fence = [line]
        else:
            prose.append(line)
    if fence is not None:                     # an unclosed fence runs to the end of the file
        out.append(("code", "\n".join(fence).strip()))
    if prose:
        out.extend(("prose", c) for c in re.split(r"\n\s*\n", "\n".join(prose)))
    return out


def parse_text(text: str, doc_id: str, path: str = "", markdown: bool = False, file_hash: str = "") -> Document:
    blocks = _blocks(text, markdown)
    title = date = byline = ""
    # Front matter: a title heading and a date line before the first paragraph.
    front = 0
    for block in blocks[:3]:
        m = _DATE_LINE.match(block.text)
        if m and not date:
            date, byline = m.group("date"), (m.group("byline") or "").strip()
        elif block.heading and not title and front == 0 and not date:
            title = block.text
        else:
            break
        front += 1
    blocks = blocks[front:]

    # The document's translation order: which language comes first in most neighbouring pairs.
    switches = [a.lang for a, b in zip(blocks, blocks[1:])
                if a.lang != b.lang and a.kind == b.kind and a.kind in PAIRABLE]
    first = "en" if switches.count("en") > switches.count("zh") else "zh"

    pairs: list[ParagraphPair] = []
    headings: list[tuple[str, str]] = []
    section = ("", "")
    i = 0
    while i < len(blocks):
        cur = blocks[i]
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if (nxt is not None and cur.lang == first and nxt.lang != cur.lang and nxt.kind == cur.kind
                and cur.kind in PAIRABLE):
            zh, en = (cur.text, nxt.text) if cur.lang == "zh" else (nxt.text, cur.text)
            step = 2
        else:
            zh, en = (cur.text, None) if cur.lang == "zh" else (None, cur.text)
            step = 1
        if cur.heading:
            section = (zh or "", en or "")
            headings.append(section)
        else:
            order = len(pairs) + 1
            pairs.append(ParagraphPair(
                id=f"{doc_id}#p{order:02d}", doc=doc_id, order=order, zh=zh, en=en,
                section_zh=section[0], section_en=section[1]))
        i += step
    meta = DocumentMeta(doc_id=doc_id, path=path, title=title, date=date, byline=byline, file_hash=file_hash)
    return Document(meta=meta, pairs=tuple(pairs), headings=tuple(headings))


def source_path(path: Path) -> str:
    """How a document's file is recorded: absolute, but not through its links, so a link in
    the sources folder is tracked as that link (deleting it removes the document)."""
    return os.path.abspath(path)


def load_source(path: Path) -> tuple[str, str]:
    """(decoded text, sha256 of the raw bytes) of a source file. Raises SourceError."""
    if path.suffix.lower() not in SUFFIXES:
        raise SourceError(str(path), f"unsupported file type {path.suffix or '(none)'}", "use .txt or .md")
    text, raw = read_text(path)
    return text, sha256(raw)


def parse_loaded(path: Path, text: str, file_hash: str) -> Document:
    doc = parse_text(text, path.stem, source_path(path), path.suffix.lower() == ".md", file_hash)
    if not doc.pairs:
        raise SourceError(str(path), "no paragraphs found (only headings or a title)", "add body text")
    return doc


def parse_file(path: Path) -> Document:
    """Read and align one source file. Raises SourceError with the file and the reason."""
    return parse_loaded(path, *load_source(path))


def discover(root: Path) -> list[Path]:
    """Source files under a folder (or the file itself), sorted; hidden files skipped.
    A dangling link or other non-regular entry with a source suffix is listed too, so the
    ingest reports it (and keeps what it had indexed) instead of treating it as deleted."""
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*")
                  if not p.is_dir() and p.suffix.lower() in SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))
