"""Evaluate an extractor mode against an annotation file.

    python training/evaluate.py [--mode rules|model|auto|all] [--split dev|test|heldout|train|all]
                                [--annotations FILE.jsonl ...] [--json OUT]

The annotations default to the seeds and the county corpus together; a split
names documents of either.

Prints per-label precision, recall and F1, strict (same span and label) and
partial (overlap, same label), plus INDICATOR value accuracy and COUNTY code
accuracy where the gold records carry ``value`` / ``code``.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from yingshang_ie import Extractor
from yingshang_ie.corpus import load_corpora, load_splits
from yingshang_ie.evaluation import format_table, score

ROOT = Path(__file__).resolve().parents[1]


def _dec(v) -> Decimal | None:
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None


def evaluate(docs, mode: str, model_path: str | None = None) -> dict:
    ex = Extractor(mode=mode, model_path=model_path)
    gold, pred = [], []
    values = [0, 0]
    codes = [0, 0]
    for doc, x in zip(docs, ex.pipe([d.text for d in docs])):
        gold.append([(e.start, e.end, e.label) for e in doc.entities])
        pred.append([(e.start, e.end, e.label) for e in x.entities])
        by_span = {(i.value_span.start, i.value_span.end): i for i in x.indicators}
        links = {(c.mention.start, c.mention.end): c for c in x.counties}
        for e in doc.entities:
            if e.label == "INDICATOR" and "value" in e.extra:
                values[1] += 1
                got = by_span.get((e.start, e.end))
                values[0] += bool(got and got.value is not None and got.value == _dec(e.extra["value"]))
            if e.label == "COUNTY" and "code" in e.extra:
                codes[1] += 1
                got = links.get((e.start, e.end))
                codes[0] += bool(got and got.code == e.extra["code"])
    return {"mode": ex.mode, "table": score(gold, pred), "value_acc": values, "code_acc": codes}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--annotations", type=Path, nargs="+",
                   default=[ROOT / "annotations" / "seeds.jsonl", ROOT / "annotations" / "corpus.jsonl"])
    p.add_argument("--splits", type=Path, default=ROOT / "annotations" / "splits.json")
    p.add_argument("--split", default="heldout", help="a split name from splits.json, or 'all'")
    p.add_argument("--mode", default="all", choices=["rules", "model", "auto", "all"])
    p.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    p.add_argument("--json", type=Path, help="also write the scores as JSON here")
    args = p.parse_args(argv)
    docs = load_corpora(args.annotations)
    if args.split != "all":
        ids = set(load_splits(args.splits)[args.split])
        docs = [d for d in docs if d.id in ids]
    modes = ["rules", "model", "auto"] if args.mode == "all" else [args.mode]
    report = {}
    for mode in modes:
        try:
            r = evaluate(docs, mode, args.model)
        except FileNotFoundError as exc:
            print(f"\n== {mode}: skipped ({exc})")
            continue
        name = r["mode"] if mode != "auto" else "hybrid" if r["mode"] == "hybrid" else "auto→rules"
        print(format_table(r["table"], f"\n== {name} on {args.split} ({', '.join(d.id for d in docs)})"))
        v, c = r["value_acc"], r["code_acc"]
        if v[1]:
            print(f"INDICATOR value accuracy {v[0]}/{v[1]} = {v[0] / v[1]:.3f}")
        if c[1]:
            print(f"COUNTY code accuracy {c[0]}/{c[1]} = {c[0] / c[1]:.3f}")
        report[name] = {lab: {m: prf.to_dict() for m, prf in modes_.items()} for lab, modes_ in r["table"].items()}
        report[name]["value_acc"], report[name]["code_acc"] = v, c
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
