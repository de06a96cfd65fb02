"""What kind of answer a question asks for, and which kinds a sentence offers.

Question types: quantity (how many / 多少 / 几), percent, money, time (when / 何时 / 哪一年),
place (where / 哪里 / 哪个城市), person (who / 谁), org (which organisation / 哪些单位 / 由谁),
name (what is X called / 叫什么 / 《》 titles), list (which … / 哪些), reason (why / 为什么),
other. A sentence *offers* a type when it holds such a thing that the question does not
already contain (the answer is new information, not an echo of the question): numbers,
percentages, money, years/dates/times, places, people, organisations, titles.

Chinese entities come from jieba's part-of-speech tags (nr person, ns place, nt
organisation, m numeral, t time) plus suffix rules (…局, …大学, …省, …市); English ones from
patterns (capitalised spans, organisation and place words, numbers, money, dates).
"""
from __future__ import annotations

import re

from .lang import CJK, is_chinese
from .numbers import quantities
from .tokens import EN_STARTERS, ZH_MEASURES, jieba, pos_tags, stem, tokenize

# Bump when `facts` changes: catalogs drop the facts they stored at ingest and compute them anew.
FACTS_VERSION = 16

TYPES = ("quantity", "percent", "money", "time", "place", "person", "org", "name", "list", "reason", "other")
OFFERS = ("quantity", "percent", "money", "time", "place", "person", "org", "name")

# a measure asked by its name ("What is the population of Chengdu?"; not "the area called …")
_EN_MEASURE_ASKED = (r"\bwhat (?:is|was|are|were) (?:the |its |their |[\w-]+'s )?(?:(?:total|annual|average|site|land|floor|"
                     r"gross|overall|current|estimated) ){0,2}"
                     r"(population|area|height|length|width|depth|weight|size|capacity|speed|temperature|distance|"
                     r"altitude|elevation|density|attendance)\b(?!\s+(?:called|named|known))")
# how a sentence states each (a word of the measure, or its unit): "inhabitants" is a population
_EN_MEASURE_SAID = {
    "population": r"populat|populous|inhabitant|resident|people|citizens",
    "area": r"\barea|square|km2|km²|hectare|acre|sq\b",
    "height": r"height|tall|high|met(?:re|er)s?\b|feet|\bft\b", "altitude": r"altitude|above sea|met(?:re|er)s?\b|feet",
    "elevation": r"elevat|above sea|met(?:re|er)s?\b|feet", "length": r"length|long|kilomet|km\b|mile|met(?:re|er)s?\b",
    "width": r"width|wide|met(?:re|er)s?\b|feet|km\b|mile", "depth": r"depth|deep|met(?:re|er)s?\b|feet",
    "weight": r"weigh|ton|kilogram|kg\b|pound|lb", "capacity": r"capacit|seat|hold|holds",
    "speed": r"speed|fast|per hour|km/h|mph|knot", "temperature": r"temperat|°|degree",
    "distance": r"distan|far|away|kilomet|km\b|mile", "density": r"densit|per square",
    "attendance": r"attend|spectator|crowd|audience|visitor",
}

