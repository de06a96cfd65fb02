"""Follow-up questions resolved against the previous turn, without an LLM.

- A follow-up that names an entity of the kind the previous question named replaces it:
  "那重庆呢?" after "四川出台了哪些影视扶持政策?" → "重庆出台了哪些影视扶持政策?";
  "And Chengdu?" after "What policies did Sichuan announce?" → "What policies did Chengdu announce?".
- A follow-up that points back (它, 其, it, they, the first one …) gets the previous question's
  topic in place of the pronoun: "它是由谁发起的?" → "AIGC创新伙伴计划是由谁发起的?"; a plural
  pronoun takes the thing the previous question asked about ("Which projects …?" → they).
- A short follow-up with neither ("签了几个?", "新增了哪些奖励情形?") is read in the previous
  question's context: its topic is put in front.
- A follow-up asking only for more precision ("那它的具体数字是多少?", "What exactly was its
  figure?") asks the previous question again.
- Anything else is a new question and stands as it is.

With an LLM the condense prompt rewrites the question; these rules are the fallback.
"""
from __future__ import annotations

import re

from .text import CJK_RUN, is_chinese
from .text.answer_types import _zh_offers
from .text.constraints import EDITION, PERIOD, PHASE, constraints
from .text.tokens import EN_STARTERS, pos_tags

_ZH_LEAD = re.compile(r"^(那么?|还有|另外|以及|再问一下|请问|那个|那)\s*")
_ZH_TAIL = re.compile(r"(的呢|呢|怎么样|又如何|情况如何|如何)?\s*[?？。!！]*$")
_EN_LEAD = re.compile(r"^(?:(?:n|nd|an|&)\s+)?(and what about|what about|how about|and|what of|same for|also|then)\b[\s,]*"
                      r"|^(?:n|nd|&)\s+", re.I)        # "n what about …": "and", typed short
_ZH_ASKING_REST = re.compile(r"^(?:那边|这边|那儿|这儿|那里|这里|方面)|(?:也|又)?(?:有吗|有没有|有么|吗|么)$")
# "among them" opening a follow-up: 里面 / 其中 / 这当中 …
_ZH_AMONG = re.compile(r"^(?:这|那)?(?:里面|里头|其中|当中|之中|中间)")
_ZH_PRONOUN = re.compile(r"它们|它|其(?![他它余实次])|该(?=[计项活办政机基平])|这项|此项|这个|这件事|这事儿?|此事|"
                         r"(?<![除因如彼从])此(?!外)")
# "除此之外…", "此外…": besides what the last question asked about
_ZH_BESIDES = re.compile(r"^(?:除此之外|除此以外|除了这个|此外)[，,]?")
# 这 / 那 / 该 before a noun ("这政策", "这个基地"): the one the last question named (not 这些: many)
_ZH_POINTER = re.compile(r"(?:这|那|该|此)(?:个|项|份|家|座)?(?!些)")
_EN_PRONOUN = re.compile(r"\b(the (?:first|last|second|next|previous) one|it|its|they|them|their|this|these|those|"
                         r"(?<=of )that|(?<=about )that|that(?=\s*[?.!]*$))\b", re.I)
# "there" pointing at a place or event ("… launched there?"), not "is there …", "there are …"
_EN_THERE = re.compile(r"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )\bthere\b(?=\s*[?.!]*\s*$)", re.I)
_EN_AT_END = re.compile(r"\b(?:at|in|during)\s+(?:the\s+)?(?:[\w’'-]+\s+){0,5}?[\w’'-]+\s*[?.!]*\s*$", re.I)
_EN_OF_HEAD = re.compile(r"^(?:the\s+)?(?:[\w’'-]+\s+){1,2}?of\s+(?=\S)", re.I)
_EN_DEMONSTRATIVE = re.compile(r"\b(that|this|these|those|the same)\s+([a-z][\w-]{2,})\b(?!\s+(?:of|is|was|are|were)\b)", re.I)
_EN_WH_ONLY = re.compile(r"(?i)^(?:by\s+)?(?:how (?:much|many|long|often)|when|where|who|why|which one|what year|"
                         r"in which year|since when|until when)(?:\s+(?:exactly|then))?$")
