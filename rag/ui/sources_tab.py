"""The Sources tab's logic (no gradio import): document list, safe uploads, guarded re-ingest,
documents indexed from outside the sources folder.

Uploads are written only into `settings.sources_dir`: the file name goes through a strict
allow-list, the resolved destination's parent must be the resolved sources dir, an existing
file is never overwritten unless `replace` is set, and the content must pass
`rag.sources.read_text` (UTF-8/GB18030 text, not binary) before anything is written.
"""
from __future__ import annotations

import os
import re
import tempfile
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import RagError, SourceError
from ..security import Rejected, uploaded_file
from ..sources import SUFFIXES, parse_file, read_text
from .render import esc, human_time

DOC_HEADERS = ["title", "document", "paragraphs", "languages", "last ingested", "where"]
_ALLOWED = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff._-]")
MAX_NAME = 100


class UploadRejected(Rejected):
    """An upload that is refused; the message says why."""


def safe_name(name: str) -> str:
    """The file name an upload is stored under, or UploadRejected saying why not."""
    raw = name or ""
    if not raw.strip():
        raise UploadRejected("the file has no name")
    if "/" in raw or "\\" in raw or raw in (".", "..") or ".." in raw:
        raise UploadRejected(f"file name {raw!r} contains a path (/, \\ or ..); only plain file names are accepted")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in raw):
        raise UploadRejected(f"file name {raw!r} contains control characters")
    if raw.startswith("."):
        raise UploadRejected(f"file name {raw!r} is hidden (starts with a dot); hidden files are not ingested")
    suffix = Path(raw).suffix.lower()
    if suffix not in SUFFIXES:
        raise UploadRejected(f"{raw!r}: unsupported file type {suffix or '(none)'}; only {', '.join(SUFFIXES)} are ingested")
    stem = _ALLOWED.sub("_", raw[: -len(suffix)]).strip("._-")
    stem = re.sub(r"_+", "_", stem)
    if not stem:
        raise UploadRejected(f"file name {raw!r} has no usable characters (allowed: letters, digits, Chinese, . _ -)")
    return stem[:MAX_NAME] + suffix


def _destination(sources_dir: Path, name: str) -> Path:
    root = sources_dir.resolve()
    dest = (root / name)
    if dest.resolve().parent != root or dest.is_symlink():
        raise UploadRejected(f"{name!r} would be written outside the sources folder")
    return dest


@dataclass
class UploadResult:
    saved: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    def html(self) -> str:
        lines = [f"<li>✅ saved <code>{esc(s)}</code> — press <b>Re-ingest</b> to index it</li>" for s in self.saved]
        lines += [f"<li>❌ rejected: {esc(r)}</li>" for r in self.rejected]
        return f"<ul>{''.join(lines)}</ul>" if lines else "<p>No file selected.</p>"


def save_uploads(paths: list[str], sources_dir: Path, max_bytes: int, replace: bool = False, *,
                 upload_root: Path, backup_dir: Path) -> UploadResult:
    """Copy uploaded files into the sources folder. Each path must be a file the server
    received (inside `upload_root`, Gradio's upload cache): a client naming any other path
    is refused. A replaced file is first copied to `backup_dir`."""
    result = UploadResult()
    sources_dir.mkdir(parents=True, exist_ok=True)
    for path in paths or []:
        src = Path(str(path))
        shown = src.name
        try:
            src = uploaded_file(str(path), upload_root)
            name = safe_name(src.name)
            shown = name
            size = src.stat().st_size
            if size > max_bytes:
                raise UploadRejected(f"{name}: file is too large ({size:,} bytes, limit {max_bytes:,} bytes; RAG_MAX_UPLOAD_BYTES)")
            try:
                read_text(src)
            except SourceError as exc:
                raise UploadRejected(f"{name}: {exc.reason}" + (f" — {exc.hint}" if exc.hint else "")) from None
            dest = _destination(sources_dir, name)
            clash = [p.name for p in sources_dir.iterdir()
                     if p.stem.lower() == dest.stem.lower() and p.suffix.lower() in SUFFIXES and p.name != dest.name]
            if clash:
                raise UploadRejected(f"{name}: document id {dest.stem!r} is already used by {clash[0]}; rename the file")
            if dest.exists() and not replace:
                raise UploadRejected(f"{name}: a file with this name already exists; tick \"replace existing files\" to overwrite it")
            data = src.read_bytes()
            backup = _backup(dest, backup_dir) if replace and dest.exists() else None
            fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=str(sources_dir.resolve()))
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                if replace:
                    os.replace(tmp, dest)
                else:
                    os.link(tmp, dest)          # fails if the name appeared meanwhile: no silent overwrite
                    os.unlink(tmp)
            except FileExistsError:
                os.unlink(tmp)
                raise UploadRejected(f"{name}: a file with this name already exists") from None
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
            try:
                parse_file(dest)
            except SourceError as exc:
                result.saved.append(f"{name} (warning: {exc.reason})")
                continue
            result.saved.append(name + (f" (replaced; the previous version is kept as {backup})" if backup else ""))
        except Rejected as exc:
            result.rejected.append(str(exc))
        except OSError as exc:
            result.rejected.append(f"{shown}: cannot save ({exc.strerror or exc})")
    return result