_Q_EN = [
    ("percent", r"\bwhat (percentage|percent|share|proportion|fraction)\b|\bhow much (of|per ?cent)\b|\bby what percent"
                # a rate asked by its name: "What was the redemption rate of …?" (not "exchange rate")
                r"|\bwhat (?:is|was|are|were) (?:the |its |their |[\w-]+'s )?(?:(?!exchange\b)[\w-]+ ){0,3}?(?:rate|share|percentage)s?\b"),
    ("money", r"\bhow much (money|funding|did .* cost|does .* cost|is the (fund|budget|investment))"
              # a price asked by its thing: "How much was a ticket to …?"
              r"|\bhow much (?:is|was|are|were|does|did|do) (?:a |an |the |one )?(?:ticket|admission|entry|entrance|seat|pass)s?\b"
              r"|\bhow much (?:\w+ ){1,6}?(?:set aside|allocat\w*|spen[dt]\w*|invest\w*|earmark\w*|pa(?:y|id)|raised?|"
              r"subsidi[sz]\w*|grant\w*|budget\w*|cost)\b|\bwhat (is|was) the (budget|cost|price|fund)|\bhow large (is|was) .*(fund|budget)"
              r"|\bwhat (is|was|are|were) (the |its |their |[\w-]+'s )?([\w-]+ ){0,3}?(budget|cost|price|fund|funding|"
              r"revenue|salary|wages?|investment|box office|turnover|earnings|expenditure|spending|prize money|subsidy|"
              r"ticket price|rent|fee|grant|valuation)s?\b|\bhow much (?:\w+ ){0,2}?(?:prize money|money|funding|financing|capital|"
              r"subsidy|investment|revenue)\b"),
    ("quantity", r"\bhow (many|much|large|big|long|far|old|fast|tall|high|often)\b|\bwhat (number|amount|size|percentage)\b|\bby how much\b"
                 # a measure asked by its name: "What is the population of Chengdu?"
                 r"|" + _EN_MEASURE_ASKED),
    ("time", r"\bwhen\b|\bwhat (year|date|day|month|time|century|decade|period)\b|\bwhat (is|was) the ([\w-]+ )?(deadline|due date|date|day)\b|\bwhich (year|date|day|month|century|decade)\b|\bhow long ago\b"),
    ("place", r"\bwhere\b|\bwhat (city|country|place|location|region|province|state|town|venue)\b|\bwhich (?:\w+ ){0,2}(city|cities|country|countries|place|location|region|province|state|town|venue)\b|\bin which (city|country|place|region|province)\b"),
    ("org", r"\bwhich (?:\w+ ){0,3}(organi[sz]ations?|companies|company|agenc(y|ies)|institutions?|bureaus?|departments?|universit(y|ies)|units?|bod(y|ies)|firms?|groups?|teams?)\b|\bwho (initiated|launched|founded|organi[sz]ed|sponsored|hosted|funded|announced|formulated|spearheaded|led)\b|\bwhat (organi[sz]ation|company|agency|institution|bureau|department|university)\b"),
    ("person", r"\bwho\b|\bwhom\b|\bwhose\b|\bwhich (person|people|player|president|leader|author|scientist)\b"),
    ("name", r"\bwhat (is|was|are|were) (the )?(name|title|theme|slogan)\b|\bwhat .* called\b|\bwhat (name|title|theme|slogan)\b"
             r"|\b(?:which|what) (?:film|movie|series|drama|documentary|book|novel|song|album|play|tv series|show)s?\b"),
    ("reason", r"\bwhy\b|\bfor what reason\b"),
    ("list", r"\bwhich\b|\bwhat are\b|\bwhat were\b|\blist\b|\bwhat kinds?\b|\bwhat types?\b"),
]
_Q_ZH = [
    ("percent", r"百分之几|多少%|比例|百分比|比重|占比|占.{0,3}(几成|比例)|提升了多少|提高了多少|增长了多少|降低了多少"
                # a rate asked by its name: 核销率, 出租率, 增长率 (not 汇率, 频率, 效率)
                r"|(?<![汇频效税])率(?:是|为|有|能|可以)?(?:达到|达)?多少"),
    ("money", r"多少(钱|元|资金|经费|投资|奖金|奖补|奖励|补贴|补助|资助|租金)|资金.{0,6}(多少|多大|规模)|(预算|投资|经费|费用|票房|收入|营收|利润|产值|"
              r"销售额|金额|总额|奖金|奖补|奖励|补贴|补助|资助|租金|票价|价格|成本|工资|薪酬|融资|估值).{0,4}(多少|多大|多高|几何)"
              r"(?![个家项部位届次条名座所批种只件台辆架艘集场款人])|多少亿|多少万"),
    # (那几条, 这几个: "those few", not how many)
    ("quantity", r"多少|(?<![那这哪])几[个家项部位届次条名座所批种年天]|多大|多长|多远|多久|几成"),
    ("time", r"何时|什么时候|哪一?年|哪一?天|几月|几号|哪个月|什么时间|何年|日期|哪个时期"),
    ("place", r"哪里|哪儿|何地|何处|什么地方|哪个(城市|地方|省|国家|地区)|哪座城市|在哪|哪一地|地点"),
    ("org", r"哪些单位|哪个单位|哪家|哪些(机构|部门|公司|企业|学校|院校|媒体)|什么(机构|部门|单位|组织)|哪个(部门|机构|组织)|由谁|谁(发起|主办|牵头|组织|推出|发布|制定)"),
    ("person", r"谁|哪位|什么人|哪些人"),
    ("name", r"叫什么|名称|名字|什么主题|以什么为主题|主题是|口号|题目|称为什么|什么称号|"
             r"哪一?部(?:影片|电影|片子|作品|剧|电视剧|纪录片|动画片?|微短剧)?(?![分门])|"
             r"什么(?:影片|电影|片子|作品|电视剧|纪录片|动画片|微短剧)"),
    ("reason", r"为什么|为何|原因|何故"),
    ("list", r"哪些|哪几|有什么|包括什么|哪两|哪三"),
]
_Q_EN_RE = [(t, re.compile(p, re.I)) for t, p in _Q_EN]
_Q_ZH_RE = [(t, re.compile(p)) for t, p in _Q_ZH]

_EN_ORG = re.compile(r"\b(?:[A-Z][\w&.-]*\s+){0,6}(?:University|College|Institute|Bureau|Branch|Department|Ministry|"
                     r"Committee|Commission|Council|Service|Network|Company|Corporation|Association|Center|Centre|"
                     r"Administration|Agency|Group|Laboratory|Academy|Society|Foundation|Parliament|Church|Museum|"
                     r"Party|Office|Board|Union|Studio|Studios|Bank|Team|School)\b(?:\s+of(?:\s+(?:and\s+|&\s+)?[A-Z][\w&.-]*)+)?")
# capitals that name a currency, a measure or a technology, not an organisation: "RMB" is no
# body a figure could be given for instead of "AIGC" (a question's are still what it asks
# about: `constraints` keeps them as terms); AI and TV are in too many sentences to be either
EN_TERMS = frozenset("RMB USD EUR GBP JPY HKD GDP GNP CPI UHD HD VR AR XR IP AIGC".split())
_EN_NOT_ORGS = EN_TERMS | {"AI", "TV"}
_EN_ACRONYM = re.compile(r"\b[A-Z]{2,}(?:s)?\b")
_EN_CAPS = re.compile(r"\b[A-Z][a-z]+(?:[\s-]+(?:of\s+|the\s+|de\s+)?[A-Z][a-z]+)*\b")
_EN_PLACE_CUE = re.compile(r"\b(?:in|at|from|to|near|across)\s+((?:the\s+)?[A-Z][a-z]+(?:[\s-][A-Z][a-z]+)*)")
_EN_PLACE_WORD = re.compile(r"\b(?:[A-Z][\w-]+\s+){1,3}(?:City|County|Province|State|River|Mountains?|Island|Republic|Kingdom|Valley|Sea|Ocean|"
                            r"Region|District|Street|Park|Lake|Bay|Coast)\b")
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
# a bare ordinal is no date ("the 12th CPC Provincial Committee"); a date has its month
_EN_CALENDAR = re.compile(_MONTHS + r"|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day")
_EN_TIME = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b|\b" + _MONTHS +
                      r"\b|\b(?:century|centuries|decade|BC|AD|BCE)\b", re.I)
# a currency word is money beside a figure ("300 million yuan", "a million dollars", "millions
# of pounds"), not in "the Yuan dynasty" or "the Dogg Pound"
_EN_MONEY = re.compile(r"[$€£¥]\s?\d|\b(?:RMB|USD|EUR|GBP|HKD|JPY)\b|(?:\d[\d,.]*|\b(?:a|an|one|two|three|four|five|"
                       r"six|seven|eight|nine|ten|several|many))\s*(?:(?:hundred|thousand|million|billion|trillion)\s+)?"
                       r"(?:yuan|dollars?|euros?|pounds?)\b|\b(?:hundreds|thousands|millions|billions) of "
                       r"(?:yuan|dollars|euros|pounds)\b", re.I)
