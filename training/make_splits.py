"""Fix the train/dev/test split of the county corpus, by whole document.

    python training/make_splits.py            # print the split
    python training/make_splits.py --write    # write it into annotations/splits.json

Documents are grouped by genre (the strata below, from ``annotations/texts/SOURCES.md``).
Within a stratum they are ordered by the SHA-1 of their file name, and the first
``test`` of them go to test, the next ``dev`` to dev, the rest to train, so the choice
depends on no one's reading of the texts.  The seed split (train 000, 001, 003;
held-out 002, 004) is kept as it was.  The split was written once; re-running the
script reproduces it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ROOT / "annotations" / "texts"
SPLITS = ROOT / "annotations" / "splits.json"

# stratum: (document ids, how many to test, how many to dev)
STRATA: dict[str, tuple[tuple[str, ...], int, int]] = {
    "people's daily county report": (tuple(f"pd_{i:02d}" for i in range(1, 31)), 6, 4),
    "government work report": (("ot_02", "ot_03", "ot_04", "ot_05", "ot_10", "ot_25"), 1, 1),
    "county government or county media news": (("ot_11", "ot_12", "ot_16", "ot_19", "ot_23", "ot_27", "ot_28"), 1, 1),
    "media feature": (("ot_15", "ot_18", "ot_20", "ot_22", "ot_24", "ot_29"), 1, 1),
    "traditional script": (("ot_09", "ot_17"), 1, 1),
    "county profile with statistics (bulletin)": (("ot_13",), 1, 0),
    "speech or press statement": (("ot_26",), 0, 1),
    # ex_03 describes a county bank's loan-management rules: the corpus' nearest thing to a policy document.
    "policy document (credit rules)": (("ex_03",), 1, 0),
    "poverty alleviation and rural credit news": (("ex_01", "ex_02"), 0, 0),
}


def _file(doc_id: str) -> str:
    matches = sorted(TEXTS.glob(f"{doc_id}_*.txt"))
    if len(matches) != 1:
        raise SystemExit(f"no single text for {doc_id!r} in {TEXTS}")
    return matches[0].name


def split() -> dict[str, list[str]]:
    # The seeds keep their split: 000, 001 and 003 train; 002 and 004 stay "heldout".
    out: dict[str, list[str]] = {"train": ["000", "001", "003"], "dev": [], "test": []}
    for ids, n_test, n_dev in STRATA.values():
        ranked = sorted(ids, key=lambda i: hashlib.sha1(_file(i).encode()).hexdigest())
        out["test"] += ranked[:n_test]
        out["dev"] += ranked[n_test:n_test + n_dev]
        out["train"] += ranked[n_test + n_dev:]
    return {k: sorted(v) for k, v in out.items()}  # digits sort before letters: seeds first


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--write", action="store_true", help="write the split into annotations/splits.json")
    args = p.parse_args(argv)
    new = split()
    for name, ids in new.items():
        print(f"{name:<5} {len(ids):>2}  {' '.join(ids)}")
    if args.write:
        current = json.loads(SPLITS.read_text(encoding="utf-8"))
        current.update(new)
        lines = [f'  "{k}": {json.dumps(v, ensure_ascii=False)}' for k, v in current.items()]
        SPLITS.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
        print(f"wrote {SPLITS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
