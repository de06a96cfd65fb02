"""HTML/Markdown rendering for the Gradio UI (rag/ui.py). Pure functions, no gradio import.

Safety rule: every piece of source or answer text goes through `md_text` (chat bubbles,
Markdown) or `html.escape` (the source panel) before it reaches the page. The only markup
added is ours: citation links (`<a class="cite" href="#src-n">`), source cards and `<mark>`.
"""
from __future__ import annotations

import html
import re
import time

from .answer import Answer

_MARKER = re.compile(r"\[(\d+)\]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$^=:])")
_TAG = re.compile(r"<[^>]*>")
_MD_UNESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~$^=:])")

CSS = """
.source-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
  margin: 8px 0; background: var(--background-fill-secondary); scroll-margin-top: 60px; }
.source-card.nearest { border-style: dashed; }
.source-card.flash { outline: 3px solid #f59e0b; }
.src-meta { font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 4px; }
.src-marker { font-weight: 700; color: var(--color-accent); margin-right: 4px; }
.src-cols { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.src-cols > div { font-size: 0.92em; line-height: 1.5; }
.src-lang { font-size: 0.75em; font-weight: 700; opacity: 0.6; display: block; }
.src-head { font-size: 0.9em; margin-bottom: 6px; }
.src-head .backend { font-family: monospace; padding: 1px 5px; border-radius: 4px;
  background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary); }
.src-notice { color: #b45309; font-size: 0.9em; margin: 4px 0; }
.abstained-badge { color: #b91c1c; font-weight: 700; }
a.cite { text-decoration: none; font-weight: 600; }
mark { background: #fde68a; color: inherit; padding: 0 1px; }
@media (max-width: 800px) { .src-cols { grid-template-columns: 1fr; } }
"""

# Citation links jump to the source card even if the Markdown renderer opens links in a new
# tab by default: intercept clicks on a.cite and scroll instead.
HEAD = """
<script>
document.addEventListener('click', function (e) {
  var a = e.target.closest ? e.target.closest('a.cite') : null;
  if (!a) return;
  var id = (a.getAttribute('href') || '').replace(/^#/, '');
  var el = document.getElementById(id);
  if (!el) return;
  e.preventDefault(); e.stopPropagation();
  el.scrollIntoView({behavior: 'smooth', block: 'center'});
  el.classList.add('flash'); setTimeout(function () { el.classList.remove('flash'); }, 1500);
}, true);
</script>
"""


def md_text(text: str) -> str:
    """Plain text → Markdown that renders as exactly that text (no HTML, no formatting)."""
    return html.escape(_MD_SPECIAL.sub(r"\\\1", text or ""), quote=False)


def answer_markdown(text: str, markers: set[int], abstained: bool = False, lang: str = "en") -> str:
    """Answer text with valid [n] markers as links to #src-n, everything else escaped."""
    parts: list[str] = []
    pos = 0
    for m in _MARKER.finditer(text or ""):
        parts.append(md_text(text[pos:m.start()]))
        n = int(m.group(1))
        parts.append(f'<a class="cite" href="#src-{n}">[{n}]</a>' if n in markers else md_text(m.group(0)))
        pos = m.end()
    parts.append(md_text((text or "")[pos:]))
    body = "".join(parts)
    if abstained:
        badge = "未找到答案" if lang == "zh" else "No answer found"
        body = f'<span class="abstained-badge">⚠ {badge}</span><br>{body}'
    return body


def plain_text(content) -> str:
    """A chat message's content (ours or a client's) → plain text for the engine's history."""
    if isinstance(content, list):
        content = " ".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    elif isinstance(content, dict):
        content = content.get("text", "") or ""
    elif not isinstance(content, str):
        return ""
    text = _TAG.sub("", content)
    return html.unescape(_MD_UNESCAPE.sub(r"\1", text)).strip()


def plain_history(history) -> list[dict]:
    out = []
    for m in history or []:
        if isinstance(m, dict) and m.get("role") in ("user", "assistant"):
            text = plain_text(m.get("content"))
            if text:
                out.append({"role": m["role"], "content": text})
    return out