# a share is also said in words: "half of the fund", "two thirds", "一半", "三分之一", "七成"
_EN_PERCENT = re.compile(r"\d\s?%|\bper ?cent\b|\b(?:half|(?:one|two|a) thirds?|(?:one|three|a) quarters?|"
                         r"(?:one|a) fifth)\b", re.I)
# an organisation's name before its suffix holds no function word ("…传播赋能的网" is none)
_ZH_ORG_SUFFIX = re.compile(r"(?:(?![的了将从到把被是在对就也都而个])[\u4e00-\u9fff]){2,}(?:局|部|社|院|学院|大学|公司|中心|协会|委员会|集团|分社|分公司|电视台|"
                            r"研究院|实验室|基地|办公室|政府|厅|署|银行|报|网)")
_ZH_PLACE_END = "省市县区州镇村国岛河江湖山"
# a name before one of these (a word of its own) names a thing, not a person ("金鹭奖", "中山路";
# not 道歉 or 站在 after a name)
_ZH_NAMED_THING = frozenset("奖杯节路街道桥号站馆楼园厂寺庙")
# the commonest surnames: jieba tags one alone as a person when it cuts a name it does not
# know (陈 / 远航); with the two characters after it, it is the name
_ZH_SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
                         "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万"
                         "钱严覃武戴莫孔向汤")
_ZH_FUNCTION_TAGS = frozenset({"x", "p", "c", "u", "uj", "ul", "uz", "ug", "uv", "ud", "r", "d", "m", "q", "f", "t", "y"})
# words a place name may be built of before its suffix (华阳+镇, 成渝+地区): names and nouns,
# never a preposition or a question word ("从省级到市", "哪个城市" are no places)
_ZH_PLACE_PART = frozenset({"ns", "nr", "nrt", "nz", "j", "n"})
_ZH_PROPER = frozenset({"ns", "nr", "nrt", "nz", "j"})
_ZH_TIME = re.compile(r"\d{1,4}\s?年|\d{1,2}\s?月|\d{1,2}\s?日|[一二三四五六七八九十]+月|世纪|年代|今年|明年|去年|未来")
_ZH_MONEY = re.compile(r"\d[\d.,]*\s?(?:亿|万)?\s?元|[一二两三四五六七八九十百千万亿]+元|英镑|美元|欧元|资金")
_ZH_PERCENT = re.compile(r"\d\s?[%％]|百分之|一半|半数|[一二三四五六七八九十]分之[一二三四五六七八九十]|"
                         r"(?<![\d一二三四五六七八九十])[一二三四五六七八九]成(?![员立为功果本])")
# where something happens or is: a place in a locative construction ("大会在成都举行", "held in
# Chengdu", "born in Warsaw"), which answers "where" more often than a place merely mentioned
_ZH_VENUE = re.compile(r"(?:在|于)[^，。,；;：:、]{1,14}?(?:举行|举办|召开|开幕|闭幕|开展|揭牌|落地|落户|成立|启动|"
                       r"上演|进行|出生|去世|位于|设立|建成)|位于|坐落|地处|总部设在|总部位于")
_EN_VENUE = re.compile(r"\b(?:held|hosted|took place|take place|takes place|taking place|convened|opened|staged|"
                       r"located|based|headquartered|situated|born|died|buried|built|founded|established|lies|lay)"
                       r"\s+(?:\w+\s+){0,2}?(?:in|at|on|near)\s+(?:the\s+)?[A-ZÀ-ÖØ-ÞĄĆČĎĘĚŁŃŇŐŘŚŠŤŮŰŹŻŽ]")
_DATES = re.compile(r"\d{1,4}\s?年(?:\s?\d{1,2}\s?月)?(?:\s?\d{1,2}\s?[日号])?|\d{1,2}\s?月(?:\s?\d{1,2}\s?[日号])?|"
                    r"\b\d{1,2}(?:st|nd|rd|th)\b|\b" + _MONTHS + r"\s+\d{1,2}\b|\b\d{1,2}\s+" + _MONTHS + r"\b|"
                    r"(?<!\d)(?<!\d[.,])(?:19\d\d|20\d\d)(?![\d%]|[.,]\d)(?!\s?(?:万|亿|元|人|个|名|家|项|部|只|件|次|台|"
                    r"people|persons|million|billion|thousand|tonnes|tons|km|kilometres|meters|metres|yuan|dollars))",
                    re.I)
_BOOK_TITLE = re.compile(r"《[^》]+》")
_TITLE = re.compile(_BOOK_TITLE.pattern + r"|“[^”]{2,200}”|\"[^\"]{2,200}\"")


_EN_CONTRACTED = re.compile(r"\b(what|where|when|who|how)(?:'s|’s|s)\b", re.I)


def question_type(question: str) -> str:
    """The expected answer type (first match, most specific first)."""
    rules = _Q_ZH_RE if is_chinese(question) else _Q_EN_RE
    question = _EN_CONTRACTED.sub(lambda m: m.group(1) + " is", question)      # "what's", "whats"
    for kind, pattern in rules:
        if pattern.search(question):
            return kind
    return "other"


def _zh_suffixed_places(tags: list[tuple[str, str]]) -> set[str]:
    """Places jieba does not know whole: a word ending in a place suffix (…区, …镇, …市)
    together with the name words right before it (华阳 + 镇 → 华阳镇, 成渝 + 地区), at most
    8 characters; at least one part must be a proper name, so "省级到市" or "城市" is none."""
    out = set()
    for i, (word, flag) in enumerate(tags):
        if word[-1] not in _ZH_PLACE_END or flag == "ns":
            continue
        j, length = i, len(word)
        while j > 0 and tags[j - 1][1] in _ZH_PLACE_PART and length + len(tags[j - 1][0]) <= 8:
            j -= 1
            length += len(tags[j][0])
        while j < i and tags[j][1] not in _ZH_PROPER:     # start at the first name word
            j += 1
        if j < i:
            out.add("".join(w for w, _ in tags[j:i + 1]))
    return out


