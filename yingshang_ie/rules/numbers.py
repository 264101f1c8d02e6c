"""INDICATOR grammar: numbers with their units, as the annotation spec delimits them.

Conventions
    * Offsets are half-open ``[start, end)`` over the string passed in, and
      ``match.text == text[start:end]`` always. The input is expected to be the
      normalised working copy (simplified script); full-width digits and ``％``
      are folded here too, character for character, so offsets do not move.
    * Span: first character of the number to the end of its unit. Scale words
      (十 百 千 万 亿) and 余/多/几 are inside; leading verbs and approximators
      (达 突破 近 约 超过 逾 上 大概) and trailing 左右/以上/以下/以内 are outside.
      A range (6-8亿元, 2至3小时) is one span; each item of a list is its own.
    * ``value`` is a :class:`~decimal.Decimal` in the base unit with the scale
      folded in (110.63亿元 → 11063000000, 元); for a range it is the lower bound
      and ``value_max`` the upper; 余/多/几 give the stated number (2000余亩 → 2000).
    * ``unit`` is the canonical simplified unit from :data:`UNITS` (万元 → 元,
      个月 → 月, 个百分点 → 百分点); ``kind`` is its quantity kind.
    * A number with a scale word but no unit (近50亿, 百万人口) is kept with the
      scale folded in; its unit is ``元`` (kind money) when a money word stands
      earlier in the clause (投资, 资金, 产值 ...), otherwise ``""`` (kind other).
    * ``approx`` is true for 余/多/几/数 in the span, 近/约/将近/大约/大概/上
      right before it and 左右/上下 right after it; bounds (超过 以上 不足) are not
      approximations.
    * Not matched: dates (2022年, 4月1日), times, ordinals (第一, 一是),
      phone and document numbers, 一 meaning "a/an" (一名客商), numbers inside
      short quoted names (“五个一”, 《三十条措施》; a quoted list of counts such as
      “1名责任县领导、6个后台服务部门” is kept), 次 after 届 (十三届四次全会),
      and N年 heading a programme name (三年攻坚行动). 期 is not a unit (二期).

Example:
    >>> m = find_numbers("新签约项目33个，总投资110.63亿元，完成率达132%")[1]
    >>> m.text, m.value, m.unit, m.kind, (m.start, m.end)
    ('110.63亿元', Decimal('11063000000'), '元', 'money', (12, 20))
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext

import cn2an

__all__ = ["NumberMatch", "UNITS", "find_numbers", "parse_quantity"]


@dataclass(frozen=True, slots=True)
class NumberMatch:
    """One INDICATOR: span, parsed value(s), canonical unit, quantity kind, approximation flag."""

    start: int
    end: int
    text: str
    value: Decimal
    value_max: Decimal | None
    unit: str
    kind: str
    approx: bool


def _units() -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    groups = {
        "money": "元 元/平方米 元/亩 元/吨 元/人 元/度 美元 欧元",
        "percent": "% ‰ 百分点",
        "area": "亩 平方米 平方公里 公顷",
        "length": "公里 米",
        "weight": "吨 千克 克",
        "energy": "千瓦时 千瓦 兆瓦 度 千伏安",
        "duration": "年 周 天 小时 分钟 秒 工作日 月",
        "rank": "梯队",
        "count": "个 家 户 人 名 位 项 件 次 条 份 场 批 种 类 座 栋 台 辆 所 张 本 套 处 宗 笔 间 "
                 "支 人次 家次 户次 件次 只 株 棵 篇 轮 部 册 款 门店 例 艘 架",
        "other": "倍 级 星 岁 立方米 千伏",
    }
    for kind, words in groups.items():
        table.update({w: (w, kind) for w in words.split()})
    aliases = {"平米": "平方米", "平方千米": "平方公里", "千米": "公里", "公斤": "千克",
               "个百分点": "百分点", "星期": "周"}
    table.update({k: table[v] for k, v in aliases.items()})
    table["个季度"] = ("季度", "duration")  # a bare 季度 is a date (前三季度)
    for mid in ("", "多", "余"):  # 个月, 两个多月, 3个余小时 ...
        for base in ("月", "小时", "工作日", "星期"):
            table["个" + mid + base] = table[base]
    del table["月"]  # a bare 月 is a month of a date (4月1日); only 个月 measures
    return table


UNITS: dict[str, tuple[str, str]] = _units()
"""Surface form → (canonical unit, kind). Scale words are never part of a unit."""

_DIGITS = "〇零一二两三四五六七八九"
_SCALE = r"(?:[十百万亿]|千(?![米瓦克伏]))"  # 千 of 千米/千瓦/千克 belongs to the unit
_NUM = rf"(?:(?:\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+)(?:\.\d+)?[ ]?{_SCALE}*|(?:[{_DIGITS}]|{_SCALE})+)"
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
# A unit character that starts a noun with the next one is no unit: 百万人口, 三年级.
_UNIT_NOUNS = {"人": "口才员民", "家": "庭电长乡渠", "条": "件例款", "次": "数日要", "年": "级代", "类": "型",
               "台": "账山县阶湾河区", "套": "班", "部": "门长委", "处": "理置", "场": "景所地馆", "批": "准复",
               "种": "植子养类", "名": "单称片牌", "位": "置于", "本": "地级土", "户": "籍口", "周": "边期末年",
               "元": "化素旦结宵", "度": "假过", "支": "持付撑", "所": "有在属以", "宗": "旨", "只": "有要是能",
               "间": "隔断接"}
_NOT_NOUN = "|".join(f"(?<={u})[{nxt}]" for u, nxt in _UNIT_NOUNS.items())
_PATTERN = re.compile(
    rf"""(?<![\dA-Za-z.:：×*+/#\-_{_DIGITS}十百千万亿])
    (?P<lead>第|百分之|[数几](?=[十百千万]))?
    (?P<n1>{_NUM})
    (?:(?P<p1>%)?(?:-|~|～|—|至|到)(?P<n2>{_NUM}))?
    (?P<ap>[余多几])?
    (?:(?P<sc>{_SCALE}*?)[ ]?(?P<unit>{_UNIT_ALT})(?!{_NOT_NOUN})|(?P<bare>{_SCALE}*))""",
    re.X,
)
_FULLWIDTH = re.compile("[\uff01-\uff5e]")
_FW_TABLE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_QUOTES = [re.compile(p) for p in ("“([^“”]{0,80})”", "‘([^‘’]{0,80})’", "《([^《》]{0,80})》",
                                    "「([^「」]{0,80})」", "『([^『』]{0,80})』", '"([^"\n]{0,80})"')]
_SENTENCE_PUNCT = re.compile(r"[，。；！？,;!?：:]")
_COUNT_ITEM = re.compile(r"\d")
_SCALE_VALUE = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_MONEY_CONTEXT = re.compile(r"投资|资金|金额|产值|总值|收入|营收|税|融资|贷款|总额|销售|利润|资产|资本|基金"
                            r"|补贴|奖补|奖励|签约|交易|成交|元")
_CLAUSE_END = re.compile(r"[，。；！？,;!?：:、\n]")
_APPROX_BEFORE = ("近", "约", "大概", "上")
_NOT_APPROX_BEFORE = ("节约", "制约", "预约", "签约", "合约", "契约", "特约", "履约", "附近", "最近", "邻近")
_RANK_REGION = ("全省", "全市", "全国", "全区", "全县", "全州", "全盟", "排名")  # 全省第二: a bare rank
_RANK_CONTEXT = (*_RANK_REGION, "位居", "位列", "居", "排", "列")  # 居全市第2位
_KEEP_ONE = {"周", "天", "小时", "分钟", "秒", "工作日", "月"}  # 不出一周, 一个月内: a real duration
_NAME_HEAD = re.compile(r"行动|攻坚|计划|规划|方案|大变样|专项|工程")
_PURE_SCALE_BARE = {"百万", "百亿", "千亿", "万亿"}  # not 千万 (千万不要: "by all means")
_SCALE_APPROACH = ("上", "近", "超", "逾", "过", "破", "达", "约")  # 上万家, 近千家, 破亿
_DATE_UNITS = {"年", "周", "天", "小时", "分钟", "秒", "工作日", "月", "季度"}


def find_numbers(text: str) -> list[NumberMatch]:
    """All INDICATOR spans of ``text`` (a normalised working copy), in text order.

    Args:
        text: the working copy; full-width ASCII forms are tolerated.

    Returns:
        Non-overlapping :class:`NumberMatch` objects; ``text[m.start:m.end] == m.text``.
    """
    if not text:
        return []
    work = text.translate(_FW_TABLE) if _FULLWIDTH.search(text) else text
    regions: list[tuple[int, int, bool]] | None = None
    out: list[NumberMatch] = []
    for m in _PATTERN.finditer(work):
        hit = _build(m, work, context=True)
        if hit is None:
            continue
        if regions is None:
            regions = _quote_regions(work)
        if _inside_name(regions, hit):
            continue
        if work is not text:
            hit = NumberMatch(hit.start, hit.end, text[hit.start:hit.end], hit.value, hit.value_max,
                              hit.unit, hit.kind, hit.approx)
        out.append(hit)
    return out


def parse_quantity(span_text: str) -> NumberMatch | None:
    """Parse one indicator string (``"110.63亿元"``); ``None`` if it is not one whole quantity.

    Context rules (dates, 一 as "a", quotes) do not apply: the caller has decided it is
    a quantity. A bare number without unit gives unit ``""``, kind ``"other"``.
    """
    s = span_text.translate(_FW_TABLE)
    m = _PATTERN.fullmatch(s)
    if m is None:
        return None
    hit = _build(m, s, context=False)
    if hit is None:
        return None
    return NumberMatch(0, len(s), span_text, hit.value, hit.value_max, hit.unit, hit.kind, hit.approx)


# Arithmetic on values: 64 significant digits, far beyond any real quantity (1亿亿亿亿 is
# 10^32); a longer digit run is rounded to 64 digits, never an error.
_CTX = Context(prec=64)
_BEYOND = 60  # values of 10^60 and more keep their exponent form


def _build(m: re.Match[str], text: str, *, context: bool) -> NumberMatch | None:
    """Turn a regex match into a :class:`NumberMatch`, or ``None`` when the rules reject it."""
    with localcontext(_CTX):
        return _build_in_context(m, text, context=context)


def _build_in_context(m: re.Match[str], text: str, *, context: bool) -> NumberMatch | None:
    lead, n1, n2, ap, surface = m["lead"], m["n1"], m["n2"], m["ap"], m["unit"]
    scale = (m["sc"] if surface is not None else m["bare"]) or ""
    start, end = m.start(), m.end()
    before, after = text[max(0, start - 4):start], text[end:end + 4]
    unit, kind = UNITS[surface] if surface else ("", "other")
    if lead == "百分之":
        if surface:
            return None
        unit, kind = "%", "percent"
    elif lead == "第":  # ranks (第81位, 全省第二, 第一梯队); other ordinals are rejected
        if unit in ("位", "名") and (not context or n1[0].isdigit() or before.endswith(_RANK_CONTEXT)):
            kind = "rank"
        elif unit == "梯队" or (not surface and (not context or before.endswith(_RANK_REGION))):
            unit, kind = unit or "位", "rank"
        else:
            return None
    if m["p1"] and unit != "%":
        return None
    if context and _rejected(lead, n1, n2, ap, scale, surface, unit, before, after):
        return None
    if context and not surface and not unit and _money_context(text, start):
        unit, kind = "元", "money"
    value = _to_decimal(n1)
    value_max = _to_decimal(n2) if n2 else None
    if value is None or (n2 and value_max is None):
        return None
    factor = _scale_factor(scale)
    if n2 and not any(c in _SCALE_VALUE for c in n1):  # 6-8亿元: 6 takes the scale of 8亿
        trail = re.search(rf"{_SCALE}+$" if n2[0].isdigit() else "[万亿]+$", n2)
        value *= _scale_factor(trail.group()) if trail else 1
    value *= factor
    if value_max is not None:
        value_max = _normal(value_max * factor)
    approx = bool(ap) or lead in ("数", "几") or (surface is not None and surface[1:2] in ("多", "余"))
    if context and not approx:
        approx = (before.endswith(_APPROX_BEFORE) and not before.endswith(_NOT_APPROX_BEFORE)
                  and (not before.endswith("上") or _pure_scale(n1))) or after.startswith(("左右", "上下"))
    return NumberMatch(start, end, m.group(), _normal(value), value_max, unit, kind, approx)


def _rejected(lead: str | None, n1: str, n2: str | None, ap: str | None, scale: str,
              surface: str | None, unit: str, before: str, after: str) -> bool:
    """Context rules: True when a well-formed quantity is not an INDICATOR here."""
    pure_scale = _pure_scale(n1)
    has_big_scale = any(c in "万亿" for c in n1 + (n2 or "") + scale)
    if not surface and lead not in ("第", "百分之"):
        if not has_big_scale:
            return True  # a bare number needs 万/亿 to imply its unit
        if pure_scale and n1 not in _PURE_SCALE_BARE and not before.endswith(_SCALE_APPROACH):
            return True
    if pure_scale and len(n1) == 1 and n1 != "十" and lead is None and not before.endswith(_SCALE_APPROACH):
        return True  # 百家, 千家万户, 万亩茶园: words, not counts
    if n1 == "一" and not ap and unit not in _KEEP_ONE and lead is None:
        return True  # 一名客商, 一个平台: "a/an"
    if unit in ("个", "位", "项", "条") and not n1[0].isdigit() and after[:1] == "一" \
            and after[1:2] not in _DIGITS + "十百千万":
        return True  # 五个一, 三位一体
    if (surface == "次" and before.endswith("届")) or (surface == "度" and not n1[0].isdigit() and not has_big_scale):
        return True  # 十三届四次全会; 两度获评 ("twice")
    if unit == "年" and (_is_year(n1) or (n2 is not None and _is_year(n2)) or _NAME_HEAD.match(after)):
        return True  # 2022年, 2019-2022年: dates; 三年攻坚行动: a programme name
    if unit in _DATE_UNITS and after.startswith(("前", "后")):
        return True  # 70多年前: dates an event
    if n1[0].isdigit() and "." not in n1 and "," not in n1:
        digits = n1.rstrip("十百千万亿 ")
        return len(digits) >= 7 and (digits[0] == "0" or len(digits) == 11)  # phone numbers
    return False


def _pure_scale(num: str) -> bool:
    return all(c in _SCALE_VALUE for c in num)


def _is_year(num: str) -> bool:
    if num.isdigit():
        return len(num) == 4 and 1000 <= int(num) <= 2199
    return len(num) == 4 and all(c in _DIGITS for c in num)  # 二〇二二


def _to_decimal(num: str) -> Decimal | None:
    """Value of one numeral: Arabic (with separators and trailing scale) or Chinese."""
    num = num.replace(" ", "")
    if num[0].isdigit():
        i = len(num.rstrip("十百千万亿"))
        return Decimal(num[:i].replace(",", "")) * _scale_factor(num[i:])
    if num[0] in "百千万亿":
        num = "一" + num  # cn2an rejects 百万 / 千亿 without a leading digit
    try:
        return Decimal(str(cn2an.cn2an(num, "normal")))
    except (ValueError, KeyError, IndexError):
        return None


def _scale_factor(scale: str) -> Decimal:
    factor = Decimal(1)
    for c in scale:
        factor *= _SCALE_VALUE[c]
    return factor


def _normal(value: Decimal) -> Decimal:
    """Drop exponent noise: 1.1 × 10⁸ → Decimal('110000000'), 95.67 stays 95.67."""
    if value.adjusted() < _BEYOND and value == value.to_integral_value():
        return value.quantize(Decimal(1), context=_CTX)
    return value.normalize(_CTX)


def _money_context(text: str, start: int) -> bool:
    window = text[max(0, start - 15):start]
    cut = None
    for cut in _CLAUSE_END.finditer(window):
        pass
    return bool(_MONEY_CONTEXT.search(window[cut.end():] if cut else window))


def _quote_regions(text: str) -> list[tuple[int, int, bool]]:
    """Quoted names as ``(content_start, content_end, counts_allowed)``, sorted.

    Only short quotes without sentence punctuation are names; a long quoted speech
    keeps its numbers. A quoted list whose every item starts with an Arabic count
    (“1名责任县领导、1名驻企服务专员、6个后台服务部门”) keeps them too.
    """
    regions = []
    for pattern in _QUOTES:
        for q in pattern.finditer(text):
            body = q.group(1)
            if q.group()[0] != "《" and _SENTENCE_PUNCT.search(body):
                continue
            items = body.split("、")
            allowed = len(items) > 1 and all(_COUNT_ITEM.match(item) for item in items)
            regions.append((q.start(1), q.end(1), allowed))
    regions.sort()
    return regions


def _inside_name(regions: list[tuple[int, int, bool]], hit: NumberMatch) -> bool:
    """True when ``hit`` lies inside a quoted name that does not keep its counts."""
    i = bisect_right(regions, (hit.start, float("inf"), True))
    while i > 0 and regions[i - 1][0] >= hit.start - 82:  # quotes are at most 80 chars
        i -= 1
        start, end, allowed = regions[i]
        if hit.end <= end and not allowed and (start, end) != (hit.start, hit.end):
            return True
    return False
