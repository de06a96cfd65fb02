"""Which language a text is in, what a reader sees of it, which scripts the product answers
in, and the content hash every cache uses."""
from __future__ import annotations

import hashlib
import re
import unicodedata

# Han ideographs: CJK Unified (+ Extension A) and Compatibility Ideographs
CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK = re.compile(f"[{CJK_CLASS}]")
CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
LATIN_WORD = re.compile(r"[A-Za-z]+")

SCRIPTS = (("Korean", "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"), ("Japanese kana", "\u3040-\u30ff"),
           ("Arabic", "\u0600-\u06ff\u0750-\u077f"), ("Cyrillic", "\u0400-\u04ff"), ("Greek", "\u0370-\u03ff"),
           ("Hebrew", "\u0590-\u05ff"), ("Thai", "\u0e00-\u0e7f"), ("Devanagari", "\u0900-\u097f"))


def sha256(data: str | bytes) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


# a quoted name or title is no evidence of the language around it ("Which university was among
# the initiators of the “AIGC创新伙伴计划”?" is an English question)
# (a name in ASCII single quotes only when it holds Chinese: "Sichuan's … don't" quotes nothing)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|《[^》]*》|「[^」]*」|『[^』]*』|‘[^’]*’|'[^'\n]{0,30}?[\u4e00-\u9fff][^'\n]{0,30}?'")


def detect_language(text: str) -> str:
    """'zh' when CJK characters carry the text outside its quoted names, else 'en'."""
    bare = _QUOTED.sub(" ", text)
    if not (CJK.search(bare) or LATIN_WORD.search(bare)):      # all of it quoted
        bare = text
    cjk = len(CJK.findall(bare))
    words = len(LATIN_WORD.findall(bare))
    return "zh" if cjk and cjk >= 0.5 * words else "en"


def is_chinese(question: str) -> bool:
    """Whether a question is asked in Chinese (its rules, measure words and answer language)."""
    return detect_language(question) == "zh"


def visible(text: str) -> str:
    """The text without invisible format characters (zero-width spaces and joiners, BOMs,
    direction marks) and with white space collapsed: what a reader actually sees."""
    kept = "".join(ch for ch in text or "" if unicodedata.category(ch) != "Cf")
    return " ".join(kept.split())


def unsupported_script(text: str) -> str:
    """The name of the script a text is mostly written in, when it is neither Chinese nor
    English (Latin letters), else "". Digits and punctuation don't count."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return ""
    ours = sum(1 for ch in letters if CJK.match(ch) or ("a" <= ch.lower() <= "z"))
    if ours >= 0.5 * len(letters):
        return ""
    counts = {name: len(re.findall(f"[{ranges}]", text)) for name, ranges in SCRIPTS}
    name, n = max(counts.items(), key=lambda kv: kv[1])
    return name if n else "an unsupported script"
