"""Result types of :func:`yingshang_ie.extract`.

Offsets everywhere are half-open character offsets (Python ``str`` indices,
``end`` exclusive) into the caller's ORIGINAL string, whatever was normalised
on the way (markup, full-width forms, traditional script):
``entity.text == text[entity.start:entity.end]`` always.

Example:
    >>> from yingshang_ie import extract
    >>> x = extract("乳源瑶族自治县新签约项目33个，总投资110.63亿元", mode="rules")
    >>> [(e.label, e.text) for e in x.entities][:2]
    [('COUNTY', '乳源瑶族自治县'), ('METRIC', '新签约项目')]
    >>> x.indicators[1].value, x.indicators[1].unit
    (Decimal('11063000000'), '元')
    >>> x.counties[0].code
    '440232'
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

__all__ = ["Choice", "Source", "Entity", "Indicator", "CountyCandidate", "CountyLink", "Extraction"]


class Choice(str, Enum):
    """A string setting parsed by value; a bad value raises ConfigError listing the valid ones."""

    @classmethod
    def _missing_(cls, value):
        from .errors import ConfigError

        name = re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__).lower()
        raise ConfigError(f"unknown {name} {value!r}; choose one of {', '.join(m.value for m in cls)}")


class Source(str, Enum):
    """Which component found an entity."""

    MODEL = "model"
    RULES = "rules"


@dataclass(frozen=True, slots=True)
class Entity:
    """A labelled span: ``label`` is COUNTY, PROGRAM, INDICATOR or METRIC; ``score`` in [0, 1]."""

    start: int
    end: int
    label: str
    text: str
    score: float
    source: Source

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "label": self.label, "text": self.text,
                "score": round(self.score, 4), "source": self.source.value}


@dataclass(frozen=True, slots=True)
class Indicator:
    """A numeric indicator: the INDICATOR span, its METRIC span if any, and the normalised value.

    ``value`` is in ``unit`` with scale words folded in (110.63亿元 → 11063000000, 元);
    ``value_max`` is the upper bound of a range; ``kind`` is money, percent, count,
    area, duration, rank, length, weight, energy or other; ``approx`` marks
    余/多/几/近/约/左右.  ``value`` is ``None`` when the number could not be read.
    """

    value_span: Entity
    metric: Entity | None
    value: Decimal | None
    unit: str
    kind: str
    approx: bool = False
    value_max: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.value_span.text,
            "start": self.value_span.start,
            "end": self.value_span.end,
            "metric": self.metric.text if self.metric else None,
            "metric_start": self.metric.start if self.metric else None,
            "metric_end": self.metric.end if self.metric else None,
            "value": None if self.value is None else str(self.value),
            "value_max": None if self.value_max is None else str(self.value_max),
            "unit": self.unit,
            "kind": self.kind,
            "approx": self.approx,
        }


@dataclass(frozen=True, slots=True)
class CountyCandidate:
    """One gazetteer entry: GB/T 2260 code, official name, prefecture and province."""

    code: str
    name: str
    prefecture: str
    province: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class CountyLink:
    """A COUNTY mention linked to the gazetteer.

    ``code``/``name``/``prefecture``/``province`` are set when the mention is
    resolved; an ambiguous mention (鼓楼区 in four cities) that the document's
    other place names cannot settle keeps every ``candidates`` entry and
    ``code=None``.  Placeholders such as XX县 have no candidates.
    """

    mention: Entity
    code: str | None
    name: str | None
    prefecture: str | None
    province: str | None
    candidates: tuple[CountyCandidate, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.mention.text, "start": self.mention.start, "end": self.mention.end,
                "code": self.code, "name": self.name, "prefecture": self.prefecture,
                "province": self.province, "candidates": [c.to_dict() for c in self.candidates]}


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything found in one text: entities in text order, indicators, county links."""

    text: str
    entities: tuple[Entity, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    counties: tuple[CountyLink, ...] = ()
    mode: str = "rules"

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "entities": [e.to_dict() for e in self.entities],
            "indicators": [i.to_dict() for i in self.indicators],
            "counties": [c.to_dict() for c in self.counties],
        }
