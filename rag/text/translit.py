"""Chinese names as English writes them: pinyin without tones ("Qingdao" is 青岛, "Xi'an" 西安).

An English question about Chinese-only sources names their places in pinyin; nothing else
links "Qujiang" to 曲江 (the multilingual embedders blur one base into another).
"""
from __future__ import annotations

import re
from functools import lru_cache

_LETTERS = re.compile(r"[^a-z]")


@lru_cache(maxsize=65536)
def pinyin_key(term: str) -> str:
    """曲江 → "qujiang" (the most common reading of each character; pypinyin's phrase table
    reads 重庆 as chongqing)."""
    from pypinyin import lazy_pinyin
    return "".join(lazy_pinyin(term)).lower()


def roman_key(word: str) -> str:
    """"Xi'an" → "xian": the letters of an English spelling, lower-cased."""
    return _LETTERS.sub("", word.lower())
