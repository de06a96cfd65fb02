"""One-language copies of a bilingual corpus, for cross-lingual evaluation (an English
question against Chinese-only documents and the reverse). Paragraph ids stay the same: each
copy keeps the title, the section headings and every paragraph, in order, on one side."""
from __future__ import annotations

from pathlib import Path

from ..sources import discover, parse_file


def monolingual(src: Path, out: Path, lang: str) -> list[Path]:
    """Write `lang`-only copies of every source under `src` into `out` (as .txt); returns them.
    A paragraph with no `lang` side keeps its other side, so ids and counts don't move."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in discover(src):
        doc = parse_file(path)
        lines = [doc.meta.title] if doc.meta.title else []
        heading = None
        for pair in doc.pairs:
            section = pair.section_zh if lang == "zh" else pair.section_en
            section = section or pair.section_zh or pair.section_en
            if section and section != heading:
                lines.append(section)
                heading = section
            lines.append((pair.zh if lang == "zh" else pair.en) or pair.zh or pair.en or "")
        target = out / f"{path.stem}.txt"
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        copy = parse_file(target)
        if [p.id for p in copy.pairs] != [p.id for p in doc.pairs]:
            raise ValueError(f"{target}: the {lang}-only copy does not keep {path.name}'s paragraph ids")
        written.append(target)
    return written
