"""The ``yingshang-ie`` command line.

    yingshang-ie extract PATH... [-o out.jsonl|out.csv] [--mode auto|model|rules]
                                 [--format jsonl|indicators-csv]
    yingshang-ie render FILE -o page.html [--mode ...]
    yingshang-ie stats [FILE.jsonl ...]           # default: the seeds and the county corpus
    yingshang-ie validate [FILE.jsonl ...]
    yingshang-ie consistency [FILE.jsonl ...] [--guidelines annotations/GUIDELINES.md]
    yingshang-ie evaluate [ARGS...]      # training/evaluate.py ARGS (source checkout)
    yingshang-ie train [ARGS...]         # training/train.py ARGS (source checkout)
    yingshang-ie setup-segmenter [--cache-dir DIR] [--force]

``extract`` reads files, folders (recursively: *.txt, *.html, *.htm, *.md) and ``-``
(stdin) as UTF-8; a file that cannot be read or decoded is reported by name on stderr
and skipped.  Output formats are described in :mod:`yingshang_ie.export`; ``-o`` files
are written atomically.  A progress bar shows on stderr when there is more than one
document and stderr is a terminal; a summary line ends every run.

Exit status: 0 on success, 1 when some input failed (or a model / resource error),
2 for usage errors (bad option, missing output folder).

Example:
    $ yingshang-ie extract seeds/ -o indicators.csv --mode rules
    5 documents, 0 failed, mode rules: COUNTY 40, PROGRAM 250, INDICATOR 106, METRIC 81; 0.07 s -> indicators.csv
"""

from __future__ import annotations

import argparse
import contextlib
import os
import runpy
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from .corpus import LABELS
from .errors import YingshangError
from .export import WRITERS, OutputFormat, atomic_writer, read_document
from .extractor import Mode

SUFFIXES = {".txt", ".html", ".htm", ".md"}
STDIN = "-"
STDIN_NAME = "<stdin>"
#: Scripts run by ``evaluate`` / ``train``, found beside the package in a source checkout.
TRAINING_DIR = Path(__file__).resolve().parents[1] / "training"
PASSTHROUGH = {"evaluate": "evaluate.py", "train": "train.py"}
#: The annotated corpus of a source checkout: the seeds and the county texts.
ANNOTATION_FILES = ("annotations/seeds.jsonl", "annotations/corpus.jsonl")


class UsageError(ValueError):
    """A command-line argument that cannot work (reported, exit status 2); CLI-internal."""


def _err(msg: str) -> None:
    print(f"yingshang-ie: {msg}", file=sys.stderr)


# --- extract -----------------------------------------------------------------------------

def _inputs(paths: list[str]) -> list[str]:
    """Expand folders (sorted, recursive, by suffix); keep files, ``-`` and missing paths as given."""
    out = []
    for p in paths:
        path = Path(p)
        if p != STDIN and path.is_dir():
            found = [str(f) for f in sorted(path.rglob("*")) if f.is_file() and f.suffix.lower() in SUFFIXES]
            if not found:
                _err(f"warning: no {', '.join(sorted(SUFFIXES))} files under {p}")
            out.extend(found)
        else:
            out.append(p)
    return out


def _read(p: str) -> str:
    if p == STDIN:
        buf = getattr(sys.stdin, "buffer", None)
        return buf.read().decode("utf-8-sig") if buf is not None else sys.stdin.read()
    return read_document(p)


def _documents(files: list[str], failed: list[str], bar) -> Iterator[tuple[str, str]]:
    """``(source, text)`` of every readable input; unreadable ones reported and listed in ``failed``."""
    for p in files:
        try:
            text = _read(p)
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            msg = f"yingshang-ie: skipped {p}: {reason}"
            if bar.disable:
                print(msg, file=sys.stderr)
            else:
                bar.write(msg, file=sys.stderr)  # above the bar, not through it
            bar.update(1)
            failed.append(p)
            continue
        yield (STDIN_NAME if p == STDIN else p), text


def _output_format(args) -> OutputFormat:
    return OutputFormat(args.format) if args.format else OutputFormat.for_path(args.output)


