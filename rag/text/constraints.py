"""What a question pins down, which the evidence must agree with: the names it asks about
(places, organisations, people, 《titles》 and quoted names), the numbers and years it states,
and the answer type it expects. `states` says whether a text names one of those names.
Used by fusion (does a candidate name what the question asks about?) and by the verifier."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .answer_types import EN_TERMS, YEAR, _en_offers, question_type
from .answer_types import facts as facts_of
from .lang import CJK, CJK_RUN, is_chinese
from .numbers import EN_NUMBER_WORDS, numeral, quantities
from .tokens import EN_STARTERS, jieba, zh_names

_ZH_BARE = re.compile(r"(省|市|区|县|自治区|特别行政区)$")
# an edition of a recurring event: 第一届 (首届), 第3届; 屆 in traditional script
EDITION = re.compile(r"第\s*([一二三四五六七八九十百零〇两\d]+)\s*[届屆]|首[届屆]")
_EN_ORDINALS = {w: i for i, w in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth".split(), 1)}
_EN_EDITION = re.compile(r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d{1,3}(?:st|nd|rd|th))"
                         r"\s+(?:[A-Z][\w-]*\s+|and\s+|&\s+|\d{4}\s+){0,8}?"
                         r"(?i:conference|edition|festival|summit|forum|congress|expo|convention)s?\b")
# the next edition of something: what the sources must speak of too ("下一届…在哪里举办?")
NEXT = re.compile(r"下一届|下届|下一次|下次|\bnext\b|\bupcoming\b", re.I)
# the one before (去年, 上一届, "last year's conference"): what the sources must speak of too; a
# figure of this year's is no answer for last year's
PREVIOUS = re.compile(r"上一届|上届|上一次|上次|去年|上一年|前一年|\blast year\b|\bthe year before\b|"
                      r"\b(?:previous|last|prior|preceding) (?:edition|conference|session|festival|year|one|event|meeting)s?\b",
                      re.I)
# what shows the sources speak of earlier ones at all
PREVIOUS_SAID = re.compile(PREVIOUS.pattern + r"|往届|历届|此前|以往|前[两几三]届|\bearlier\b|\bformer\b|\bprevious\b", re.I)
# a phase of a project: 一期 / 二期工程 / 首期 (not 同期, 近期, 第一期 of a magazine)
PHASE = re.compile(r"(?:(?<=其中)|(?<![第同近长短中后初前预定档假周时学]))(?:首|([一二三四五六七八九十\d]))\s*期(?!间|待|望|限|刊|货|末|中)")
# an award the question names: 最佳摄影奖, 金鸡奖 (not 什么奖, 奖金, 奖励)
_AWARD = re.compile(r"([\u4e00-\u9fff]{2,10}?)奖(?![金励项品杯章状补惩]|多少|几|给)")     # 能奖多少: a verb; 奖补: subsidies
_NOT_AWARD = re.compile(r"什么|哪|何|几|多少|获|得|了|的|颁|授|给|这|该|本|个|项|次|届|和|与|及")
# 五一 and 十一 name the May Day and National Day holidays unless a measure word follows
# ("2023年五一成都…", "十一期间"; not "十一个项目")
HOLIDAY_NUMERAL = re.compile(r"(?<![\d零一二两三四五六七八九十百千万第])(?:五一|十一)"
                             r"(?![\d零一二两三四五六七八九十百千万亿个家项部位届次条名座所批种只件台辆架艘集场款天亩处人元%％])")
# a box-office season ("2023年国庆档的平均票价?"): a figure of another season is no answer
PERIOD = re.compile(r"(春节|国庆|暑期|暑假|五一|元旦|贺岁|清明|端午|中秋|寒假|情人节|七夕|跨年|十一)档")
_QUOTED = re.compile(r"《([^》]+)》|“([^”]{2,60})”|\"([^\"]{2,60})\"")


# ---------------------------------------------------------------- constraints -------------
@dataclass
class Constraints:
    """What a question pins down, which the evidence must agree with."""
    entities: list[tuple[str, str]] = field(default_factory=list)    # (surface form, kind: zh/org/place/person/name/term)
    numbers: list[float] = field(default_factory=list)               # written values (not years)
    years: list[str] = field(default_factory=list)
    editions: list[int] = field(default_factory=list)                # 第一届 → 1 (Chinese only)
    phases: list[int] = field(default_factory=list)                  # 二期, "phase two" → 2
    levels: list[str] = field(default_factory=list)                  # 市级 → 市 (Chinese only)
    next: bool = False                                               # asks about the next edition
    previous: bool = False                                           # … the previous one (去年, 上一届)
    awards: list[tuple[str, ...]] = field(default_factory=list)      # 最佳摄影奖 → (最佳, 摄影) (Chinese only)
    periods: list[str] = field(default_factory=list)                 # 国庆档 (Chinese only)
    qtype: str = "other"
    question: str = ""


def constraints(question: str) -> Constraints:
    c = Constraints(qtype=question_type(question), question=question)
    c.years = YEAR.findall(question)
    c.editions = sorted(editions(question))
    c.phases = sorted(phases(question))
    c.levels = sorted(levels(question))
    c.next = bool(NEXT.search(question))
    c.previous = bool(PREVIOUS.search(question))
    c.awards = awards(question)
    c.periods = list(dict.fromkeys(m.group(0) for m in PERIOD.finditer(question)))
    # an edition is an ordinal name, not a figure to find ("第33届" is "Super Bowl XXXIII")
    c.numbers = [q.written for q in quantities(HOLIDAY_NUMERAL.sub(" ", PHASE.sub(" ", _EN_EDITION.sub(" ", EDITION.sub(" ", question)))))
                 if str(int(q.written)) not in c.years and q.written != 1.0]
    seen: set[str] = set()

    def add(text: str, kind: str) -> None:
        text = text.strip()
        if len(text) >= 2 and text.lower() not in seen:
            seen.add(text.lower())
            c.entities.append((text, kind))

    for m in _QUOTED.finditer(question):
        add(next(g for g in m.groups() if g), "name")
    if is_chinese(question):
        for word in sorted(zh_names(question)):
            add(word, "zh")
    else:
        found = _en_offers(question)
        for kind in ("org", "place", "person"):
            # in the order the question names them (a set's order changes with the hash seed,
            # and a correction reports the first name that conflicts)
            for item in sorted(found.get(kind, ()), key=lambda item: (question.find(item), item)):
                words = item.split()
                # "The …" is no part of the name; "Bureau of Radio and Television" keeps its
                # inner "of", "and" (as the source writes it)
                while words and words[0].lower() in EN_STARTERS:
                    words.pop(0)
                while words and words[-1].lower() in EN_STARTERS:
                    words.pop()
                if words:
                    add(" ".join(words), kind)
        for term in sorted(EN_TERMS.intersection(re.findall(r"\b[A-Z]{2,5}\b", question))):
            add(term, "term")       # "GDP": something asked about, no body of which another could be named
    return c


def awards(question: str) -> list[tuple[str, ...]]:
    """The awards a Chinese question names, as their last two words without 奖 ("…的最佳摄影奖
    颁给了谁?" → 最佳, 摄影; "美国首位诺贝尔经济学奖得主" → 诺贝尔, 经济学): words a source
    naming the award uses too, however it says the rest."""
    out = []
    for m in _AWARD.finditer(question):
        name = m.group(1)
        # the award's own words: after the last word that is no part of a name (获得, 的, 什么)
        cut = max((x.end() for x in _NOT_AWARD.finditer(name)), default=0)
        words = [w for w in jieba().lcut(name[cut:]) if w.strip()]
        if len("".join(words[-2:])) >= 2:
            out.append(tuple(words[-2:]))
    return out


_EN_PHASE = re.compile(r"\b(first|second|third|fourth|fifth|\d(?:st|nd|rd|th))\s+phase\b"
                       r"|\bphase\s+(one|two|three|four|five|I{1,3}|IV|V|\d)\b", re.I)
_EN_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}


def phases(text: str) -> set[int]:
    """The phases of a project a text names ("一期", "首期" → 1, "二期工程" → 2; "the first
    phase", "Phase II")."""
    english = set()
    for m in _EN_PHASE.finditer(text):
        word = (m.group(1) or m.group(2)).lower()
        english.add(_EN_ORDINALS.get(word) or _EN_NUMBERS.get(word) or int(re.sub(r"\D", "", word)))
    return _ordinals(PHASE, text) | english


# the level of government a thing is named or awarded at: 国家级 > 省级 > 市级 > 区级 / 县级;
# "省级以上" is 省级 and every level above it
_LEVEL = re.compile(r"(?<![城超都景园社片])(国家|省|市|区|县)级(以上)?")      # not 城市级, 景区级
LEVELS = ("国家", "省", "市", "区", "县")


def levels(text: str) -> set[str]:
    """The levels a text names ("对新获评国家级…集聚区的街区一次性奖励300万元" → {国家};
    "省级以上" → {省, 国家})."""
    out: set[str] = set()
    for m in _LEVEL.finditer(text):
        level = m.group(1)
        out.add(level)
        if m.group(2):
            out.update(LEVELS[:min(LEVELS.index(level), 3)])
    return out


def figure_phases(text: str) -> set[int]:
    """The phases a sentence's figures belong to: those it names before its first figure
    ("其中一期总建筑面积42万平方米，…二期计划于2025年底前建成" gives phase 1's area), else all it
    names."""
    first = re.search(r"\d", text)
    before = phases(text[:first.start()]) if first else set()
    return before or phases(text)


def editions(text: str) -> set[int]:
    """The editions of an event a text names ("第一届" and "首届" → 1; "the first … Conference",
    "the 3rd edition")."""
    return _ordinals(EDITION, text) | {_EN_ORDINALS.get(m.group(1).lower()) or int(re.sub(r"\D", "", m.group(1)))
                                        for m in _EN_EDITION.finditer(text)}


_ZH_COUNT = re.compile(r"(?:举办|召开|举行|办)了?\s*([一二三四五六七八九十百两\d]+)\s*[届次]")
_EN_COUNT = re.compile(r"\b(\d{1,3}|two|three|four|five|six|seven|eight|nine|ten)\s+(?:iterations|editions|sessions)\b"
                       r"|\bheld\s+(\d{1,3}|two|three|four|five|six|seven|eight|nine|ten)\s+times\b", re.I)


def edition_count(text: str) -> int:
    """How many editions a text says have been held ("至今已成功举办三届", "convened 3 iterations
    to date"); 0 when it says none."""
    for m in _ZH_COUNT.finditer(text):
        value = numeral(m.group(1))
        if value:
            return int(value)
    for m in _EN_COUNT.finditer(text):
        word = (m.group(1) or m.group(2)).lower()
        return EN_NUMBER_WORDS.get(word) or int(word)
    return 0


def _ordinals(pattern: re.Pattern, text: str) -> set[int]:
    """The numbers a pattern's first group reads (a 首… match has none: 1)."""
    out = set()
    for m in pattern.finditer(text):
        value = numeral(m.group(1)) if m.group(1) else 1.0
        if value:
            out.add(int(value))
    return out


_NATIONAL = re.compile(r"全国(?!第|前|城市|排名|首|领先|各地)")     # the whole country's, not a rank in it


_EN_NATIONAL = re.compile(r"\b(?:nation(?:wide|al|ally)?|china['’]s|all of china|(?:the|whole) country)\b", re.I)


def places_asked(question: str, aliases: dict[str, str] | None = None) -> list[str]:
    """The places a figure question asks a value of ("江苏省的电影票房是多少?" → 江苏省); in an
    English one, the Chinese names its words spell (`aliases`: "Xiamen's box office" → 厦门);
    none when it asks the whole country's (全国, nationwide)."""
    if question_type(question) not in ("quantity", "money", "percent"):
        return []
    if not is_chinese(question):
        return [] if _EN_NATIONAL.search(question) else [zh for word, zh in (aliases or {}).items()
                                                          if re.search(rf"\b{re.escape(word)}\b", question)]
    if "全国" in question:
        return []
    return [p for p in facts_of(question).get("place", ()) if len(p) >= 2]


def national_only(place: str, sentence: str, paragraph: str) -> bool:
    """A sentence giving the whole country's figure ("全国电影票房为76.8亿元") that, with its
    paragraph, never names `place`: no answer for that place."""
    return bool(_NATIONAL.search(sentence)) and not states(place, sentence) and not states(place, paragraph)


def _abbreviates(entity: str, text: str) -> bool:
    """A Chinese name shortened the usual way, each word by its first character: 国家广电总局 of
    国家广播电视总局, 四川广电局 of 四川省广播电视局. What is dropped must finish a word the kept
    characters before it begin (广+播, 电+视, 四川+省), so 北京大学 is not 北京师范大学 (京师范 and
    北京师范 are no words); four characters at least, so 川渝 or 成都 abbreviate nothing."""
    if len(entity) < 4 or not CJK_RUN.fullmatch(entity):
        return False
    gaps = "".join(re.escape(ch) + r"([\u4e00-\u9fff]{0,2}?)" for ch in entity[:-1]) + re.escape(entity[-1])
    freq = jieba().dt.FREQ
    for m in re.finditer(gaps, text):
        dropped = m.groups()
        if any(dropped) and all(not gap or freq.get(entity[k] + gap) or k and freq.get(entity[k - 1:k + 1] + gap)
                                for k, gap in enumerate(dropped)):
            return True
    return False


def states(entity: str, text: str) -> bool:
    """Whether `text` names `entity` (a Chinese name also without 省/市…, all of an English
    name's words)."""
    if CJK.search(entity):
        bare = _ZH_BARE.sub("", entity)
        return entity in text or (len(bare) >= 2 and bare in text) or _abbreviates(entity, text)
    words = [re.sub(r"'s$", "", w.lower()) for w in entity.split()]
    lowered = text.lower()
    return all(w in lowered for w in words if len(w) > 2) if words else False


