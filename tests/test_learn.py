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
