"""Speed of the token classifier on the seed texts.

Reports, for one model directory:
- load time of ``TokenClassifier.load`` (imports excluded, then a cold import+load),
- chars/s of ``TokenClassifier.predict`` over the five seed texts (normalised working copies),
- chars/s of the bare forward pass over the same windows and batches (the ceiling),
  and their ratio,
- peak resident memory of the process,
- with ``--score``, held-out (002, 004) model-only strict/partial F1.

``--quantize`` overrides the runtime quantisation stored with the model, to compare::

    python benchmarks/bench_model.py models/yingshang-e5-small
    python benchmarks/bench_model.py models/yingshang-e5-small --quantize none --score
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?", default=str(ROOT / "models" / "yingshang-e5-small"))
    parser.add_argument("--quantize", choices=["stored", "none", "dynamic-int8"], default="stored")
    parser.add_argument("--keep-last-fp32", type=int, default=None,
                        help="with --quantize dynamic-int8: encoder layers left fp32 at the end")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the seed texts")
    parser.add_argument("--score", action="store_true", help="also score the held-out documents")
    parser.add_argument("--json", default="", help="write the figures here")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    import numpy as np  # noqa: F401
    import torch  # noqa: F401
    import transformers  # noqa: F401

    from yingshang_ie import model as model_mod
    from yingshang_ie.corpus import load_corpus, load_splits
    from yingshang_ie.evaluation import format_table, score
    from yingshang_ie.normalize import normalize

    t_import = time.perf_counter() - t0
    path = Path(args.model)
    t1 = time.perf_counter()
    if args.keep_last_fp32 is not None and args.quantize == "dynamic-int8":
        clf = model_mod.TokenClassifier.load(path, quantize="none")
        clf.model = model_mod.quantize_dynamic(clf.model, keep_last=args.keep_last_fp32)
    else:
        clf = model_mod.TokenClassifier.load(path, quantize=None if args.quantize == "stored" else args.quantize)
    t_load = time.perf_counter() - t1

    docs = load_corpus(ROOT / "annotations" / "seeds.jsonl")
    texts = [normalize(d.text).text for d in docs]
    chars = sum(map(len, texts))
    clf.predict(texts[0][:500])  # warm-up

    t2 = time.perf_counter()
    for _ in range(args.repeat):
        for t in texts:
            clf.predict(t)
    t_predict = (time.perf_counter() - t2) / args.repeat

    windows = [clf.preprocess(t) for t in texts]
    batches = [sorted(ws, key=lambda w: -len(w.ids))[i : i + 16] for ws in windows for i in range(0, len(ws), 16)]
    t3 = time.perf_counter()
    for _ in range(args.repeat):
        for b in batches:
            clf._forward(b)
    t_forward = (time.perf_counter() - t3) / args.repeat

    result = {
        "model": str(path), "quantize": args.quantize, "keep_last_fp32": args.keep_last_fp32, "threads": torch.get_num_threads(),
        "chars": chars, "windows": sum(map(len, windows)),
        "import_s": round(t_import, 2), "load_s": round(t_load, 2),
        "predict_chars_per_s": round(chars / t_predict), "forward_chars_per_s": round(chars / t_forward),
        "predict_over_forward": round(t_forward / t_predict, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "size_on_disk_mb": round(sum(f.stat().st_size for f in path.iterdir()) / 2**20, 1),
    }
    if args.score:
        held = set(load_splits(ROOT / "annotations" / "splits.json")["heldout"])
        hd = [(normalize(d.text).text, d) for d in docs if d.id in held]
        preds = clf.predict_batch([t for t, _ in hd])
        table = score([[(e.start, e.end, e.label) for e in d.entities] for _, d in hd],
                      [[(s.start, s.end, s.label) for s in p] for p in preds])
        print(format_table(table, f"held-out {sorted(held)}, model only"))
        result["heldout_strict_f1"] = {k: round(v["strict"].f1, 4) for k, v in table.items()}
        result["heldout_partial_f1"] = {k: round(v["partial"].f1, 4) for k, v in table.items()}
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
