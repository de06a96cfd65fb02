"""rag.eval.learn: the numpy learners behind the fitted weights (pure logic, small data)."""
from __future__ import annotations

import numpy as np

from rag.eval.learn import auc, fit_logistic


def _data(seed: int = 0, n: int = 600):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = a + 0.1 * rng.normal(size=n)           # nearly a copy of a: the two can trade signs
    y = (a + 0.3 * rng.normal(size=n) > 0).astype(float)
    return np.column_stack([a, b, rng.normal(size=n)]), y


def test_logistic_recovers_a_separating_direction():
    x, y = _data()
    w, b = fit_logistic(x, y, l2=1e-3)
    p = 1 / (1 + np.exp(-(x @ w + b)))
    assert auc(list(p[y == 1]), list(p[y == 0])) > 0.9
    assert abs(b) < 1.0


def test_a_sign_constraint_drops_a_feature_that_comes_out_the_wrong_way():
    x, y = _data()
    x[:, 1] = x[:, 0] - 0.5 * x[:, 0] * (y - 0.5)          # b leans against y once a is known
    free, _ = fit_logistic(x, y, l2=1e-4)
    assert free[1] < 0 and free[0] > 0                      # the unconstrained fit flips b
    signed, _ = fit_logistic(x, y, l2=1e-4, signs=np.array([1, 1, 0]))
    assert signed[1] == 0.0 and signed[0] > 0               # b dropped, a kept
    assert np.all(np.sign(signed) * np.array([1, 1, 0]) >= 0)
    # no constraint violated: the same as the free fit
    same, _ = fit_logistic(x, y, l2=1e-4, signs=np.array([1, -1, 0]))
    assert np.allclose(same, free)


def test_auc_counts_ties_half():
    assert auc([1.0, 2.0], [0.0]) == 1.0
    assert auc([1.0], [1.0]) == 0.5
    assert np.isnan(auc([], [1.0]))


def test_a_softmax_sign_constraint_holds_a_weight_at_zero_not_the_other_way():
    """Candidate 0 is right in every group and has the larger second feature: the free fit
    gives that feature a positive weight; constrained to -1 it stays at 0 while the first
    feature still learns."""
    from rag.eval.learn import Group, fit_softmax
    rng = np.random.default_rng(0)
    groups = []
    for _ in range(60):
        x = rng.normal(size=(4, 2))
        x[0] += [1.0, 1.5]
        groups.append(Group(x, [0]))
    free = fit_softmax(groups, l2=1e-3)
    assert free[1] > 0 and free[0] > 0
    signed = fit_softmax(groups, l2=1e-3, signs=np.array([0, -1]))
    assert signed[1] == 0.0 and signed[0] > 0


def test_the_verifier_threshold_answers_the_question_it_was_cut_at():
    """The threshold is the score of the answerable training question at the allowed share of
    false abstentions; stored rounded to the nearest it could pass that question's score, and
    the shipped file declined it (q019 "这次大会围绕什么主题展开讨论?": 0.0566391 against 0.05664)."""
    from rag.eval.fit import cut_at
    scores = np.array([0.01] * 5 + [0.0566391] + [0.9] * 94)
    threshold = cut_at(scores, 0.05)
    assert threshold <= 0.0566391 and sum(scores < threshold) == 5
    assert cut_at(np.array([0.3, 0.5, 0.7]), 0.0) == 0.3


def test_the_seed_cut_is_taken_from_out_of_fold_scores():
    """Fitted on them, the seed's answerable questions score higher than new ones do: the
    threshold the seed allows comes from its rows scored by models fitted without their fold
    (`held`), not from the model that saw them."""
    from rag.eval.devset import Item
    from rag.eval.fit import _fit_regime
    from rag.verify import FEATURES
    rng = np.random.default_rng(3)

    def row(corpus, answerable, shift):
        x = np.zeros(len(FEATURES))
        x[FEATURES.index("sent_e5")] = shift + (0.5 if answerable else 0.0) + 0.2 * rng.normal()
        return (Item("q", "q", "en", "en→en", corpus, "train", answerable, set(), []), x, {"cross": False})
    train = [row("xquad", i % 4 != 0, 0.0) for i in range(400)]
    seed = [row("seed", i % 4 != 0, 0.0) for i in range(60)]
    keep = lambda it, info: True        # noqa: E731
    alone = _fit_regime(train, seed, (), keep)
    # the same seed rows, as a model fitted without them scores them: lower
    stingy = dict(alone, bias=alone["bias"] - 3.0)
    held = [(r, {"en": stingy}) for r in seed]
    assert _fit_regime(train, seed, held, keep)["threshold"] < alone["threshold"]
    assert _fit_regime(train, seed, held, keep)["weights"] == alone["weights"]


