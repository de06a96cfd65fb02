"""Answers: the typed `Answer` record, the offline extractive composer, and the wording of
abstentions. The LLM path's generation lives in answerers.py (prompts) and llm.py (transport)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .citations import AnswerSentence, Citation, citation_dict
from .contract import validate
from .extract import Reading
from .retrieve import Hit
from .verify import Verdict

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
UNANSWERED_PARTS = {
    "zh": "（资料没有回答问题的这一部分：{parts}。）",
    "en": "(The sources do not answer this part of the question: {parts}.)",
}
TOO_MANY_PARTS = {
    "zh": "（这个问题包含 {n} 个小问题，只查找了前 {max} 个；其余的请分开提问。）",
    "en": "(This question asks {n} things; only the first {max} were looked up. Ask the rest separately.)",
}
LLM_FALLBACK = {
    "zh": "（未采用大模型的回答：{reason}。以下为离线抽取式回答。）",
    "en": "(LLM answer not used: {reason}. Showing the offline extractive answer instead.)",
}



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
    support: float = 0.0                 # the verifier's P(the sources answer it)
    outcome: str = "answer"              # answer | correct | abstain (rag/verify.py)
    verdict: Verdict | None = None

    def to_dict(self) -> dict:
        """The one serialiser of an answer, checked against the contract (rag/contract.py)."""
        return validate({
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
            "outcome": self.outcome,
            "verdict": self.verdict.to_dict() if self.verdict else None,
            "sentences": [{"text": s.text, "markers": s.markers, "paragraph_ids": s.paragraph_ids,
                           "quotes": s.quotes, "supported": s.supported, "support": s.support}
                          for s in self.sentences],
        })


def compose_extractive(chosen: list[Reading], hits: list[Hit], language: str) -> str:
    """The chosen sentences verbatim, in source order, each with the marker of its paragraph."""
    marker = {h.pair.id: n for n, h in enumerate(hits, 1)}
    parts = []
    for r in sorted((r for r in chosen if r.pair_id in marker),
                    key=lambda r: (marker[r.pair_id], r.sentence.position)):
        text = r.sentence.text.rstrip()
        end = text[-1] if text and text[-1] in "。！？.!?;；" else ""
        body = text[:-1] if end else text
        if end in (";", "；", "") or (end in "?？" and r.sentence.lang != language):
            end = "。" if r.sentence.lang == "zh" else "."
        parts.append(f"{body}[{marker[r.pair_id]}]{end}")
    return ("" if language == "zh" else " ").join(parts)


ABSTAIN_REASON = {"zh": "（依据：{reasons}）", "en": "(Why: {reasons}.)"}
CORRECTION = {
    "zh": "资料的说法与问题不同（问题中是“{asked}”，资料中是“{stated}”）：{quote}",
    "en": "The sources say otherwise (the question has “{asked}”, the source “{stated}”): {quote}",
}
NOT_FOR = {
    "zh": "资料中没有关于“{asked}”的这项信息，最接近的内容说的是“{stated}”",
    "en": "The sources give no such information for “{asked}”; the closest passage is about “{stated}”",
}


def abstention_text(verdict: Verdict, language: str) -> str:
    text = NO_ANSWER[language]
    if verdict.reasons:
        text += " " + ABSTAIN_REASON[language].format(reasons="; ".join(verdict.reasons))
    return text


def compose_correction(verdict: Verdict, hits: list[Hit], language: str, chosen: list[Reading] = ()) -> str:
    """What the source states instead of the question's premise, quoted and cited; or, when the
    sources give the asked thing only for another entity (`verdict.not_for`), that they don't.
    A premise that only gets a detail wrong ("The conference took place in 2024. What was its
    theme?", `verdict.answers_too`) is corrected and the question still answered: the `chosen`
    sentences follow the correction."""
    evidence = verdict.evidence
    marker = next((n for n, h in enumerate(hits, 1) if evidence and h.pair.id == evidence.pair_id), 1)
    end = "。" if language == "zh" else "."
    if evidence is None:
        return NO_ANSWER[language]
    if verdict.not_for:
        return NOT_FOR[language].format(asked=verdict.asked, stated=verdict.stated) + f"[{marker}]{end}"
    quote = evidence.sentence.text.rstrip()
    body = quote[:-1] if quote and quote[-1] in "。！？.!?;；" else quote
    text = CORRECTION[language].format(asked=verdict.asked, stated=verdict.stated, quote=body) + f"[{marker}]{end}"
    rest = [r for r in chosen if r.sentence.text != evidence.sentence.text] if verdict.answers_too else []
    return text + ("" if language == "zh" else " ") + compose_extractive(rest, hits, language) if rest else text
