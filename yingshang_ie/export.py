"""Writing extractions out: JSON Lines, an indicator table as CSV, atomically.

Formats (:class:`OutputFormat`, chosen with ``--format`` or by the ``-o`` suffix):

``jsonl``
    One JSON object per document, ``{"source": PATH, **Extraction.to_dict()}``, UTF-8,
    non-ASCII kept as is.  Offsets index the document as read (see :func:`read_document`).

``indicators-csv``
    One row per indicator, columns :data:`CSV_COLUMNS`:

    ========== ==========================================================================
    document   the source path as given on the command line (``<stdin>`` for ``-``)
    county     official gazetteer name of the row's county (孝南 → 孝南区); the mention
               text when the mention is ambiguous or a placeholder (XX县); empty if the
               document names no county
    county_code GB/T 2260 code, empty when unresolved
    metric     the METRIC span paired with the value (empty when none)
    value      the number in ``unit`` with scale words folded in, plain decimal notation
               (110.63亿元 → ``11063000000``); empty when unreadable
    unit       normalised unit (``元``, ``%``, ``家`` ...)
    approx     ``true`` for 余/多/近/约/左右, else ``false``
    span_text  the INDICATOR span as written (``110.63亿元``)
    start, end half-open character offsets of that span in the document
    value_max  upper bound of a range (``3-5天`` → 5), else empty
    kind       money, percent, count, area, duration, rank, length, weight, energy or other
    ========== ==========================================================================

    The row's county is the COUNTY mention nearest before the indicator's value in the
    same document (resolved or not: the text is talking about that place), and the
    document's most-mentioned county when no mention precedes it (ties: the first
    mentioned).  Files are written as ``utf-8-sig`` (UTF-8 with a byte-order mark), so
    that Excel opens the Chinese text correctly; ``csv`` / pandas readers take it with
    ``encoding="utf-8-sig"``.  On stdout no BOM is written.

Output files are replaced atomically (:func:`atomic_writer`): a failed run leaves the
target as it was.

Example:
    >>> from yingshang_ie import extract
    >>> x = extract("孝南区新增市场主体3245家，总投资110.63亿元。", mode="rules")
    >>> [(r["county"], r["county_code"], r["metric"], r["value"], r["unit"])
    ...  for r in indicator_rows(x, "doc.txt")]
    [('孝南区', '420902', '新增市场主体', '3245', '家'), ('孝南区', '420902', '总投资', '11063000000', '元')]
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from bisect import bisect_left
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import IO, Iterator

from .errors import ConfigError
from .types import Choice, CountyLink, Extraction, Indicator

__all__ = [
    "OutputFormat",
    "CSV_COLUMNS",
    "WRITERS",
    "JsonlWriter",
    "IndicatorCsvWriter",
    "indicator_rows",
    "county_for",
    "read_document",
    "atomic_writer",
]

CSV_COLUMNS: tuple[str, ...] = (
    "document", "county", "county_code", "metric", "value", "unit", "approx", "span_text",
    "start", "end", "value_max", "kind",
)


class OutputFormat(Choice):
    """``jsonl``: one record a document; ``indicators-csv``: one row an indicator."""

    JSONL = "jsonl"
    INDICATORS_CSV = "indicators-csv"


    @classmethod
    def for_path(cls, path: str | os.PathLike | None) -> "OutputFormat":
        """``indicators-csv`` for a ``.csv`` target, ``jsonl`` otherwise (and for stdout)."""
        return cls.INDICATORS_CSV if path is not None and Path(path).suffix.lower() == ".csv" else cls.JSONL


def read_document(path: str | os.PathLike) -> str:
    """A document's text: the file's bytes decoded as UTF-8, a leading BOM dropped.

    Line endings are kept as they are (no newline translation), so offsets index
    the file's characters exactly.

    Raises:
        OSError: the file cannot be read.
        UnicodeDecodeError: it is not UTF-8.
    """
    return Path(path).read_bytes().decode("utf-8-sig")


def _plain(d: Decimal | None) -> str:
    return "" if d is None else format(d, "f")


def _key(link: CountyLink) -> str:
    return link.code or link.mention.text


def county_for(indicator: Indicator, counties: tuple[CountyLink, ...]) -> CountyLink | None:
    """The COUNTY link a row belongs to (see the module docstring); ``None`` if there is none."""
    if not counties:
        return None
    ordered = sorted(counties, key=lambda c: c.mention.start)
    i = bisect_left([c.mention.start for c in ordered], indicator.value_span.start)
    if i:
        return ordered[i - 1]
    counts = Counter(_key(c) for c in ordered)
    best = max(counts.values())
    return next(c for c in ordered if counts[_key(c)] == best)


def indicator_rows(x: Extraction, document: str) -> list[dict[str, str]]:
    """One row (column → cell text, keys :data:`CSV_COLUMNS`) per indicator of ``x``."""
    rows = []
    for ind in x.indicators:
        link = county_for(ind, x.counties)
        rows.append({
            "document": document,
            "county": "" if link is None else (link.name or link.mention.text),
            "county_code": "" if link is None else (link.code or ""),
            "metric": ind.metric.text if ind.metric else "",
            "value": _plain(ind.value),
            "unit": ind.unit,
            "approx": "true" if ind.approx else "false",
            "span_text": ind.value_span.text,
            "start": str(ind.value_span.start),
            "end": str(ind.value_span.end),
            "value_max": _plain(ind.value_max),
            "kind": ind.kind,
        })
    return rows


class JsonlWriter:
    """``{"source": ..., **extraction.to_dict()}`` per line."""

    encoding = "utf-8"

    def __init__(self, stream: IO[str]):
        self.stream = stream

    def write(self, source: str, x: Extraction) -> None:
        self.stream.write(json.dumps({"source": source, **x.to_dict()}, ensure_ascii=False) + "\n")


class IndicatorCsvWriter:
    """A header, then :func:`indicator_rows` of each document."""

    encoding = "utf-8-sig"

    def __init__(self, stream: IO[str]):
        self.writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS)
        self.writer.writeheader()

    def write(self, source: str, x: Extraction) -> None:
        self.writer.writerows(indicator_rows(x, source))


WRITERS: dict[OutputFormat, type] = {
    OutputFormat.JSONL: JsonlWriter,
    OutputFormat.INDICATORS_CSV: IndicatorCsvWriter,
}


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike, *, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """Write ``path`` through a temporary file in its folder, renamed over it on success.

    The temporary file is ``.NAME.XXXX.part`` beside the target (same file system, so
    ``os.replace`` is atomic) and gets the permissions a plain ``open`` would give.
    When the block raises (``KeyboardInterrupt`` included) the temporary file is
    removed, the target is left untouched and the exception propagates.

    Raises:
        FileNotFoundError: the target's folder does not exist.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding=encoding, newline="") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
