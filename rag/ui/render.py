"""HTML rendering for the Gradio UI. Pure functions over plain data (a conversation is a list
of turns: {"n", "question", "answer": Answer.to_dict(), "titles"}), no gradio import.

Safety rules:
- every source or answer text is escaped once, for the place it goes (`html.escape` for HTML,
  nothing else: no Markdown escaping, so no stray backslashes);
- every secret (a key the user typed, the server's own key) is masked in the raw text before
  anything is escaped (`mask`), so escaping can never split a key and let it through;
- the only markup added is ours: citation links, source cards, highlights, badges.

Each turn's markers link to that turn's own cards (`#src-<turn>-<n>`); the source panel
keeps every turn's cards (the latest open), so a marker in an old answer still reaches the
paragraph it cites.
"""
from __future__ import annotations

import html
import json
import re
import time

_MARKER = re.compile(r"\[(\d+)\]")
_END = "。！？.!?;；"

CSS = """
.source-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
  margin: 8px 0; background: var(--background-fill-secondary); scroll-margin-top: 60px; }
.source-card.nearest { border-style: dashed; }
.source-card.flash { outline: 3px solid #f59e0b; }
.src-title { font-weight: 600; margin-bottom: 2px; }
.src-meta { font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 4px; }
.src-marker { font-weight: 700; color: var(--color-accent); margin-right: 4px; }
.src-cols { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.src-cols > div { font-size: 0.92em; line-height: 1.5; }
.src-lang { font-size: 0.75em; font-weight: 700; opacity: 0.6; display: block; }
.src-note { font-size: 0.8em; opacity: 0.75; font-style: italic; display: block; margin-top: 2px; }
.src-back { font-size: 0.8em; float: right; cursor: pointer; }
details.turn { margin: 6px 0; border-left: 3px solid var(--border-color-primary); padding-left: 8px; }
details.turn > summary { cursor: pointer; font-size: 0.9em; color: var(--body-text-color-subdued); }
.answer-head { font-size: 0.9em; }
.badge { display: inline-block; font-weight: 700; padding: 0 6px; border-radius: 4px; margin-right: 6px; }
.badge.abstain { color: #b91c1c; border: 1px solid #b91c1c; }
.badge.correct { color: #1d4ed8; border: 1px solid #1d4ed8; }
.badge.stopped { color: #92400e; border: 1px solid #92400e; }
.flag { color: #b45309; cursor: help; font-weight: 700; }
.notice { color: #b45309; font-size: 0.9em; }
a.cite { text-decoration: underline; text-decoration-style: dotted; font-weight: 600; color: var(--color-accent);
  position: relative; cursor: pointer; }
a.cite .cite-preview { display: none; }
a.cite:hover .cite-preview, a.cite:focus .cite-preview { display: block; position: absolute; left: 0; top: 1.6em;
  z-index: 50; width: min(420px, 80vw); font-weight: 400; font-size: 0.85em; line-height: 1.45;
  background: var(--background-fill-primary); color: var(--body-text-color); border: 1px solid var(--border-color-primary);
  border-radius: 6px; padding: 6px 8px; box-shadow: 0 2px 8px rgba(0,0,0,.25); }
.cite-preview > span { display: block; }
mark { background: #fde68a; color: #1f2937; padding: 0 1px; border-radius: 2px; }
.dark mark { background: #854d0e; color: #fef9c3; }
.dark .badge.abstain { color: #fca5a5; border-color: #fca5a5; }
.dark .badge.correct { color: #93c5fd; border-color: #93c5fd; }
.dark .badge.stopped { color: #fcd34d; border-color: #fcd34d; }
.dark .flag, .dark .notice { color: #fcd34d; }
#landing { font-size: 0.92em; }
#status { font-size: 0.9em; }
@media (max-width: 800px) { .src-cols { grid-template-columns: 1fr; } }
@media (max-width: 480px) {
  #question, #question textarea { width: 100% !important; min-width: 0 !important; }
  #ask-row { flex-wrap: wrap; }
  #ask-row > * { min-width: 100% !important; }
}
"""