_EN_WH_LEAD = re.compile(r"(?i)^\s*(?:what|which|who|whom|how(?: much| many)?|when|where|why)\b\s*"
                         r"(?:(?:did|does|do|is|was|were|are|has|have|had|will|can)\b\s*)?")
_EN_PLURAL = re.compile(r"^(they|them|their|these|those)$", re.I)
_EN_CAPS = re.compile(r"(?:the\s+)?(?:[A-Z0-9][\w’'-]*)(?:\s+(?:(?:and|of|for|the|&)\s+)*[A-Z0-9][\w’'-]*)*")
_EN_WH_NP = re.compile(r"^\s*(?:which|what)\s+((?:[\w’'-]+\s+){1,7}?)(?:did|do|does|were|was|is|are|has|have|had|"
                       r"will|can|could)\b", re.I)
_EN_IS_NP = re.compile(r"\b(?:is|are|was|were|did|does|do)\s+((?:the\s+)?[\w’'-]+(?:\s+[\w’'-]+){0,9}?)"
                       r"(?:\s+(?:for|in|at|to|by|on|during|introduce|launch|announce|have|get|cut|do|make|"
                       r"take|been|held)\b|\?|$)", re.I)
# a follow-up that only asks for the previous answer more precisely ("那它的具体数字是多少?",
# "What exactly was its figure?") asks the previous question again
_ZH_GENERIC = re.compile(r"它们|它|其|这个|这|那个|那么|那|的|是|具体|确切|详细|准确|一点|一下|数字|数据|数额|数目|"
                         r"多少|什么|呢|吗|再说|说说|请|[?？。!！,，\s]")
_EN_GENERIC = frozenset("what which was were is are it its their they that this exactly precisely specifically "
                        "exact precise specific figure figures number numbers amount value details detail again "
                        "more the a and so then please tell me say give".split())
# "签约仪式上有多少个项目签约?" → 它们 are 这些项目
_ZH_COUNTED_NOUN = re.compile(r"(?:多少|几)\s*[个家项部位名座所批种只件台辆架艘集场款]\s*([\u4e00-\u9fff]{1,6}?)"
                              r"(?=[签在是有被由获将已共，,。？?]|$)")
_ZH_ASK = re.compile(r"什么|哪|谁|几|多少|怎么|如何|为何|为什么|是否|何")
_ZH_TRAILING = "在于从向对将把被"
# a year, a box-office season, or both ("2023年国庆档", "2023年", "国庆档")
_ZH_WHEN = re.compile(rf"((?:19|20)\d{{2}}年)?({PERIOD.pattern})?(?<=[年档])")
# the rest of a facility's name after its place ("钱塘" + "微短剧产业园")
_FACILITY_HEADS = "产业园|园区|基地|实验室|中心|公司|影像节|电影节|大会"
_ZH_FACILITY = re.compile(rf"[\u4e00-\u9fffA-Za-z]{{0,8}}?(?:{_FACILITY_HEADS})(?:{PHASE.pattern})?")   # with its phase
_ZH_FACILITY_END = re.compile(rf"(?:{_FACILITY_HEADS})$")


def _zh_entities(text: str) -> list[tuple[str, str]]:
    """(entity, kind) in Chinese text, longest first: organisations, places, people, titles."""
    found = _zh_offers(text)
    out = [(e, kind) for kind in ("org", "place", "person", "name") for e in found.get(kind, ())]
    out = [(e, k) for e, k in out if len(e) >= 2 and not _ZH_ASK.search(e)]
    return sorted(set(out), key=lambda ek: -len(ek[0]))


_NP_FLAGS = ("n", "vn", "b", "a", "m", "q", "eng", "nz", "nr", "ns", "nt", "j", "t")


def _zh_runs(question: str) -> list[list[str]]:
    """Noun-phrase runs of a Chinese question (jieba tags): nouns, names, numerals and
    modifiers, joined by 的/和/与; a verb between two nouns stays in (视听平台, 签约项目)."""
    tags = pos_tags(question)
    runs, current = [], []
    for i, (word, flag) in enumerate(tags):
        nxt = tags[i + 1][1] if i + 1 < len(tags) else ""
        np_like = flag.startswith(_NP_FLAGS) and not _ZH_ASK.search(word)
        joiner = word in ("的", "和", "与", "及") and current and nxt.startswith(_NP_FLAGS)
        sandwiched = flag.startswith("v") and current and nxt.startswith(("n", "vn"))
        if np_like or joiner or sandwiched:
            current.append(word)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [r for r in runs if len("".join(r)) >= 2]


