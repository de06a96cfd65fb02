"""Evaluation: the eval-set schema (evalset), metric definitions (metrics), the runner behind
`rag-eval` (runner), the XQuAD development corpus (xquad) and the fitting of weights (fit)."""
