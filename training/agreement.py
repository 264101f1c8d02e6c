"""Inter-annotator agreement between two annotation-sheet folders.

    python training/agreement.py annotations/work/A annotations/work/B

Scores B against A (F1 is symmetric) per document and over all documents,
strict (same span and label) and partial (overlap, same label).  With
``--diff`` it also lists every span on which the two disagree, for
reconciliation.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from annotation_sheet import resolve  # noqa: E402

from yingshang_ie.evaluation import format_table, score  # noqa: E402


def spans(tsv: Path) -> tuple[str, list[tuple[int, int, str]]]:
    record, problems = resolve(tsv)
    if problems:
        raise SystemExit("\n".join(problems))
    return record["text"], [(e["start"], e["end"], e["label"]) for e in record["entities"]]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a", type=Path)
    p.add_argument("b", type=Path)
    p.add_argument("--diff", action="store_true", help="list the spans the two annotators disagree on")
    args = p.parse_args(argv)
    ids = sorted({f.stem for f in args.a.glob("*.tsv")} & {f.stem for f in args.b.glob("*.tsv")})
    all_a, all_b = [], []
    for doc_id in ids:
        text, a = spans(args.a / f"{doc_id}.tsv")
        _, b = spans(args.b / f"{doc_id}.tsv")
        all_a.append(a)
        all_b.append(b)
        print(format_table(score([a], [b]), f"\n== document {doc_id}"))
        if args.diff:
            for s, e, lab in sorted(set(a) ^ set(b)):
                who = "A only" if (s, e, lab) in a else "B only"
                print(f"  {who:<7} {lab:<9} [{s},{e}) {text[s:e]!r}  …{text[max(0, s - 12):s]}[{text[s:e]}]{text[e:e + 8]}…")
    print(format_table(score(all_a, all_b), f"\n== all documents ({', '.join(ids)})"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