# Citation links: open the turn's cards, scroll to the card and flash it; a card's "back" link
# scrolls to that turn's answer in the chat.
HEAD = """
<script>
document.addEventListener('click', function (e) {
  var a = e.target.closest ? e.target.closest('a.cite, a.src-back') : null;
  if (!a) return;
  e.preventDefault(); e.stopPropagation();
  if (a.classList.contains('src-back')) {
    var n = parseInt(a.getAttribute('data-turn'), 10);
    var bots = document.querySelectorAll('#chatbot [data-testid="bot"], #chatbot .message.bot');
    var target = bots[n - 1] || bots[bots.length - 1];
    if (target) target.scrollIntoView({behavior: 'smooth', block: 'center'});
    return;
  }
  var id = (a.getAttribute('href') || '').replace(/^#/, '');
  var el = document.getElementById(id);
  if (!el) return;
  var d = el.closest('details');
  if (d) d.open = true;
  el.scrollIntoView({behavior: 'smooth', block: 'center'});
  el.classList.add('flash'); setTimeout(function () { el.classList.remove('flash'); }, 1500);
}, true);
</script>
"""

BADGES = {"abstain": ("abstain", "⚠ No answer found · 未找到答案"),
          "correct": ("correct", "✎ The sources say otherwise · 与资料不符"),
          "stopped": ("stopped", "■ Stopped — partial, citations not checked · 已停止，引用未核对"),
          # a "correct" verdict that the sources give the asked thing only for another entity
          "not_for": ("abstain not-for", "⚠ Given only for another · 资料只涉及其他对象")}


def _badge(a: dict) -> tuple[str, str] | None:
    not_for = a.get("outcome") == "correct" and (a.get("verdict") or {}).get("not_for")
    return BADGES["not_for"] if not_for else BADGES.get(a.get("outcome"))


def esc(text) -> str:
    return html.escape("" if text is None else str(text))


def mask(value, secrets: list[str]):
    """Replace every secret (4+ characters) anywhere in a (nested) value — before escaping."""
    secrets = [s for s in secrets if s and len(s) >= 4]
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, "***")
        return value
    if isinstance(value, list):
        return [mask(v, secrets) for v in value]
    if isinstance(value, tuple):
        return tuple(mask(v, secrets) for v in value)
    if isinstance(value, dict):
        return {k: mask(v, secrets) for k, v in value.items()}
    return value


def mask_stream(text: str, secrets: list[str]) -> str:
    """`mask` for text still streaming: a tail that could be the start of a secret is held back
    until the rest arrives (an endpoint echoing a key over two chunks showed its first half)."""
    text = mask(text, secrets)
    for secret in (s for s in secrets if s and len(s) >= 4):
        for k in range(min(len(secret) - 1, len(text)), 0, -1):
            if text.endswith(secret[:k]):
                text = text[:-k]
                break
    return text


def _preview(c: dict) -> str:
    """The cited sentence in both languages, shown on hover/focus. Markup inside the link, not
    an attribute: the chat's sanitizer drops data-* attributes (and with them an attr() preview)."""
    zh = c.get("quote_zh") or (c.get("quote") if c.get("quote") and not c.get("quote_en") else "") or "—"
    en = c.get("quote_en") or "—"
    return (f'<span class="cite-preview"><span lang="zh">中文: {esc(zh[:300])}</span>'
            f'<span lang="en">English: {esc(en[:300])}</span></span>')


