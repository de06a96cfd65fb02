"""The answer contract (rag/contract.py): the published schema is the models' own, real
answers of every outcome validate, and a drifting field is refused."""
from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from rag.contract import SCHEMA_PATH, schema_text, validate
from seed_engine import seed_engine_fixture


def test_the_published_schema_is_current():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), "run: python -m rag.contract"


engine = seed_engine_fixture("contract-engine")


@pytest.mark.slow
@pytest.mark.parametrize("question", ["微短剧审查时效提升了多少?", "What was China's total box office in 2025?",
                                      "为什么大会在重庆举行?"])
def test_real_answers_of_every_outcome_follow_the_contract(engine, question):
    data = engine.ask(question).to_dict()
    validate(json.loads(json.dumps(data)))           # the JSON round trip a client sees
    assert data["outcome"] in ("answer", "correct", "abstain") and data["verdict"]["outcome"] == data["outcome"]
    markers = [c["marker"] for c in data["citations"]]
    assert markers == list(range(1, len(markers) + 1))


@pytest.mark.parametrize("change", [{"outcome": "maybe"}, {"surprise": 1}, {"language": "fr"},
                                    {"citations": [{"marker": 0}]}])
def test_a_drifting_field_is_refused(change):
    good = {"question": "q", "answer": "a", "language": "en", "abstained": False, "backend": "extractive",
            "citations": [], "retrieved": [], "timings_ms": {}, "notice": "", "dropped_markers": [],
            "standalone_question": "q", "support": 0.5, "outcome": "answer", "verdict": None, "sentences": []}
    validate(good)
    with pytest.raises(ValidationError):
        validate({**good, **change})