def _zh_topic(question: str, pronoun: bool = False) -> str:
    """The previous question's topic: its longest noun phrase. For a pronoun, the longest
    part of it between 的 (the conference of "the conference's theme", not the theme)."""
    runs = _zh_runs(question)
    if not runs:
        return ""
    best = max(runs, key=lambda r: len("".join(r)))
    if best[-1][-1] in _ZH_TRAILING and len(best[-1]) == 2:
        best = best[:-1] + [best[-1][:-1]]        # jieba's "节在" of "影像节在厦门": the 在 is no part of it
    if not pronoun or "的" not in best:
        return "".join(best)
    parts, current = [], []
    for word in best + ["的"]:
        if word == "的":
            parts.append(current)
            current = []
        else:
            current.append(word)
    return "".join(max(parts, key=len))


def _en_entities(text: str) -> list[str]:
    """Capitalised names, longest first (ties in the order the text names them: a set's order
    changes with the hash seed)."""
    spans = []
    for m in _EN_CAPS.finditer(text):
        words = m.group(0).split()
        while words and words[0].lower() in EN_STARTERS:
            words = words[1:]
        if words and not (len(words) == 1 and words[0][0].isdigit()):
            spans.append(" ".join(words))
    return sorted(dict.fromkeys(spans), key=len, reverse=True)


_EN_SUBJECT = re.compile(r"\b(?:did|does|do|is|was|were|are|has|have|had|will|can|could)\s+(?:the\s+)?([A-Z][\w’'-]*)")


def _en_subject(question: str, names: list[str]) -> str:
    """The name right after the question's auxiliary: its subject ("How many bases did Sichuan
    bring to Chengdu?" → Sichuan), the one "it" in the next question stands for."""
    m = _EN_SUBJECT.search(question)
    if not m or m.group(1).endswith(("'s", "’s")):      # "is Sichuan's annual fund" is about the fund
        return ""
    return next((n for n in names if n.split()[0] == m.group(1)), "")


# "What lab did Sichuan set up in Chengdu?" → "the lab Sichuan set up in Chengdu"; "How many
# projects got signed at the ceremony?" → "the projects signed at the ceremony"
_EN_ASKED_NP = re.compile(r"^\s*(?:which|what|how many)\s+((?:[\w’'-]+\s+){0,4}?[\w’'-]+)\s+"
                          r"(?:did|do|does|were|was|are|is|has|have|had|got|get|will|can|could)\s+(.+?)[\s?.!]*$", re.I)


_EN_WHATS = re.compile(r"\b(what|who|where|when|how)['’]s\b", re.I)
_EN_NAME_OF = re.compile(r"^(?:the\s+)?(?:name|title|names|titles)\s+of\s+", re.I)


def _en_asked(question: str) -> str:
    """The thing a which/what/how-many question asks for, with what the question says of it:
    what "it" or "they" in the next question most likely stand for."""
    m = _EN_ASKED_NP.match(question)
    if not m or m.group(1).lower() in ("kind of", "kinds of", "type of", "types of", "sort of"):
        return ""
    return f"the {m.group(1)} {m.group(2)}"


def _en_topic(question: str, plural: bool) -> str:
    """What a pronoun in the next question most likely points to."""
    question = _EN_WHATS.sub(lambda m: m.group(1) + " is", question)      # "What's the name of …"
    wh = _EN_WH_NP.search(question)
    wh_np = wh.group(1).strip() if wh else ""
    if wh_np.lower() in ("is", "are", "was", "were", "kind of", "kinds of"):
        wh_np = ""
    names = _en_entities(question)
    is_np = _EN_IS_NP.search(question)
    object_np = _EN_NAME_OF.sub("", is_np.group(1).strip()) if is_np else ""      # the name of X: X
    asked = _en_asked(question)
    # the thing asked for, said as the question says it ("What lab did Sichuan set up …?":
    # "what does it research?" asks of the lab, not of Sichuan); a count's things are plural
    if asked and (plural or not question.lower().lstrip().startswith("how many")):
        return asked
    if plural and wh_np:
        return "the " + wh_np if not wh_np.lower().startswith("the ") else wh_np
    subject = "" if plural else _en_subject(question, names)
    if subject:
        return subject if subject[0].isdigit() or len(subject.split()) == 1 else "the " + subject
    # (a name that qualifies the object phrase's noun is part of it: "the 2025 Chengdu-Chongqing film
    # conference"; after "of" it is the thing itself: "the theme of the 2025 … Conference")
    qualifies = bool(names) and names[0] in object_np and " of " not in object_np[:object_np.find(names[0]) + 1]
    if names and (not object_np or len(names[0]) >= len(object_np) / 2 and not qualifies):
        return "the " + names[0] if not re.match(r"(?i)the\s", names[0]) and not names[0][0].isdigit() else names[0]
    if object_np:
        return object_np
    return ("the " + wh_np) if wh_np else ""