def answer_html(turn: dict) -> str:
    """One answer for the chat: outcome badge, notice, sentences with links to this turn's
    cards (a preview of the cited sentence in both languages on hover/focus), and a mark on
    every sentence its cited paragraphs do not support."""
    a = turn["answer"]
    n = turn["n"]
    citations = {c["marker"]: c for c in a.get("citations", [])}
    head = []
    if badge := _badge(a):
        cls, label = badge
        head.append(f'<span class="badge {cls}">{label}</span>')
    if a.get("notice"):
        head.append(f'<em class="notice">{esc(a["notice"])}</em>')
    sentences = a.get("sentences") or []
    if a.get("abstained") or not sentences:
        body = esc(a.get("answer", ""))
    else:
        parts = []
        for s in sentences:
            text = s["text"].rstrip()
            end = text[-1] if text and text[-1] in _END else ""
            core = text[:-1] if end else text
            links = "".join(
                f'<a class="cite" href="#src-{n}-{m}">[{m}]{_preview(citations[m])}</a>'
                if m in citations else "" for m in s.get("markers", []))
            flag = ('<span class="flag" title="not supported by the paragraph it cites · 所引段落不支持此句">⚠</span>'
                    if s.get("supported") is False else "")
            parts.append(f"{esc(core)}{links}{esc(end)}{flag}")
        body = ("" if a.get("language") == "zh" else " ").join(parts)
    return (f'<div class="answer-head">{" ".join(head)}</div>' if head else "") + body


def _highlight(text: str, quote: str) -> str:
    if not text:
        return '<span class="src-missing">—</span>'
    if quote and quote in text:
        i = text.index(quote)
        return esc(text[:i]) + "<mark>" + esc(quote) + "</mark>" + esc(text[i + len(quote):])
    return esc(text)


def card(anchor: str, label: str, turn: int, c: dict, titles: dict, nearest: bool = False) -> str:
    """A source card: title, paragraph id, section, both language sides with the quoted
    sentence highlighted on each (or a note when a side has no aligned sentence)."""
    title = titles.get(c.get("doc", ""), "") or c.get("doc", "")
    quote = c.get("quote", "")
    qz, qe = c.get("quote_zh", ""), c.get("quote_en", "")
    meta = [f'<code class="pid">{esc(c.get("paragraph_id"))}</code>']
    if c.get("section"):
        meta.append(f'<span class="section">§ {esc(c["section"])}</span>')
    if nearest and c.get("score") is not None:
        meta.append(f'<span class="score">score {float(c["score"]):.3f}</span>')
    zh, en = c.get("text_zh", ""), c.get("text_en", "")
    note_zh = note_en = ""
    if quote and zh and en:
        if qz and not qe:
            note_en = '<span class="src-note">no aligned sentence on this side · 此侧无对应句</span>'
        elif qe and not qz:
            note_zh = '<span class="src-note">此侧无对应句 · no aligned sentence on this side</span>'
    return (f'<div class="source-card{" nearest" if nearest else ""}" id="{anchor}" data-paragraph-id="{esc(c.get("paragraph_id"))}">'
            f'<a class="src-back" data-turn="{turn}" href="#">↩ answer · 回到回答</a>'
            f'<div class="src-title"><span class="src-marker">{esc(label)}</span>{esc(title)}</div>'
            f'<div class="src-meta">{" · ".join(meta)}</div>'
            f'<div class="src-cols"><div class="src-zh" lang="zh"><span class="src-lang">中文</span>'
            f'{_highlight(zh, qz or (quote if quote in zh else ""))}{note_zh}</div>'
            f'<div class="src-en" lang="en"><span class="src-lang">English</span>'
            f'{_highlight(en, qe or (quote if quote in en else ""))}{note_en}</div></div></div>')


def turn_cards(turn: dict) -> str:
    a = turn["answer"]
    n, titles = turn["n"], turn.get("titles", {})
    if a.get("citations"):
        return "".join(card(f"src-{n}-{c['marker']}", f"[{c['marker']}]", n, c, titles) for c in a["citations"])
    nearest = a.get("retrieved") or []
    if nearest:
        head = ("Nearest paragraphs (not an answer) · 最接近的段落（非答案）" if a.get("abstained")
                else "Retrieved paragraphs · 检索到的段落")
        return f"<h4>{head}</h4>" + "".join(
            card(f"near-{n}-{i}", f"#{i}", n, {**h, "quote": ""}, titles, nearest=True) for i, h in enumerate(nearest, 1))
    return '<p class="src-note">No paragraph to show.</p>'


