"""PROGRAM rules: titles, quoted names with a program head, and a lexicon.

- 《…》 titles are policy documents: the span is the text inside the marks
  (newspaper and journal titles are left out);
- a quoted name “…” (or a run of them, “一网通办”“一窗通办”) followed by a
  program head word (改革, 工程, 行动, 机制, 平台, 热线, 品牌, 模式, 制度, 活动,
  计划, 方案, …) is a program; a quoted 、-list gives one span per item;
- names in the lexicon (``data/programs.txt``, built from the training split by
  ``training/build_lexicon.py``) match wherever they occur when quoted; unquoted, only
  names of three characters or more that are not also quantities (一次, 一门, 三项 are
  list items in one text and ordinary words in the next).
Slogans, metaphors and principles named by the annotation spec never match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .numbers import parse_quantity

__all__ = ["ProgramMatch", "find_programs", "load_lexicon"]

HEADS = (
    "改革试点", "改革", "工程", "专项行动", "行动计划", "行动", "项目推进机制", "工作机制", "机制", "平台", "热线",
    "品牌", "营商品牌", "模式", "制度", "活动", "计划", "方案", "集成服务", "服务", "系统", "工作法", "体系", "办法",
    "政策", "措施", "清单", "一体化", "试点", "专项", "行动方案", "管理", "审批", "贷款", "产品", "工作", "通报",
)
# Never programs (annotation spec: slogans, metaphors, problem words, principles, generic vocabulary).
STOP = frozenset(
    "店小二 雪中送炭 保姆式 土保姆 热带雨林 金字招牌 一号工程 头号工程 一把手 痛点 堵点 难点 顾客至上 非禁即入 "
    "营商环境 高质量发展 一站式 稳压器 加速器 天赋 生命周期 首席服务官".split()
)
_TITLE = re.compile(r"《([^《》\n]{2,60})》")
_QUOTED_RUN = re.compile(r"(?:[“\"]([^“”\"\n，。；！？]{1,24})[”\"])+")
_QUOTED = re.compile(r"[“\"]([^“”\"\n，。；！？]{1,24})[”\"]")
_HEAD = re.compile("|".join(sorted(HEADS, key=len, reverse=True)))
_PRESS = re.compile(r"(?:日报|晚报|报|杂志|周刊|新闻|网)$")
# A quoted name with no program head is taken unless it looks like what the spec leaves
# out: honours and designations (…先进集体, …示范园区, …基地), metaphors (…器, …剂,
# …度, 升级版, 成绩单), idioms of a kind (…一批), and long descriptive quotes.
_NOT_A_NAME = re.compile(
    r"(?:集体|先进县|示范县|园区|基地|大厅|试验区|示范区|称号|奖|器|剂|度|版|单|水|礼包|一批|满意|一流)$"
    r"|^(?:零|人人|全市|全省|全国)"
)
MAX_BARE_QUOTE = 8
MIN_UNQUOTED = 3  # shortest lexicon name matched outside quote marks


@dataclass(frozen=True, slots=True)
class ProgramMatch:
    start: int
    end: int
    text: str
    how: str  # "title", "quoted", "bare_quote", "lexicon"


@lru_cache(maxsize=1)
def load_lexicon() -> frozenset[str]:
    """Program names from the training split (one a line in ``data/programs.txt``)."""
    try:
        raw = resources.files("yingshang_ie").joinpath("data/programs.txt").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return frozenset()
    return frozenset(w for w in (line.strip() for line in raw.splitlines()) if w and not w.startswith("#"))


@lru_cache(maxsize=1)
def _lexicon_automaton():
    import ahocorasick

    auto = ahocorasick.Automaton()
    for word in load_lexicon():
        if len(word) >= MIN_UNQUOTED and word not in STOP and not _is_quantity(word):
            auto.add_word(word, word)
    if len(auto) == 0:
        return None
    auto.make_automaton()
    return auto


def _is_quantity(name: str) -> bool:
    """“二十六条”: a quoted quantity is an indicator, not a program name."""
    q = parse_quantity(name)
    return q is not None and q.start == 0 and q.end == len(name) and bool(q.unit) and q.value > 1


def _items(inner: str, offset: int, how: str) -> list[ProgramMatch]:
    """One match per 、-separated item of a quoted list, or the whole name."""
    out, pos = [], 0
    parts = inner.split("、") if "、" in inner else [inner]
    for part in parts:
        stripped = part.strip()
        if len(stripped) >= 2 and stripped not in STOP:
            s = offset + pos + part.index(stripped)
            out.append(ProgramMatch(s, s + len(stripped), stripped, how))
        pos += len(part) + 1
    return out


def find_programs(text: str) -> list[ProgramMatch]:
    """Program mentions in ``text`` (a working copy), non-overlapping, in text order."""
    found: list[ProgramMatch] = []
    for m in _TITLE.finditer(text):
        if not _PRESS.search(m.group(1)):
            found.append(ProgramMatch(m.start(1), m.end(1), m.group(1), "title"))
    lexicon = load_lexicon()
    for run in _QUOTED_RUN.finditer(text):
        headed = _HEAD.match(text, run.end()) is not None
        for q in _QUOTED.finditer(text, run.start(), run.end()):
            inner = q.group(1)
            if headed or inner in lexicon:
                found.extend(_items(inner, q.start(1), "quoted"))
            else:
                found.extend(i for i in _items(inner, q.start(1), "bare_quote")
                             if len(i.text) <= MAX_BARE_QUOTE and not _NOT_A_NAME.search(i.text)
                             and not _is_quantity(i.text))
    auto = _lexicon_automaton()
    if auto is not None:
        for end_idx, word in auto.iter(text):
            found.append(ProgramMatch(end_idx - len(word) + 1, end_idx + 1, word, "lexicon"))
    kept: list[ProgramMatch] = []
    for p in sorted(found, key=lambda p: (p.start, -(p.end - p.start))):
        if not kept or p.start >= kept[-1].end:
            kept.append(p)
    return kept
