"""Small, dependency-free learners for the weight file (numpy only, deterministic):

- `fit_softmax`: a linear score per candidate, trained so that each group's gold candidate
  wins (softmax cross-entropy over the group's candidates, L2-regularised) — fusion weights
  and answer-sentence weights;
- `fit_logistic`: a plain logistic regression (abstention / verification);
- `auc`, `threshold_for`: the numbers the thresholds are chosen by.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Group:
    x: np.ndarray            # (candidates, features)
    gold: list[int]          # indices of the right candidates (any of them counts)


def fit_softmax(groups: list[Group], l2: float = 1e-2, iters: int = 400, lr: float = 0.5,
                signs: np.ndarray | None = None) -> np.ndarray:
    """Weights w maximising Σ log Σ_{g in gold} softmax(X w)_g − l2·|w|² (full-batch gradient
    ascent with a backtracking step; the objective is concave). `signs` (+1, -1 or 0 per
    column): each step is projected so a column's weight never pushes the other way."""
    groups = [g for g in groups if g.gold and len(g.x)]
    if not groups:
        raise ValueError("nothing to fit: no group has a gold candidate")
    dim = groups[0].x.shape[1]
    w = np.zeros(dim)

    def objective(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros(dim)
        for g in groups:
            s = g.x @ w
            s = s - s.max()
            p = np.exp(s)
            p /= p.sum()
            pg = p[g.gold].sum()
            total += np.log(max(pg, 1e-300))
            q = np.zeros_like(p)
            q[g.gold] = p[g.gold] / max(pg, 1e-300)
            grad += g.x.T @ (q - p)
        n = len(groups)
        return total / n - l2 * float(w @ w), grad / n - 2 * l2 * w

    value, grad = objective(w)
    step = lr
    for _ in range(iters):
        candidate = w + step * grad
        if signs is not None:
            candidate = np.where(candidate * signs < 0, 0.0, candidate)
        new_value, new_grad = objective(candidate)
        if new_value >= value:
            w, value, grad = candidate, new_value, new_grad
            step *= 1.2
        else:
            step *= 0.5
            if step < 1e-8:
                break
    return w


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, iters: int = 500,
                 signs: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """(weights, bias) of P(y=1|x) = sigmoid(x·w + b), Newton's method with L2 on w.

    `signs` (+1, -1 or 0 per column) fixes the direction a feature may push: a column whose
    fitted weight comes out the other way is dropped (weight 0) and the rest refitted, until
    none does. Correlated features otherwise trade signs to fit one corpus's quirks."""
    if signs is not None:
        active = np.ones(x.shape[1], dtype=bool)
        while True:
            w_act, b = fit_logistic(x[:, active], y, l2, iters)
            w = np.zeros(x.shape[1])
            w[active] = w_act
            wrong = (np.sign(w) * signs < 0) & (signs != 0)
            if not wrong.any():
                return w, b
            # drop the most wrong-signed column, refit (one at a time: dropping one can fix another)
            active[int(np.argmax(np.where(wrong, np.abs(w), -1)))] = False
    n, dim = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(dim + 1)
    reg = np.full(dim + 1, 2 * l2 * n)
    reg[-1] = 1e-9
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (p - y) + reg * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(reg)
        delta = np.linalg.solve(hess, grad)
        w -= delta
        if np.abs(delta).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def auc(scores_pos: list[float], scores_neg: list[float]) -> float:
    """P(a random positive scores above a random negative), ties count half."""
    if not scores_pos or not scores_neg:
        return float("nan")
    neg = np.sort(np.asarray(scores_neg))
    total = 0.0
    for s in scores_pos:
        below = np.searchsorted(neg, s, side="left")
        equal = np.searchsorted(neg, s, side="right") - below
        total += below + 0.5 * equal
    return total / (len(scores_pos) * len(scores_neg))