def sources_html(turns: list[dict], notice: str = "") -> str:
    """Every turn's cards, newest first, the newest open."""
    if not turns:
        msg = esc(notice) if notice else "Ask a question to see the cited paragraphs here. 提问后这里显示引用的段落。"
        return f'<div class="sources empty"><p>{msg}</p></div>'
    parts = ['<div class="sources">']
    if notice:
        parts.append(f'<p class="notice">{esc(notice)}</p>')
    for i, turn in enumerate(reversed(turns)):
        q = turn["question"]
        parts.append(f'<details class="turn" id="turn-{turn["n"]}"{" open" if i == 0 else ""}>'
                     f'<summary>Q{turn["n"]} · {esc(q[:80])}{"…" if len(q) > 80 else ""}</summary>'
                     f'{turn_cards(turn)}</details>')
    parts.append("</div>")
    return "".join(parts)


def chat_messages(turns: list[dict]) -> list[dict]:
    out = []
    for turn in turns:
        out.append({"role": "user", "content": esc(turn["question"])})
        out.append({"role": "assistant", "content": answer_html(turn)})
    return out


def status_html(answer: dict | None, error: str = "") -> str:
    if error:
        return f'<span class="notice">⚠ {esc(error)}</span>'
    if not answer:
        return ""
    text = f'Backend: <code>{esc(answer.get("backend"))}</code>'
    outcome = answer.get("outcome")
    if outcome == "abstain":
        text += " · <b>abstained</b> (the sources do not answer this; nearest paragraphs shown)"
    elif outcome == "correct" and (answer.get("verdict") or {}).get("not_for"):
        text += " · <b>declined</b> (the sources give this only for another; the nearest passage is cited)"
    elif outcome == "correct":
        text += " · <b>corrected</b> (the question assumes something the sources contradict)"
    if answer.get("standalone_question") and answer.get("standalone_question") != answer.get("question"):
        text += f' · read as: “{esc(answer["standalone_question"])}”'
    if answer.get("notice"):
        text += f'<br><span class="notice">⚠ {esc(answer["notice"])}</span>'
    unsupported = sum(1 for s in answer.get("sentences") or [] if s.get("supported") is False)
    if unsupported:
        text += f" · {unsupported} sentence(s) not supported by their citation (marked ⚠)"
    return text


def error_html(message: str) -> str:
    return f'<div class="sources error"><p class="notice">{esc(message)}</p></div>'


def landing_html(summary: dict) -> str:
    """What is indexed: documents (titles), paragraphs, languages."""
    if not summary["documents"]:
        return "<p>Nothing is indexed yet — upload sources in the Sources tab and re-ingest. 尚未索引任何资料。</p>"
    langs = " + ".join({"zh": "中文", "en": "English"}[lang] for lang in summary["languages"])
    titles = "; ".join(esc(t) for t in summary["titles"][:5]) + (" …" if len(summary["titles"]) > 5 else "")
    return (f'<p><b>Indexed · 已索引:</b> {summary["documents"]} document(s) · {summary["paragraphs"]} paragraphs · '
            f'{langs} — {titles}</p>')


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


def export_markdown(turns: list[dict]) -> str:
    """The conversation with its citations and the cited paragraphs' texts."""
    lines = ["# Conversation · 对话", ""]
    for turn in turns:
        a = turn["answer"]
        lines += [f"## Q{turn['n']}: {turn['question']}", ""]
        if a.get("standalone_question") and a["standalone_question"] != turn["question"]:
            lines += [f"*Read as:* {a['standalone_question']}", ""]
        lines += [a.get("answer", ""), "", f"*Outcome:* {a.get('outcome')} · *backend:* {a.get('backend')}", ""]
        for c in a.get("citations", []):
            lines += [f"- **[{c['marker']}] {c['paragraph_id']}** ({c.get('section') or 'no section'})",
                      f"  - 中文: {c.get('text_zh', '')}", f"  - English: {c.get('text_en', '')}"]
            if c.get("quote"):
                lines.append(f"  - quote: {c['quote']}")
        lines.append("")
    return "\n".join(lines)


def export_json(turns: list[dict]) -> str:
    return json.dumps({"turns": turns}, ensure_ascii=False, indent=2)
