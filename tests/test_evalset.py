"""rag.eval.evalset: loading and validating questions.jsonl / claims.jsonl."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.eval.evalset import EvalSetError, load_claims, load_questions, seed_paragraph_ids, validate, validate_claims

ROOT = Path(__file__).resolve().parent.parent
SEED_IDS = {f"000_09ff8f6f21da3254#p{n:02d}" for n in range(1, 14)}
GOOD = {"id": "q1", "question": "Where?", "language": "en", "kind": "factual", "answerable": True,
        "gold": ["000_09ff8f6f21da3254#p01"], "reference": "Chengdu.", "facts": [["Chengdu", "成都"]]}


def write(tmp_path, rows, name="q.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                    encoding="utf-8")
    return path


def test_real_files_are_valid_against_the_seed():
    ids = seed_paragraph_ids(ROOT / "seeds")
    assert SEED_IDS <= ids
    assert validate(ROOT / "eval" / "questions.jsonl", ids) == []
    assert validate_claims(ROOT / "eval" / "claims.jsonl", ids) == []
    qs = load_questions(ROOT / "eval" / "questions.jsonl")
    assert len(qs) == 140 and sum(not q.answerable for q in qs) == 41
    assert len(load_claims(ROOT / "eval" / "claims.jsonl")) == 142


@pytest.mark.parametrize("questions, sources", [("seed_holdout.jsonl", "seeds"), ("seed_blind_a.jsonl", "seeds"),
                                                ("seed_blind_b.jsonl", "seeds"),
                                                ("news_zh/questions.jsonl", "eval/news_zh/sources"),
                                                ("news_tourism/questions.jsonl", "eval/news_tourism/sources"),
                                                ("seed_blind_c.jsonl", "seeds"),
                                                ("news_industry/questions.jsonl", "eval/news_industry/sources"),
                                                ("news_sports/questions.jsonl", "eval/news_sports/sources")])
def test_the_report_only_sets_are_valid_against_their_corpora(questions, sources):
    ids = seed_paragraph_ids(ROOT / sources)
    assert validate(ROOT / "eval" / questions, ids) == []
    qs = load_questions(ROOT / "eval" / questions)
    assert len(qs) >= 40 and any(not q.answerable for q in qs)


def test_good_file_passes(tmp_path):
    assert validate(write(tmp_path, [GOOD]), SEED_IDS) == []


def test_minimal_and_unknown_fields_load(tmp_path):
    path = write(tmp_path, [{"id": "a", "question": "Q?", "extra": 1},
                            {"id": "b", "question": "Q2?", "kind": "unanswerable"}])
    a, b = load_questions(path)
    assert (a.id, a.question, a.answerable, a.gold, a.facts, a.kind) == ("a", "Q?", True, (), (), "")
    assert b.answerable is False
    assert validate(path, SEED_IDS, strict=False) == []
    assert any("missing field 'language'" in p for p in validate(path, SEED_IDS))


@pytest.mark.parametrize("rows, expected", [
    (['{"id": "q1", "question": "x"', GOOD], ":1: bad JSON"),
    ([{**GOOD, "id": "q1"}, {**GOOD}], ":2: duplicate id 'q1'"),
    ([{k: v for k, v in GOOD.items() if k != "question"}], "missing field 'question'"),
    ([{**GOOD, "gold": ["000_09ff8f6f21da3254#p99"]}], "gold paragraph '000_09ff8f6f21da3254#p99' does not exist"),
    ([{**GOOD, "kind": "trivia"}], "unknown kind 'trivia'"),
    ([{**GOOD, "language": "fr"}], "unknown language 'fr'"),
    ([{**GOOD, "facts": ["Chengdu"]}], "facts[0] must be a non-empty list"),
    ([{**GOOD, "facts": [[]]}], "facts[0] must be a non-empty list"),
    ([{**GOOD, "facts": "Chengdu"}], "'facts' must be a list"),
    ([{**GOOD, "answerable": "yes"}], "'answerable' must be"),
    ([{**GOOD, "kind": "unanswerable"}], "kind 'unanswerable' but answerable is true"),
])
def test_each_defect_is_caught(tmp_path, rows, expected):
    problems = validate(write(tmp_path, rows), SEED_IDS)
    assert any(expected in p for p in problems), problems


def test_load_errors_name_the_line(tmp_path):
    with pytest.raises(EvalSetError, match=r"q\.jsonl:2: bad JSON"):
        load_questions(write(tmp_path, [GOOD, "{nope"]))
    with pytest.raises(EvalSetError, match=r":1: missing or empty 'question'"):
        load_questions(write(tmp_path, [{"id": "x"}]))
    with pytest.raises(EvalSetError, match="no such file"):
        load_questions(tmp_path / "missing.jsonl")


CLAIM = {"id": "c1", "claim": "x", "lang": "en", "paragraph_id": "000_09ff8f6f21da3254#p01", "supported": True, "kind": "entailed"}


@pytest.mark.parametrize("row, expected", [
    ({**CLAIM, "paragraph_id": "nope#p01"}, "does not exist"),
    ({**CLAIM, "kind": "made_up"}, "unknown kind"),
    ({**CLAIM, "supported": False}, "contradicts supported=False"),
    ({**CLAIM, "lang": "de"}, "unknown lang"),
    ({k: v for k, v in CLAIM.items() if k != "claim"}, "missing field 'claim'"),
])
def test_claim_defects(tmp_path, row, expected):
    assert validate_claims(write(tmp_path, [CLAIM]), SEED_IDS) == []
    problems = validate_claims(write(tmp_path, [row], "c.jsonl"), SEED_IDS)
    assert any(expected in p for p in problems), problems
    assert any("duplicate id" in p for p in validate_claims(write(tmp_path, [CLAIM, CLAIM], "d.jsonl"), SEED_IDS))
