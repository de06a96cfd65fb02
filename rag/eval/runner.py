"""The evaluation runner behind `rag-eval`: every question through Engine.ask, scored with
rag.eval.metrics and a support judge (rag.judge), written to an output folder:

    results.jsonl  one line per question (Answer.to_dict() shapes + per-question metrics)
    metrics.json   aggregate, by language, by kind, retrieval ablation, judge accuracy
    report.md      the same as tables
    metrics.png    grouped bars: answer metrics by kind, and hit@k per retrieval mode

Also the regression gate (`check` against eval/thresholds.json). The abstention thresholds
are not calibrated here: they are fitted with every other weight by `python -m rag.eval.fit`.
"""
from __future__ import annotations

import json
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from . import metrics as M
from .evalset import Question, load_claims, load_questions, paragraph_texts
from ..judge import OfflineJudge
from ..retrieve import Retriever
from .. import resources
from ..settings import PROJECT_DIR

# Shipped files via rag/resources.py: the checkout's eval/ or the copy bundled in the wheel.
DEFAULT_QUESTIONS = resources.eval_file("questions.jsonl")
DEFAULT_CLAIMS = resources.eval_file("claims.jsonl")
DEFAULT_THRESHOLDS = resources.eval_file("thresholds.json")
DEFAULT_OUT = resources.default_eval_out()      # checkout: eval/out; installed: ./rag-eval-out
MODES = ("hybrid", "dense", "bm25")     # the ablation (rag.retrieve may offer more)
RETRIEVAL_DEPTH = max(M.RETRIEVAL_KS)
ANSWER_KEYS = ("citation_recall", "citation_precision", "groundedness", "fact_recall")
RETRIEVAL_KEYS = tuple(f"hit@{k}" for k in M.RETRIEVAL_KS) + ("mrr",)


def _r(x, nd=4):
    return None if x is None else round(float(x), nd)


def _round_dict(d: dict) -> dict:
    return {k: (_r(v) if isinstance(v, float) else v) for k, v in d.items()}


# ---------------------------------------------------------------- one question ------------
def score_answer(q: Question, answer, judge, retrieved_ids: Sequence[str]) -> dict:
    """Per-question metrics from an Answer (see rag.eval.metrics for definitions)."""
    paragraphs = {h.pair.id: (h.pair.zh or "", h.pair.en or "") for h in answer.retrieved}
    out: dict = dict(M.retrieval_metrics(retrieved_ids, q.gold))
    out.update(M.trust_metrics(q, answer.text, answer.outcome, answer.standalone_question))
    if answer.abstained:
        out.update(citation_recall=None, citation_precision=None, groundedness=None,
                   n_sentences=0, n_citations=0)
        out["fact_recall"] = 0.0 if q.facts else None
        return out
    if answer.verdict is not None and answer.verdict.not_for:
        # "no such information for 重庆" quotes nothing: no citation to score
        out.update(citation_recall=None, citation_precision=None, groundedness=None)
        out["fact_recall"] = M.fact_recall(answer.text, q.facts)
        return out
    sentences = [(s.text, list(s.paragraph_ids)) for s in answer.sentences]
    out.update(M.citation_scores(sentences, paragraphs, judge.supports))
    out["groundedness"] = M.groundedness([s for s, _ in sentences], list(paragraphs), paragraphs, judge.supports)
    out["fact_recall"] = M.fact_recall(answer.text, q.facts)
    return out


def _row(q: Question, answer, metrics: dict, latency_ms: float) -> dict:
    d = answer.to_dict()
    return {"id": q.id, "question": q.question, "language": q.language or answer.language,
            "kind": q.kind or "unlabelled", "answerable": q.answerable, "gold": list(q.gold),
            "history": list(q.history), "standalone_question": d["standalone_question"],
            "answer": d["answer"], "abstained": d["abstained"], "outcome": d["outcome"], "verdict": d["verdict"],
            "backend": d["backend"],
            "support": d["support"], "citations": d["citations"], "retrieved": d["retrieved"],
            "sentences": d["sentences"], "dropped_markers": d["dropped_markers"], "notice": d["notice"],
            "metrics": _round_dict(metrics), "latency_ms": round(latency_ms, 1)}


def _progress(iterable, enabled: bool, desc: str, total: int):
    if not enabled:
        return iterable
    from tqdm import tqdm
    return tqdm(iterable, desc=desc, total=total, unit="q", leave=False)


