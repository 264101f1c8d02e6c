"""Speed of extract() on the seeds: rules, model, hybrid; the bare forward pass as the ceiling.

    python benchmarks/bench_extract.py [--repeat 2] [--model models/yingshang-e5-small]

Reports characters per second of ``Extractor.extract`` over the five seeds in each mode,
the bare ``TokenClassifier._forward`` over the same windows (what the hybrid cannot beat),
hybrid / bare ratio, model load time and the peak resident memory of the process.
Timings are wall-clock on this machine; nothing else should be running.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rate(fn, texts, repeat):
    fn(texts[0])  # warm-up
    t0 = time.perf_counter()
    for _ in range(repeat):
        for t in texts:
            fn(t)
    secs = time.perf_counter() - t0
    return repeat * sum(map(len, texts)) / secs


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--model", default=None)
    args = p.parse_args()
    t0 = time.perf_counter()
    import torch  # noqa: F401  (imports are timed apart from the model load)
    import transformers  # noqa: F401

    from yingshang_ie import Extractor
    from yingshang_ie.model import TokenClassifier
    from yingshang_ie.normalize import normalize

    imports = time.perf_counter() - t0

    texts = [f.read_text(encoding="utf-8") for f in sorted((ROOT / "seeds").glob("*.txt"))]
    rules = Extractor(mode="rules")
    t0 = time.perf_counter()
    hybrid = Extractor(mode="auto", model_path=args.model)
    load = time.perf_counter() - t0
    if hybrid.model is None:
        raise SystemExit("no model could be loaded; train one with: python training/train.py")
    peak_hybrid = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    model = copy.copy(hybrid)  # the same loaded classifier, model spans only
    model.config = dataclasses.replace(hybrid.config, mode="model")
    clf: TokenClassifier = hybrid.model
    working = [normalize(t).text for t in texts]
    windows = [clf.preprocess(w) for w in working]

    def bare(i):
        clf._forward(windows[i])

    results = {
        "rules": _rate(rules.extract, texts, args.repeat * 20),
        "model": _rate(model.extract, texts, args.repeat),
        "hybrid": _rate(hybrid.extract, texts, args.repeat),
    }
    idx = list(range(len(texts)))
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        for i in idx:
            bare(i)
    bare_rate = args.repeat * sum(map(len, texts)) / (time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"seeds: {len(texts)} documents, {sum(map(len, texts)):,} characters; {sum(map(len, windows))} windows")
    print(f"imports (torch, transformers, yingshang_ie): {imports:.2f} s; model load (Extractor, auto): {load:.2f} s")
    print(f"peak resident memory after loading the hybrid extractor: {peak_hybrid:,.0f} MB")
    for name, rate in results.items():
        print(f"{name:<7} {rate:>12,.0f} characters/s")
    print(f"{'forward':<7} {bare_rate:>12,.0f} characters/s (bare forward pass, the ceiling)")
    print(f"hybrid / bare forward = {results['hybrid'] / bare_rate:.2f}")
    print(f"peak resident memory: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