def _check_output(path: str | None) -> None:
    if path is None:
        return
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise UsageError(f"output folder {parent} does not exist; create it or choose another -o path")
    if Path(path).is_dir():
        raise UsageError(f"-o {path} is a folder; give a file name such as {Path(path) / 'out.jsonl'}")


@contextlib.contextmanager
def _sink(path: str | None, encoding: str):
    if path is None:
        yield sys.stdout
    else:
        with atomic_writer(path, encoding=encoding) as f:
            yield f


def _progress(total: int):
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", file=sys.stderr, disable=not (total > 1 and sys.stderr.isatty()))


def cmd_extract(args) -> int:
    fmt = _output_format(args)
    _check_output(args.output)
    from . import Extractor

    t0 = time.perf_counter()
    ex = Extractor(mode=args.mode)
    files = _inputs(args.paths)
    failed: list[str] = []
    labels: Counter = Counter()
    done = 0
    writer_cls = WRITERS[fmt]
    with _progress(len(files)) as bar, _sink(args.output, writer_cls.encoding) as out:
        writer = writer_cls(out)
        # One document at a time (the model still batches each document's windows): the
        # bar moves per document, a long corpus is never held in memory, and a document's
        # record does not depend on which other files share the run (the int8 model's
        # activation scales are per batch, so cross-document batches can change spans).
        for source, text in _documents(files, failed, bar):
            x = ex.extract(text)
            writer.write(source, x)
            labels.update(e.label for e in x.entities)
            done += 1
            bar.update(1)
    if failed:
        _err(f"{len(failed)} input(s) could not be read: {', '.join(failed)}")
    secs = time.perf_counter() - t0
    by_label = ", ".join(f"{k} {labels[k]}" for k in LABELS if labels[k]) or "no entities"
    where = f" -> {args.output}" if args.output else ""
    print(f"{done} document{'s' * (done != 1)}, {len(failed)} failed, mode {ex.mode}: {by_label}; "
          f"{secs:.2f} s{where}", file=sys.stderr)
    return 1 if failed else 0


# --- render ------------------------------------------------------------------------------

def cmd_render(args) -> int:
    from . import Extractor
    from .render import render_html

    _check_output(args.output)
    try:
        text = _read(args.file)
    except (OSError, UnicodeDecodeError) as exc:
        _err(f"cannot read {args.file}: {exc}")
        return 1
    x = Extractor(mode=args.mode).extract(text)
    title = STDIN_NAME if args.file == STDIN else Path(args.file).name
    with atomic_writer(args.output, encoding="utf-8") as f:
        f.write(render_html(x, title=title))
    print(f"{args.output}: {len(x.entities)} entities, {len(x.indicators)} indicators, mode {x.mode}",
          file=sys.stderr)
    return 0


# --- corpus ------------------------------------------------------------------------------

def _annotations(files: list[str]):
    """The documents of ``files``; a missing file is a usage error."""
    from .corpus import load_corpora

    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        raise UsageError(f"no annotation file at {', '.join(missing)}")
    return load_corpora(files)


def cmd_stats(args) -> int:
    from .corpus import format_counts

    print(format_counts(_annotations(args.files)))
    return 0


def cmd_validate(args) -> int:
    from .errors import AnnotationError

    try:
        docs = _annotations(args.files)
    except AnnotationError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{', '.join(args.files)}: {len(docs)} document(s), {sum(len(d.entities) for d in docs)} spans, no problems")
    return 0


def cmd_consistency(args) -> int:
    from .consistency import explained_strings, find_inconsistencies, format_report

    if not Path(args.guidelines).is_file():
        raise UsageError(f"no guidelines file at {args.guidelines}")
    explained = explained_strings(args.guidelines)
    items = find_inconsistencies(_annotations(args.files))
    print(format_report(items, explained))
    return 1 if any(i.surface not in explained for i in items) else 0


# --- training scripts, segmenter ----------------------------------------------------------