def resolve(question: str, previous: str) -> str:
    """The standalone form of `question` after `previous` (the last user question)."""
    q = question.strip()
    if not previous or not q:
        return q
    return _resolve_zh(q, previous) if is_chinese(q) else _resolve_en(q, previous)


def _resolve_zh(q: str, previous: str) -> str:
    if not _ZH_GENERIC.sub("", q):
        return previous
    core = _ZH_TAIL.sub("", _ZH_LEAD.sub("", q))
    when = _ZH_WHEN.fullmatch(core) if core else None
    old_when = next((m for m in _ZH_WHEN.finditer(previous) if m.group(0)), None)
    if when and old_when:           # "那2023年国庆档呢?" after "2024年春节档…?"; "那2023年呢?" keeps 春节档
        said = (when.group(1) or old_when.group(1) or "") + (when.group(2) or old_when.group(2) or "")
        return previous[:old_when.start()] + said + previous[old_when.end():]
    if when and when.group(1) and not when.group(2):
        # a year after a question with none: it stands for the edition named ("2022年呢?" after
        # "第二届…大会签约了多少个项目?"), else it is put in front
        edition = EDITION.search(previous)
        if edition:
            return previous[:edition.start()] + core + previous[edition.end():]
        return core + previous
    core = _ZH_POINTING_TAIL.sub("", core) or core        # "那宜宾锐能那个呢?": 那个 points, it names nothing
    new, old = _zh_entities(core), _zh_entities(previous)
    headed = _named_head(core, previous) if new else ""
    if headed:
        return headed
    swapped = _attribute_swap(core, previous) if not new else ""
    if swapped:
        return swapped
    if new and old:
        entity, kind = new[0]
        # (where and whether it has one are how the follow-up asks, not part of the name:
        # "重庆那边有吗?" is "重庆", "重庆广电局呢?" is "重庆广电局")
        rest = _ZH_ASKING_REST.sub("", core.replace(entity, ""))
        if len(rest) <= 4:                                   # "那重庆呢?", "重庆广电局呢?"
            same = [e for e, k in old if k == kind] or [e for e, _ in old]
            target = next((e for e in same if e in previous), "")
            if target:
                # a facility for a facility: "天府基地呢?" after "钱塘微短剧产业园…?" replaces the
                # whole name, not its place
                facility = _ZH_FACILITY.match(previous, previous.find(target) + len(target))
                if facility and _ZH_FACILITY_END.search(entity):
                    target = target + facility.group(0)
                replacement = entity + (rest if rest and rest not in target else "")
                return previous.replace(target, entity if rest in target else replacement, 1)
    named = _same_head(core, previous)
    if named:          # "那成都的天府新春灯会呢?" after "2024年长安上元灯会的门票收入是多少?"
        return previous.replace(named, _quoted_kind(core, named), 1)
    pointed = _pointed(core, previous)
    if pointed:
        # "这政策能起啥作用?" after "成都市文化广电旅游局提到了哪份影视政策?": the phrase naming that
        # noun in the last question, of its topic ("成都市文化广电旅游局的影视政策")
        start, end, phrase = pointed
        topic = _zh_topic(previous, pronoun=True)
        named = phrase if not topic or topic in phrase else f"{topic}的{phrase}"
        return core[:start] + named + core[end:] + "？"
    besides = _ZH_BESIDES.match(core)
    if besides:
        # "除此之外还明确了些什么?" after "重庆那份…办法在资助标准上做了什么调整?": said after it
        return f"{previous.rstrip('?？。 ')}，{core}？"
    inside = _ZH_AMONG.match(core)
    if inside:
        # "里面有出版类的吗?" after "大会上签约了几个影视项目?": among the things the last question
        # asked about, said as it said them
        return f"{previous.rstrip('?？。 ')}，其中{core[inside.end():].lstrip('，, ')}？"
    if _ZH_PRONOUN.search(q):
        counted = _ZH_COUNTED_NOUN.search(previous) if q.find("它们") >= 0 else None
        topic = ("这些" + counted.group(1) if counted else "") or _zh_topic(previous, pronoun=True) or (
            old[0][0] if old else "")
        return _ZH_PRONOUN.sub(topic, q, count=1) if topic else q
    # "另外两家…", "还有哪部…也…": the other ones of what the last question was about
    lead = _ZH_LEAD.match(q)
    more = bool(lead) and (lead.group(1) == "另外" or lead.group(1) == "还有" and "也" in core)
    if not new and (_elliptical(core) or more and len(core) <= 14):    # "签了几个?", "新增了哪些奖励情形?"
        topic = _zh_topic(previous)
        # what the last question counted is what "都涉及哪些领域?" asks about ("签了几个项目?")
        counted = _ZH_COUNTED_NOUN.search(previous)
        if counted and counted.group(1) not in topic + core:
            topic += counted.group(1)
        if topic and topic not in core:
            return f"{topic}{lead.group(0) if more else ''}{core}？"
    if (not new and len(core) <= 10 and all(len("".join(run)) <= 2 for run in _zh_runs(core))
            and constraints(core).qtype in ("quantity", "money", "percent")):
        # a short question for a figure of something generic ("效率提高了多少?" after "四川省广电局
        # 为了加快微短剧审查搞了哪些机制?"): a figure of what the last question named
        context = "".join("".join(run) for run in _zh_runs(previous))
        if context:
            return f"{context}{core}？"
    return q


