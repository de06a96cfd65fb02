"""Chinese-aware tokens for BM25: jieba words for Chinese (search mode, so 微短剧 also yields
短剧), lower-cased English words with a light plural strip, numbers kept (3亿, 50%, 2025)."""
from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter

_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[A-Za-z][A-Za-z'-]*|\d+(?:\.\d+)?%?")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_EN_STOP = frozenset("""a an the of and or to in on at for by with from as is are was were be been
being it its this that these those which who whom what when where why how do does did has have had
not no into than then there their they them he she his her we our you your i me my so such can
will would should could may might also both but if about over under up out more most very""".split())
_ZH_STOP = frozenset("的 了 和 与 及 在 是 为 以 等 将 对 从 中 其 也 而 并 把 被 这 那 之 于 上 下 个 有 就 都 还 又 或 即 着 吗 呢 吧 啊 什么 多少 哪些 哪个 如何 怎么 怎样 是否 哪".split())

_jieba_lock = threading.Lock()
_jieba = None


def _get_jieba():
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            import jieba
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba
    return _jieba


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    for m in _WORD.finditer(text):
        piece = m.group(0)
        if _CJK.match(piece):
            for word in _get_jieba().lcut_for_search(piece):
                if word not in _ZH_STOP:
                    tokens.append(word)
        elif piece[0].isdigit():
            tokens.append(piece)
        else:
            word = piece.lower().strip("'-")
            if word and word not in _EN_STOP:
                tokens.append(_stem(word))
    return tokens


def term_counts(text: str) -> Counter[str]:
    return Counter(tokenize(text))


def bm25_idf(n_docs: int, df: int) -> float:
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


K1, B = 1.2, 0.75


def bm25_term(tf: int, length: int, avg_len: float, idf: float) -> float:
    return idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / max(avg_len, 1e-9)))
