"""Inter-annotator agreement between two annotation-sheet folders.

    python training/agreement.py annotations/work/A annotations/work/B [--ids ID ...]
                                 [--per-doc] [--diff] [--json OUT]

Scores B against A (F1 is symmetric) over every document both annotators finished
(sheets ending in ``# DONE``; the seed sheets ``000``–``004`` count as finished): per
label strict (same span and label) and partial (overlap, same label), the five
documents with the lowest strict micro-F1, and the agreement of the gold fields
(INDICATOR value/unit, COUNTY code) on spans both annotated alike.  ``--per-doc``
prints every document's table; ``--diff`` lists every span the two disagree on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from annotation_sheet import finished, resolve  # noqa: E402

from yingshang_ie.evaluation import format_table, score  # noqa: E402

SEED_IDS = {"000", "001", "002", "003", "004"}
FIELDS = {"INDICATOR": ("value", "value_max", "unit"), "COUNTY": ("code",)}


def entities(tsv: Path) -> tuple[str, dict]:
    record, problems = resolve(tsv)
    if problems:
        raise SystemExit("\n".join(problems))
    return record["text"], {(e["start"], e["end"], e["label"]): e for e in record["entities"]}


def both_finished(a: Path, b: Path, ids: list[str] | None) -> list[str]:
    names = sorted({f.stem for f in a.glob("*.tsv")} & {f.stem for f in b.glob("*.tsv")})
    if ids:
        names = [i for i in names if i in set(ids)]
    return [i for i in names if i in SEED_IDS or (finished(a / f"{i}.tsv") and finished(b / f"{i}.tsv"))]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a", type=Path)
    p.add_argument("b", type=Path)
    p.add_argument("--ids", nargs="*", help="only these documents")
    p.add_argument("--per-doc", action="store_true", help="print each document's table")
    p.add_argument("--diff", action="store_true", help="list the spans the two annotators disagree on")
    p.add_argument("--json", type=Path, help="also write the scores as JSON here")
    args = p.parse_args(argv)
    ids = both_finished(args.a, args.b, args.ids)
    if not ids:
        print("no document finished by both annotators")
        return 1
    all_a, all_b, per_doc = [], [], {}
    same = {label: [0, 0] for label in FIELDS}
    for doc_id in ids:
        text, a = entities(args.a / f"{doc_id}.tsv")
        _, b = entities(args.b / f"{doc_id}.tsv")
        all_a.append(list(a))
        all_b.append(list(b))
        table = score([list(a)], [list(b)])
        per_doc[doc_id] = table
        for key in set(a) & set(b):
            if key[2] in FIELDS:
                fields = FIELDS[key[2]]
                same[key[2]][1] += 1
                same[key[2]][0] += all(str(a[key].get(f, "")) == str(b[key].get(f, "")) for f in fields)
        if args.per_doc:
            print(format_table(table, f"\n== document {doc_id}"))
        if args.diff:
            for s, e, lab in sorted(set(a) ^ set(b)):
                who = "A only" if (s, e, lab) in a else "B only"
                print(f"  {doc_id} {who:<7} {lab:<9} [{s},{e}) …{text[max(0, s - 12):s]}[{text[s:e]}]{text[e:e + 8]}…")
    total = score(all_a, all_b)
    print(format_table(total, f"\n== all {len(ids)} documents ({' '.join(ids)}); gold = A, pred = B"))
    worst = sorted(ids, key=lambda i: per_doc[i]["micro"]["strict"].f1)[:5]
    print("\nlowest strict micro-F1: " + ", ".join(
        f"{i} {per_doc[i]['micro']['strict'].f1:.3f}/{per_doc[i]['micro']['partial'].f1:.3f}" for i in worst))
    for label, (ok, n) in same.items():
        if n:
            print(f"{label} {'/'.join(FIELDS[label])} agree on {ok}/{n} spans both annotated = {ok / n:.3f}")
    if args.json:
        report = {
            "documents": ids,
            "all": {lab: {m: prf.to_dict() for m, prf in modes.items()} for lab, modes in total.items()},
            "per_doc": {i: {lab: {m: prf.to_dict() for m, prf in modes.items()} for lab, modes in t.items()}
                        for i, t in per_doc.items()},
            "fields": {lab: {"same": ok, "both": n} for lab, (ok, n) in same.items()},
        }
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
