"""Step 3: merge candidate spans from rules and model into one flat, non-overlapping list.

Candidates are ``Candidate`` records on the working copy.  A merge policy is a
small class registered by a versioned name in :data:`POLICIES`; a new policy
is a new entry, not a new ``if``.

- ``"prefer_rules.v1"``: rule spans first, model spans fill the gaps;
- ``"prefer_model.v1"``: model spans first, rule spans fill the gaps;
- ``"hybrid.v1"``: per label, the component that is reliable for it
  wins.  COUNTY comes from the gazetteer and INDICATOR from the number grammar
  (exact boundaries, normalised values); PROGRAM and METRIC come from the
  model, with rule spans kept where the model found nothing overlapping.
  Within one priority class, longer spans win, then higher scores;
- ``"consensus.v1"``: rules for every label; the model vets the rules' bare quoted
  names (kept only where it also sees a PROGRAM) and adds PROGRAM spans the rules miss;
- ``"consensus.v2"``: ``consensus.v1``, and model METRIC spans in clauses where
  the result has an INDICATOR but no METRIC;
- ``"consensus.v3"`` (default): ``consensus.v1``, a confident model overrides the rules
  (a model span scoring at least its label's threshold replaces the rule PROGRAM / METRIC
  spans it overlaps; COUNTY and INDICATOR stay the rules'), and model METRIC spans fill
  every gap;
- ``"hybrid_programs.v1"``: as ``hybrid.v1``, but METRIC also from the rules
  (metric phrases follow their numbers, which the grammar already found).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterable

from .decoding import clause_of
from .errors import ConfigError
from .types import Source

__all__ = ["Candidate", "MergePolicy", "POLICIES", "get_policy", "resolve_overlaps"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span proposed by one component, on the working copy; ``info`` carries rule details."""

    start: int
    end: int
    label: str
    score: float
    source: Source
    info: object = None


def resolve_overlaps(ranked: Iterable[Candidate]) -> list[Candidate]:
    """Keep candidates in the order given, dropping any that overlaps one already kept."""
    kept: list[Candidate] = []
    starts: list[int] = []  # kept spans, sorted by start; they never overlap each other
    ends: list[int] = []
    for c in ranked:
        if c.end <= c.start:
            continue
        i = bisect_right(starts, c.start)
        if (i and ends[i - 1] > c.start) or (i < len(starts) and starts[i] < c.end):
            continue
        starts.insert(i, c.start)
        ends.insert(i, c.end)
        kept.append(c)
    return sorted(kept, key=lambda c: c.start)


class MergePolicy(ABC):
    """Orders candidates by priority; :func:`resolve_overlaps` then keeps the first of each overlap."""

    @abstractmethod
    def rank(self, c: Candidate) -> tuple: ...

    def merge(self, rules: list[Candidate], model: list[Candidate], text: str = "") -> list[Candidate]:
        """One flat list from both components' candidates over ``text`` (the working copy)."""
        return resolve_overlaps(sorted([*rules, *model], key=self.rank))


def _tie(c: Candidate) -> tuple:
    return (-(c.end - c.start), -c.score, c.start)


class PreferRules(MergePolicy):
    def rank(self, c: Candidate) -> tuple:
        return (c.source is not Source.RULES, *_tie(c))


class PreferModel(MergePolicy):
    def rank(self, c: Candidate) -> tuple:
        return (c.source is not Source.MODEL, *_tie(c))


class Hybrid(MergePolicy):
    RULE_LABELS = frozenset({"COUNTY", "INDICATOR"})

    def rank(self, c: Candidate) -> tuple:
        trusted = (c.label in self.RULE_LABELS) == (c.source is Source.RULES)
        return (0 if trusted else 1, *_tie(c))

    def merge(self, rules: list[Candidate], model: list[Candidate], text: str = "") -> list[Candidate]:
        # Model spans of the rule labels are dropped: the gazetteer and grammar decide those.
        model = [c for c in model if c.label not in self.RULE_LABELS]
        return super().merge(rules, model, text)


class HybridModelPrograms(Hybrid):
    """Like ``hybrid.v1`` but METRIC too comes from the rules; the model decides PROGRAM only."""

    RULE_LABELS = frozenset({"COUNTY", "INDICATOR", "METRIC"})


