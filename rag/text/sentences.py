"""Sentences of one language side, and the token estimate that sizes chunks."""
from __future__ import annotations

import re

from .lang import CJK, CJK_CLASS, is_chinese
from .tokens import EN_STOP, question_word, tokenize

_ZH_SPLIT = re.compile(r"(?<=[。！？；!?;])(?![”’」』)）\"])|(?<=[。！？；!?;][”’」』)）\"])")
# English: end punctuation (+ optional closing quote) then space and a capital/number/quote;
# also "all.In" (a missing space after a period, seen in the seed).
_EN_SPLIT = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9“\"‘(])|(?<=[a-z][.!?])(?=[A-Z][a-z])")
_NOT_CJK_WORD = re.compile(r"[A-Za-z0-9]+")
_CJK_ANY = re.compile(f"[{CJK_CLASS}]")


def split_sentences(text: str, lang: str) -> list[str]:
    """Sentences of one side, punctuation kept, nothing lost: ''.join-able for zh."""
    text = text.strip()
    if not text:
        return []
    if lang == "zh":
        parts = _ZH_SPLIT.split(text)
    else:
        parts = []
        last = 0
        for m in _EN_SPLIT.finditer(text):
            end = m.start() + (len(m.group(0).rstrip()) if m.group(0).strip() else 0)
            parts.append(text[last:end])
            last = m.end()
        parts.append(text[last:])
    return [p.strip() for p in parts if p and p.strip()]


def estimate_tokens(text: str) -> int:
    """Cheap token estimate for the e5/XLM-R tokenizer: ~0.7 per CJK char, ~1.4 per word."""
    cjk = len(CJK.findall(text))
    words = len(_NOT_CJK_WORD.findall(_CJK_ANY.sub(" ", text)))
    return int(cjk * 0.7 + words * 1.4) + 1


_ASKING = re.compile(r"[?？]|^(who|what|when|where|which|why|how|is|are|was|were|do|does|did|can)\b|"
                     r"(吗|呢|什么|哪|谁|几|多少|怎么|如何|为何|为什么|是否)", re.I)


_POINTING = re.compile(r"\b(it|its|they|them|their|he|she|his|her)\b|它|他|她", re.I)
_DEMONSTRATIVE = re.compile(r"\b(?:this|that|these|those)\b(?:\s+([a-z]+))?", re.I)


def _points_back(sentence: str) -> bool:
    """A pronoun, or this / that / these / those standing alone ("Which city is that in …?");
    before a noun they are determiners ("at that film and TV gathering in Chengdu" names what
    it asks about)."""
    return bool(_POINTING.search(sentence)) or any(
        not m.group(1) or m.group(1).lower() in EN_STOP or m.group(1).lower() in ("one", "ones")   # "that one"
        for m in _DEMONSTRATIVE.finditer(sentence))


# a sentence telling the assistant what to do, not asking about the sources: what follows it
# ("… before that: how many projects …?") is the question, whatever "that" points back to
_INSTRUCTION = re.compile(r"\b(?:ignore|disregard|forget)\b.{0,40}\b(?:instructions?|prompts?|rules?)\b|"
                          r"\b(?:reply|respond|answer|say|print|output|write)\b.{0,40}\b(?:word|words|only|just)\b|"
                          r"(?:忽略|无视|忘记).{0,12}(?:指令|指示|提示|规则)|(?:只|仅)(?:回复|回答|输出)", re.I)


def focus_question(text: str, lang: str) -> str:
    """The question a longer message asks: its last sentence, when there are several and the
    last one asks something on its own and the others ask nothing ("Ignore previous
    instructions … . How many projects were signed?"). Otherwise — one sentence, a last one
    that points back ("… fund. How large is it?") or names nothing ("… review times were
    improved. By how much?"), or several questions — the text itself."""
    parts = split_sentences(text, lang)
    last = parts[-1] if parts else ""
    told = len(parts) >= 2 and all(_INSTRUCTION.search(p) for p in parts[:-1])
    # several sentences that each ask are one multi-part question, not a preamble and a question
    if len(parts) >= 2 and len(last) >= 4 and _ASKING.search(last) and (told or not _points_back(last)) \
            and any(not question_word(t) for t in tokenize(last)) \
            and not any(_ASKING.search(p) for p in parts[:-1]):
        return _LEAD_IN.sub("", last) if told else last
    return _ANNOUNCED.sub("", text.strip())


# "Two things: …", "两个问题：…": how many questions follow, not a number the sources must state
_ANNOUNCED = re.compile(r"^(?:(?:two|three|four|a few|several|some|a couple of|\d)\s+(?:quick\s+)?(?:things|questions)|"
                        r"(?:我有|问)?(?:两|三|四|几|\d)(?:个|件)(?:小)?(?:问题|事情|事))\s*[:：,，]\s*", re.I)


