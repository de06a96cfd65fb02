"""Words: jieba for Chinese (one thread-safe instance, initialised once), lower-cased English
words with one light stemmer, numbers kept (3亿, 50%, 2025); the stop-word lists; jieba's
part-of-speech tags (names, places, organisations, numerals, times)."""
from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import Counter
from functools import lru_cache
from pathlib import Path

from .lang import CJK, CJK_CLASS

# Bump when `tokenize` changes: catalogs rebuild their BM25 postings from the stored texts
# (`tokenizer_state`, which an edit of a merged synonym class changes too).
TOKENIZER_VERSION = 11

_POSSESSIVE = re.compile(r"(?:'s|'re|'ll|'ve|'d|'m|n't)$")      # Sichuan's, they're, didn't
_WORD = re.compile(f"[{CJK_CLASS}]+|[A-Za-z][A-Za-z'’-]*|\\d+(?:\\.\\d+)?%?")
EN_STOP = frozenset("""a an the of and or to in on at for by with from as is are was were be been
being it its this that these those which who whom what when where why how do does did has have had
not no into than then there their they them he she his her we our you your i me my so such can
will would should could may might also both but if about over under up out more most very""".split())
# English words capitalised only because a sentence or question starts with them (or generic
# nouns that often do): never a name. One list for the name finder (answer_types), the
# question's constraints, follow-ups and the support judge.
EN_STARTERS = frozenset("""the a an this that these those it its they their there here in on at for by with from as of
to and or but both some such one two all each every many most several other another according after before
during while when where what which who whom whose why how since through under over among between beyond
despite following regarding concerning compared except including excluding also then now however although
though meanwhile additionally notably together apart aside besides furthermore moreover because if unlike
like along alongside upon throughout today currently recently previously later earlier initially finally
overall instead thus therefore hence once against last next first second third based given due thanks
prior outside much approximately about around roughly nearly almost whereas whether within without until
is are was were do does did can could would should will please tell name list give describe explain compare
summarize summarise officials organizers participants guests attendees he she his her him we our us i you
your my""".split())
ZH_STOP = frozenset("的 了 和 与 及 在 是 为 以 等 将 对 从 中 其 也 而 并 把 被 这 那 之 于 上 下 个 有 就 都 还 又 或 即 着 "
                    "吗 呢 吧 啊 什么 多少 哪些 哪个 如何 怎么 怎样 是否 哪".split())


# measure words: what a count counts ("三届", "多少家"); one home for the answer-type rules too
ZH_MEASURES = "个家项部位届次条名座所批种只件台辆架艘集场款天亩处"
# a count jieba keeps as one word ("三届", "几届", "几部"): its measure word is a term too, so
# "举办了几届?" finds "举办三届" (a count in digits, "3届", gives 届 already); an ordinal
# ("第五届") is no count
_COUNT_WORD = re.compile(f"^[零一二两三四五六七八九十百千万几]+([{ZH_MEASURES}])$")

# question words jieba's dictionary lets a neighbour take (its 哪天 has frequency 3, 天开 19):
# kept whole
_ZH_KEEP_WHOLE = ("哪天",)
# kinds of zone, one word each ("赣州经开区" was 赣州 / 经 / 开区, 开区 a place): nouns, no names
_ZH_ZONES = ("经开区", "高新区", "开发区", "自贸区", "保税区")

_lock = threading.Lock()
_jieba = None


def jieba():
    """The jieba module, initialised once (its dictionary load is not thread-safe)."""
    global _jieba
    with _lock:
        if _jieba is None:
            import jieba as module
            import jieba.posseg  # noqa: F401  - loads with the dictionary, under the lock
            module.setLogLevel(logging.WARNING)
            module.initialize()
            for word in _ZH_KEEP_WHOLE:     # "哪天开的" was 哪 / 天开 (异想天开's word)
                module.add_word(word, freq=1000)
            for word in _ZH_ZONES:
                module.add_word(word, freq=1000, tag="n")
            _jieba = module
    return _jieba


