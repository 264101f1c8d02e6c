"""METRIC rules: the phrase in the same clause that names what an indicator measures.

For each indicator, the clause is the text back to the previous clause mark
(，。；：！？ and their ASCII forms; 、 separates list items that share one
metric).  Before the number, linking verbs and bounds (达, 为, 突破, 超过, 近,
约, 共, 累计, 实现, …) are dropped, and the metric is the Han-character run
that remains, cut after the last function word (的, 了, 在, 将, …) and at
most eight characters long (新签约项目, 总投资, 网办率).  When nothing before
the number names a measure, the counted noun right after the number and its
unit is used (为全区156个重点项目提供服务 → 重点项目).  When the clause names
nothing at all, the indicator keeps the metric of the previous indicator in
the same sentence (地区生产总值突破100亿元大关，实现107.5亿元).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MetricMatch", "find_metric"]

_CLAUSE_BREAK = "，,。；;：:！!？?\n（(）)“”\"《》"
_LINK = re.compile(
    r"(?:达到|达|为|是|突破|超过|超|逾|近|约为|约|共计|共有|共|累计|合计|总计|实现|至|到|仅|只有|高达|提高到|"
    r"提升至|增至|降至|减至|压减至|压缩至|缩短至|均居|位居|居|均|平均|分别|全年|全县|全区|全市|全省|新增加|已|再|还|拥有|有|完成|"
    r"连续|清单)+$"
)
# Action verbs that open a clause before the measured noun (排查|营商环境问题).  The metric
# is what follows the last of them when that is four characters or more; otherwise the
# verb stays with its short object (招引企业, 约谈干部, 反馈问题).
_VERBS = re.compile(
    "排查|争取|协调|办理|评选|盘活|建成|发放|兑现|收集|梳理|召开|出台|约谈|招引|反馈|实施|开展|引进|培训|帮助|解决|"
    "走访|举办|推出|设立|建立|打造|提供|落实|减免|新建|聘任|依托|拥有|成为|建设|完成|上线|整改|处置|接转|"
    "累计|现场|先后|共|为"
)
# Change and share words after a base are left out of the metric: the base is the metric
# (办事材料|减少 50%; 地区生产总值|增长 6.5%; 出口|占比 60%).  With nothing before them
# they are the metric themselves (同比增长 12.2%).
_TRAILING_CHANGE = re.compile(
    r"(?:分别|均|同比|同口径|比上年|较上年|年均)*(?:减少|降低|下降|提高|提升|缩短|压减|压缩|增长|增加|占比)$")
_PLACE_END = re.compile(r"(?:省|市|县|区|全国|全省|全市|全县|全区|唯一)$")
_FUNCTION = re.compile(r".*(?:的|了|在|将|对|把|被|从|以来|以上|其中|目前|截至|今年|去年|同时|并|和|及|与|等|年|月|日|后|前|中|是|这|那)")
# A run of Han characters; one stray space between two of them (text from PDFs and web
# pages: 营业 收入, 实 际利用外资) stays inside the run, and so inside the metric.
_HAN_RUN = re.compile(r"(?:[\u4e00-\u9fff]|(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff]))+$")
_AFTER = re.compile(r"[\u4e00-\u9fff]{2,8}")
_AFTER_STOP = re.compile(
    r"(?:提供|进行|开展|实现|完成|得到|获得|达到|参与|参加|纳入|入选|发放|转化|培育|重点|的|之|为|因|和|及|均|，|。)")
_MEASURE_UNITS = set("个家项名人件次条份座所户类种批场")
MAX_LEN = 12
REACH = 64


@dataclass(frozen=True, slots=True)
class MetricMatch:
    start: int
    end: int
    text: str


def _clause_start(text: str, pos: int) -> int:
    """Start of the clause ending at ``pos``, looking back at most ``REACH`` characters.

    The bound keeps the search linear in long clauses (a table flattened to one line,
    thousands of numbers with no clause mark); no metric sits further from its number.
    """
    i, floor = pos, max(0, pos - REACH)
    while i > floor and text[i - 1] not in _CLAUSE_BREAK:
        i -= 1
    return i


def _before(text: str, clause_start: int, number_start: int) -> MetricMatch | None:
    prefix = text[clause_start:number_start]
    # the nearest list item: indicators joined by 、 share the metric before the first one
    prefix = re.sub(r"[\d.%、\s]+$", "", prefix)
    prefix = _LINK.sub("", prefix)
    m = _HAN_RUN.search(prefix)
    if not m:
        return None
    run_start = clause_start + m.start()
    run = m.group()
    f = _FUNCTION.match(run)
    if f:
        run_start += f.end()
        run = run[f.end():]
    verbs = list(_VERBS.finditer(run))
    if verbs:
        v = verbs[-1]
        cut = v.end() if len(run) - v.end() >= 4 else v.start()
        if cut == v.start() and v.end() == len(run):
            return None  # the clause ends in a bare verb (建立36个…): the counted noun follows
        run_start += cut
        run = run[cut:]
    t = _TRAILING_CHANGE.search(run)
    if t and t.start() >= 2:
        run = run[: t.start()]
    if _PLACE_END.search(run):
        return None  # 乳源是广东省3个…: a place, not a measure
    if len(run) > MAX_LEN:
        run_start += len(run) - MAX_LEN
        run = run[-MAX_LEN:]
    if len(run) < 2:
        return None
    return MetricMatch(run_start, run_start + len(run), run)


def _after(text: str, number_end: int, unit: str) -> MetricMatch | None:
    if not unit or unit[-1] not in _MEASURE_UNITS:
        return None
    m = _AFTER.match(text, number_end)
    if not m:
        return None
    stop = _AFTER_STOP.search(m.group())
    noun = m.group()[: stop.start()] if stop else m.group()
    if len(noun) < 2:
        return None
    return MetricMatch(number_end, number_end + len(noun), noun)


def find_metric(text: str, start: int, end: int, unit: str, floor: int = 0) -> MetricMatch | None:
    """The metric for the indicator at ``[start, end)``; never reaching left of ``floor``.

    ``floor`` is the end of the previous entity, so a metric never overlaps one.
    """
    clause_start = max(_clause_start(text, start), floor)
    return _before(text, clause_start, start) or _after(text, end, unit)
