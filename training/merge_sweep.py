"""Score every merge policy (and override thresholds) on a split, from one model pass.

    python training/merge_sweep.py --split dev [--model DIR] [--json OUT]

Rule and model candidates are computed once per document; each policy in
``merge.POLICIES`` then merges them, and ``consensus.v3`` is also tried with other
override thresholds.  Prints strict / partial F1 for PROGRAM, METRIC and micro.
Choose policies and thresholds on dev only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from yingshang_ie.corpus import load_corpora, load_splits  # noqa: E402
from yingshang_ie.evaluation import score  # noqa: E402
from yingshang_ie.extractor import Extractor  # noqa: E402
from yingshang_ie.merge import POLICIES, Candidate, ConsensusOverride, get_policy  # noqa: E402
from yingshang_ie.normalize import normalize  # noqa: E402
from yingshang_ie.rules import rule_candidates  # noqa: E402
from yingshang_ie.types import Source  # noqa: E402

OVERRIDE_PROGRAM = (0.8, 0.9, 0.95, 1.01)   # 1.01: never override
OVERRIDE_METRIC = (0.6, 0.7, 0.8, 0.9, 1.01)
FILL_METRIC = (0.3, 0.5, 0.7, 1.01)         # 1.01: never fill


def candidates(docs, model_path=None):
    ex = Extractor(mode="model", model_path=model_path)
    norms = [normalize(d.text) for d in docs]
    preds = ex.model.predict_batch([n.text for n in norms])
    out = []
    for n, spans in zip(norms, preds):
        model = [Candidate(s.start, s.end, s.label, s.score, Source.MODEL) for s in spans]
        out.append((n, rule_candidates(n.text), model))
    return out


def evaluate(docs, cands, policy) -> dict:
    gold = [[(e.start, e.end, e.label) for e in d.entities] for d in docs]
    pred = []
    for n, rules, model in cands:
        merged = policy.merge(rules, model, n.text)
        pred.append([(*n.to_original(c.start, c.end), c.label) for c in merged])
    return score(gold, pred)


def row(name, table) -> str:
    return f"{name:<34}" + "".join(
        f"{table[lab]['strict'].f1:>8.3f}{table[lab]['partial'].f1:>7.3f}" for lab in ("PROGRAM", "METRIC", "micro"))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--split", default="dev")
    p.add_argument("--model", default=None)
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    ids = set(load_splits(ROOT / "annotations" / "splits.json")[args.split])
    docs = [d for d in load_corpora([ROOT / "annotations/seeds.jsonl", ROOT / "annotations/corpus.jsonl"]) if d.id in ids]
    cands = candidates(docs, args.model)
    print(f"{'policy':<34}" + "".join(f"{lab:>15}" for lab in ("PROGRAM s/p", "METRIC s/p", "micro s/p")))
    report = {}
    for name in POLICIES:
        t = evaluate(docs, cands, get_policy(name))
        report[name] = t
        print(row(name, t))
    for tp in OVERRIDE_PROGRAM:
        for tm in OVERRIDE_METRIC:
            for fm in FILL_METRIC:
                policy = ConsensusOverride(override={"PROGRAM": tp, "METRIC": tm}, fill_metric=fm)
                name = f"v3 override P≥{tp} M≥{tm} fill M≥{fm}"
                t = evaluate(docs, cands, policy)
                report[name] = t
                print(row(name, t))
    if args.json:
        args.json.write_text(json.dumps({k: {lab: {m: prf.to_dict() for m, prf in v.items()} for lab, v in t.items()}
                                         for k, t in report.items()}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