# ---------------------------------------------------------------- judge accuracy -----------
def judge_accuracy(judge, claims_path: Path = DEFAULT_CLAIMS, sources_dir: Path | None = None) -> dict:
    """Accuracy of `judge` on labelled claims, overall / by kind / by language; for the
    offline judge also 2-fold cross-validated (threshold re-tuned on odd ids, tested on even
    ids and the reverse), which is the honest number: the thresholds were tuned on this file."""
    claims = load_claims(claims_path)
    paragraphs = paragraph_texts(sources_dir or PROJECT_DIR / "seeds")
    results = []
    for c in claims:
        zh, en = paragraphs.get(c.paragraph_id, ("", ""))
        ok, score = judge.supports(c.claim, zh, en)
        results.append((c, ok, score))
    def acc(rows):
        return _r(sum(ok == c.supported for c, ok, _ in rows) / len(rows)) if rows else None
    by_kind, by_lang = defaultdict(list), defaultdict(list)
    for row in results:
        by_kind[row[0].kind].append(row)
        by_lang[row[0].lang].append(row)
    out = {"judge": judge.name, "n": len(results), "accuracy": acc(results),
           "by_kind": {k: {"n": len(v), "accuracy": acc(v)} for k, v in sorted(by_kind.items())},
           "by_language": {k: {"n": len(v), "accuracy": acc(v)} for k, v in sorted(by_lang.items())}}
    tp = sum(ok and c.supported for c, ok, _ in results)
    fp = sum(ok and not c.supported for c, ok, _ in results)
    fn = sum(c.supported and not ok for c, ok, _ in results)
    out["precision_supported"] = _r(tp / (tp + fp)) if tp + fp else None
    out["recall_supported"] = _r(tp / (tp + fn)) if tp + fn else None
    if isinstance(judge, OfflineJudge):
        out["cv_2fold_accuracy"] = _r(_cross_validate(judge, claims, paragraphs))
    return out


def _cross_validate(judge: OfflineJudge, claims, paragraphs) -> float:
    """Re-tune the score threshold on one half (id parity), test on the other; the rules
    (numbers, negation, names) are kept fixed."""
    evs = [(c, judge.evidence(c.claim, *paragraphs.get(c.paragraph_id, ("", "")))) for c in claims]
    def decide(ev, t):
        return ev.score >= t and ev.rules_ok
    grid = [i / 100 for i in range(5, 91)]
    correct = 0
    for parity in (0, 1):
        train = [x for x in evs if _num(x[0].id) % 2 != parity]
        test = [x for x in evs if _num(x[0].id) % 2 == parity]
        best = max(grid, key=lambda t: (sum(decide(e, t) == c.supported for c, e in train), -abs(t - judge.threshold)))
        correct += sum(decide(e, best) == c.supported for c, e in test)
    return correct / len(evs) if evs else 0.0


def _num(cid: str) -> int:
    digits = "".join(ch for ch in cid if ch.isdigit())
    return int(digits) if digits else hash(cid)


# ---------------------------------------------------------------- the run ------------------
def _ask_all(questions, engine, judge, backend, progress, desc):
    """Every question through Engine.ask, its earlier turns first (a follow-up is asked with the
    conversation it follows). Retrieval metrics come from the answer's own paragraphs (top
    RETRIEVAL_DEPTH): each question is retrieved once."""
    rows = []
    for q in _progress(questions, progress, desc, len(questions)):
        history: list[dict] = []
        for earlier in q.history:
            previous = engine.ask(earlier, history, backend=backend, top_k=RETRIEVAL_DEPTH)
            history += [{"role": "user", "content": earlier}, {"role": "assistant", "content": previous.text}]
        t = time.perf_counter()
        answer = engine.ask(q.question, history, backend=backend, top_k=RETRIEVAL_DEPTH)
        latency = (time.perf_counter() - t) * 1000
        ids = [h.pair.id for h in answer.retrieved]
        m = score_answer(q, answer, judge, ids)
        m["latency_ms"] = latency
        rows.append(_row(q, answer, m, latency))
    return rows


