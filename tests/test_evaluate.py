"""The eval runner end to end (real e5 embedder, offline backend) and the regression gate."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.eval import runner as ev
from rag.cli import eval_main

ROOT = Path(__file__).resolve().parent.parent
SMALL = [
    {"id": "s1", "question": "How large is Sichuan's yearly provincial fund for high-quality cultural works?",
     "language": "en", "kind": "factual", "answerable": True, "gold": ["000_09ff8f6f21da3254#p05"],
     "reference": "RMB 300 million.", "facts": [["300 million", "3亿"]]},
    {"id": "s2", "question": "大会在哪个城市举行？", "language": "zh", "kind": "factual", "answerable": True,
     "gold": ["000_09ff8f6f21da3254#p01"], "reference": "成都。", "facts": [["成都"]], "reviewer": "extra field"},
    {"id": "s3", "question": "What is the recipe for a good sourdough bread starter?", "language": "en",
     "kind": "unanswerable", "answerable": False, "gold": [], "reference": "Not in the article.", "facts": []},
    {"id": "s4", "question": "成渝影视发展大会举办了几届？"},
]


def small_file(tmp_path) -> Path:
    path = tmp_path / "small.jsonl"
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in SMALL), encoding="utf-8")
    return path


@pytest.fixture
def engine(sources, open_index):
    from rag.engine import Engine
    from rag.ingest import ingest
    index = open_index()
    ingest(index, show_bar=False)
    return Engine(index=index)


@pytest.mark.slow
def test_run_writes_all_outputs(tmp_path, engine):
    out = tmp_path / "out"
    ev.run(small_file(tmp_path), out, engine, progress=False)
    for name in ("results.jsonl", "metrics.json", "report.md", "metrics.png"):
        assert (out / name).stat().st_size > 0, name
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["s1", "s2", "s3", "s4"]
    for r in rows:
        assert {"id", "question", "answer", "abstained", "citations", "retrieved", "metrics", "latency_ms"} <= set(r)
        assert all({"paragraph_id", "text_zh", "text_en", "score"} <= set(h) for h in r["retrieved"])
        assert all({"marker", "paragraph_id", "quote"} <= set(c) for c in r["citations"])
    s1 = rows[0]
    assert s1["metrics"]["hit@5"] == 1.0 and s1["metrics"]["fact_recall"] == 1.0 and not s1["abstained"]
    assert rows[3]["kind"] == "unlabelled" and rows[3]["metrics"]["hit@1"] is None   # id+question only
    data = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert data["n_questions"] == 4
    assert {"aggregate", "by_language", "by_kind", "ablation", "judge_accuracy"} <= set(data)
    assert set(data["ablation"]) == {"hybrid", "dense", "bm25"}
    assert set(data["by_kind"]) == {"factual", "unanswerable", "unlabelled"}
    assert data["judge_accuracy"]["n"] == 142
    report = (out / "report.md").read_text(encoding="utf-8")
    for heading in ("## Aggregate", "## By language", "## By kind", "## Ablation", "## Support judge accuracy"):
        assert heading in report
    assert (out / "metrics.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_check_and_thresholds(tmp_path):
    result = {"aggregate": {"hit@1": 0.9, "fact_recall": None}, "judge_accuracy": {"accuracy": 0.8},
              "ablation": {"dense": {"hit@5": 0.5}}}
    assert ev.check(result, {"hit@1": 0.8, "judge_accuracy": 0.8, "dense.hit@5": 0.5, "bm25.hit@5": 0.9}) == []
    failures = ev.check(result, {"hit@1": 0.95, "fact_recall": 0.1, "dense.hit@5": 0.6})
    assert [f.split(":")[0] for f in failures] == ["dense.hit@5", "fact_recall", "hit@1"]
    bundled = ev.load_thresholds(ROOT / "eval" / "thresholds.json")
    assert bundled and all(0 <= v <= 1 for v in bundled.values())


def test_cli_bad_questions_file(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "question": "ok?"}\n{"id": "b", "question": \n', encoding="utf-8")
    assert eval_main(["--questions", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "bad.jsonl:2" in capsys.readouterr().err
    assert eval_main(["--questions", str(tmp_path / "missing.jsonl")]) == 2


@pytest.mark.slow
def test_cli_empty_index(tmp_path, sources, capsys, embedding):
    assert eval_main(["--questions", str(small_file(tmp_path)), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "empty" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_check_passes_with_bundled_thresholds_and_fails_impossible(tmp_path, engine, capsys):
    out = tmp_path / "o"
    assert eval_main(["--out", str(out), "--check", "--no-ablation", "--quiet"]) == 0, capsys.readouterr()
    impossible = tmp_path / "t.json"
    impossible.write_text(json.dumps({"hit@1": 1.01, "fact_recall": 0.5}))
    assert eval_main(["--questions", str(small_file(tmp_path)), "--out", str(out), "--check", "--no-ablation",
                      "--quiet", "--thresholds", str(impossible)]) == 1
    err = capsys.readouterr().err
    assert "hit@1" in err and "fact_recall" not in err
