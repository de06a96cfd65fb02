"""Which of the fitted models' regimes a corpus is in, read from the corpus itself.

The fusion and the verifier were fitted on three kinds of corpus, and what tells a right
paragraph (or an unanswerable question) apart differs between them:
- a few articles (the seed: one article): the default models;
- many articles on different subjects (XQuAD's Wikipedia articles): a question whose
  paragraph is missing shows it (its words and its sense are nowhere), and the verifier's score
  separates it well (AUC 0.95 on XQuAD val), so it may abstain more readily;
- many articles on one subject (news sets of look-alike reports): a paragraph of the wrong
  article can hold all of the question's words, and an article's lead holds the names a
  question identifies it by while another of its paragraphs holds the answer. Such corpora get
  a fusion of their own (`fit --news`: XQuAD train and the news sets, with how a paragraph
  stands in its article, `fusion.article_coverage`); the verifier's score separates little
  there, and they keep the default reader and verifier.
`Catalog.topic_overlap` measures the corpus (each article's tf-idf cosine with its most alike
other); the boundary between the last two is fitted by `python -m rag.eval.fit` from the
corpora of each kind and stored in rag/data/weights.json ("corpus").
"""
from __future__ import annotations

FEW = "few-articles"
DISTINCT = "distinct-topics"
SAME_TOPIC = "same-topic"
MIN_ARTICLES = 5    # below this the idf of a few articles says little about how alike they are


def regime_of(n_docs: int, overlap: float | None, corpus: dict | None) -> str:
    """The regime of a corpus of `n_docs` articles whose topic overlap is `overlap`, under the
    fitted boundary (`corpus["same_topic_at"]`; no boundary fitted: the default)."""
    at = (corpus or {}).get("same_topic_at")
    if at is None or overlap is None or n_docs < (corpus or {}).get("min_articles", MIN_ARTICLES):
        return FEW
    return SAME_TOPIC if overlap >= at else DISTINCT


def keyed(models: dict, key: str, regime: str) -> dict | None:
    """The model stored for `key` in this regime ("zh@same-topic"), else for `key`."""
    return models.get(f"{key}@{regime}") or models.get(key)
