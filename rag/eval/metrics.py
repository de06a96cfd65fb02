"""Evaluation metrics: pure functions over plain data, so each can be checked by hand.

Definitions (all values in 0..1; `None` means "not defined for this item" and is skipped
when averaging):

- hit@k: 1 if any gold paragraph is among the first k retrieved ids. MRR: 1/rank of the
  first gold paragraph (0 if none in the list). Only for items with gold paragraphs.
- citation recall (ALCE): share of answer sentences whose cited paragraphs, taken
  *jointly* (their zh sides concatenated, their en sides concatenated), support the
  sentence. A sentence without a (valid) citation counts as not supported — a marker that
  pointed at no source was dropped by rag.citations and so cites nothing.
- citation precision (ALCE, simplified): share of citations that are relevant. A citation
  of paragraph p on sentence s is *irrelevant* when p alone does not support s AND removing
  p from the sentence's citations does not change whether they jointly support s. So a
  citation is relevant if it supports on its own, or if the joint support depends on it.
- groundedness: share of answer sentences supported by at least one retrieved paragraph
  (on its own), cited or not.
- fact recall: share of required facts with at least one variant present in the answer
  text (case-insensitive substring).
- abstention precision / recall / F1: the positive class is "should abstain"
  (answerable=false). precision = correct abstentions / abstentions, recall = correct
  abstentions / unanswerable items.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable, Iterable, Mapping, Sequence

# A judge: (claim, zh, en) -> (supported, score)
JudgeFn = Callable[[str, str, str], tuple[bool, float]]
Paragraphs = Mapping[str, tuple[str, str]]      # paragraph id -> (zh, en)

RETRIEVAL_KS = (1, 3, 5)


# ---------------------------------------------------------------- retrieval ---------------
def retrieval_metrics(retrieved: Sequence[str], gold: Iterable[str], ks: Sequence[int] = RETRIEVAL_KS) -> dict[str, float | None]:
    gold = set(gold)
    keys = [f"hit@{k}" for k in ks] + ["mrr"]
    if not gold:
        return dict.fromkeys(keys)
    rank = next((i for i, pid in enumerate(retrieved, 1) if pid in gold), None)
    out: dict[str, float | None] = {f"hit@{k}": float(rank is not None and rank <= k) for k in ks}
    out["mrr"] = 1.0 / rank if rank else 0.0
    return out


# ---------------------------------------------------------------- citations ---------------
def _joint(ids: Sequence[str], paragraphs: Paragraphs) -> tuple[str, str]:
    zh = "\n".join(paragraphs[i][0] for i in ids if i in paragraphs and paragraphs[i][0])
    en = "\n".join(paragraphs[i][1] for i in ids if i in paragraphs and paragraphs[i][1])
    return zh, en


def _supported(judge: JudgeFn, sentence: str, ids: Sequence[str], paragraphs: Paragraphs) -> bool:
    if not ids:
        return False
    zh, en = _joint(ids, paragraphs)
    if not (zh or en):
        return False
    return bool(judge(sentence, zh, en)[0])


def citation_scores(sentences: Sequence[tuple[str, Sequence[str]]], paragraphs: Paragraphs,
                    judge: JudgeFn) -> dict[str, float | None]:
    """sentences: [(sentence text, cited paragraph ids)] → citation recall and precision,
    plus counts. Recall is None with no sentences; precision is None with no citations."""
    supported_sentences = 0
    relevant = total = 0
    for text, cited in sentences:
        cited = list(dict.fromkeys(cited))
        joint = _supported(judge, text, cited, paragraphs)
        supported_sentences += joint
        for pid in cited:
            total += 1
            alone = _supported(judge, text, [pid], paragraphs)
            if alone:
                relevant += 1
                continue
            rest = [c for c in cited if c != pid]
            without = _supported(judge, text, rest, paragraphs)
            if joint != without:
                relevant += 1
    n = len(sentences)
    return {"citation_recall": supported_sentences / n if n else None,
            "citation_precision": relevant / total if total else None,
            "n_sentences": n, "n_citations": total}


def groundedness(sentences: Sequence[str], retrieved_ids: Sequence[str], paragraphs: Paragraphs,
                 judge: JudgeFn) -> float | None:
    if not sentences:
        return None
    ok = sum(any(_supported(judge, s, [pid], paragraphs) for pid in retrieved_ids) for s in sentences)
    return ok / len(sentences)


# ---------------------------------------------------------------- facts -------------------
def fact_recall(answer: str, facts: Sequence[Sequence[str]]) -> float | None:
    if not facts:
        return None
    text = (answer or "").casefold()
    return sum(any(v.casefold() in text for v in fact if v) for fact in facts) / len(facts)


# ---------------------------------------------------------------- trust ---------------------
def trust_metrics(q, answer_text: str, outcome: str, standalone: str) -> dict[str, float | None]:
    """Per-question checks of the verifier's outcome (None where they don't apply):

    - declined: the answer did not state an answer (abstained, or said the sources give no such
      thing / say otherwise) — for items the sources cannot answer;
    - premise_corrected: a false-premise item answered (not abstained) with the true fact in it;
    - wrong_figure: a wrong-entity item (or any item with `forbidden` strings) answered with a
      forbidden string (another entity's figure) — 1 is a failure;
    - followup_resolved: the standalone question holds every required term (a variant each)
      and none of the replaced ones.
    """
    text = (answer_text or "").casefold()
    out: dict[str, float | None] = {"declined": None, "premise_corrected": None, "wrong_figure": None,
                                    "followup_resolved": None}
    if not q.answerable:
        out["declined"] = float(outcome in ("abstain", "correct"))
    if q.kind == "false_premise":
        out["premise_corrected"] = float(outcome != "abstain" and fact_recall(answer_text, q.facts) == 1.0)
    if q.forbidden:
        out["wrong_figure"] = float(outcome == "answer" and any(f.casefold() in text for f in q.forbidden))
    if q.history and (q.standalone_terms or q.standalone_absent):
        s = (standalone or "").casefold()
        ok = all(any(v.casefold() in s for v in variants) for variants in q.standalone_terms)
        out["followup_resolved"] = float(ok and not any(a.casefold() in s for a in q.standalone_absent))
    return out


# ---------------------------------------------------------------- abstention --------------
def abstention_metrics(items: Iterable[tuple[bool, bool]]) -> dict[str, float | int | None]:
    """items: (answerable, abstained). Positive class = unanswerable / abstained."""
    tp = fp = fn = tn = 0
    for answerable, abstained in items:
        if abstained and not answerable:
            tp += 1
        elif abstained and answerable:
            fp += 1
        elif not abstained and not answerable:
            fn += 1
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    if precision is None or recall is None:
        f1 = None
    else:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"abstain_precision": precision, "abstain_recall": recall, "abstain_f1": f1,
            "false_abstain_rate": fp / (fp + tn) if fp + tn else None,
            "tp": tp, "fp": fp, "fn": fn, "tn": tn}


# ---------------------------------------------------------------- aggregation -------------
MEAN_KEYS = ("hit@1", "hit@3", "hit@5", "mrr", "citation_recall", "citation_precision",
             "groundedness", "fact_recall", "declined", "premise_corrected", "wrong_figure", "followup_resolved",
             "latency_ms")


def _declined(row: Mapping) -> bool:
    """An unanswerable item is handled right when it was declined (abstained, or corrected:
    "the sources give this only for …"); an answerable one counts as abstained only then."""
    if row["answerable"]:
        return bool(row["abstained"])
    return row.get("outcome", "abstain" if row["abstained"] else "answer") in ("abstain", "correct")


def mean(values: Iterable[float | None]) -> float | None:
    vals = [float(v) for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def aggregate(rows: Sequence[Mapping], keys: Sequence[str] = MEAN_KEYS) -> dict:
    """rows: per-question dicts with `metrics` (keys above), `answerable`, `abstained`.
    Returns means (None-skipping), abstention metrics and the count."""
    out: dict = {"n": len(rows)}
    for key in keys:
        out[key] = mean(r["metrics"].get(key) for r in rows)
    out.update(abstention_metrics((bool(r["answerable"]), _declined(r)) for r in rows))
    return out


def breakdown(rows: Sequence[Mapping], field: str, keys: Sequence[str] = MEAN_KEYS) -> dict[str, dict]:
    groups: dict[str, list] = defaultdict(list)
    for r in rows:
        groups[str(r.get(field) or "unknown")].append(r)
    return {name: aggregate(group, keys) for name, group in sorted(groups.items())}


def balanced_accuracy(recall_pos: float, false_pos_rate: float) -> float:
    return (recall_pos + (1.0 - false_pos_rate)) / 2.0
