"""Build ``yingshang_ie/data/programs.txt``: PROGRAM names from the training split only.

    python training/build_lexicon.py

Reads ``annotations/seeds.jsonl``, ``annotations/corpus.jsonl`` and
``annotations/splits.json``; writes every PROGRAM span text of the train documents
(simplified script, two characters or more), one a line, sorted.  Dev, test and
held-out documents are never read into it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from yingshang_ie.corpus import load_corpora, load_splits
from yingshang_ie.normalize import to_halfwidth, to_simplified

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    train = set(load_splits(ROOT / "annotations" / "splits.json")["train"])
    names = set()
    for doc in load_corpora([ROOT / "annotations" / "seeds.jsonl", ROOT / "annotations" / "corpus.jsonl"]):
        if doc.id in train:
            names.update(to_simplified(to_halfwidth(e.text)) for e in doc.entities if e.label == "PROGRAM")
    names = sorted(n for n in names if len(n) >= 2)
    out = ROOT / "yingshang_ie" / "data" / "programs.txt"
    out.write_text("# PROGRAM names from the train split; built by training/build_lexicon.py\n"
                   + "\n".join(names) + "\n", encoding="utf-8")
    print(f"wrote {len(names)} names to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