def _zh_offers(sentence: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {k: set() for k in OFFERS}
    # a 《title》 is a name, not the people, places or organisations in it (《巴蜀石窟》 names
    # no place the sentence is about)
    bare = _BOOK_TITLE.sub("，", sentence)
    tags = pos_tags(bare)
    for i, (word, flag) in enumerate(tags):
        after = tags[i + 1] if i + 1 < len(tags) else ("", "x")
        if flag in ("nr", "nrfg", "nrt") and len(word) >= 2 and not (after[0] in _ZH_NAMED_THING
                                                                     and after[1].startswith("n")):
            found["person"].add(word)
        elif flag == "nr" and word in _ZH_SURNAMES and len(after[0]) == 2 and after[1] not in _ZH_FUNCTION_TAGS \
                and CJK.match(after[0]):
            found["person"].add(word + after[0])        # jieba cut an unknown name: 陈 / 远航
        elif flag == "ns" and len(word) >= 2:
            found["place"].add(word)
        elif flag == "nt":
            found["org"].add(word)
        elif flag == "t" and len(word) >= 2:      # one character jieba calls a time is a dynasty's name
            found["time"].add(word)                 # inside another word (清 of 超高清), no time
    found["org"].update(_ZH_ORG_SUFFIX.findall(bare))
    found["place"].update(_zh_suffixed_places(tags))
    found["time"].update(_ZH_TIME.findall(sentence))
    found["money"].update(_ZH_MONEY.findall(sentence))
    found["percent"].update(_ZH_PERCENT.findall(sentence))
    found["name"].update(_TITLE.findall(sentence))
    return found


def _en_offers(sentence: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {k: set() for k in OFFERS}
    found["name"].update(_TITLE.findall(sentence))
    sentence = _TITLE.sub(" ", sentence)        # a quoted title is a name, not people or places
    found["org"].update(m.strip() for m in _EN_ORG.findall(sentence))
    found["org"].update(a for a in _EN_ACRONYM.findall(sentence) if a not in _EN_NOT_ORGS)
    orgs = " ".join(found["org"])
    for m in _EN_PLACE_CUE.finditer(sentence):
        if m.group(1).removeprefix("the ") not in orgs and not _EN_CALENDAR.fullmatch(m.group(1)):
            # "from the Sichuan Provincial Bureau" is no place, nor "in November"
            found["place"].add(m.group(1))
    found["place"].update(m.group(0) for m in _EN_PLACE_WORD.finditer(sentence))
    for span in _EN_CAPS.findall(sentence):
        words = span.split()
        if words[0].lower() in EN_STARTERS:
            words = words[1:]
        if words and " ".join(words) not in orgs and " ".join(words) not in found["place"] \
                and not (len(words) == 1 and _EN_CALENDAR.fullmatch(words[0])):        # "November" is a time
            found["person"].add(" ".join(words))
    found["time"].update(m.group(0) for m in _EN_TIME.finditer(sentence))
    found["money"].update(m.group(0) for m in _EN_MONEY.finditer(sentence))
    found["percent"].update(m.group(0) for m in _EN_PERCENT.finditer(sentence))
    return found


# a quoted name with no digits in it: its number words are no figures ("Thousand Cities, Ten
# Thousand Communities", 《三体》)
_NAMED = re.compile(_BOOK_TITLE.pattern + r"|“[^”\d]{2,80}”|\"[^\"\d]{2,80}\"")


def figures(text: str) -> list:
    """The quantities a text states, leaving out number words inside quoted names."""
    return quantities(_NAMED.sub(" ", text))


def facts(sentence: str) -> dict[str, list[str]]:
    """What a sentence states, by answer type (computed once per sentence, at ingest)."""
    found = _zh_offers(sentence) if is_chinese(sentence) else _en_offers(sentence)
    return {kind: sorted(items) for kind, items in found.items() if items}


def _holds_run(item: str, runs: set[str]) -> bool:
    """Whether an English name holds three words in a row of the question: it is the thing
    asked about, not its answer (“… AIGC Innovation Partnership Program” for "Who launched
    the AIGC innovation partnership program?")."""
    words = re.findall(r"[a-z0-9]+", item)
    return any(" ".join(words[i:i + 3]) in runs for i in range(len(words) - 2))


def offers(sentence: str, question: str = "", found: dict | None = None) -> set[str]:
    """The answer types the sentence holds something new of (not already in the question).
    `found` is the sentence's `facts` when already known."""
    found = facts(sentence) if found is None else found
    q_lower = question.lower()
    q_words = re.findall(r"[a-z0-9]+", q_lower)
    q_runs = {" ".join(q_words[i:i + 3]) for i in range(len(q_words) - 2)}
    out = {kind for kind, items in found.items()
           if any(item.lower() not in q_lower and not _holds_run(item.lower(), q_runs) for item in items)}
    q_numbers = {x.value for x in quantities(question)} | {x.written for x in quantities(question)}
    if any(q.value not in q_numbers and q.written not in q_numbers for q in figures(_DATES.sub(" ", sentence))):
        out.add("quantity")     # a year or a date is a time, not an answer to "how many"
    if "place" in out and (_ZH_VENUE.search(sentence) or _EN_VENUE.search(sentence)):
        out.add("venue")
    if "percent" in out:
        out.add("quantity")
    if "money" in out:
        out.add("quantity")
    return out


_ZH_COUNTED = re.compile(f"(?:多少|(?<![那这哪])几)\\s*([{ZH_MEASURES}])")      # 哪几个 asks which, 那几条 points
_ZH_NUMERAL = r"(?:\d[\d.,]*|[零一二两三四五六七八九十百千]+)\s*(?:万|亿)?\s*(?:多|余)?\s*"
# a count of days is written in days, dates' 日 or working days ("压缩至10个工作日以内")
_ZH_UNIT_FORMS = {"天": r"个?(?:天|日|工作日)"}
_ZH_CLAUSE = r"[^，。；！？,;!?]{0,8}?"      # a few words of the same clause


# "how many <noun phrase>": the words counted, up to the verb ("How many national-level
# industry bases has …" → national-level, industry, bases; "how many are", "how many of the" → none)
_EN_COUNTED = re.compile(r"\bhow many\s+((?:[a-z][a-z-]*\s*){1,4})", re.I)
_EN_NOT_NOUNS = frozenset("of are were is was did do does have has had can could will would should may might must "
                          "in on at to for from by with and or the a an there that which who more".split())
_EN_IRREGULAR_PLURALS = frozenset("people children men women staff personnel police cattle".split())
_EN_MODIFIERS = frozenset("different total other separate distinct individual approximate additional "
                          "new major main such".split())
# count nouns said in several words: "how many people" is answered by "inhabitants" or
# "guests", "how many editions" by "iterations"
_EN_SYNONYMS = [frozenset("people person persons inhabitants residents population attendees guests members workers "
                          "employees students visitors citizens participants delegates men women soldiers fans "
                          "spectators viewers audience crew".split()),
                frozenset("editions edition iterations iteration sessions session instalments installments rounds "
                          "times".split())]
# counts said without a number (quantities() reads the numbers, words included)
_EN_VAGUE_COUNT = re.compile(r"\b(?:hundreds|thousands|millions|billions|dozens|both|single|couple)\b", re.I)


def _noun_forms(word: str) -> set[str]:
    word = word.lower()
    return {word, stem(word), word[:-1] if word.endswith("s") else word}


def counted_unit(question: str) -> str:
    """What a "how many" question counts: a Chinese measure word ("多少家企业" → 家), the
    noun after a bare 个 ("几个项目" → 个项目) or the English noun phrase ("How many episodes
    does …" → episodes); "" when it names none."""
    if is_chinese(question):
        m = _ZH_COUNTED.search(question)
        if not m:
            return ""
        if m.group(1) == "个":      # 个 counts anything: the noun after it says what ("几个项目" → 个项目)
            tags = pos_tags(question[m.end():])
            if tags and tags[0][1].startswith("n") and len(tags[0][0]) >= 2:
                return "个" + tags[0][0]
        return m.group(1)
    m = _EN_COUNTED.search(question)
    words = []
    for word in (m.group(1).lower().split() if m else []):
        if word in _EN_NOT_NOUNS:
            break
        words.append(word)
        if word in _EN_IRREGULAR_PLURALS or (word.endswith("s") and not word.endswith("ss")):
            break       # the counted noun ends the phrase: "How many people work at …" counts people
    if len(words) > 1 and words[-1].endswith(("ed", "ing")):      # "people attended"
        words.pop()
    return " ".join(w for w in words if w not in _EN_MODIFIERS)


_ZH_LINKS = frozenset("是 有 为 达 达到 约 大约 共 共计 一共 总共 合计".split())
# words that name the kind of figure, not what it is of (比例 is answered by "30%")
_ZH_FIGURE_WORDS = frozenset("比例 百分比 比重 占比 比率 数量 数目 总数 规模 金额 总额 数额 额度 数字 水平".split())


# nouns a sum is of ("交多少税", "贡献多少税收", "用了多少外资"): after 多少, what the figure is
_ZH_AMOUNT_NOUN = re.compile(r"税|税收|纳税|税款|外资|内资|资金|投资|收入|营收|利润|产值|补贴|补助|奖金|奖励|奖补|"
                             r"票房|销售额|订单|贷款|融资|经费|预算|租金")


def asked_attribute(question: str) -> str:
    """The noun a Chinese "X的Y是多少?" question asks the value of (年产值, 总投资, 票房): the
    noun right before 多少 (是/有/为 between them allowed); "" when a verb comes first (提高了多少,
    投了多少钱), a noun follows (有多少国家), the noun only names the kind of figure (比例,
    数量) or the question counts (多少家 is `counted_unit`'s). In English, a measure asked by
    its name ("What is the population of …?"), not "size" (anything has one)."""
    if not is_chinese(question):
        m = re.search(_EN_MEASURE_ASKED, question, re.I)
        return m.group(1).lower() if m and m.group(1).lower() != "size" else ""
    if _ZH_COUNTED.search(question):
        return ""
    tags = pos_tags(question)
    # 多少, or 多大 / 多高 / 多长 … (jieba cuts them 多 / 大): "总面积有多大?" asks the 总面积
    at = next((i for i, (w, _) in enumerate(tags) if w == "多少" or (
        w == "多" and i + 1 < len(tags) and tags[i + 1][0] in _ZH_DEGREE)), None)
    width = 1 if at is None or tags[at][0] == "多少" else 2
    if at is not None and at + width < len(tags) and _ZH_AMOUNT_NOUN.fullmatch(tags[at + width][0]):
        return tags[at + width][0]      # "交多少税", "用了多少外资": a sum of what follows
    i = (at or 0) - 1
    while i >= 0 and tags[i][0] in _ZH_LINKS:
        i -= 1
    if at is None or i < 0 or not (tags[i][1].startswith("n") or tags[i][1] == "vn") \
            or tags[i][1] in ("nr", "ns", "nt") or len(tags[i][0]) < 2 or tags[i][0] in _ZH_FIGURE_WORDS:
        return ""
    if at + width < len(tags) and tags[at + width][1].startswith("n"):       # 有多少国家: the noun after is what is counted
        return ""
    if _modal_verb(tags[i][0]):
        return ""
    return tags[i][0]


_MODALS = "能可会要应该将想"
_ZH_DEGREE = frozenset("大 高 长 远 重 宽 深 久".split())


def _modal_verb(word: str) -> bool:
    """"能奖", "可补": a modal and a verb jieba's HMM joined into a "noun" its dictionary lacks
    ("能奖多少?" asks an amount, no attribute; 能源, 可能性 are words)."""
    return len(word) == 2 and word[0] in _MODALS and word not in jieba().dt.FREQ


def states_attribute(attribute: str, sentence: str) -> bool:
    """Whether the sentence speaks of the attribute asked about, by the whole word or a part of
    it jieba's search mode gives (占地面积 → 面积, 专项资金 → 资金); an English measure by its
    word or its unit ("1.7 million inhabitants" is a population, "3,000 square metres" an area)."""
    if attribute in _EN_MEASURE_SAID:
        return bool(re.search(_EN_MEASURE_SAID[attribute], sentence, re.I))
    return attribute in sentence or any(len(t) >= 2 and t in sentence for t in tokenize(attribute))


# what an English "how many" noun is counted in, in Chinese: an English question about a
# Chinese-only article ("How many people attended …?" is not answered by "合作项目40余个")
_ZH_COUNT_OF = {
    "people": "人次?|名|位", "person": "人次?|名|位", "visitor": "人次?|名|位", "attendee": "人次?|名|位",
    "guest": "人次?|名|位", "participant": "人次?|名|位", "spectator": "人次?|名|位", "audience": "人次?|名|位",
    "film": "部", "movie": "部", "series": "部", "drama": "部", "work": "部|件", "project": "个|项",
    "company": "家", "enterprise": "家", "firm": "家", "edition": "届", "studio": "个|座",
    "screen": "块|个|张", "city": "个|座", "country": "个", "award": "个|项", "episode": "集",
    # an event, a screening, a show is held so many times (场, 次): "展映活动320场"
    "event": "场|次|项|个", "screening": "场|次", "show": "场|次", "performance": "场|次", "session": "场|次",
    "activity": "场|次|项|个", "forum": "场|个|次", "match": "场", "game": "场",
}


def zh_count_form(unit: str) -> str:
    """The Chinese measure words an English counted noun is written with ("people" → 人/名/位;
    "film projects" → 个/项, the head noun), "" for a noun with none listed."""
    for word in reversed(unit.split()):
        form = next((_ZH_COUNT_OF[f] for f in sorted(_noun_forms(word)) if f in _ZH_COUNT_OF), "")
        if form:
            return form
    return ""


def counts_other_zh(form: str, sentences: list[str]) -> bool:
    """Whether Chinese sentences count only in other measure words than `form` lists: some
    number is counted in a measure word ("合作项目40余个"), none in `form`, and none is bare (a
    count may leave its measure word out: "3到5万的居民", "超过70,000来自…的艺术品")."""
    text = "\n".join(sentences)
    if re.search(_ZH_NUMERAL + f"(?:{form})", text):
        return False
    counted = re.findall(_ZH_NUMERAL + f"[{ZH_MEASURES}]", text)
    bare = re.search(r"(?:\d[\d.,]*|[零一二两三四五六七八九十百千]+)\s*(?:万|千|亿)?\s*(?:多|余)?\s*"
                     r"(?:的|来自|[\u4e00-\u9fff]?(?:人|者|员|民|品|物))", text)
    return bool(counted) and not bare


def states_count(unit: str, sentence: str) -> bool:
    """Whether the sentence gives a number counted in `unit` ("约1200名嘉宾" counts 名, not 家;
    "convened 3 iterations" counts no people). An English noun phrase need only have a word in
    the sentence beside some number ("24 interceptions", "interceptions with 24", "1.5 gigatons"
    for tons)."""
    if CJK.search(unit):
        if len(unit) > 1 and unit[0] == "个":     # "11个优质影视项目", "签约项目11个"; not "五个板块"
            # 个 is what anyone asks with; the text may count the noun in its own measure
            # word ("多少个取景地?" — "58处取景地")
            noun, measure = re.escape(unit[1:]), f"[{ZH_MEASURES}]"
            return bool(re.search(_ZH_NUMERAL + measure + _ZH_CLAUSE + noun, sentence)
                        or re.search(noun + _ZH_CLAUSE + _ZH_NUMERAL + measure + "(?=[，。；！？,;!?、\\s]|$)", sentence))
        return bool(re.search(_ZH_NUMERAL + _ZH_UNIT_FORMS.get(unit, re.escape(unit)), sentence))
    # (a share is no count: "reducing micro-drama review times by 50%" counts no micro-dramas)
    if not (any(not q.percent for q in quantities(sentence)) or _EN_VAGUE_COUNT.search(sentence)):
        return False
    said = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]*", sentence)]
    forms = set().union(*(_noun_forms(w) for w in said)) if said else set()
    for word in unit.split():
        wanted = _noun_forms(word)
        for group in _EN_SYNONYMS:
            if wanted & group:
                wanted |= group
        if forms & wanted or any(w.endswith(x) for w in said for x in wanted if len(x) >= 3):
            return True
    return False


# question types whose answer a sentence plainly states or not: an answer that shows none of it
# is no answer ("总投资是多少?" → a sentence with no sum). "where" was tried too and dropped:
# XQuAD val false abstentions 1.6 → 3.5 % (zh) and 1.6 → 4.3 % (en), "where" answers are often
# no place name.
TYPED_TYPES = ("quantity", "money", "percent", "time")
YEAR = re.compile(r"(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)")
# a year a sentence states: not a figure with a unit after it (1200万元, 1000 people)
STATED_YEAR = re.compile(YEAR.pattern + r"(?![\d.,]*\s?(?:万|亿|元|人|个|名|家|项|部|只|件|次|台|多|余|"
                         r"%|％|million|billion|thousand|people|yuan|dollars))")
# a year said relative to the article's date ("今年3月", "last year") answers "which year" too
_RELATIVE_YEAR = re.compile(r"今年|去年|前年|明年|(?:this|last|next|the previous|the following) year", re.I)


def states_year(sentence: str) -> bool:
    return bool(STATED_YEAR.search(sentence) or _RELATIVE_YEAR.search(sentence))


# a figure in 万/亿 that counts something (1085.2万人次, 3100余部, 2.1万名): no sum of money
_ZH_SCALED_COUNT = re.compile(f"[0-9０-９][0-9０-９.,]*[万亿]+余?(?:人次|人|[{ZH_MEASURES}户名册张])")


def gives_type(qtype: str, question: str, sentence: str, found: dict | None = None) -> bool:
    """Does the sentence hold the kind of thing a typed question asks for? A sum is money or a
    figure in millions / 亿 ("between the two cities" answers no "how much") that counts nothing
    ("1085.2万人次" is no 总收入)."""
    offered = offers(sentence, question, found)
    if qtype == "money":
        return "money" in offered or any(q.value != q.written for q in figures(_ZH_SCALED_COUNT.sub(" ", sentence)))
    return matches(qtype, offered)


_ASKS_THEME = re.compile(r"主题|口号|标语|\b(?:theme|slogan|motto)s?\b", re.I)


def asks_theme(question: str) -> bool:
    """"大会的主题是什么?", "What was the theme of the event?": a quoted name said to be a theme
    answers it, not any quoted name (“AI+” initiative)."""
    return bool(_ASKS_THEME.search(question))


def states_theme(sentence: str, found: dict | None = None) -> bool:
    found = facts(sentence) if found is None else found
    return bool(_ASKS_THEME.search(sentence) and found.get("name"))


def typed(question: str, qtype: str) -> bool:
    """Whether a sentence plainly gives what the question asks for or not (`answers_typed`)."""
    return qtype in TYPED_TYPES or asks_theme(question)


def answers_typed(question: str, qtype: str, sentence: str, found: dict | None = None, same_lang: bool = True) -> bool:
    """Whether one sentence gives all a how-many / how-much / when / what-theme question asks
    for: a thing of its type, a count in its measure word or noun (looked for in a sentence of
    the question's language only), a year for "which year", a quoted name said to be the theme.
    True for other questions."""
    if asks_theme(question):
        return states_theme(sentence, found)
    if qtype not in TYPED_TYPES:
        return True
    if not gives_type(qtype, question, sentence, found):
        return False
    unit = counted_unit(question) if qtype == "quantity" else ""
    if unit and same_lang and not states_count(unit, sentence):
        return False
    return not asks_year(question) or states_year(sentence)


_ASKS_YEAR = re.compile(r"哪一?年|何年|什么年份|哪个年份|\b(?:what|which) year\b", re.I)
# "…的院长是谁?": a role only a person fills (an organisation is no answer)
_ZH_ROLE = ("院长|校长|市长|省长|县长|区长|镇长|局长|部长|厅长|处长|科长|所长|司长|馆长|园长|站长|团长|厂长|行长|"
            "秘书长|理事长|主编|总编辑|设计师|建筑师|策展人|主任|主席|总统|总理|书记|董事长|总经理|总裁|经理|作者|导演|编剧|"
            "主演|演员|创始人|发明人|发现者|负责人|代言人|主持人|教练|队长|国王|皇帝|首相|会长|社长|台长|总监|制片人")
_ZH_ASKS_PERSON = re.compile(f"(?:{_ZH_ROLE})(?:是|为)(?:谁|哪位)|(?:谁|哪位)(?:是|担任)[^，。？?]{{0,12}}(?:{_ZH_ROLE})|"
                             f"(?:{_ZH_ROLE})[^，。？?]{{0,4}}(?:名字|姓名)|"
                             # what only a person does: presides, speaks ("谁主持了这次大会?")
                             r"(?:谁|哪位)(?:来)?(?:主持|致辞|讲话|发言|演讲|主讲)")


_EN_ROLE = (r"(?:mayor|president|vice[ -]president|director|curator|architect|designer|author|writer|founder|chair(?:man|woman|person)?|ceo|"
            r"head|leader|king|queen|emperor|governor|minister|premier|chancellor|coach|captain|composer|inventor|"
            r"dean|principal|editor|producer|spokes(?:person|man|woman)|secretary|commander|pope|bishop|"
            r"official|person|man|woman)")
_EN_ASKS_PERSON = re.compile(r"\bwho (?:is|was|are|were|became|served as) (?:the |a |an )?(?:[\w-]+ ){0,3}?"
                             + _EN_ROLE + r"s?\b|\bwhat (?:is|was) the name of the (?:[\w-]+ ){0,6}?" + _EN_ROLE +
                             r"s?\b|\bwho (?:directed|wrote|composed|painted|invented|discovered|authored|presided|moderated|chaired|emceed|"
                             r"gave (?:a |the )?(?:keynote|speech|address|opening speech))\b", re.I)


def asks_year(question: str) -> bool:
    """"哪一年…?", "In what year …?": a year answers it, not "近年来" or a month."""
    return bool(_ASKS_YEAR.search(question))


_GENERIC_ROLE = frozenset({"official", "person", "man", "woman", "head", "leader", "负责人"})


def asked_role(question: str) -> str:
    """The role a person question asks who fills ("mayor" of "Who is the mayor of Chengdu?",
    作者 of "…的作者是谁?"); "" for none or a generic one ("the official who…")."""
    zh = is_chinese(question)
    m = (_ZH_ASKS_PERSON if zh else _EN_ASKS_PERSON).search(question)
    role = m and re.search(_ZH_ROLE if zh else r"\b" + _EN_ROLE + r"\b", m.group(0), re.I)
    word = role.group(0).lower() if role else ""
    return "" if word in _GENERIC_ROLE else word


def asks_person(question: str) -> bool:
    """A question for the person in a role ("院长是谁?", "作者是谁?", "Who is the mayor of …?",
    "Who directed …?")."""
    return bool((_ZH_ASKS_PERSON if is_chinese(question) else _EN_ASKS_PERSON).search(question))


_ZH_VENUE_KINDS = "场馆|场地|会场|会议中心|酒店|宾馆|剧院|影院|体育馆|体育场|展馆|会堂|礼堂|馆|中心"
_ZH_ASKS_VENUE = re.compile(f"(?:哪个|哪家|哪座|哪一个|什么)(?:{_ZH_VENUE_KINDS})")
_EN_VENUE_KINDS = r"venue|hall|hotel|stadium|arena|theat(?:re|er)|cinema|building|auditorium|(?:convention|exhibition) cent(?:re|er)"
_EN_ASKS_VENUE = re.compile(rf"\b(?:which|what)\s+(?:\w+\s+)?(?:{_EN_VENUE_KINDS})s?\b", re.I)
_ZH_VENUE_NAME = re.compile(f"[\u4e00-\u9fff]{{2,}}(?:{_ZH_VENUE_KINDS}|大厦|广场|展厅)")
# (a name is capitalised; the kind of building may not be: "Levi's Stadium", "the Grand Hall")
_EN_VENUE_NAME = re.compile(rf"\b[A-Z][\w'’.-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'’.-]*)*\s+"
                            rf"(?i:{_EN_VENUE_KINDS}|centre|center|plaza|museum|gallery)\b")


_ZH_ASKS_WORK_TITLE = re.compile(r"(?:影片|电影|片子|电视剧|剧集|作品|节目|纪录片|动画片?|微短剧|书|小说|歌曲|专辑)"
                                 r"[^，。？?]{0,6}?(?:叫什么|什么名字|名字是|名称是|片名|剧名|书名)")


def asks_work_title(question: str) -> bool:
    """A Chinese question for the title of a work ("…签约的3部院线电影分别叫什么名字?"): what a
    Chinese text writes in 《》."""
    return bool(_ZH_ASKS_WORK_TITLE.search(question))


def asks_venue(question: str) -> bool:
    """A question for the building or hall something was in ("在成都哪个场馆办的?", "Which
    stadium …?"): the city alone is no answer."""
    return bool((_ZH_ASKS_VENUE if is_chinese(question) else _EN_ASKS_VENUE).search(question))


def names_venue(sentence: str, question: str = "") -> bool:
    """Whether the sentence names a building or hall the question does not ("Levi's Stadium",
    "国家大剧院")."""
    pattern = _ZH_VENUE_NAME if is_chinese(sentence) else _EN_VENUE_NAME
    return any(m.group(0) not in question for m in pattern.finditer(sentence))


# a time of day ("What time did it start?", "几点开幕?"): the date is no answer
_ZH_ASKS_CLOCK = re.compile(r"几点|几时几分|什么时刻|哪个时段")
_EN_ASKS_CLOCK = re.compile(r"\b(?:what|which) time\b(?! (?:of (?:the )?year|period|frame|zone))|\bat what hour\b", re.I)
_ZH_CLOCK = re.compile(r"\d{1,2}\s?[:：]\s?\d{2}|[零一二两三四五六七八九十\d]{1,3}\s?[点时](?:\s?[零一二两三四五六七八九十\d]{1,3}\s?分|半|整)?"
                       r"|[上中下]午|凌晨|傍晚|晚上|早上")
_EN_CLOCK = re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:a\.?m\.?|p\.?m\.?)|\b\d{1,2}:\d{2}\b|\bo'clock\b|\b(?:noon|midnight|morning|"
                       r"afternoon|evening)\b", re.I)