def run_training_script(command: str, argv: list[str]) -> int:
    """Run ``training/<script>.py`` with ``argv`` as if from the shell; its exit status."""
    script = TRAINING_DIR / PASSTHROUGH[command]
    if not script.is_file():
        _err(f"'{command}' runs training/{script.name} from a source checkout of yingshang_ie, and there is "
             f"none beside this installation (looked for {script}). Clone the repository and install it "
             f"with: pip install -e '.[train]'; then run yingshang-ie {command} from there.")
        return 1
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [str(script), *argv]  # runpy sets argv[0] to the script path anyway
    sys.path.insert(0, str(script.parent))
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:
        code = exc.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
    return 0


def cmd_setup_segmenter(args) -> int:
    try:
        from .segmenter import setup_segmenter
    except ImportError as exc:
        _err(f"this installation has no segmenter support ({exc}); update yingshang_ie")
        return 1
    print(setup_segmenter(args.cache_dir, force=args.force))
    return 0


# --- main --------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    modes = [m.value for m in Mode]
    formats = [f.value for f in OutputFormat]
    p = argparse.ArgumentParser(prog="yingshang-ie", description="Counties, programs and indicators from 营商环境 texts.")
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    e = sub.add_parser("extract", help="extract from files, folders (*.txt, *.html, *.md) or - for stdin",
                       description="Extract entities and indicators. Output formats: see yingshang_ie.export.")
    e.add_argument("paths", nargs="+", metavar="PATH", help="file, folder (searched recursively) or - for stdin")
    e.add_argument("-o", "--output", help="write here (atomically) instead of stdout; a .csv name selects "
                                          "--format indicators-csv")
    e.add_argument("--mode", default=Mode.AUTO.value, choices=modes)
    e.add_argument("--format", choices=formats, default=None,
                   help="jsonl: one record a document (default); indicators-csv: one row an indicator")
    e.set_defaults(func=cmd_extract)

    r = sub.add_parser("render", help="an HTML page with the entities highlighted and the indicator table")
    r.add_argument("file", help="a .txt, .html or .md file, or - for stdin")
    r.add_argument("-o", "--output", required=True, help="the page to write, e.g. page.html")
    r.add_argument("--mode", default=Mode.AUTO.value, choices=modes)
    r.set_defaults(func=cmd_render)

    files = dict(nargs="*", metavar="FILE", default=list(ANNOTATION_FILES),
                 help=f"annotation files (JSON Lines; default: {' '.join(ANNOTATION_FILES)})")
    s = sub.add_parser("stats", help="per-document, per-label span counts of annotation files")
    s.add_argument("files", **files)
    s.set_defaults(func=cmd_stats)
    v = sub.add_parser("validate", help="check annotation files; list every problem")
    v.add_argument("files", **files)
    v.set_defaults(func=cmd_validate)
    c = sub.add_parser("consistency", help="list strings annotated in one place and not (or otherwise) in another; "
                                           "exit 1 while any is not explained in the guidelines")
    c.add_argument("files", **files)
    c.add_argument("--guidelines", default="annotations/GUIDELINES.md",
                   help="the file whose consistency section explains deliberate differences")
    c.set_defaults(func=cmd_consistency)

    sub.add_parser("evaluate", add_help=False, help="run training/evaluate.py (source checkout); "
                                                    "arguments pass through, see yingshang-ie evaluate -h")
    sub.add_parser("train", add_help=False, help="run training/train.py (source checkout); "
                                                 "arguments pass through, see yingshang-ie train -h")
    g = sub.add_parser("setup-segmenter", help="download pkuseg's model once (about 49 MB) and convert it for "
                                                "the spaCy pipeline; print its folder")
    g.add_argument("--cache-dir", default=None,
                   help="where to keep it (default: $YINGSHANG_IE_CACHE/pkuseg, else ~/.cache/yingshang_ie/pkuseg)")
    g.add_argument("--force", action="store_true", help="download and convert again even when present")
    g.set_defaults(func=cmd_setup_segmenter)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in PASSTHROUGH:
        return run_training_script(argv[0], argv[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # -h (0) or a usage error (2), already printed by argparse
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return args.func(args)
    except UsageError as exc:
        _err(str(exc))
        return 2
    except YingshangError as exc:
        _err(str(exc))
        return 1
    except BrokenPipeError:  # e.g. | head: stop quietly, as other Unix tools do
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
