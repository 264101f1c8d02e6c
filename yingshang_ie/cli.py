"""The ``yingshang-ie`` command line.

    yingshang-ie extract PATH... [-o out.jsonl] [--mode auto|rules|model]
    yingshang-ie stats [annotations/seeds.jsonl]
    yingshang-ie validate FILE.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

SUFFIXES = {".txt", ".html", ".htm", ".md"}


def _inputs(paths: list[str]) -> list[str]:
    out = []
    for p in paths:
        path = Path(p)
        if p == "-" or not path.is_dir():
            out.append(p)
        else:
            out.extend(str(f) for f in sorted(path.rglob("*")) if f.is_file() and f.suffix.lower() in SUFFIXES)
    return out


def _read(p: str) -> str:
    if p == "-":
        return sys.stdin.read()
    return Path(p).read_text(encoding="utf-8")


def cmd_extract(args) -> int:
    from . import Extractor

    ex = Extractor(mode=args.mode)
    files = _inputs(args.paths)
    failed = 0
    labels: Counter = Counter()
    t0 = time.perf_counter()
    out_path = Path(args.output) if args.output else None
    tmp = None
    if out_path:
        fd, tmp = tempfile.mkstemp(dir=out_path.parent or ".", prefix=f".{out_path.name}.", suffix=".part")
        sink = os.fdopen(fd, "w", encoding="utf-8")
    else:
        sink = sys.stdout
    done = 0
    try:
        for p in files:
            try:
                text = _read(p)
            except (OSError, UnicodeDecodeError) as exc:
                print(f"skipped {p}: {exc}", file=sys.stderr)
                failed += 1
                continue
            x = ex.extract(text)
            labels.update(e.label for e in x.entities)
            sink.write(json.dumps({"source": p, **x.to_dict()}, ensure_ascii=False) + "\n")
            done += 1
    finally:
        if out_path:
            sink.close()
            os.replace(tmp, out_path)
    secs = time.perf_counter() - t0
    summary = ", ".join(f"{k} {v}" for k, v in sorted(labels.items()))
    print(f"{done} document(s), {failed} failed, mode {ex.mode}: {summary or 'no entities'}; {secs:.2f} s",
          file=sys.stderr)
    return 1 if failed else 0


def cmd_stats(args) -> int:
    from .corpus import format_counts, load_corpus

    print(format_counts(load_corpus(args.annotations)))
    return 0


def cmd_validate(args) -> int:
    from .corpus import load_corpus
    from .errors import AnnotationError

    try:
        docs = load_corpus(args.file)
    except AnnotationError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{args.file}: {len(docs)} document(s), {sum(len(d.entities) for d in docs)} spans, no problems")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="yingshang-ie", description="Counties, programs and indicators from 营商环境 texts.")
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("extract", help="extract from files, folders (*.txt, *.html, *.md) or - for stdin")
    e.add_argument("paths", nargs="+")
    e.add_argument("-o", "--output", help="write JSON Lines here (atomically) instead of stdout")
    e.add_argument("--mode", default="auto", choices=["auto", "rules", "model"])
    e.set_defaults(func=cmd_extract)
    s = sub.add_parser("stats", help="per-document, per-label span counts of an annotation file")
    s.add_argument("annotations", nargs="?", default="annotations/seeds.jsonl")
    s.set_defaults(func=cmd_stats)
    v = sub.add_parser("validate", help="check an annotation file; list every problem")
    v.add_argument("file")
    v.set_defaults(func=cmd_validate)
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
