"""Annotation consistency: strings annotated in one place and not, or otherwise, in another.

Every span's surface string (compared in simplified, half-width form, so 絳縣 and 绛县
are one string) is looked up everywhere in the corpus.  Each occurrence gets a status:

- ``LABEL``: exactly a span of that label;
- ``inside LABEL``: inside a longer span (a county inside a PROGRAM name; never flagged,
  since spans do not overlap);
- ``crosses LABEL``: overlaps a span without being inside it;
- ``none``: no span touches it.

A string is listed when its occurrences have more than one status, not counting
``inside …`` and two cases the spec itself makes unannotated: a number string that is
part of a longer number (3个 in 13个) is no occurrence at all, and a METRIC string left
unannotated counts only in a clause that has an INDICATOR and no METRIC (elsewhere the
clause either measures nothing or names its measure with another phrase).  Strings of one character are
skipped (县, 亩): their occurrences are mostly parts of other words.

A listed string whose difference is deliberate is *explained*: GUIDELINES.md names it
in its consistency section in a bullet that starts with the string (or several, comma
separated) in backticks, followed by why its contexts differ.

Example:
    >>> from yingshang_ie.corpus import parse_records
    >>> recs = ['{"id": "a", "text": "放管服改革", "entities": '
    ...         '[{"start": 0, "end": 3, "label": "PROGRAM", "text": "放管服"}]}',
    ...         '{"id": "b", "text": "推进放管服", "entities": []}']
    >>> [(i.surface, sorted(i.statuses())) for i in find_inconsistencies(parse_records(recs))]
    [('放管服', ['PROGRAM', 'none'])]
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .corpus import Document
from .decoding import CLAUSE_END
from .normalize import to_halfwidth, to_simplified

__all__ = ["Occurrence", "Inconsistency", "find_inconsistencies", "explained_strings", "format_report"]

NONE = "none"
_NUMERAL = re.compile(r"[0-9.０-９〇零一二两三四五六七八九十百千万亿]")
# A bullet of the consistency section of GUIDELINES.md: "- `surface`, `surface` …: why".
_EXPLAINED = re.compile(r"^\s*[-*]\s+((?:`[^`]+`[,、/\s]*)+)", re.M)
_TICKED = re.compile(r"`([^`]+)`")
CONTEXT = 12
CLAUSE_REACH = 200  # how far back a clause start is looked for


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One place a surface string occurs, and how it is annotated there."""

    doc_id: str
    start: int
    end: int
    status: str
    context: str

    def __str__(self) -> str:
        return f"{self.doc_id} [{self.start},{self.end}) {self.status:<16} …{self.context}…"


@dataclass(frozen=True, slots=True)
class Inconsistency:
    """A surface string whose occurrences are annotated in more than one way.

    ``occurrences`` are the ones that count (see the module docstring): not those inside
    a longer span, nor unannotated METRIC strings in clauses that need no metric.
    """

    surface: str
    occurrences: tuple[Occurrence, ...]

    def statuses(self) -> Counter:
        return Counter(o.status for o in self.occurrences)


def _normal(text: str) -> str:
    return to_simplified(to_halfwidth(text))


def _cuts_a_number(text: str, start: int, end: int) -> bool:
    """True when the occurrence begins or ends inside a longer number (3个 in 13个)."""
    before = start > 0 and _NUMERAL.match(text[start - 1]) and _NUMERAL.match(text[start])
    after = end < len(text) and _NUMERAL.match(text[end]) and _NUMERAL.match(text[end - 1])
    return bool(before or after)


def _status(spans: list[tuple[int, int, str]], start: int, end: int) -> str:
    for s, e, label in spans:
        if e <= start or s >= end:
            continue
        if (s, e) == (start, end):
            return label
        if s <= start and end <= e:
            return f"inside {label}"
        return f"crosses {label}"
    return NONE


def _metric_missing(text: str, spans: list[tuple[int, int, str]], start: int, end: int) -> bool:
    """True when the clause around ``[start, end)`` has an INDICATOR but no METRIC."""
    floor = max(0, start - CLAUSE_REACH)
    left = max((m.end() for m in CLAUSE_END.finditer(text, floor, start)), default=floor)
    m = CLAUSE_END.search(text, end)
    right = m.start() if m else len(text)
    labels = {lab for s, e, lab in spans if s < right and e > left}
    return "INDICATOR" in labels and "METRIC" not in labels


def find_inconsistencies(docs: Iterable[Document], *, min_chars: int = 2) -> list[Inconsistency]:
    """Every surface string annotated in more than one way across ``docs``, sorted by string."""
    docs = list(docs)
    texts = {d.id: _normal(d.text) for d in docs}
    spans = {d.id: sorted((e.start, e.end, e.label) for e in d.entities) for d in docs}
    labels_of: dict[str, set[str]] = defaultdict(set)
    for d in docs:
        for s, e, label in spans[d.id]:
            surface = texts[d.id][s:e]
            if len(surface.strip()) >= min_chars:
                labels_of[surface].add(label)
    out = []
    for surface in sorted(labels_of):
        occurrences = []
        for d in docs:
            text = texts[d.id]
            pos = text.find(surface)
            while pos >= 0:
                end = pos + len(surface)
                if not _cuts_a_number(text, pos, end):
                    status = _status(spans[d.id], pos, end)
                    context = f"{d.text[max(0, pos - CONTEXT):pos]}[{d.text[pos:end]}]{d.text[end:end + CONTEXT]}"
                    occurrences.append(Occurrence(d.id, pos, end, status, context.replace("\n", "⏎")))
                pos = text.find(surface, pos + 1)
        counted = [
            o for o in occurrences
            if not o.status.startswith("inside ")
            and not (o.status == NONE and labels_of[surface] == {"METRIC"}
                     and not _metric_missing(texts[o.doc_id], spans[o.doc_id], o.start, o.end))
        ]
        if len({o.status for o in counted}) > 1:
            out.append(Inconsistency(surface, tuple(counted)))
    return out


def explained_strings(guidelines: str | Path) -> set[str]:
    """The strings that the consistency section of GUIDELINES.md explains (in simplified form)."""
    text = Path(guidelines).read_text(encoding="utf-8")
    m = re.search(r"^## .*[Cc]onsistency.*$", text, re.M)
    if not m:
        return set()
    nxt = re.search(r"^## ", text[m.end():], re.M)
    section = text[m.end(): m.end() + nxt.start() if nxt else len(text)]
    return {_normal(t) for lead in _EXPLAINED.findall(section) for t in _TICKED.findall(lead)}


def format_report(items: list[Inconsistency], explained: set[str] = frozenset()) -> str:
    """The list, one block a string: its status counts, then every occurrence in context."""
    rows = []
    for item in items:
        tag = "explained" if item.surface in explained else "OPEN"
        counts = ", ".join(f"{k} {v}" for k, v in item.statuses().most_common())
        rows.append(f"{tag}  {item.surface!r}: {counts}")
        rows.extend(f"    {o}" for o in item.occurrences)
    n_open = sum(i.surface not in explained for i in items)
    rows.append(f"{len(items)} string(s) annotated in more than one way; {len(items) - n_open} explained, {n_open} open")
    return "\n".join(rows)
