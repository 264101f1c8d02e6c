"""Step 2a: rule-based recognisers, one module per label, over the normalised working copy.

:func:`rule_candidates` runs them in order of reliability (programs, counties,
numbers, then metrics for the numbers) and returns non-overlapping
:class:`~yingshang_ie.merge.Candidate` spans: a county or number inside a
program name (智慧乳源, “五个一”) is part of the program, not a span of its own.
"""

from __future__ import annotations

from ..merge import Candidate, resolve_overlaps
from ..types import Source
from .counties import find_counties
from .metrics import find_metric
from .numbers import find_numbers
from .programs import find_programs

__all__ = ["rule_candidates"]

_PROGRAM_SCORE = {"title": 0.95, "quoted": 0.85, "lexicon": 0.75, "bare_quote": 0.55}
_COUNTY_SCORE = {"full": 0.99, "suffixed": 0.97, "short": 0.9, "placeholder": 0.8}


def rule_candidates(text: str) -> list[Candidate]:
    """All rule spans of ``text`` (a working copy), non-overlapping, in text order."""
    ranked = [Candidate(p.start, p.end, "PROGRAM", _PROGRAM_SCORE[p.how], Source.RULES, p) for p in find_programs(text)]
    ranked += [Candidate(c.start, c.end, "COUNTY", _COUNTY_SCORE[c.form], Source.RULES, c) for c in find_counties(text)]
    ranked += [Candidate(n.start, n.end, "INDICATOR", 0.95, Source.RULES, n) for n in find_numbers(text)]
    kept = resolve_overlaps(ranked)
    metrics: dict[tuple[int, int], Candidate] = {}
    floor = 0
    for i, c in enumerate(kept):
        if c.label == "INDICATOR":
            m = find_metric(text, c.start, c.end, c.info.unit, floor)
            nxt = kept[i + 1].start if i + 1 < len(kept) else len(text)
            if m and m.end <= nxt and not (m.start < c.end and c.start < m.end):
                metrics.setdefault((m.start, m.end), Candidate(m.start, m.end, "METRIC", 0.7, Source.RULES, m))
        floor = max(floor, c.end)
    return resolve_overlaps([*kept, *metrics.values()])
