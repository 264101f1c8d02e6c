"""Span scoring: per-label precision, recall and F1, strict and partial.

- strict: same start, end and label;
- partial: the spans overlap and the labels agree (nervaluate's ``ent_type``).

Counting is delegated to nervaluate, whose span ends are inclusive; spans here
are half-open ``[start, end)`` and are converted on the way in, so adjacent
spans never count as overlapping.

Example:
    >>> gold = [[(0, 2, "COUNTY"), (5, 9, "INDICATOR")]]
    >>> pred = [[(0, 2, "COUNTY"), (5, 8, "INDICATOR")]]
    >>> t = score(gold, pred)
    >>> t["COUNTY"]["strict"].f1, t["INDICATOR"]["strict"].f1, t["INDICATOR"]["partial"].f1
    (1.0, 0.0, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from .corpus import LABELS

__all__ = ["PRF", "score", "format_table"]

Span = tuple[int, int, str]
MODES = {"strict": "strict", "partial": "ent_type"}


@dataclass(frozen=True, slots=True)
class PRF:
    """Counts and scores for one label and one matching mode."""

    tp: int
    n_pred: int
    n_gold: int

    @property
    def precision(self) -> float:
        return self.tp / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "pred": self.n_pred, "gold": self.n_gold}


def _nerval(docs: Iterable[Sequence[Span]]) -> list[list[dict]]:
    return [[{"label": lab, "start": s, "end": e - 1} for s, e, lab in sorted(doc)] for doc in docs]


def score(
    gold: Sequence[Sequence[Span]], pred: Sequence[Sequence[Span]], labels: Sequence[str] = LABELS
) -> dict[str, dict[str, PRF]]:
    """Score predicted spans against gold spans, document by document.

    Args:
        gold, pred: one list of ``(start, end, label)`` per document, same order.
        labels: the labels to report; others are ignored.

    Returns:
        ``{label: {"strict": PRF, "partial": PRF}}`` plus a ``"micro"`` entry over all labels.
    """
    from nervaluate import Evaluator

    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} documents but pred has {len(pred)}; pass one list per document")
    labels = list(labels)
    keep = set(labels)
    gold = [[s for s in doc if s[2] in keep] for doc in gold]
    pred = [[s for s in doc if s[2] in keep] for doc in pred]
    result = Evaluator(_nerval(gold), _nerval(pred), tags=labels).evaluate()
    table: dict[str, dict[str, PRF]] = {}
    for label in labels + ["micro"]:
        block = result["overall"] if label == "micro" else result["entities"].get(label)
        table[label] = {  # a label with no gold and no predicted span scores 0 of 0
            mode: PRF(block[key].correct, block[key].actual, block[key].possible) if block else PRF(0, 0, 0)
            for mode, key in MODES.items()
        }
    return table


def format_table(table: dict[str, dict[str, PRF]], title: str = "") -> str:
    """A fixed-width text table: label, then P/R/F1 strict and partial, and the gold count."""
    lines = [title] if title else []
    lines.append(f"{'label':<10} {'P':>6} {'R':>6} {'F1':>6} | {'P~':>6} {'R~':>6} {'F1~':>6} | {'gold':>5} {'pred':>5}")
    for label, modes in table.items():
        s, p = modes["strict"], modes["partial"]
        lines.append(
            f"{label:<10} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} | "
            f"{p.precision:6.3f} {p.recall:6.3f} {p.f1:6.3f} | {s.n_gold:5d} {s.n_pred:5d}"
        )
    return "\n".join(lines)