def _backup(dest: Path, backup_dir: Path) -> str:
    """Copy a file about to be replaced to <data dir>/backups/<name>.<UTC time>; returns
    the backup's name."""
    import shutil
    import time
    backup_dir.mkdir(parents=True, exist_ok=True)
    target = backup_dir / f"{dest.name}.{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
    n = 1
    while target.exists():
        target = target.with_name(f"{dest.name}.{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.{n}")
        n += 1
    shutil.copy2(dest, target)
    return target.name


def document_rows(catalog, sources_dir: Path | None = None) -> list[list]:
    """One row per indexed document: title, id, paragraphs, languages, when, and whether its
    file is in the sources folder or elsewhere (an earlier RAG_SOURCES_DIR, a path given to
    rag-ingest)."""
    import os
    root = os.path.abspath(sources_dir) if sources_dir else ""
    langs = catalog.document_languages()
    rows = []
    for d in catalog.documents():
        path = d.get("path") or ""
        inside = not root or path == root or path.startswith(root + os.sep)
        rows.append([d.get("title") or d["doc_id"], d["doc_id"], int(d.get("n_pairs") or 0),
                     " + ".join(langs.get(d["doc_id"], [])), human_time(d.get("ingested_at")),
                     Path(path).name if inside else f"elsewhere: {path}"])
    return rows


def summary(catalog) -> dict:
    """What the landing says is indexed."""
    docs = catalog.documents()
    langs = sorted({lang for ls in catalog.document_languages().values() for lang in ls}, reverse=True)
    return {"documents": len(docs), "paragraphs": sum(int(d.get("n_pairs") or 0) for d in docs),
            "languages": langs, "titles": [d.get("title") or d["doc_id"] for d in docs]}


class IngestGuard:
    """One re-ingest at a time; a second request is told so instead of queueing behind it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def run(self, index, progress: Callable[[int, int, str], None] | None = None, prune: bool = False) -> str:
        from ..ingest import ingest
        from ..lock import IngestBusy
        if not self._lock.acquire(blocking=False):
            return "<p>⏳ A re-ingest is already running; wait for it to finish.</p>"
        try:
            report = ingest(index, None, progress=progress, show_bar=False, lock_wait=0, prune=prune)
        except IngestBusy as exc:
            return f"<p>⏳ {esc(exc)}</p>"
        except RagError as exc:
            return f"<p>❌ Re-ingest failed: {esc(exc)}</p>"
        finally:
            self._lock.release()
        d = report.diff
        rows = (f"<tr><td>{len(d.added)}</td><td>{len(d.changed)}</td><td>{len(d.removed)}</td>"
                f"<td>{len(d.unchanged)}</td></tr>")
        lines = [f"<p><b>Re-ingest done</b> in {report.seconds:.1f}s — {len(report.documents)} document(s), "
                 f"embedded {report.embedded} passage(s).</p>",
                 f"<table><tr><th>added</th><th>changed</th><th>removed</th><th>unchanged</th></tr>{rows}</table><ul>"]
        for label in ("added", "changed", "removed"):
            ids = getattr(d, label)
            if ids:
                shown = ", ".join(f"<code>{esc(i)}</code>" for i in ids[:30]) + (f" … (+{len(ids) - 30})" if len(ids) > 30 else "")
                lines.append(f"<li>{label}: {shown}</li>")
        if report.removed_documents:
            lines.append(f"<li>removed documents: {esc(', '.join(report.removed_documents))}</li>")
        if report.outside_documents and not prune:
            lines.append(f"<li>indexed from outside the sources folder: {esc(', '.join(report.outside_documents))} — "
                         "“Remove documents from elsewhere” drops them</li>")
        for err in report.errors:
            lines.append(f"<li>⚠ skipped: {esc(err)}</li>")
        return "".join(lines) + "</ul>"