def run(questions_path: str | Path, out_dir: str | Path, engine, judge=None, progress: bool = True,
        modes: Sequence[str] = MODES, backend: str = "offline", claims_path: str | Path | None = DEFAULT_CLAIMS,
        ablation_answers: bool = True) -> dict:
    """Run the eval; writes results.jsonl, metrics.json, report.md, metrics.png into out_dir
    and returns the metrics dict. `modes` are the retrieval modes of the ablation (empty =
    no ablation)."""
    t0 = time.perf_counter()
    questions = load_questions(questions_path)
    judge = judge or OfflineJudge()
    engine.retriever.check_ready()            # EmptyIndexError before any work
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    rows = _ask_all(questions, engine, judge, backend, progress, "eval")
    with open(out / "results.jsonl", "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")

    result: dict = {
        "questions": str(questions_path), "n_questions": len(rows), "backend": rows[0]["backend"] if rows else backend,
        "judge": judge.name, "retrieval_mode": engine.retriever.mode, "top_k": engine.settings.top_k,
        "aggregate": _round_dict(M.aggregate(rows)),
        "by_language": {k: _round_dict(v) for k, v in M.breakdown(rows, "language").items()},
        "by_kind": {k: _round_dict(v) for k, v in M.breakdown(rows, "kind").items()},
    }
    # ablation: the same questions with dense-only / BM25-only / hybrid retrieval
    ablation = {}
    for mode in modes:
        retriever = Retriever(engine.index, mode=mode)
        if mode == engine.retriever.mode:
            mode_rows = rows
        elif ablation_answers:
            from ..engine import Engine
            other = Engine(settings=engine.settings, index=engine.index, retriever=retriever)
            mode_rows = _ask_all(questions, other, judge, backend, progress, f"ablation {mode}")
        else:
            mode_rows = []
            for q in questions:
                ids = [h.pair.id for h in retriever.retrieve(q.question, RETRIEVAL_DEPTH).hits]
                mode_rows.append({"metrics": M.retrieval_metrics(ids, q.gold), "answerable": q.answerable,
                                  "abstained": False})
        agg = M.aggregate(mode_rows)
        keep = RETRIEVAL_KEYS + ((ANSWER_KEYS + ("abstain_f1",)) if (ablation_answers or mode_rows is rows) else ())
        ablation[mode] = {k: _r(agg.get(k)) for k in keep}
    result["ablation"] = ablation
    if claims_path:
        result["judge_accuracy"] = judge_accuracy(judge, Path(claims_path))   # claims are about seeds/
    result["runtime_s"] = round(time.perf_counter() - t0, 1)
    result["finished_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    (out / "metrics.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "report.md").write_text(render_report(result), encoding="utf-8")
    plot(result, out / "metrics.png")
    return result


# ---------------------------------------------------------------- gate ---------------------
def flat_metrics(result: dict) -> dict[str, float | None]:
    """Names the thresholds file uses: aggregate keys, `judge_accuracy`, `<mode>.<metric>`."""
    flat = {k: v for k, v in result.get("aggregate", {}).items() if isinstance(v, (int, float)) or v is None}
    ja = result.get("judge_accuracy") or {}
    if "accuracy" in ja:
        flat["judge_accuracy"] = ja["accuracy"]
    for mode, values in (result.get("ablation") or {}).items():
        for k, v in values.items():
            flat[f"{mode}.{k}"] = v
    return flat


def load_thresholds(path: str | Path) -> dict[str, float]:
    from .evalset import EvalSetError
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalSetError(f"{path}: no such thresholds file", "pass --thresholds FILE or restore eval/thresholds.json") from None
    except json.JSONDecodeError as exc:
        raise EvalSetError(f"{path}:{exc.lineno}: bad JSON ({exc.msg})") from None
    if not isinstance(data, dict) or not all(isinstance(v, (int, float)) for k, v in data.items() if not k.startswith("_")):
        raise EvalSetError(f"{path}: expected an object of metric name → minimum value")
    return {k: float(v) for k, v in data.items() if not k.startswith("_")}


def check(result: dict, thresholds: dict[str, float]) -> list[str]:
    """One line per metric below its minimum. A metric missing from the run fails too, except
    `<mode>.<metric>` thresholds of ablation arms that were not run."""
    flat = flat_metrics(result)
    ran = set(result.get("ablation") or {})
    failures = []
    for name, minimum in sorted(thresholds.items()):
        mode = name.split(".", 1)[0] if "." in name else None
        if mode is not None and mode not in ran:
            continue                          # that ablation arm was not run (--no-ablation)
        value = flat.get(name)
        if value is None:
            failures.append(f"{name}: not measured (threshold {minimum})")
        elif value < minimum:
            failures.append(f"{name}: {value:.4f} < threshold {minimum:.4f}")
    return failures