class Consensus(MergePolicy):
    """Rules decide; the model vets the rules' weakest guesses and fills the gaps.

    COUNTY, INDICATOR and METRIC come from the rules.  A PROGRAM that the rules
    found only because it was quoted (no program head, not in the lexicon) is
    kept only when a model PROGRAM overlaps it.  Model PROGRAM spans with
    score ≥ ``MIN_MODEL_SCORE`` fill what is left.
    """

    MIN_MODEL_SCORE = 0.5

    def rank(self, c: Candidate) -> tuple:
        return (c.source is not Source.RULES, *_tie(c))

    def merge(self, rules: list[Candidate], model: list[Candidate], text: str = "") -> list[Candidate]:
        programs = [m for m in model if m.label == "PROGRAM"]

        def vetted(c: Candidate) -> bool:
            if c.label != "PROGRAM" or getattr(c.info, "how", "") != "bare_quote":
                return True
            return any(m.start < c.end and c.start < m.end for m in programs)

        fill = [m for m in programs if m.score >= self.MIN_MODEL_SCORE]
        return super().merge([c for c in rules if vetted(c)], fill, text)


class ConsensusMetrics(Consensus):
    """``consensus.v1``, then model METRIC spans for the clauses the rules left without one.

    The spec gives nearly every INDICATOR a METRIC in its clause; where the merged
    result has an INDICATOR in a clause but no METRIC, a model METRIC with score ≥
    ``MIN_MODEL_SCORE`` in that clause is added (if it overlaps nothing kept).
    """

    def merge(self, rules: list[Candidate], model: list[Candidate], text: str = "") -> list[Candidate]:
        base = super().merge(rules, model, text)
        clause = clause_of(text)
        with_indicator = {clause(c.start) for c in base if c.label == "INDICATOR"}
        with_metric = {clause(c.start) for c in base if c.label == "METRIC"}
        extra = [m for m in model if m.label == "METRIC" and m.score >= self.MIN_MODEL_SCORE
                 and clause(m.start) in with_indicator - with_metric]
        return resolve_overlaps([*base, *extra])


class ConsensusOverride(Consensus):
    """``consensus.v1``; confident model PROGRAM / METRIC spans override the rules, and model
    METRIC spans fill every gap the result leaves.

    - A model span whose label is in ``OVERRIDE`` and whose score reaches that label's
      threshold outranks every rule span except COUNTY and INDICATOR (which the gazetteer
      and the number grammar decide): the rule PROGRAM and METRIC spans it overlaps go.
    - Model METRIC spans scoring at least ``FILL_METRIC`` are then added wherever they
      overlap nothing kept (``consensus.v2`` added them only to clauses without a METRIC).

    The thresholds were chosen on the dev split with ``training/merge_sweep.py``.
    """

    OVERRIDE = {"PROGRAM": 0.95}  # a METRIC override (any threshold ≥ 0.6) lowered dev METRIC F1
    FILL_METRIC = 0.5
    KEEP = frozenset({"COUNTY", "INDICATOR"})

    def __init__(self, override: dict[str, float] | None = None, fill_metric: float | None = None):
        self.override = dict(self.OVERRIDE if override is None else override)
        self.fill_metric = self.FILL_METRIC if fill_metric is None else fill_metric

    def merge(self, rules: list[Candidate], model: list[Candidate], text: str = "") -> list[Candidate]:
        strong = [m for m in model if m.score >= self.override.get(m.label, float("inf"))]
        base = super().merge(rules, model, text)
        fixed = [c for c in base if c.source is Source.RULES and c.label in self.KEEP]
        fill = [m for m in model if m.label == "METRIC" and m.score >= self.fill_metric]
        return resolve_overlaps([*fixed, *strong, *base, *fill])


POLICIES: dict[str, type[MergePolicy]] = {
    "consensus.v3": ConsensusOverride,
    "consensus.v2": ConsensusMetrics,
    "consensus.v1": Consensus,
    "hybrid.v1": Hybrid,
    "hybrid_programs.v1": HybridModelPrograms,
    "prefer_rules.v1": PreferRules,
    "prefer_model.v1": PreferModel,
}


def get_policy(name: str) -> MergePolicy:
    """The merge policy registered as ``name``; a bad name lists the valid ones."""
    try:
        return POLICIES[name]()
    except KeyError:
        raise ConfigError(f"unknown merge policy {name!r}; choose one of {', '.join(POLICIES)}") from None