_ZH_POINTING_TAIL = re.compile(r"(?:那个|这个|那家|这家|那边|这边)$")
# what a project, a base or a company is called after the names that say whose ("金坛的恒锂电池项目")
_ZH_HEADS = frozenset("项目 基地 园区 产业园 工厂 公司 企业 集团".split())


def _named_head(core: str, previous: str) -> str:
    """"那宜宾锐能呢?" after "金坛的恒锂电池项目全部达产后年产值有多少?": the follow-up's names stand
    for the names before the head noun of the last question's first phrase ("宜宾锐能的项目全部
    达产后…"), not for one of them (the brand 恒锂 would stay). Not when the follow-up names a
    facility itself ("天府基地呢?": a facility for a facility, `_resolve_zh`)."""
    if len(core) > 8 or _ZH_ASK.search(core) or _ZH_FACILITY_END.search(core):
        return ""
    runs = _zh_runs(previous)
    run = runs[0] if runs else []
    head = next((i for i, w in enumerate(run) if w in _ZH_HEADS), 0)
    if head == 0:
        return ""
    phrase = "".join(run[:head])
    start = previous.find(phrase)
    if start < 0 or not _zh_entities(phrase) and len(run[:head]) < 2:
        return ""
    return previous[:start] + core + "的" + previous[start + len(phrase):]


_ZH_LINK = frozenset("是 有 为 达 达到 约 共 一共 大概".split())


def _attribute_swap(core: str, previous: str) -> str:
    """"税收呢?" after "赣州经开区2024年规上工业总产值是多少?": one noun asks the same figure of
    another attribute — it takes the place of the noun the last question asked the figure of
    ("赣州经开区2024年规上工业税收是多少?")."""
    tags = pos_tags(core)
    if len(tags) != 1 or not tags[0][1].startswith(("n", "vn")) or not 2 <= len(core) <= 4 or _ZH_ASK.search(core):
        return ""
    words = pos_tags(previous)
    ask = next((i for i, (w, _) in enumerate(words) if w in ("多少", "几何", "多大", "多高")), -1)
    i = ask - 1
    while i >= 0 and words[i][0] in _ZH_LINK:
        i -= 1
    if i < 0 or not words[i][1].startswith(("n", "vn")) or len(words[i][0]) < 2 or words[i][0] == core:
        return ""
    at = sum(len(w) for w, _ in words[:i])
    return previous[:at] + core + previous[at + len(words[i][0]):]


