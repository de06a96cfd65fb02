"""Answers: the typed `Answer` record, the offline extractive composer, and the wording of
abstentions. The LLM path's generation lives in engine.py (prompts) and llm.py (transport)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .citations import AnswerSentence, Citation, citation_dict
from .embeddings import RagEmbedding
from .retrieve import Hit
from .text import detect_language, split_sentences, tokenize

OFFLINE = "extractive"

NO_ANSWER = {
    "zh": "资料中没有找到这个问题的答案。下面列出最接近的段落，供参考。",
    "en": "The sources do not contain an answer to this question. The nearest paragraphs are listed below.",
}
LLM_TRUNCATED = {
    "zh": "（大模型的回答不完整：{reason}。只显示已完成的句子。）",
    "en": "(The LLM's answer is incomplete: {reason}. Only its finished sentences are shown.)",
}
MIXED_NO_ANSWER = {
    "zh": "（大模型既给出了回答又表示资料中没有答案，按“没有答案”处理。）",
    "en": "(The LLM both answered and said the sources have no answer; treated as no answer.)",
}
UNSUPPORTED_SENTENCES = {
    "zh": "（{n} 句未得到所引段落的支持，已标出。）",
    "en": "({n} sentence(s) are not supported by the paragraphs they cite; they are marked.)",
}
LLM_FALLBACK = {
    "zh": "（未采用大模型的回答：{reason}。以下为离线抽取式回答。）",
    "en": "(LLM answer not used: {reason}. Showing the offline extractive answer instead.)",
}

_QUANTITY = re.compile(r"多少|几|百分之|比例|幅度|how (many|much)|what (percentage|share|proportion)|by how much|how large|amount", re.I)
_HAS_NUMBER = re.compile(r"\d|[一二两三四五六七八九十百千万亿]+[个届亿万家项%]|一半|half|percent", re.I)


@dataclass
class Answer:
    question: str
    text: str
    language: str
    abstained: bool
    backend: str
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[Hit] = field(default_factory=list)
    sentences: list[AnswerSentence] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    notice: str = ""                     # e.g. the LLM fell back to extractive, and why
    dropped_markers: list[int] = field(default_factory=list)
    standalone_question: str = ""        # what retrieval actually searched for
    support: float = 0.0                 # the abstention feature (see engine.support_score)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "language": self.language,
            "abstained": self.abstained,
            "backend": self.backend,
            "citations": [citation_dict(c) for c in self.citations],
            "retrieved": [h.to_dict() for h in self.retrieved],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "notice": self.notice,
            "dropped_markers": self.dropped_markers,
            "standalone_question": self.standalone_question,
            "support": round(self.support, 4),
            "sentences": [{"text": s.text, "markers": s.markers, "paragraph_ids": s.paragraph_ids,
                           "quotes": s.quotes, "supported": s.supported, "support": s.support}
                          for s in self.sentences],
        }


@dataclass
class _Candidate:
    marker: int
    text: str
    lang: str
    position: int
    score: float = 0.0


def score_sentences(question: str, hits: list[Hit], language: str, embedding: RagEmbedding,
                    idf: dict[str, float]) -> list[_Candidate]:
    """Rank the sentences of the retrieved paragraphs for how directly they answer.

    `embedding` should be language-neutral (the USE space): a sentence in the other language
    than the question (a paragraph that exists in one language only) can't match lexically,
    so its score rests on the semantic part alone."""
    candidates: list[_Candidate] = []
    for marker, hit in enumerate(hits, 1):
        lang = language if hit.pair.text(language) else ("en" if language == "zh" else "zh")
        for pos, sentence in enumerate(split_sentences(hit.pair.text(lang) or "", lang)):
            candidates.append(_Candidate(marker, sentence, lang, pos))
    if not candidates:
        return []
    q_terms = set(tokenize(question))
    q_weight = sum(idf.get(t, 1.0) for t in q_terms) or 1.0
    vectors = embedding.embed_passages([c.text for c in candidates])
    dense = vectors @ embedding.embed_query(question)
    lo, hi = float(dense.min()), float(dense.max())
    wants_number = bool(_QUANTITY.search(question))
    question_lang = detect_language(question)
    top_score = hits[0].score or 1.0
    for c, d in zip(candidates, dense):
        semantic = (float(d) - lo) / (hi - lo) if hi > lo else 1.0
        prior = hits[c.marker - 1].score / top_score
        if c.lang == question_lang:
            lexical = sum(idf.get(t, 1.0) for t in q_terms & set(tokenize(c.text))) / q_weight
            c.score = 0.45 * lexical + 0.35 * semantic + 0.2 * prior
        else:
            c.score = 0.8 * semantic + 0.2 * prior
        if wants_number and _HAS_NUMBER.search(c.text):
            c.score += 0.15
    return sorted(candidates, key=lambda c: (-c.score, c.marker, c.position))


def compose_extractive(candidates: list[_Candidate], language: str, max_sentences: int = 3,
                       keep_ratio: float = 0.8) -> str:
    """The best sentence, plus close runners-up, each with its source marker, in source order."""
    if not candidates:
        return ""
    best = candidates[0].score
    chosen = [c for c in candidates if c.score >= keep_ratio * best][:max_sentences]
    chosen.sort(key=lambda c: (c.marker, c.position))
    parts = []
    for c in chosen:
        text = c.text.rstrip()
        end = text[-1] if text and text[-1] in "。！？.!?;；" else ""
        body = text[:-1] if end else text
        if end in (";", "；"):
            end = "。" if c.lang == "zh" else "."
        if not end:
            end = "。" if c.lang == "zh" else "."
        parts.append(f"{body}[{c.marker}]{end}")
    return ("" if language == "zh" else " ").join(parts)