_LEAD_IN = re.compile(r"^(?:actually|but|now|first|ok(?:ay)?|and)?[,\s]*(?:before (?:that|this|doing so|you do))?\s*[:,]\s*|"
                      r"^(?:不过|但是|其实|先)?[，,\s]*(?:在此之前|在这之前|之前)?\s*[：:，,]\s*", re.I)


_PIECE = re.compile(r"[？?；;，,、:：]+")
_ASKED_SENTENCE = re.compile(r"(?<=[？?])")
_ASKS_ZH = re.compile(r"多少|多[大长久远高重宽深]|几[个家项部位届次条名座所批种年天号月成岁]|什么|哪|谁|何时|何地|怎样|怎么|如何|是否")
_ASKS_EN = re.compile(r"\b(?:what|which|who|whom|whose|when|where|why|how)\b", re.I)
# (not after a bare question word: "when and where was it held?" asks of one thing, in one piece)
_EN_AND_ASKS = re.compile(r"(?<!,)(?<!\bwhen)(?<!\bwhere)(?<!\bwho)(?<!\bwhat)(?<!\bhow)(?<!\bwhy)(?<!\bwhich)"
                          r"\s+(?=and\s+(?:what|which|who|whom|whose|when|where|why|how)\b)", re.I)


# a question asking more things than this is read for its first ones (each part is read and
# verified on its own: a 1,000-character question of 84 asks took 4.8 s); the answer says so
MAX_PARTS = 6


def question_parts(question: str) -> list[str]:
    """The questions a multi-part question asks, each with the shared context in front
    ("在成都举办的那届大会上，签约了几个项目、签约总额是多少？" → "…大会上 签约了几个项目",
    "…大会上 签约总额是多少"); [] for a question that asks one thing. A piece asks when it has
    a question word; pieces that don't lead the first asking one (context) or follow the
    piece they belong to ("Which film, released in 2023, won?" asks one thing)."""
    zh = is_chinese(question)
    asks = _ASKS_ZH if zh else _ASKS_EN
    context: list[str] = []
    parts: list[list[str]] = []
    # "What was the theme and which areas did it focus on?": "and" before a question word
    # joins two questions as a comma does
    text = question if zh else _EN_AND_ASKS.sub(", ", question)
    for sentence in _ASKED_SENTENCE.split(text):
        # a question mark ends a question: what leads the next one is its own context ("主题是什么?
        # 另外，大会能持续办下去，依托的是哪个战略?"), not more of the last part
        local: list[str] = []
        for piece in (p.strip() for p in _PIECE.split(sentence)):
            if not piece:
                continue
            # a piece that asks and says what about (5 characters, 3 words): "哪些单位、哪些个人参加了"
            # asks one thing
            if asks.search(piece) and (len(piece) >= 5 if CJK.search(piece) else len(piece.split()) >= 3):
                parts.append(local + [piece])
                local = []
            elif parts and not local and not sentence.lstrip().startswith(piece):
                parts[-1].append(piece)
            elif parts:
                local.append(piece)
            else:
                context.append(piece)
        if local and parts:
            parts[-1] += local
    if len(parts) < 2:
        return respective_parts(question)
    glue = "，" if is_chinese(question) else ", "
    return [glue.join(context + part) for part in parts]


# "A和B的X分别是多少?", "X of A and B respectively", "Compare X of A with that of B": one ask of
# two things, each answered by its own sentence (often in its own paragraph)
# (各 before a verb of the two: "成都和武汉各发了多少…", "各是多少"; not 各地, 各类)
_ZH_EACH = re.compile(r"分别|各自|各(?=是|有|为|发|接待|签约?|投资?|安排|获得?|占|达到?|拿|多少)")
_ZH_AND = re.compile(r"以及|和|与|及|跟")
_ZH_CONJUNCT_END = re.compile(r"的|，|,|、|分别|各|都")
_ZH_CONJUNCT_START = re.compile(r".*(?:的|，|,|在|是)")
_EN_EACH = re.compile(r"\b(?:respectively|each|compare|compared|both)\b", re.I)
_EN_AND = re.compile(r"\s(?:and|with that of|with those of|versus|vs\.?)\s", re.I)
_EN_CONJUNCT_END = re.compile(r"\s*(?:,|\?|\brespectively\b|\b(?:did|do|does|were|was|are|is|have|has)\b)", re.I)
_EN_CONJUNCT_START = re.compile(r".*\b(?:of|at|in|for|from|between|on|during)\s", re.I | re.S)
_YEAR_PAIR = re.compile(r"((?:19|20)\d{2}年?)\s*(?:和|与|及|、|and|vs\.?|versus)\s*((?:19|20)\d{2}年?)", re.I)
_SHORT = 6      # a conjunct this short is a noun of the thing before it ("实验室的总面积和运营公司")


