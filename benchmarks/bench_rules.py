"""Rules-only extract() throughput on the seeds repeated to about 1 MB, and start-up time.

    python benchmarks/bench_rules.py [--mb 1.0]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--mb", type=float, default=1.0)
    args = p.parse_args()
    t0 = time.perf_counter()
    from yingshang_ie import Extractor

    ex = Extractor(mode="rules")
    startup = time.perf_counter() - t0
    seeds = [f.read_text(encoding="utf-8") for f in sorted((ROOT / "seeds").glob("*.txt"))]
    docs, size = [], 0
    while size < args.mb * 1_000_000:
        for s in seeds:
            docs.append(s)
            size += len(s)
    ex.extract(seeds[0])  # warm caches
    t0 = time.perf_counter()
    n = sum(len(x.entities) for x in ex.pipe(docs))
    secs = time.perf_counter() - t0
    print(f"start-up (import + gazetteer + lexicon): {startup:.2f} s")
    print(f"{len(docs)} documents, {size:,} characters, {n:,} entities in {secs:.2f} s "
          f"= {size / secs:,.0f} characters/s")
    big = "".join(docs)
    t0 = time.perf_counter()
    ex.extract(big)
    secs = time.perf_counter() - t0
    print(f"one {len(big):,}-character document: {secs:.2f} s = {len(big) / secs:,.0f} characters/s")


if __name__ == "__main__":
    main()
