"""Train variants of the shipped settings and compare them on the eval split (dev by default).

Each variant is a name and a JSON object of :class:`~training.train.TrainConfig`
overrides; every variant is trained on the train split, saved under
``--out/<name>``, and its model alone is scored on the eval split both as it ships
(dynamic int8) and in fp32::

    python training/sweep.py                                   # the variants in DEFAULT_VARIANTS
    python training/sweep.py --variant 'ow03={"o_weight": 0.3}' --variant 'L6={"num_layers": 6}'

About 25 minutes a variant on 2 CPU cores with the county corpus.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from training.train import TrainConfig, evaluate_stage, load_stage, run  # noqa: E402
from yingshang_ie.errors import ConfigError  # noqa: E402
from yingshang_ie.model import TokenClassifier  # noqa: E402

DEFAULT_VARIANTS = {
    "shipped": {},
    "seed1": {"seed": 1},
    "seed2": {"seed": 2},
    "o_weight0.3": {"o_weight": 0.3},
    "epochs20": {"epochs": 20},
    "train_stride96_epochs8": {"train_stride": 96, "epochs": 8},
    "sentence_windows": {"train_windows": "sentence"},
    "layers6": {"num_layers": 6},
}
COLUMNS = ("COUNTY", "PROGRAM", "INDICATOR", "METRIC", "micro")


def parse_variant(text: str) -> tuple[str, dict]:
    """``name={"field": value}`` → ``(name, overrides)``."""
    name, sep, body = text.partition("=")
    try:
        overrides = json.loads(body) if sep else None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"variant {text!r}: the part after '=' is not JSON ({exc})") from None
    if not name or not isinstance(overrides, dict):
        raise ConfigError(f"variant {text!r}: write it as name={{\"field\": value}}")
    return name, overrides


def sweep(variants: dict[str, dict], out: Path, log=print) -> list[dict]:
    rows = []
    for name, overrides in variants.items():
        cfg = replace(TrainConfig(), output_dir=str(out / name), **overrides)
        card = run(cfg, log=lambda *a: None)
        _, eval_docs = load_stage(cfg)
        row = {"name": name, "overrides": overrides, "train_seconds": card["train_seconds"]}
        for quantize in ("dynamic-int8", "none"):
            table = evaluate_stage(TokenClassifier.load(cfg.output_dir, quantize=quantize), eval_docs)
            row[quantize] = {lab: round(table[lab]["strict"].f1, 3) for lab in COLUMNS}
        rows.append(row)
        log(format_row(row))
    return rows


def format_row(row: dict) -> str:
    cells = " ".join(f"{row[q][lab]:.3f}" for q in ("dynamic-int8", "none") for lab in COLUMNS)
    return f"{row['name']:<24} {cells}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--variant", action="append", default=[], help='name={"field": value}; repeatable')
    p.add_argument("--out", type=Path, default=ROOT / "runs" / "sweep", help="where the variants' models go")
    p.add_argument("--json", type=Path, help="also write the rows here")
    args = p.parse_args(argv)
    variants = dict(map(parse_variant, args.variant)) if args.variant else DEFAULT_VARIANTS
    print(f"{'variant':<24} " + " ".join(f"{q[:4]}:{lab[:4]}" for q in ("int8", "fp32") for lab in COLUMNS))
    rows = sweep(variants, args.out)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