def asks_clock(question: str) -> bool:
    """A question for the time of day ("What time did the opening ceremony start?", "几点开幕?")."""
    return bool((_ZH_ASKS_CLOCK if is_chinese(question) else _EN_ASKS_CLOCK).search(question))


def states_clock(sentence: str) -> bool:
    """Whether the sentence gives a time of day (9:30, 上午9点, "at 2 p.m.", "in the afternoon")."""
    return bool((_ZH_CLOCK if is_chinese(sentence) else _EN_CLOCK).search(sentence))


# a place below the city ("成都哪个区?", "Which district …?"): the city is no answer
_ZH_ASKS_LOCALITY = re.compile(r"(?:哪个|哪一个|哪|什么)(?:区|县|镇|乡|街道|条街|条路|个街道)(?![域别分])")
_EN_ASKS_LOCALITY = re.compile(r"\b(?:which|what|in which|in what)\s+(?:district|county|neighbou?rhood|borough|suburb|"
                               r"street|road|avenue|part of (?:the )?(?:city|town))\b", re.I)
_ZH_LOCALITY_END = ("区", "县", "镇", "乡", "街道", "路", "街", "村")
_ZH_NOT_LOCALITY = ("地区", "城区", "市区", "社区", "园区", "景区", "片区", "辖区", "山区", "郊区", "街道办")
_EN_LOCALITY = re.compile(r"\b[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*\s+(?:District|County|Borough|Street|Road|Avenue|Township)\b")


