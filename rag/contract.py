"""The answer contract: what `rag-ask --json`, the app's conversation export, the eval
runner's results.jsonl and the llama-index Response metadata all carry. `Answer.to_dict()`
is the one serialiser; it validates against these models, so a field cannot drift from the
published schema (rag/data/answer.schema.json, written by `python -m rag.contract`).

Records inside the engine stay dataclasses (cheap, mutable while an answer is built); these
pydantic models describe only the boundary.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "answer.schema.json"
SCHEMA_VERSION = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CitationModel(_Strict):
    marker: int = Field(ge=1, description="the [n] in the answer text; 1..m in first-cited order")
    paragraph_id: str = Field(description='"<doc-stem>#p07"')
    doc: str
    section: str
    text_zh: str = Field(description="the cited paragraph's Chinese side (may be empty)")
    text_en: str = Field(description="the cited paragraph's English side (may be empty)")
    quote: str = Field(description="the supporting sentence, verbatim from the paragraph")
    score: float = Field(description="retrieval score of the cited paragraph")
    support: float = Field(description="overlap of the best-supported citing sentence with the quote")
    quote_zh: str = Field(description="the quote's sentence on the Chinese side ('' when none is aligned)")
    quote_en: str = Field(description="the quote's sentence on the English side ('' when none is aligned)")


class HitModel(_Strict):
    paragraph_id: str
    doc: str
    section: str
    text_zh: str
    text_en: str
    score: float = Field(description="fused score (learned fusion: a logit, not a probability)")
    dense: Optional[float] = None
    lexical: Optional[float] = None
    xling: Optional[float] = None


class VerdictModel(_Strict):
    outcome: Literal["answer", "correct", "abstain"]
    score: float = Field(ge=0.0, le=1.0, description="the verifier's P(the sources answer this)")
    reasons: list[str]
    asked: str = Field(description="for a correction: what the question assumed")
    stated: str = Field(description="for a correction: what the source says instead")
    not_for: bool = Field(description="a correction that quotes nothing: the sources give the asked thing "
                                      "only for another entity (`stated`)")
    unanswered: list[str] = Field(description="a multi-part question answered in part: the parts the sources "
                                              "do not answer")


class SentenceModel(_Strict):
    text: str = Field(description="an answer sentence without its markers")
    markers: list[int]
    paragraph_ids: list[str]
    quotes: list[str]
    supported: Optional[bool] = Field(description="checked against its cited paragraphs (null: not checked)")
    support: float


class AnswerModel(_Strict):
    question: str
    answer: str = Field(description="the answer text with [n] markers, or an abstention / correction")
    language: Literal["zh", "en"]
    abstained: bool
    backend: str = Field(description='"extractive" or "llm:<model>"')
    citations: list[CitationModel]
    retrieved: list[HitModel]
    timings_ms: dict[str, float]
    notice: str = Field(description="what happened on the way (LLM fallback, truncation), '' if nothing")
    dropped_markers: list[int] = Field(description="markers the LLM wrote that pointed at no source")
    standalone_question: str = Field(description="what retrieval searched for (a follow-up resolved)")
    support: float
    outcome: Literal["answer", "correct", "abstain"]
    verdict: Optional[VerdictModel]
    sentences: list[SentenceModel]


def validate(data: dict) -> dict:
    """`data` checked against the contract (raises pydantic.ValidationError)."""
    AnswerModel.model_validate(data)
    return data


def schema() -> dict:
    out = AnswerModel.model_json_schema()
    out["$id"] = f"rag-answer-v{SCHEMA_VERSION}"
    out["title"] = "Answer"
    return out


def schema_text() -> str:
    return json.dumps(schema(), ensure_ascii=False, indent=1) + "\n"


if __name__ == "__main__":      # python -m rag.contract  → rewrites rag/data/answer.schema.json
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}", file=sys.stderr)