def stem(word: str) -> str:
    """One light English stemmer for matching, not for display: plural and common suffixes
    (programs/program, hosted/host, productions/product)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s", "ly", "al", "ion", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


# Question words and references to the text itself: terms of a question (after tokenize) that
# never name what is asked about, so a passage lacking them says nothing (rag/verify.py)
_ZH_QUESTION = ("哪里 哪儿 何时 何地 何处 为什么 为何 谁 哪位 几 多久 多大 多长 多远 哪年 哪一年 一年 哪天 哪一天 一天 "
                "哪一 哪项 哪个 哪种 哪家 哪些地方 怎么样 时候 多少钱 请问 是不是 有没有 文章 文中 文中说 本文 提到 "
                "报道 本届 本次 这次 这场 此次 地点 日期 "
                # how people ask, not what they ask about: fillers, pronouns, "in total", "about",
                # "that one" (seed_holdout and news probes: 一共, 那个, 大约, 为啥 were unseen terms
                # and weighed most in the coverage)
                "一共 总共 共计 合计 大约 大概 左右 几个 第几 那个 这个 那些 这些 那届 这届 那份 这份 "
                "啥 为啥 咋 咋样 你 你们 我 我们 请 到底 究竟 具体 分别 各自 还有 现在 能 能够 可以 会 要 想 "
                "里 里面 最 跟 主要 主要是")
_EN_QUESTION = ("many much long far often old whose whom which what article text passage document mention "
                "mentioned say says said according report reported "
                # how people ask ("What sort of symbol …", "what exactly is …", "what's the thing …")
                "sort kind thing things stuff actually exactly really basically specifically supposed")


_t2s = None
_t2s_lock = threading.Lock()


def simplified(text: str) -> str:
    """Traditional Chinese characters as Simplified (OpenCC's t2s tables, opencc-purepy), so a
    question in 繁體 matches a Simplified source and the reverse; other text is unchanged."""
    global _t2s
    if not CJK.search(text):
        return text
    with _t2s_lock:
        if _t2s is None:
            from opencc_purepy import OpenCC
            _t2s = OpenCC("t2s")
        return _t2s.convert(text)


# colloquial question words as the written ones every check reads ("主题是啥?" asks 什么, "咋办的?"
# 怎么): the answer-type, multi-part and follow-up rules are written for 什么 / 怎么 / 哪里
_COLLOQUIAL = {"为啥": "为什么", "干啥": "干什么", "啥时候": "什么时候", "啥时": "什么时候", "啥子": "什么", "啥": "什么",
               "咋样": "怎么样", "咋": "怎么", "哪儿": "哪里", "多会儿": "什么时候"}
_COLLOQUIAL_RE = re.compile("|".join(sorted(_COLLOQUIAL, key=len, reverse=True)))


def plain_question(text: str) -> str:
    """A question as the checks read it: in Simplified characters (`simplified`), its
    colloquial question words written out (啥 → 什么, 咋 → 怎么, 哪儿 → 哪里)."""
    text = simplified(text)
    return _COLLOQUIAL_RE.sub(lambda m: _COLLOQUIAL[m.group(0)], text) if CJK.search(text) else text


_SYNONYMS_FILE = Path(__file__).resolve().parent.parent / "data" / "synonyms.txt"
_TAKE_PLACE = re.compile(r"\b(?:take|takes|took|taken|taking)\s+place\b", re.I)


@lru_cache(maxsize=1)
def _synonym_lines() -> tuple[tuple[bool, tuple[str, ...]], ...]:
    """(merged?, words) per class of rag/data/synonyms.txt; a line starting with "=" is merged."""
    return tuple((line.startswith("="), tuple(line.lstrip("= ").split()))
                 for line in _SYNONYMS_FILE.read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def _synonym_classes() -> dict[str, tuple[str, ...]]:
    """term → the other terms of its class, for a class looked up only where a text never
    uses the term."""
    return {w: tuple(o for o in words if o != w) for merged, words in _synonym_lines() if not merged for w in words}


@lru_cache(maxsize=1)
def _canonical() -> dict[str, str]:
    """term → the first word of its merged class: every member is that one term to BM25,
    coverage and echo, in passages and questions alike."""
    return {w: words[0] for merged, words in _synonym_lines() if merged for w in words[1:]}


def merged_with(word: str) -> tuple[str, ...]:
    """The words of the merged synonym class `word` is in (举办 → 举行, 举办, 召开, 开幕, 开), else
    the word alone."""
    for merged, words in _synonym_lines():
        if merged and word in words:
            return words
    return (word,)


def tokenizer_state() -> str:
    """What stored postings were tokenized by: TOKENIZER_VERSION and the merged synonym classes
    (editing one changes every passage's terms: catalogs rebuild their postings)."""
    merged = "\n".join(" ".join(words) for is_merged, words in _synonym_lines() if is_merged)
    return f"{TOKENIZER_VERSION}:{hashlib.sha256(merged.encode()).hexdigest()[:12]}"


def synonyms(term: str) -> tuple[str, ...]:
    """The terms that may stand for `term` (a tokenize term) where a text never uses it."""
    return _synonym_classes().get(term, ())


def tokenize(text: str) -> list[str]:
    """BM25 terms: jieba search-mode words (微短剧 also gives 短剧) of the text in Simplified
    characters, stemmed English words, numbers; stop words dropped; "take place" in any tense
    is "held"; each word of a merged synonym class (rag/data/synonyms.txt) is its class's first."""
    tokens: list[str] = []
    for m in _WORD.finditer(_TAKE_PLACE.sub("held", simplified(text))):
        piece = m.group(0)
        if CJK.match(piece):
            for w in jieba().lcut_for_search(piece):
                if w not in ZH_STOP:
                    tokens.append(w)
                    count = _COUNT_WORD.match(w)
                    # not an ordinal's ("第五届" gives 五届 too: a fifth edition counts nothing)
                    if count and count.group(1) not in ZH_STOP and "第" + w not in piece:
                        tokens.append(count.group(1))
        elif piece[0].isdigit():
            tokens.append(piece)
        else:
            word = _POSSESSIVE.sub("", piece.lower().replace("’", "'")).strip("'-")    # "Sichuan's" is Sichuan
            if word and word not in EN_STOP:
                tokens.append(stem(word))
    canonical = _canonical()
    return [canonical.get(t, t) for t in tokens]


def term_counts(text: str) -> Counter[str]:
    return Counter(tokenize(text))


# jieba POS flags: nr person, ns place, nt organisation, nz other proper noun, m numeral,
# t time, q measure word
NAME_TAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz"})


_NOT_NAMES_FILE = Path(__file__).resolve().parent.parent / "data" / "jieba_not_names.txt"


@lru_cache(maxsize=1)
def _retagged() -> dict[str, str]:
    """Common words jieba's dictionary tags as a person or place name (古老 nr, 文明 nr, 城市 ns,
    东西 ns) or a time (会上, 青年), and names it tags as the wrong kind (莫斯科 nr), with the
    tag they get instead: its most frequent nr/ns/t entries, read one by one
    (rag/data/jieba_not_names.txt)."""
    out = {}
    for line in _NOT_NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, tag = line.split()
            out[word] = tag
    return out


_RETAGGED = frozenset({"nr", "nrt", "nrfg", "ns", "t"})
# jieba's dictionary tags hundreds of places as people (高新区, 华容县, 钟祥市 nr): a "person"
# of three characters or more ending in an administrative suffix is a place
_PLACE_SUFFIX = tuple("区县市省镇村")


def _fixed(word: str, flag: str, fixed: dict[str, str], known: dict) -> str:
    if flag in _RETAGGED and word in fixed:
        return fixed[word]
    if flag == "t" and word not in known:
        return "n"
    if flag == "nr" and len(word) >= 3 and word.endswith(_PLACE_SUFFIX):
        return "ns"
    return flag


def pos_tags(text: str) -> list[tuple[str, str]]:
    """(word, jieba flag) for Chinese text, with jieba's dictionary mistakes for names and times
    put right; a time jieba guesses (a word not in its dictionary: 节在, 中才) is none; a person
    ending in 区/县/市 is a place."""
    jb = jieba()
    with _lock:            # posseg's tokenizer keeps state between calls
        tags = [(w, flag) for w, flag in jb.posseg.cut(text)]
    fixed = _retagged()
    known = jb.posseg.dt.word_tag_tab
    return [(w, _fixed(w, flag, fixed, known)) for w, flag in tags]


# a "person name" jieba's HMM glues from a verb and the word after it ("消费占文旅消费": 占文旅)
_NOT_A_SURNAME = tuple("占在是为将把被对从由给让使")


def zh_names(text: str) -> set[str]:
    """Person, place and organisation names (jieba ns/nr/nt) of two characters or more."""
    return {w for w, flag in pos_tags(text) if flag in ("ns", "nr", "nt", "nrt") and len(w) >= 2
            and not (flag == "nr" and w.startswith(_NOT_A_SURNAME))}


QUESTION_WORDS = frozenset(_ZH_QUESTION.split()) | frozenset(stem(w) for w in _EN_QUESTION.split())


_ASKED_KIND = re.compile(r"(?:哪[一两几三四五]?[个座所家位项部种类条只名]|什么)([\u4e00-\u9fff]{2})"
                         r"|\b(?:which|what)\s+([A-Za-z]+)", re.I)


def asked_kinds(question: str, terms: set[str] | None = None) -> set[str]:
    """The terms of the kind a which-question asks for ("哪个城市" → 城市, "哪两家单位" → 家, 单位,
    "which city" → city), and the measure word of any count it asks ("几届" → 届): its answer
    names one ("成都", "三届"), it need not say the word. `terms`: the question's tokens, when
    the caller has them."""
    kinds = {t for m in _ASKED_KIND.finditer(question) for t in tokenize(m.group(1) or m.group(2))}
    return kinds | {t for t in (tokenize(question) if terms is None else terms) if len(t) == 1 and t in ZH_MEASURES}


def glued(term: str) -> bool:
    """A "word" jieba's HMM made of single characters its dictionary does not join (想聊 of
    "想聊AI用在哪"): no name, no term a passage must hold — read like the single characters it
    is made of (a name glued so, 陈远航 → 陈 / 远航, is not)."""
    if not 2 <= len(term) <= 3 or not all(CJK.match(ch) for ch in term) or term in jieba().dt.FREQ:
        return False
    return all(len(w) == 1 and flag not in NAME_TAGS for w, flag in pos_tags(term))


def question_word(term: str) -> bool:
    """A term (of tokenize) that asks rather than names: the lists above, and jieba's words
    that begin with 哪 or 什么 (哪些方面, 哪几个, 什么样) but 哪吒 and 哪怕."""
    return term in QUESTION_WORDS or term.startswith("什么") or (term.startswith("哪") and not term.startswith(("哪吒", "哪怕")))