def asks_locality(question: str) -> bool:
    return bool((_ZH_ASKS_LOCALITY if is_chinese(question) else _EN_ASKS_LOCALITY).search(question))


def names_locality(sentence: str, question: str = "", found: dict | None = None) -> bool:
    """Whether the sentence names a district, county, town or street the question does not
    ("武侯区", "Wuhou District"): the places it names (jieba's, and those ending 区/县/镇…)."""
    if not is_chinese(sentence):
        return any(m.group(0) not in question for m in _EN_LOCALITY.finditer(sentence))
    places = (facts(sentence) if found is None else found).get("place", ())
    return any(p.endswith(_ZH_LOCALITY_END) and not p.endswith(_ZH_NOT_LOCALITY) and p not in question
               for p in places)


_FORECAST = re.compile(r"预计|预测|预期|有望|\b(?:expected|forecasts?|forecasted|projected|is set to|are set to|will)\b", re.I)
_ASKS_ACTUAL = re.compile(r"实际|最终|了多少|\b(?:actual(?:ly)?|in the end|ended up|in fact|did|was|were)\b", re.I)


def asks_actual(question: str) -> bool:
    """A question for what happened ("实际接待了多少游客?", "How many visitors did it receive?"),
    not for a forecast: a figure the sources only expect is no answer to it."""
    return bool(_ASKS_ACTUAL.search(question)) and not _FORECAST.search(question)


def forecasts(sentence: str) -> bool:
    """"据…预测，2024年“五一”假期重庆市将接待游客约2600万人次": a figure expected, not reached."""
    return bool(_FORECAST.search(sentence))


def matches(qtype: str, offered: set[str]) -> bool:
    """Does a sentence offering `offered` carry the kind of thing a `qtype` question asks for?"""
    if qtype in ("other", "reason", "list"):
        return bool(offered)
    if qtype == "person":
        return bool(offered & {"person", "org"})
    if qtype == "org":
        return bool(offered & {"org", "person"})
    if qtype == "quantity":
        return bool(offered & {"quantity", "percent", "money"})
    if qtype == "money":
        return bool(offered & {"money", "quantity"})
    return qtype in offered