def _highlight(text: str, quote: str) -> str:
    if not text:
        return '<span class="src-missing">—</span>'
    if quote and quote in text:
        i = text.index(quote)
        return (html.escape(text[:i]) + "<mark>" + html.escape(quote) + "</mark>"
                + html.escape(text[i + len(quote):]))
    return html.escape(text)


def _card(anchor: str, marker: int, pid: str, doc: str, section: str, zh: str, en: str,
          quote: str = "", extra_class: str = "", score: float | None = None,
          quote_zh: str = "", quote_en: str = "") -> str:
    meta = [f'<code class="pid">{html.escape(pid)}</code>', f'<span class="doc">{html.escape(doc)}</span>']
    if section:
        meta.append(f'<span class="section">§ {html.escape(section)}</span>')
    if score is not None:
        meta.append(f'<span class="score">score {score:.3f}</span>')
    cls = "source-card" + (f" {extra_class}" if extra_class else "")
    return (f'<div class="{cls}" id="{anchor}" data-paragraph-id="{html.escape(pid)}">'
            f'<div class="src-meta"><span class="src-marker">[{marker}]</span>{" · ".join(meta)}</div>'
            f'<div class="src-cols"><div class="src-zh" lang="zh"><span class="src-lang">中文</span>{_highlight(zh, quote_zh or quote)}</div>'
            f'<div class="src-en" lang="en"><span class="src-lang">English</span>{_highlight(en, quote_en or quote)}</div></div></div>')


def sources_html(answer: Answer | None, notice: str = "") -> str:
    """The source panel for one answer: cited paragraphs, or the nearest ones on abstention."""
    if answer is None:
        msg = html.escape(notice) if notice else "Ask a question to see the cited paragraphs here. 提问后这里显示引用的段落。"
        return f'<div class="sources empty"><p>{msg}</p></div>'
    head = (f'<div class="src-head">Answered by <span class="backend">{html.escape(answer.backend)}</span>'
            f' · language {html.escape(answer.language)}')
    if answer.abstained:
        head += ' · <span class="abstained-badge">abstained</span>'
    head += "</div>"
    parts = ['<div class="sources">', head]
    if answer.notice:
        parts.append(f'<div class="src-notice">{html.escape(answer.notice)}</div>')
    if answer.citations:
        parts.append("<h4>Cited paragraphs · 引用段落</h4>")
        for c in answer.citations:
            parts.append(_card(f"src-{c.marker}", c.marker, c.paragraph_id, c.doc, c.section,
                               c.text_zh, c.text_en, c.quote, quote_zh=c.quote_zh, quote_en=c.quote_en))
    elif answer.retrieved:
        title = ("Nearest paragraphs (not an answer) · 最接近的段落（非答案）" if answer.abstained
                 else "Retrieved paragraphs · 检索到的段落")
        parts.append(f"<h4>{title}</h4>")
        for n, h in enumerate(answer.retrieved, 1):
            parts.append(_card(f"near-{n}", n, h.pair.id, h.pair.doc, h.pair.section, h.pair.zh or "",
                               h.pair.en or "", "", "nearest", h.score))
    parts.append("</div>")
    return "".join(parts)


def error_html(message: str) -> str:
    return f'<div class="sources error"><p class="src-notice">{html.escape(message)}</p></div>'


def human_time(ts: float | None, now: float | None = None) -> str:
    if not ts:
        return "never"
    now = time.time() if now is None else now
    age = max(0.0, now - ts)
    if age < 60:
        ago = "just now"
    elif age < 3600:
        ago = f"{int(age // 60)} min ago"
    elif age < 86400:
        ago = f"{int(age // 3600)} h ago"
    else:
        ago = f"{int(age // 86400)} d ago"
    return f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(ts))} ({ago})"


def scrub(value, secret: str):
    """Replace a secret anywhere in a (nested) output value."""
    if not secret or len(secret) < 4:
        return value
    if isinstance(value, str):
        return value.replace(secret, "***")
    if isinstance(value, list):
        return [scrub(v, secret) for v in value]
    if isinstance(value, tuple):
        return tuple(scrub(v, secret) for v in value)
    if isinstance(value, dict):
        return {k: scrub(v, secret) for k, v in value.items()}
    return value
