"""Annotation sheets: a person reads numbered sentences and lists spans by text.

Offsets typed by hand go wrong; spans named by sentence and text do not.  This
tool shows a document's stored text (markup removed) as numbered sentences, and
turns a span list written against those sentences into exact offsets.

    python training/annotation_sheet.py show 004          # numbered sentences
    python training/annotation_sheet.py check FILE.tsv     # resolve and report problems
    python training/annotation_sheet.py jsonl A_DIR OUT    # sheets -> JSON Lines records
    python training/annotation_sheet.py jsonl annotations/sheets annotations/corpus.jsonl \
        --pattern '[a-z]*.tsv' --finished-only              # the county texts' finished sheets

A span list is a TSV file named ``<id>.tsv`` with one span a line::

    S<n> <TAB> LABEL <TAB> span text [<TAB> k] [<TAB> key=value ...]

``k`` (default 1) picks the k-th occurrence of the span text inside sentence
S<n>.  Optional ``key=value`` fields (``code=440232``, ``value=11063000000``,
``unit=元``, ``approx=true``, ``value_max=…``) are copied into the record.
Lines starting with ``#`` and blank lines are ignored.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from yingshang_ie.normalize import strip_markup

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
TEXTS = ROOT / "annotations" / "texts"
LABELS = ("COUNTY", "PROGRAM", "INDICATOR", "METRIC")
#: Optional ``key=value`` fields of a sheet line, in the order they are written.
FIELDS_ORDER = ("code", "value", "value_max", "unit", "approx")
#: The last line of a finished sheet.
DONE = "# DONE"
_SENTENCE = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;]+[”’」』\"]?|\n|$)")


def source_path(doc_id: str) -> Path:
    """The source file of a document: ``seeds/<id>_*.txt`` or ``annotations/texts/<id>_*.txt``."""
    matches = sorted(SEEDS.glob(f"{doc_id}_*.txt")) + sorted(TEXTS.glob(f"{doc_id}_*.txt"))
    if len(matches) != 1:
        raise SystemExit(f"no single source file for id {doc_id!r} in {SEEDS} or {TEXTS}")
    return matches[0]


def stored_text(doc_id: str) -> str:
    raw = source_path(doc_id).read_text(encoding="utf-8")
    return strip_markup(raw)[0]


def sentences(text: str) -> list[tuple[int, str]]:
    """(start offset, sentence) pairs covering ``text``; blank pieces dropped."""
    out = []
    for m in _SENTENCE.finditer(text):
        if m.group().strip():
            out.append((m.start(), m.group()))
    return out


def show(doc_id: str) -> None:
    for i, (_, s) in enumerate(sentences(stored_text(doc_id)), start=1):
        print(f"S{i}\t{s.rstrip(chr(10))}")


def resolve(tsv: Path) -> tuple[dict, list[str]]:
    doc_id = tsv.stem
    text = stored_text(doc_id)
    sents = sentences(text)
    problems: list[str] = []
    entities = []
    for lineno, line in enumerate(tsv.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        where = f"{tsv}:{lineno}"
        if len(cols) < 3:
            problems.append(f"{where}: expected S<n>, LABEL, text separated by tabs: {line!r}")
            continue
        sid, label, span = cols[0].strip(), cols[1].strip(), cols[2]
        rest = cols[3:]
        k = 1
        if rest and rest[0].strip().isdigit():
            k = int(rest[0])
            rest = rest[1:]
        if label not in LABELS:
            problems.append(f"{where}: unknown label {label!r}; use one of {', '.join(LABELS)}")
            continue
        if not re.fullmatch(r"S\d+", sid) or not 1 <= int(sid[1:]) <= len(sents):
            problems.append(f"{where}: no sentence {sid!r} (S1..S{len(sents)})")
            continue
        base, sentence = sents[int(sid[1:]) - 1]
        hits = [m.start() for m in re.finditer(re.escape(span), sentence)] if span else []
        if len(hits) < k:
            problems.append(f"{where}: {span!r} occurs {len(hits)} time(s) in {sid}, wanted #{k}")
            continue
        start = base + hits[k - 1]
        ent = {"start": start, "end": start + len(span), "label": label, "text": span}
        for field in rest:
            if "=" not in field:
                problems.append(f"{where}: extra field {field!r} is not key=value")
                continue
            key, value = field.split("=", 1)
            key = key.strip()
            value = value.strip()
            ent[key] = (value.lower() == "true") if key == "approx" else value
        entities.append((ent, where))
    entities.sort(key=lambda e: (e[0]["start"], e[0]["end"]))
    for (a, wa), (b, wb) in zip(entities, entities[1:]):
        if b["start"] < a["end"]:
            problems.append(f"{wb}: {b['text']!r} overlaps {a['text']!r} from {wa}")
        if (a["start"], a["end"]) == (b["start"], b["end"]):
            problems.append(f"{wb}: duplicate span {b['text']!r}")
    record = {
        "id": doc_id,
        "source": source_path(doc_id).name,
        "text": text,
        "entities": [e for e, _ in entities],
    }
    return record, problems


def finished(tsv: Path) -> bool:
    """A sheet is finished when its last non-blank line is ``# DONE``."""
    lines = [ln.strip() for ln in tsv.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return bool(lines) and lines[-1] == DONE


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("show").add_argument("doc_id")
    sub.add_parser("check").add_argument("tsv", type=Path)
    j = sub.add_parser("jsonl")
    j.add_argument("sheet_dir", type=Path)
    j.add_argument("out", type=Path)
    j.add_argument("--pattern", default="*.tsv", help="which sheets of the folder (a glob; default *.tsv)")
    j.add_argument("--finished-only", action="store_true",
                   help="only sheets whose last line is '# DONE'; list the others")
    args = p.parse_args(argv)
    if args.cmd == "show":
        show(args.doc_id)
        return 0
    if args.cmd == "check":
        record, problems = resolve(args.tsv)
        for msg in problems:
            print(msg)
        counts: dict[str, int] = {}
        for e in record["entities"]:
            counts[e["label"]] = counts.get(e["label"], 0) + 1
        print(f"{len(record['entities'])} spans resolved {counts}; {len(problems)} problem(s)")
        return 1 if problems else 0
    records, bad = [], 0
    for tsv in sorted(args.sheet_dir.glob(args.pattern)):
        if args.finished_only and not finished(tsv):
            print(f"{tsv}: not finished, left out", file=sys.stderr)
            continue
        record, problems = resolve(tsv)
        for msg in problems:
            print(msg, file=sys.stderr)
        bad += len(problems)
        records.append(record)
    if bad:
        print(f"{bad} problem(s); nothing written", file=sys.stderr)
        return 1
    with args.out.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} records to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
