"""Step 4: link COUNTY mentions to GB/T 2260 codes.

A mention with one gazetteer candidate is linked to it.  An ambiguous name
(朝阳区: Beijing and Changchun; 鼓楼区: four cities) is settled by the other
places the document names: a candidate whose prefecture is named scores 2,
whose province is named scores 1; a single best candidate wins.  Otherwise
the link keeps every candidate and no code.  A short form (孝南) links like
the full mention it stands for.
"""

from __future__ import annotations

from .rules.counties import CountyMatch, GazetteerEntry
from .types import CountyCandidate, CountyLink, Entity

__all__ = ["link_counties"]


def _resolve(entries: tuple[GazetteerEntry, ...], text: str) -> GazetteerEntry | None:
    if len(entries) == 1:
        return entries[0]
    scored = [(2 * (bool(e.prefecture) and e.prefecture in text) + (bool(e.province) and e.province in text), e)
              for e in entries]
    best = max(s for s, _ in scored)
    winners = [e for s, e in scored if s == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def link_counties(pairs: list[tuple[Entity, CountyMatch]], working_text: str) -> tuple[CountyLink, ...]:
    """One :class:`CountyLink` per (entity, match) pair, in the order given; each match carries its candidates."""
    links = []
    for entity, match in pairs:
        entry = _resolve(match.entries, working_text) if match.entries else None
        candidates = () if entry else tuple(
            CountyCandidate(e.code, e.name, e.prefecture, e.province) for e in match.entries)
        links.append(CountyLink(
            mention=entity,
            code=entry.code if entry else None,
            name=entry.name if entry else None,
            prefecture=entry.prefecture if entry else None,
            province=entry.province if entry else None,
            candidates=candidates,
        ))
    return tuple(links)