# ---------------------------------------------------------------- report / plot -----------
def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def _table(rows: dict[str, dict], cols: Sequence[str], first: str) -> str:
    lines = [f"| {first} | " + " | ".join(cols) + " |", "|" + "---|" * (len(cols) + 1)]
    for name, values in rows.items():
        lines.append(f"| {name} | " + " | ".join(_fmt(values.get(c)) for c in cols) + " |")
    return "\n".join(lines)


def render_report(result: dict) -> str:
    cols = ["n", "hit@1", "hit@3", "hit@5", "mrr", "citation_recall", "citation_precision", "groundedness",
            "fact_recall", "abstain_precision", "abstain_recall", "false_abstain_rate", "premise_corrected",
            "wrong_figure", "followup_resolved", "latency_ms"]
    parts = ["# Grounding evaluation\n",
             f"{result['n_questions']} questions from `{Path(result['questions']).name}`; backend `{result['backend']}`, "
             f"judge `{result['judge']}`, retrieval `{result['retrieval_mode']}` (top_k {result['top_k']}, "
             f"hit@k/MRR over the top {RETRIEVAL_DEPTH}); runtime {result['runtime_s']} s.\n",
             "Definitions: rag/eval/metrics.py. Citation/groundedness metrics skip abstained answers; fact recall counts an "
             "abstained answerable question as 0. abstain recall counts an unanswerable question as handled when it was "
             "declined (abstained, or corrected: \"the sources give this only for …\"); false_abstain_rate is over "
             "answerable questions; premise_corrected: false-premise items answered with the true fact; wrong_figure: "
             "answers stating another entity's figure (lower is better); followup_resolved: the standalone question holds "
             "the required terms.\n",
             "## Aggregate\n", _table({"all": result["aggregate"]}, cols, "set"), "",
             "## By language\n", _table(result["by_language"], cols, "language"), "",
             "## By kind\n", _table(result["by_kind"], cols, "kind"), ""]
    if result.get("ablation"):
        acols = list(RETRIEVAL_KEYS) + [c for c in ANSWER_KEYS + ("abstain_f1",)
                                        if any(c in v for v in result["ablation"].values())]
        parts += ["## Ablation: retrieval mode\n", _table(result["ablation"], acols, "mode"), ""]
    ja = result.get("judge_accuracy")
    if ja:
        parts += ["## Support judge accuracy on claims.jsonl\n",
                  f"judge `{ja['judge']}`: accuracy {_fmt(ja['accuracy'])} on {ja['n']} claims"
                  + (f"; 2-fold cross-validated (threshold re-tuned by claim-id parity) {_fmt(ja.get('cv_2fold_accuracy'))}"
                     if ja.get("cv_2fold_accuracy") is not None else "")
                  + f"; precision/recall of SUPPORTED {_fmt(ja.get('precision_supported'))}/{_fmt(ja.get('recall_supported'))}."
                  " The thresholds and rules were tuned on this same file, so the in-sample number is optimistic.\n",
                  _table({**{f"kind: {k}": v for k, v in ja["by_kind"].items()},
                          **{f"lang: {k}": v for k, v in ja["by_language"].items()}}, ["n", "accuracy"], "subset"), ""]
    return "\n".join(parts) + "\n"


def plot(result: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    kinds = list(result["by_kind"])
    keys = ["hit@1", "citation_recall", "citation_precision", "groundedness", "fact_recall"]
    width = 0.8 / len(keys)
    x = np.arange(len(kinds))
    for i, key in enumerate(keys):
        vals = [result["by_kind"][k].get(key) or 0.0 for k in kinds]
        axes[0].bar(x + i * width - 0.4 + width / 2, vals, width, label=key)
    axes[0].set_xticks(x, kinds, rotation=20)
    axes[0].set_ylim(0, 1.05)
    axes[0].set_title("Metrics by question kind")
    axes[0].legend(fontsize=8)
    modes = list(result.get("ablation") or {})
    if modes:
        x2 = np.arange(len(RETRIEVAL_KEYS))
        w2 = 0.8 / len(modes)
        for i, mode in enumerate(modes):
            vals = [result["ablation"][mode].get(k) or 0.0 for k in RETRIEVAL_KEYS]
            axes[1].bar(x2 + i * w2 - 0.4 + w2 / 2, vals, w2, label=mode)
        axes[1].set_xticks(x2, RETRIEVAL_KEYS)
        axes[1].set_ylim(0, 1.05)
        axes[1].legend(fontsize=8)
    axes[1].set_title("Retrieval ablation")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
