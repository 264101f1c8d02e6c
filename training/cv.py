"""K-fold cross-validation by document over the train and dev splits (test kept out).

Documents of train + dev are dealt into ``--folds`` folds (default 5) in the order of
the SHA-1 of their ids; each run trains on the other folds with the shipped
:class:`~training.train.TrainConfig` defaults (or the flags given) and scores its fold
with the runtime ``TokenClassifier``; prints per-fold and pooled per-label F1 (strict
and partial) and the mean and spread over folds::

    python training/cv.py                      # the shipped settings
    python training/cv.py --epochs 8 --json runs/cv.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
from dataclasses import fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from training.train import TrainConfig, run  # noqa: E402
from yingshang_ie.corpus import LABELS, load_splits  # noqa: E402
from yingshang_ie.evaluation import PRF  # noqa: E402


def pooled(cards: list[dict]) -> dict[str, dict[str, PRF]]:
    """Sum true positives, predictions and gold counts over folds."""
    out = {}
    for lab in [*LABELS, "micro"]:
        out[lab] = {m: PRF(*(sum(c["scores"][lab][m][k] for c in cards) for k in ("tp", "pred", "gold")))
                    for m in ("strict", "partial")}
    return out


def format_cv(cards: list[dict]) -> str:
    cols = [*LABELS, "micro"]
    head = f"{'held out':<9}" + "".join(f"{lab:>11}" for lab in cols) + "   (strict F1 / partial F1)"
    rows = [head]
    for c in cards:
        s = c["scores"]
        rows.append(f"{','.join(s['docs']):<9}" + "".join(
            f"{s[lab]['strict']['f1']:>6.2f}/{s[lab]['partial']['f1']:.2f}" for lab in cols))
    p = pooled(cards)
    rows.append(f"{'pooled':<9}" + "".join(f"{p[lab]['strict'].f1:>6.2f}/{p[lab]['partial'].f1:.2f}" for lab in cols))
    if len(cards) > 1:
        for name, fn in (("mean", statistics.mean), ("sd", statistics.stdev)):
            rows.append(f"{name:<9}" + "".join(
                f"{fn([c['scores'][lab]['strict']['f1'] for c in cards]):>6.2f}/"
                f"{fn([c['scores'][lab]['partial']['f1'] for c in cards]):.2f}" for lab in cols))
    return "\n".join(rows)


def folds(ids: list[str], k: int) -> list[list[str]]:
    """``ids`` dealt into ``k`` folds in SHA-1 order (a fixed, content-free shuffle)."""
    ranked = sorted(ids, key=lambda i: hashlib.sha1(i.encode()).hexdigest())
    return [sorted(ranked[j::k]) for j in range(k)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for f in fields(TrainConfig):
        if f.name in ("output_dir", "train_split", "eval_split"):
            continue
        parser.add_argument("--" + f.name.replace("_", "-"), type=type(f.default), default=None, help=f.metadata["help"])
    parser.add_argument("--folds", type=int, default=5, help="number of folds over train + dev")
    parser.add_argument("--json", default="", help="also write the fold cards here")
    args = vars(parser.parse_args(argv))
    out_json, k = args.pop("json"), args.pop("folds")
    cfg = replace(TrainConfig(), output_dir="", **{k_: v for k_, v in args.items() if v is not None})
    splits = load_splits(cfg.splits)
    ids = splits["train"] + splits["dev"]
    cards = []
    for held in folds(ids, k):
        card = run(cfg, train_ids=[i for i in ids if i not in held], eval_ids=held, log=lambda *a: None)
        card["scores"]["docs"] = [f"fold{len(cards) + 1}"]
        cards.append(card)
        print(format_cv(cards[-1:]).splitlines()[1], flush=True)
    print(format_cv(cards))
    if out_json:
        Path(out_json).parent.mkdir(parents=True, exist_ok=True)
        Path(out_json).write_text(json.dumps(cards, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
