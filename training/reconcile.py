"""Begin a reconciled sheet from two blind annotations of the same document.

    python training/reconcile.py annotations/work/A annotations/work/B annotations/sheets ID [ID ...]

For each ID both annotators finished (their sheets end with ``# DONE``) this writes
``OUT/<ID>.tsv``:

- spans on which A and B agree (same text, offsets and label) as ordinary sheet lines,
  with A's fields; where their fields differ, a ``#? fields`` comment follows the line;
- every span only one of them has as a comment line ``#A-only<TAB>S<n><TAB>LABEL<TAB>text…``
  (or ``#B-only``), followed by a ``#   …context…`` line.

The reconciler accepts a one-sided span by deleting its ``#A-only<TAB>`` prefix, leaves it
commented to reject it, may add spans neither had, and writes a ``# DECISION:`` line for
every case that needs a reason.  ``annotation_sheet.py check`` ignores comment lines, so
the sheet resolves at every step.  An existing OUT sheet is never overwritten.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from annotation_sheet import FIELDS_ORDER, finished, resolve, sentences, stored_text  # noqa: E402


def sheet_line(text: str, ent: dict) -> str:
    """The ``S<n> LABEL text [k] fields`` line that resolves to ``ent``."""
    sents = sentences(text)
    for n, (base, sentence) in enumerate(sents, start=1):
        if base <= ent["start"] < base + len(sentence):
            hits = [m.start() + base for m in re.finditer(re.escape(ent["text"]), sentence)]
            k = hits.index(ent["start"]) + 1
            cols = [f"S{n}", ent["label"], ent["text"]] + ([str(k)] if k > 1 else [])
            cols += [f"{key}={str(ent[key]).lower() if key == 'approx' else ent[key]}"
                     for key in FIELDS_ORDER if key in ent]
            return "\t".join(cols)
    raise ValueError(f"span {ent['text']!r} at {ent['start']} lies in no sentence")


def _fields(ent: dict) -> dict:
    return {k: ent[k] for k in FIELDS_ORDER if k in ent}


def reconcile(a_sheet: Path, b_sheet: Path) -> str:
    doc_id = a_sheet.stem
    text = stored_text(doc_id)
    recs = []
    for sheet in (a_sheet, b_sheet):
        record, problems = resolve(sheet)
        if problems:
            raise SystemExit("\n".join(problems))
        recs.append({(e["start"], e["end"], e["label"]): e for e in record["entities"]})
    a, b = recs
    out = [f"# Reconciled sheet for {doc_id}, begun by training/reconcile.py from blind annotations A and B.",
           "# Agreed spans are plain lines; one-sided spans are '#A-only'/'#B-only' comments to accept or reject."]
    rows = []
    for key in sorted(set(a) | set(b)):
        ent = a.get(key) or b[key]
        line = sheet_line(text, ent)
        if key in a and key in b:
            rows.append((key, line))
            if _fields(a[key]) != _fields(b[key]):
                rows.append((key, f"#? fields differ: A {_fields(a[key])} B {_fields(b[key])}"))
        else:
            s, e, _ = key
            who = "#A-only" if key in a else "#B-only"
            rows.append((key, f"{who}\t{line}"))
            rows.append((key, f"#   …{text[max(0, s - 15):s]}[{text[s:e]}]{text[e:e + 10]}…".replace("\n", "⏎")))
    out += [r for _, r in rows]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a", type=Path)
    p.add_argument("b", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("ids", nargs="+")
    args = p.parse_args(argv)
    status = 0
    for doc_id in args.ids:
        a_sheet, b_sheet, target = args.a / f"{doc_id}.tsv", args.b / f"{doc_id}.tsv", args.out / f"{doc_id}.tsv"
        if not (a_sheet.is_file() and b_sheet.is_file() and finished(a_sheet) and finished(b_sheet)):
            print(f"{doc_id}: skipped, not finished by both annotators")
            status = 1
            continue
        if target.exists():
            print(f"{doc_id}: skipped, {target} exists")
            continue
        target.write_text(reconcile(a_sheet, b_sheet), encoding="utf-8")
        print(f"{doc_id}: wrote {target}")
    return status


if __name__ == "__main__":
    sys.exit(main())