def test_a_rules_abstentions_spend_the_thresholds_budget():
    """The distinct-topics cut lets the product abstain on at most the share of answerable
    questions: those a rule declines whatever the score count first."""
    from rag.eval.fit import budget_cut
    scores = np.linspace(0.01, 0.99, 90)            # the 90 questions the threshold decides
    alone = budget_cut(scores, 0, 100, 0.05)
    assert sum(scores < alone) == 5
    with_rules = budget_cut(scores, 3, 100, 0.05)
    assert sum(scores < with_rules) == 2 and with_rules < alone
    assert budget_cut(scores, 5, 100, 0.05) == 0.0   # the rules spent it all


def test_the_distinct_cut_scores_each_article_by_a_model_fitted_without_it(monkeypatch):
    """Each XQuAD train question is scored by a verifier fitted without its article's fold, and
    a question a rule declines is not cut again: with every question left to the threshold the
    cut is the out-of-fold scores' 5 % one; with rules declining some, it is lower."""
    from types import SimpleNamespace as NS

    import rag.verify
    from rag.eval.devset import Item
    from rag.eval.fit import MAX_FALSE_ABSTAIN, _distinct_cut, _logistic, _scored, cut_at
    from rag.verify import FEATURES
    rng = np.random.default_rng(5)
    rows = []
    for n in range(400):
        answerable = n % 4 != 0
        x = np.zeros(len(FEATURES))
        x[FEATURES.index("sent_e5")] = (0.8 if answerable else 0.0) + 0.4 * rng.normal()
        item = Item(f"q{n}", "q", "en", "en→en", "xquad", "train", answerable, {f"art{n % 12}#p01"}, [])
        rows.append((item, x, {"cross": False, "hits": [], "readings": [], "fused": {},
                               "weights": {"sentences": {}}}))
    ruled: set[str] = set()

    def verify(c, hits, readings, weights, fused, policy=None):      # rules decline `ruled`; else the threshold
        item = next(it for it, _, info in rows if info["hits"] is hits)
        at = weights["en"]["threshold"]
        return NS(outcome="abstain" if item.qid in ruled or at > 1 else "answer")
    monkeypatch.setattr(rag.verify, "verify", verify)
    for _, _, info in rows:
        info["hits"] = []                        # a distinct list per row, to find its item
    model = {"weights": {}, "threshold": 0.1}
    free = _distinct_cut(rows, [], model)
    w, b, mean, scale = _logistic([(x, it.answerable) for it, x, _ in rows])
    in_sample = cut_at(np.sort(_scored([x for it, x, _ in rows if it.answerable], w, b, mean, scale)), MAX_FALSE_ABSTAIN)
    assert free != in_sample and abs(free - in_sample) < 0.2
    ruled.update(it.qid for it, _, _ in rows[1:40:4])          # 10 answerable questions declined by rules
    assert _distinct_cut(rows, [], model) < free


def test_the_lists_oracle_takes_each_questions_best_single_list():
    """`retrieval_table`'s ceiling: a question counts as found first when any one list ranks
    its gold paragraph first, though no list does so for both questions."""
    from rag.catalog import pair_sentences
    from rag.eval.devset import Item
    from rag.eval.fit import retrieval_table
    from rag.records import ParagraphPair
    from rag.retrieve import Candidates
    from rag.weights import load_weights
    pairs = {pid: ParagraphPair(id=pid, doc="d", order=n, zh=None, en=text) for n, (pid, text) in
             enumerate((("d#p01", "The fund is RMB 300 million."), ("d#p02", "The park opened in May.")), 1)}
    items = []
    for qid, gold, dense, bm25 in (("a", "d#p01", ["d#p01", "d#p02"], ["d#p02", "d#p01"]),
                                   ("b", "d#p02", ["d#p01", "d#p02"], ["d#p02", "d#p01"])):
        c = Candidates(query="How large is the fund?", lang="en", pairs=pairs,
                       lists={"dense": dict(zip(dense, (0.9, 0.8))), "bm25": dict(zip(bm25, (5.0, 1.0)))})
        c.sentences = {pid: pair_sentences(p) for pid, p in pairs.items()}
        items.append(Item(qid, c.query, "en", "en→en", "xquad", "val", True, {gold}, [], candidates=c))
    table = retrieval_table([(i, load_weights()) for i in items])["en→en"]
    assert table["dense"]["hit@1"] == table["bm25"]["hit@1"] == 0.5
    assert table["lists_oracle"]["hit@1"] == 1.0 and table["lists_oracle"]["n"] == 2
