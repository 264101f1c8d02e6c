"""The annotated corpus: reading, validating and counting JSON Lines records.

A record is one document::

    {"id": "004", "source": "004_cdd3b85343783a12.txt", "text": "…",
     "entities": [{"start": 120, "end": 123, "label": "COUNTY", "text": "孝南区",
                   "code": "420902"}, …]}

Offsets are Python ``str`` indices (code points), ``end`` exclusive:
``text[start:end] == entity["text"]`` for every entity.  :func:`load_corpus`
checks that, the labels, overlaps and duplicate ids, and raises one
:class:`~yingshang_ie.errors.AnnotationError` listing every problem with its
file, line and document id.

Example:
    >>> line = ('{"id": "x", "text": "孝南区新增市场主体3245家", "entities": ['
    ...         '{"start": 0, "end": 3, "label": "COUNTY", "text": "孝南区", "code": "420902"}]}')
    >>> doc = parse_records([line])[0]
    >>> doc.entities[0].label, doc.entities[0].extra["code"]
    ('COUNTY', '420902')
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from .errors import AnnotationError

__all__ = [
    "LABELS",
    "GoldSpan",
    "Document",
    "load_corpus",
    "load_corpora",
    "parse_records",
    "write_corpus",
    "load_splits",
    "label_counts",
    "to_dataset",
]

LABELS: tuple[str, ...] = ("COUNTY", "PROGRAM", "INDICATOR", "METRIC")
# Optional gold fields kept with a span, by label.
EXTRA_FIELDS: dict[str, tuple[str, ...]] = {
    "COUNTY": ("code",),
    "INDICATOR": ("value", "value_max", "unit", "approx"),
}


@dataclass(frozen=True, slots=True)
class GoldSpan:
    """One annotated span: ``[start, end)`` over the document text."""

    start: int
    end: int
    label: str
    text: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "label": self.label, "text": self.text, **self.extra}


@dataclass(frozen=True, slots=True)
class Document:
    """One annotated document."""

    id: str
    text: str
    entities: tuple[GoldSpan, ...]
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "text": self.text,
            "entities": [e.to_dict() for e in self.entities],
        }


def _check_span(raw: Any, text: str, where: str) -> tuple[GoldSpan | None, list[str]]:
    if not isinstance(raw, dict):
        return None, [f"{where}: entity is {type(raw).__name__}, expected an object"]
    problems = []
    missing = [k for k in ("start", "end", "label", "text") if k not in raw]
    if missing:
        return None, [f"{where}: entity lacks {', '.join(missing)}"]
    start, end, label, span_text = raw["start"], raw["end"], raw["label"], raw["text"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        return None, [f"{where}: start/end must be integers, got {start!r}, {end!r}"]
    if label not in LABELS:
        problems.append(f"{where}: unknown label {label!r}; expected one of {', '.join(LABELS)}")
    if not 0 <= start < end <= len(text):
        problems.append(f"{where}: bad offsets [{start}, {end}) for a text of length {len(text)}")
    elif text[start:end] != span_text:
        problems.append(f"{where}: text[{start}:{end}] is {text[start:end]!r} but the entity says {span_text!r}")
    if problems:
        return None, problems
    extra = {k: v for k, v in raw.items() if k not in ("start", "end", "label", "text")}
    return GoldSpan(start, end, label, span_text, extra), []


def validate_record(obj: Any, where: str) -> tuple[Document | None, list[str]]:
    if not isinstance(obj, dict):
        return None, [f"{where}: record is {type(obj).__name__}, expected an object"]
    doc_id, text, ents = obj.get("id"), obj.get("text"), obj.get("entities", [])
    if not isinstance(doc_id, str) or not doc_id:
        return None, [f"{where}: record needs a non-empty string 'id'"]
    where = f"{where} (id {doc_id})"
    if not isinstance(text, str):
        return None, [f"{where}: 'text' must be a string"]
    if not isinstance(ents, list):
        return None, [f"{where}: 'entities' must be a list"]
    spans, problems = [], []
    for i, raw in enumerate(ents):
        span, errs = _check_span(raw, text, f"{where} entity {i}")
        problems.extend(errs)
        if span:
            spans.append((span, i))
    spans.sort(key=lambda s: (s[0].start, s[0].end))
    for (a, ia), (b, ib) in zip(spans, spans[1:]):
        if b.start < a.end:
            problems.append(
                f"{where}: entity {ib} {b.text!r} [{b.start}, {b.end}) overlaps "
                f"entity {ia} {a.text!r} [{a.start}, {a.end})"
            )
    doc = Document(doc_id, text, tuple(s for s, _ in spans), str(obj.get("source", "")))
    return doc, problems


def parse_records(lines: Iterable[str], source: str = "<records>") -> list[Document]:
    """Parse and validate JSON Lines; raise :class:`AnnotationError` listing every problem."""
    docs: list[Document] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: broken JSON ({exc.msg} at column {exc.colno})")
            continue
        doc, errs = validate_record(obj, where)
        problems.extend(errs)
        if doc is None:
            continue
        if doc.id in seen:
            problems.append(f"{where}: duplicate id {doc.id!r} (first on line {seen[doc.id]})")
        seen.setdefault(doc.id, lineno)
        docs.append(doc)
    if problems:
        raise AnnotationError(problems, source)
    return docs


def load_corpus(path: str | Path) -> list[Document]:
    """Read and validate a JSON Lines annotation file.

    Raises:
        FileNotFoundError: no file at ``path``.
        AnnotationError: any record is broken; the message lists all of them.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no annotation file at {path}")
    with path.open(encoding="utf-8") as f:
        return parse_records(f, str(path))


