"""Support judges: does a paragraph (its zh or en side) state a sentence?

`OfflineJudge` (default; no network, no model unless an embedding is given) combines:
- containment: share of the claim's features (CJK char bigrams, English words/word bigrams;
  rag.text.overlap) found in the paragraph — against each language side and against the single
  best-matching paragraph sentence;
- numeric agreement: every number the claim states must appear in the paragraph;
- negation mismatch: the claim negates (不/未/没有/无/非/not/no/never/n't …) where the
  best-matching paragraph sentence doesn't, or the reverse;
- novel content: claim content that appears nowhere in the paragraph (a swapped name);
- optionally e5 cosine of the claim vs the best paragraph sentence.

Thresholds were tuned on eval/claims.jsonl (accuracy in eval/out/metrics.json and the
README of the issue); they are module constants so a re-tune is one edit.

`LLMJudge` asks an OpenAI-compatible endpoint with prompts/judge.md and parses a strict
SUPPORTED / NOT_SUPPORTED first word; any failure raises rag.errors.LLMError.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .errors import LLMError
from .text import CJK_RUN, EN_STARTERS, EN_STOP, containment, split_sentences, stem, unmatched, zh_names

# ---- tuned on eval/claims.jsonl (see rag.eval.runner.judge_accuracy) ----
SUPPORT_THRESHOLD = 0.3      # blended score needed (flat 0.85-0.88 accuracy over 0.14..0.42; 0.3 leans strict)
SENTENCE_WEIGHT = 0.5        # weight of best-sentence containment vs whole-side containment
EMBED_WEIGHT = 0.2           # weight of e5 cosine (rescaled) when an embedding is given
EMBED_FLOOR = 0.80           # e5 cosines below this count as 0 (e5 cosines sit in 0.7..1)
MAX_NOVEL_EN = 0             # capitalised (name-like) English words of the claim absent from the paragraph
MAX_NOVEL_ZH = 0             # Chinese names (jieba ns/nr/nt) absent from the paragraph
IGNORED_NUMBERS = frozenset({1.0})   # "one of", 一个: paraphrase noise, not a stated quantity

_NEG_ZH_WORDS = ("不", "未", "没有", "没", "无", "非")
_NEG_EN_WORDS = re.compile(r"\b(not(?! only)|no|never|none|nor|neither|without|cannot)\b|n't", re.I)
_ZH_NEG_FALSE = re.compile(r"离不开|无界|非遗|无数|不断|不仅|无论|不少|未来|非常|无限|无不|不同|毫无疑问|并不断")


def negated(text: str) -> bool:
    """Does the sentence carry a negation (zh or en)? Lexicalised words like 未来, 不断,
    无界, 不仅 are not negations."""
    cleaned = _ZH_NEG_FALSE.sub("", text)
    if any(w in cleaned for w in _NEG_ZH_WORDS):
        return True
    return bool(_NEG_EN_WORDS.search(text))


def _sentences(paragraph_zh: str, paragraph_en: str) -> list[str]:
    out = []
    for lang, text in (("zh", paragraph_zh), ("en", paragraph_en)):
        if text:
            out.extend(split_sentences(text, lang))
    return out


def novel_en(claim: str, paragraph: str) -> set[str]:
    """Capitalised (name-like) English words of the claim that the paragraph never uses
    (prefix-stem matched, so 'Chinese'/'China' differ but 'hosted'/'host' agree)."""
    names = {w.lower() for w in re.findall(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+)", claim)}
    first = re.match(r"\W*([A-Z][a-z]+)", claim)
    if first and first.group(1).lower() not in EN_STARTERS:
        names.add(first.group(1).lower())
    names |= {w.lower() for w in re.findall(r"\b([A-Z]{2,})\b", claim)}
    para_words = {stem(w) for w in re.findall(r"[a-z]+", paragraph.lower())}
    return {w for w in names if stem(w) not in para_words and w not in EN_STOP}


def novel_zh(claim: str, paragraph: str) -> set[str]:
    """Names in the claim (jieba POS) that the Chinese paragraph never uses (重庆市 matches
    重庆: the administrative suffix is dropped)."""
    out = set()
    for name in zh_names(claim):
        if name in paragraph:
            continue
        bare = re.sub(r"[省市区县]$", "", name)
        if len(bare) >= 2 and bare in paragraph:
            continue
        out.add(name)
    return out


_ANTONYMS = [("提高", "降低"), ("增加", "减少"), ("扩大", "缩小"), ("加强", "削弱"), ("increase", "decrease"),
             ("raise", "lower"), ("expand", "reduce"), ("more", "less"), ("strengthen", "weaken")]


def negation_mismatch(claim: str, sentence: str) -> bool:
    """The claim negates where the sentence doesn't; or the sentence negates a stretch the
    claim repeats without the negation (the words right after the cue appear in the claim);
    or the claim uses the antonym of a verb the sentence uses (提高/降低, increase/decrease)."""
    c_neg, s_neg = negated(claim), negated(sentence)
    if c_neg and not s_neg:
        return True
    if s_neg and not c_neg:
        cleaned = _ZH_NEG_FALSE.sub("  ", sentence)
        for m in re.finditer("|".join(_NEG_ZH_WORDS), cleaned):
            after = cleaned[m.end():m.end() + 2]
            if len(after) == 2 and after.strip() and after in claim:
                return True
        for m in _NEG_EN_WORDS.finditer(sentence):
            after = re.match(r"\s+(\w+)", sentence[m.end():])
            if after and len(after.group(1)) > 3 and re.search(rf"\b{re.escape(after.group(1))}\b", claim, re.I):
                return True
    cl, sl = claim.lower(), sentence.lower()
    for a, b in _ANTONYMS:
        for x, y in ((a, b), (b, a)):
            if x in cl and y not in cl and y in sl and x not in sl:
                return True
    return False


@dataclass
class Evidence:
    """Why the offline judge decided what it decided (shown in reports and tests)."""
    side: float = 0.0            # best containment against a whole language side
    sentence: float = 0.0        # containment against the best-matching sentence
    best_sentence: str = ""
    cosine: float | None = None
    missing_numbers: tuple[float, ...] = ()
    negation_mismatch: bool = False
    novel: int = 0
    rules_ok: bool = True        # numbers, negation and names all agree
    score: float = 0.0
    supported: bool = False


class OfflineJudge:
    name = "offline"

    def __init__(self, embedding=None, threshold: float = SUPPORT_THRESHOLD) -> None:
        self.embedding = embedding
        self.threshold = threshold

    def evidence(self, claim: str, paragraph_zh: str, paragraph_en: str) -> Evidence:
        ev = Evidence()
        claim = (claim or "").strip()
        sides = [t for t in (paragraph_zh, paragraph_en) if t]
        if not claim or not sides:
            return ev
        ev.side = max(containment(claim, t) for t in sides)
        sentences = _sentences(paragraph_zh, paragraph_en)
        scored = [(containment(claim, s), s) for s in sentences] or [(0.0, "")]
        ev.sentence, ev.best_sentence = max(scored, key=lambda x: x[0])
        whole = f"{paragraph_zh or ''}\n{paragraph_en or ''}"
        ev.missing_numbers = tuple(sorted(set(unmatched(claim, whole, IGNORED_NUMBERS))))
        ev.negation_mismatch = negation_mismatch(claim, ev.best_sentence)
        ev.novel = len(novel_zh(claim, paragraph_zh or "") if CJK_RUN.search(claim) else novel_en(claim, paragraph_en or ""))
        score = (1 - SENTENCE_WEIGHT) * ev.side + SENTENCE_WEIGHT * ev.sentence
        if self.embedding is not None and sentences:
            vecs = self.embedding.embed_passages([claim] + sentences)
            cos = vecs[1:] @ vecs[0]
            ev.cosine = float(np.max(cos))
            scaled = max(0.0, (ev.cosine - EMBED_FLOOR) / (1 - EMBED_FLOOR))
            score = (1 - EMBED_WEIGHT) * score + EMBED_WEIGHT * scaled
        ev.score = round(float(score), 4)
        limit = MAX_NOVEL_ZH if CJK_RUN.search(claim) else MAX_NOVEL_EN
        ev.rules_ok = not ev.missing_numbers and not ev.negation_mismatch and ev.novel <= limit
        ev.supported = ev.score >= self.threshold and ev.rules_ok
        return ev

    def supports(self, claim: str, paragraph_zh: str, paragraph_en: str) -> tuple[bool, float]:
        ev = self.evidence(claim, paragraph_zh, paragraph_en)
        return ev.supported, ev.score


def supports(claim: str, paragraph_zh: str, paragraph_en: str, embedding=None) -> tuple[bool, float]:
    """(supported?, score in 0..1) — the offline judge with the tuned thresholds."""
    return OfflineJudge(embedding).supports(claim, paragraph_zh, paragraph_en)


# ---------------------------------------------------------------- LLM judge ---------------
_VERDICT = re.compile(r"^\W*(NOT_SUPPORTED|NOT SUPPORTED|SUPPORTED)\b", re.I)


def parse_verdict(text: str) -> bool:
    """Strict: the first word must be SUPPORTED or NOT_SUPPORTED (markdown/quotes around it
    are tolerated). Anything else raises LLMError."""
    m = _VERDICT.match(text or "")
    if not m:
        raise LLMError(f"the judge LLM answered {text[:60]!r} instead of SUPPORTED/NOT_SUPPORTED",
                       "use a model that follows instructions, or the offline judge")
    return m.group(1).upper() == "SUPPORTED"


class LLMJudge:
    name = "llm"

    def __init__(self, cfg=None, client=None) -> None:
        from .llm import LLM
        if client is None and cfg is None:
            raise LLMError("the LLM judge needs an endpoint", "set OPENAI_BASE_URL/OPENAI_API_KEY or use the offline judge")
        self.client = client or LLM(cfg)

    def supports(self, claim: str, paragraph_zh: str, paragraph_en: str) -> tuple[bool, float]:
        from .prompts import render
        prompt = render("judge", claim=claim, paragraph_zh=paragraph_zh or "(none)", paragraph_en=paragraph_en or "(none)")
        verdict = parse_verdict(self.client.complete("You check whether a paragraph supports a statement.", prompt))
        return verdict, 1.0 if verdict else 0.0
