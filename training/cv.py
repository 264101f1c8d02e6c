"""Leave-one-document-out cross-validation over the five seed documents.

Five runs: train on four documents with the shipped :class:`~training.train.TrainConfig`
defaults (or the flags given), score the fifth with the runtime ``TokenClassifier``;
print per-fold and pooled per-label F1 (strict and partial)::

    python training/cv.py                      # the shipped settings
    python training/cv.py --epochs 8 --json runs/cv.json
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from training.train import TrainConfig, run  # noqa: E402
from yingshang_ie.corpus import LABELS, load_corpus  # noqa: E402
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
    return "\n".join(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for f in fields(TrainConfig):
        if f.name in ("output_dir", "train_split", "eval_split"):
            continue
        parser.add_argument("--" + f.name.replace("_", "-"), type=type(f.default), default=None, help=f.metadata["help"])
    parser.add_argument("--json", default="", help="also write the fold cards here")
    args = vars(parser.parse_args(argv))
    out_json = args.pop("json")
    cfg = replace(TrainConfig(), output_dir="", **{k: v for k, v in args.items() if v is not None})
    ids = [d.id for d in load_corpus(cfg.corpus)]
    cards = []
    for held in ids:
        card = run(cfg, train_ids=[i for i in ids if i != held], eval_ids=[held], log=lambda *a: None)
        cards.append(card)
        print(format_cv(cards[-1:]).splitlines()[1], flush=True)
    print(format_cv(cards))
    if out_json:
        Path(out_json).parent.mkdir(parents=True, exist_ok=True)
        Path(out_json).write_text(json.dumps(cards, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