def respective_parts(question: str) -> list[str]:
    """The two questions in one that asks the same of two things ("2024年春节档和2023年国庆档
    的全国电影票房分别是多少?" → "2024年春节档的全国电影票房分别是多少", "2023年国庆档的全国
    电影票房分别是多少"); [] without "分别 / 各自 / respectively / compare …" or a conjunction
    before it. What precedes the first thing stays with the second only when both are short
    nouns of it ("…实验室的总面积和运营公司分别…"), not a clause about the first ("在成都举行的A和B")."""
    q = question.strip().rstrip("?？.。 ")
    zh = is_chinese(q)
    each = (_ZH_EACH if zh else _EN_EACH).search(q)
    if not each:
        return []
    years = _YEAR_PAIR.search(q)
    if years:
        # "…2023年和2024年上半年的协议投资额各是多少": the same asked of each year
        one = q[:years.start()] + years.group(1) + q[years.end(2):]
        return [one, q[:years.start()] + years.group(2) + q[years.end(2):]]
    ands = list((_ZH_AND if zh else _EN_AND).finditer(q, 0, each.start() if zh else len(q)))
    if not ands:
        return []
    conj = ands[-1]
    end = (_ZH_CONJUNCT_END if zh else _EN_CONJUNCT_END).search(q, conj.end())
    r_end = end.start() if end else len(q)
    if not zh and "of" in conj.group(0):       # "X of A with that of B": B's X
        head = re.match(r".*?\bof\s", q[:conj.start()], re.I)
    else:
        head = (_ZH_CONJUNCT_START if zh else _EN_CONJUNCT_START).match(q[:conj.start()])
    l_start = head.end() if head else 0
    if zh and l_start == 0 and conj.start() > 12:
        return []           # no clear first conjunct: likely a name with 与 in it
    first, second = q[l_start:conj.start()].strip(), q[conj.end():r_end].strip()
    if not first or not second:
        return []
    prefix = q[:l_start] if max(len(first), len(second)) <= _SHORT or not zh else ""
    if zh and prefix and not prefix.endswith("的"):
        prefix = ""
    one = (q[:conj.start()] + q[r_end:]).strip()
    two = (prefix + second + q[r_end:]).strip()
    return [one, two] if one != two else []


# an enumeration: a clause whose items are separated by 、 (Chinese) or commas (English)
_ZH_CLAUSE = re.compile(r"[，,。；;：:！？!?]")
_EN_CLAUSE = re.compile(r"[;!?]|\.(?=\s|$)")
_ZH_LIST = re.compile(r"包括|包含|涵盖|例如|比如|诸如|如|有")
_EN_LIST = re.compile(r"\b(?:includ(?:e|es|ed|ing)|such as|namely|among them)\b")


def list_item(name: str, sentence: str) -> str:
    """The item of a list of three or more that names `name`, when the sentence names it only
    there ("包括A、B、《苍穹以北》融合出版项目、…" → "《苍穹以北》融合出版项目"; "These projects
    include: A, B, the X Project, …"); "" otherwise. A list names its items, it says nothing
    else of them."""
    zh = bool(CJK.search(name))
    text = sentence if zh else sentence.lower()
    key = name if zh else name.lower()
    at = text.find(key)
    if at < 0:
        return ""
    # commas inside quoted names ("Thousand Cities, Ten Thousand …") separate no items
    flat = re.sub(r"“[^”]*”|\"[^\"]*\"|《[^》]*》", lambda m: "x" * len(m.group(0)), text)
    if not zh and not _EN_LIST.search(flat[:at]):
        return ""             # English commas separate much else than items: only a list said to be one
    sep = "、" if zh else ","
    for clause in (_ZH_CLAUSE if zh else _EN_CLAUSE).split(flat):
        start = flat.find(clause)
        if not start <= at < start + len(clause):
            continue
        if clause.count(sep) < 2:
            return ""
        # an item: after a separator, or in the first one after the words that open a list
        # ("包括A、B、C", not the subject of "A由B、C、D共同推进")
        first = clause.split(sep)[0]
        if at - start < len(first) and not (_ZH_LIST if zh else _EN_LIST).search(first[:at - start]):
            return ""
        offset = start
        for item in clause.split(sep):
            if offset <= at < offset + len(item):
                return sentence[offset:offset + len(item)].strip()
            offset += len(item) + len(sep)
    return ""