def _pointed(core: str, previous: str) -> tuple[int, int, str] | None:
    """(start, end, the last question's phrase) for a 这 / 那 + noun in `core` whose noun (two
    to four characters) ends a noun phrase of `previous`."""
    runs = ["".join(run) for run in _zh_runs(previous)]
    for m in _ZH_POINTER.finditer(core):
        for size in (4, 3, 2):
            noun = core[m.end():m.end() + size]
            phrase = next((run for run in runs if run.endswith(noun)), "") if len(noun) == size else ""
            if phrase and CJK_RUN.fullmatch(noun):
                return m.start(), m.end() + size, phrase
    return None


_ZH_NAME_STOP = re.compile(r"[^\u4e00-\u9fffA-Za-z]|[的年月日在和与及是有了将把对从向为由]")


def _same_head(core: str, previous: str) -> str:
    """The name in `previous` a noun-phrase follow-up stands in for: the one ending in the same
    two characters ("长安上元灯会" for "成都的天府新春灯会", "五一假期" for "国庆假期"), as far back
    as a name goes (to a 的, a year, a verb); "" when the follow-up asks something itself or
    the previous question has no such name."""
    head = core[-2:]
    if len(core) < 4 or _ZH_ASK.search(core) or not CJK_RUN.fullmatch(head) or head not in previous:
        return ""
    end = previous.find(head) + 2
    start = end - 2
    while start > 0 and not _ZH_NAME_STOP.match(previous[start - 1]):
        start -= 1
    named = previous[start:end]
    return named if named != core and len(named) > 2 else ""


# nouns that are always of something ("目的是…?" asks the purpose of what was just discussed)
_ZH_RELATIONAL = frozenset("目的 原因 作用 意义 影响 效果 结果 规模 背景 重点 目标 亮点 特点 成果 前景 初衷".split())


def _quoted_kind(core: str, named: str) -> str:
    """`core` with its one-word qualifier in quotes when it is no name the checks know
    ("那电视剧的审查呢?" after "微短剧审查时效提升了多少?" → "“电视剧”的审查"): a quoted word is
    a constraint the evidence must state, so the 微短剧 figure is no answer for 电视剧."""
    qualifier = core[:-2].removesuffix("的")
    if not (2 <= len(qualifier) <= 4 and CJK_RUN.fullmatch(qualifier)) or qualifier in named \
            or constraints(qualifier).entities or PERIOD.fullmatch(qualifier + "档"):     # a holiday: as it was
        return core
    return f"“{qualifier}”" + core[len(qualifier):]


def _elliptical(core: str) -> bool:
    """A Chinese follow-up with no subject of its own: very short, or starting with a verb, an
    adverb ("签了几个", "新增了哪些…", "当初借的是…") or a noun that is always of something
    ("目的是想让啥文化走出去?"). "微短剧审查时效提升了多少" has one."""
    if len(core) <= 5:
        return True
    tags = pos_tags(core)
    return bool(tags) and (tags[0][1].startswith(("v", "d", "t", "p")) or tags[0][0] in _ZH_RELATIONAL) \
        and len(core) <= 14


_EN_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# (a noun that ends the question: "that project again?", not "that goes to …", a verb)
_EN_CLAUSE_END = re.compile(r"\s*(?:again|then|now|exactly)?\s*[?.!]*\s*$", re.I)
# the noun phrase a question ends on, after its last preposition ("… thanks to Sichuan's heritage support?")
_EN_LAST_NP = re.compile(r"\b(?:to|of|for|by|with|about|from|at|on|in)\s+((?:[\w’'-]+\s+){0,3}[\w’'-]+)\s*[?.!]*\s*$", re.I)