def load_corpora(paths: Iterable[str | Path]) -> list[Document]:
    """Read several annotation files as one corpus (seeds and county texts, say).

    Raises:
        FileNotFoundError: a path has no file.
        AnnotationError: any record is broken, or an id occurs in two files.
    """
    paths = [Path(p) for p in paths]
    docs: list[Document] = []
    first: dict[str, Path] = {}
    problems = []
    for path in paths:
        for doc in load_corpus(path):
            if doc.id in first:
                problems.append(f"{path}: id {doc.id!r} is also in {first[doc.id]}")
            first.setdefault(doc.id, path)
            docs.append(doc)
    if problems:
        raise AnnotationError(problems, ", ".join(map(str, paths)))
    return docs


def write_corpus(docs: Iterable[Document], path: str | Path) -> None:
    """Write documents as JSON Lines (UTF-8, one record a line)."""
    with Path(path).open("w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")


def load_splits(path: str | Path) -> dict[str, list[str]]:
    """Read ``splits.json``: a mapping of split name to document ids."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(
        isinstance(v, list) and all(isinstance(i, str) for i in v) for v in data.values()
    ):
        raise AnnotationError([f"{path}: expected {{split: [doc ids]}}"], str(path))
    return data


def label_counts(docs: Iterable[Document]) -> dict[str, Counter]:
    """Per-document label counts, in corpus order."""
    return {d.id: Counter(e.label for e in d.entities) for d in docs}


def format_counts(docs: list[Document]) -> str:
    """A plain-text table of per-document, per-label span counts with a total row."""
    counts = label_counts(docs)
    total: Counter = Counter()
    rows = [f"{'doc':<8}" + "".join(f"{lab:>11}" for lab in LABELS) + f"{'all':>8}{'chars':>8}"]
    for doc in docs:
        c = counts[doc.id]
        total.update(c)
        rows.append(
            f"{doc.id:<8}" + "".join(f"{c[lab]:>11}" for lab in LABELS) + f"{sum(c.values()):>8}{len(doc.text):>8}"
        )
    chars = sum(len(d.text) for d in docs)
    rows.append(
        f"{'total':<8}" + "".join(f"{total[lab]:>11}" for lab in LABELS) + f"{sum(total.values()):>8}{chars:>8}"
    )
    return "\n".join(rows)


def to_dataset(docs: Iterable[Document]):
    """The corpus as a HuggingFace ``datasets.Dataset``.

    Columns: ``id``, ``source``, ``text`` and ``entities`` (a list of
    ``{"start", "end", "label", "text"}``; optional gold fields are left out
    so that every row has the same schema).
    """
    from datasets import Dataset

    rows = [
        {
            "id": d.id,
            "source": d.source,
            "text": d.text,
            "entities": [{"start": e.start, "end": e.end, "label": e.label, "text": e.text} for e in d.entities],
        }
        for d in docs
    ]
    return Dataset.from_list(rows)