def _resolve_en(q: str, previous: str) -> str:
    if all(w in _EN_GENERIC for w in re.findall(r"[a-z]+", q.lower())):
        return previous
    led = bool(_EN_LEAD.match(q))
    core = _EN_LEAD.sub("", q).strip().rstrip("?.! ")
    years, old_years = _EN_YEAR.findall(core), _EN_YEAR.findall(previous)
    if led and len(years) == 1 and len(old_years) == 1:
        # "And Changsha in 2024?" after "…Kunming … during the 2023 National Day holiday?": the
        # year replaces the year, the rest is resolved as a follow-up of its own
        previous = _EN_YEAR.sub(years[0], previous)
        rest = re.sub(r"(?i)\s*\b(?:in|for|of|during)?\s*" + years[0] + r"\b", "", core).strip(" ,")
        if not rest:
            return previous
        q, core = q.replace(core, rest), rest
    # (a lower-case name is a name — "and chengdu?" — but not a phrase of common words: "what
    # about government services?" asks of services, not of a body called Government)
    named = core if core[:1].isupper() or len(core.split()) >= 2 else core[:1].upper() + core[1:]
    new, old = _en_entities(named), _en_entities(previous)
    if led and new and old and len(core.split()) <= 6 and not re.search(r"(?i)\b(is|are|was|were|did|does|do)\b", core) \
            and re.sub(r"(?i)^the\s+", "", core)[:1].isupper():    # a name ("What about government services?": none)
        new = [re.sub(r"(?i)^the\s+", "", core)]         # "What about the AIGC partnership program?"
    if new and old and len(core.split()) <= len(new[0].split()) + 2:
        # a name for a name: not a dated one for an undated one ("Changsha" stands for Kunming,
        # not for "2024 National Day")
        dated = bool(re.search(r"\d", new[0]))
        target = next((e for e in old if e.lower() in previous.lower() and bool(re.search(r"\d", e)) == dated),
                      next((e for e in old if e.lower() in previous.lower()), ""))
        if target:
            return re.sub(re.escape(target), new[0], previous, count=1, flags=re.I)
    demonstrative = _EN_DEMONSTRATIVE.search(q)
    if demonstrative:
        # "Who runs that project?" after "…with the heritage support project?": the phrase it names
        noun = demonstrative.group(2)
        phrase = re.search(rf"(?i)\b((?:the|a|an)\s+(?:[\w’'-]+\s+){{0,5}}?{re.escape(noun)}s?)\b", previous)
        if phrase:
            return q[:demonstrative.start()] + phrase.group(1) + q[demonstrative.end():]
        topic = _en_topic(previous, bool(_EN_PLURAL.match(demonstrative.group(1))))
        stem = re.escape(re.sub(r"s$", "", noun.lower()))
        if topic and re.search(rf"\b{stem}s?\b", topic.lower()):
            # "these projects" → the projects (signed at …)
            return q[:demonstrative.start()] + topic + q[demonstrative.end():]
        last = _EN_LAST_NP.search(previous)
        if last and demonstrative.group(1).lower() in ("that", "this") and _EN_CLAUSE_END.match(q, demonstrative.end()):
            # "what's the name of that project?" after "…thanks to Sichuan's heritage support?":
            # the thing the last question ended on, called what the follow-up calls it
            return q[:demonstrative.start()] + f"{last.group(1)} {noun}" + q[demonstrative.end():]
    if _EN_WH_ONLY.match(core):
        # "By how much?", "When?": the previous question's matter, asked this way
        matter = _EN_WH_LEAD.sub("", previous).strip().rstrip("?.! ")
        if matter:
            return f"{core} ({matter})?"
    there = _EN_THERE.search(q)
    if there:
        # "and what program got launched there?" after "What was the theme of this year's … film and
        # TV conference?": at the event or place the last question was about, not its theme
        at = _EN_AT_END.search(previous)
        where = at.group(0).strip(" ?.!") if at else _EN_OF_HEAD.sub("", _en_topic(previous, False))
        if where:
            return q[:there.start()] + (where if at else f"at {where}") + q[there.end():]
    pronoun = _EN_PRONOUN.search(q)
    if pronoun:
        word = pronoun.group(1)
        topic = _en_topic(previous, bool(_EN_PLURAL.match(word)))
        if topic:
            if word.lower().startswith("the ") and word.lower().endswith(" one"):
                topic = word[:-4] + " " + re.sub(r"(?i)^the\s+", "", topic)
            elif word.lower() in ("its", "their"):
                topic = topic + "'s"
            return q[:pronoun.start()] + topic + q[pronoun.end():]
        return q
    if led and not new and len(core.split()) <= 5:
        # "what about government services?": the same question of them — asked as the last one was
        return f"{core} ({previous.strip().rstrip('?.! ')})?"
    if not new and len(core.split()) <= 5:
        topic = _en_topic(previous, False)
        if topic and topic.lower() not in core.lower():
            return f"{core} ({topic})?"
    return q
