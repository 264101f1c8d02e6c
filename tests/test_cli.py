"""The yingshang-ie command line, in process (``cli.main``) and through the console script."""

import csv
import io
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from yingshang_ie import cli
from yingshang_ie.export import CSV_COLUMNS, JsonlWriter

SEED = "孝南区新增市场主体3245家，总投资110.63亿元。"


def _run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _corpus(tmp_path):
    """A folder with two good documents (one nested, one HTML) and one that is not UTF-8."""
    d = tmp_path / "docs"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text(SEED, encoding="utf-8")
    (d / "sub" / "b.html").write_text("<p>柞水县出台制度办法19个</p>", encoding="utf-8")
    (d / "bad.txt").write_bytes(b"\xff\xfe\xfa not utf-8 \x81")
    (d / "notes.json").write_text("{}", encoding="utf-8")  # not an input suffix
    return d


def test_cli_extract_skips_unreadable_file_and_exits_1(tmp_path, capsys):
    d = _corpus(tmp_path)
    code, out, err = _run(["extract", str(d), "--mode", "rules"], capsys)
    assert code == 1
    assert f"skipped {d / 'bad.txt'}" in err
    assert "2 documents, 1 failed, mode rules" in err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["source"] for r in records] == [str(d / "a.txt"), str(d / "sub" / "b.html")]


def test_cli_extract_missing_path_is_a_failed_input(tmp_path, capsys):
    good = tmp_path / "a.txt"
    good.write_text(SEED, encoding="utf-8")
    code, out, err = _run(["extract", str(good), str(tmp_path / "nope.txt"), "--mode", "rules"], capsys)
    assert code == 1
    assert "nope.txt" in err and len(out.splitlines()) == 1


def test_cli_extract_jsonl_records_carry_source_and_offsets(tmp_path, capsys):
    f = tmp_path / "a.txt"
    text = "孝南区\r\n新增市场主体3245家。"  # CRLF kept: offsets index the file as decoded
    f.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # BOM dropped
    out_path = tmp_path / "out.jsonl"
    code, out, err = _run(["extract", str(f), "-o", str(out_path), "--mode", "rules"], capsys)
    assert code == 0 and out == ""
    assert f"-> {out_path}" in err
    (rec,) = [json.loads(line) for line in out_path.read_text(encoding="utf-8").splitlines()]
    assert rec["source"] == str(f) and rec["mode"] == "rules"
    assert {"entities", "indicators", "counties"} <= rec.keys()
    for e in rec["entities"]:
        assert text[e["start"]:e["end"]] == e["text"]
    assert rec["counties"][0]["code"] == "420902"


def test_cli_extract_csv_columns_and_values(tmp_path, capsys):
    f = tmp_path / "seed.txt"
    f.write_text(SEED, encoding="utf-8")
    out_path = tmp_path / "rows.csv"
    code, _, _ = _run(["extract", str(f), "-o", str(out_path), "--mode", "rules"], capsys)
    assert code == 0
    raw = out_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # utf-8-sig, for Excel
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert rows == [
        {"document": str(f), "county": "孝南区", "county_code": "420902", "metric": "新增市场主体",
         "value": "3245", "unit": "家", "approx": "false", "span_text": "3245家", "start": "9", "end": "14",
         "value_max": "", "kind": "count"},
        {"document": str(f), "county": "孝南区", "county_code": "420902", "metric": "总投资",
         "value": "11063000000", "unit": "元", "approx": "false", "span_text": "110.63亿元", "start": "18",
         "end": "26", "value_max": "", "kind": "money"},
    ]


@pytest.mark.parametrize("text, counties", [
    # nearest COUNTY mention before each indicator
    ("乳源瑶族自治县新签约项目33个。孝南区新增市场主体3245家。", ["乳源瑶族自治县", "孝南区"]),
    # none before: the document's most-mentioned county
    ("新增市场主体3245家。柞水县出台制度。孝南区好，孝南区强。", ["孝南区"]),
    # no county at all: empty
    ("新增市场主体3245家。", [""]),
])
def test_cli_csv_county_is_nearest_before_else_most_mentioned(tmp_path, capsys, text, counties):
    f = tmp_path / "doc.txt"
    f.write_text(text, encoding="utf-8")
    code, out, _ = _run(["extract", str(f), "--format", "indicators-csv", "--mode", "rules"], capsys)
    assert code == 0
    assert not out.startswith("\ufeff")  # no BOM on stdout
    assert [r["county"] for r in csv.DictReader(io.StringIO(out))] == counties


def test_cli_extract_format_flag_overrides_suffix(tmp_path, capsys):
    f = tmp_path / "seed.txt"
    f.write_text(SEED, encoding="utf-8")
    out_path = tmp_path / "records.csv"
    assert cli.main(["extract", str(f), "-o", str(out_path), "--format", "jsonl", "--mode", "rules"]) == 0
    assert json.loads(out_path.read_text(encoding="utf-8"))["source"] == str(f)


@pytest.mark.parametrize("existing", [True, False])
def test_cli_extract_failed_run_leaves_target_untouched(tmp_path, capsys, monkeypatch, existing):
    d = _corpus(tmp_path)
    (d / "bad.txt").unlink()
    target = tmp_path / "out.jsonl"
    if existing:
        target.write_text("previous results\n", encoding="utf-8")
    calls = []
    real_write = JsonlWriter.write

    def write_then_fail(self, source, x):
        calls.append(source)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        real_write(self, source, x)

    monkeypatch.setattr(JsonlWriter, "write", write_then_fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        cli.main(["extract", str(d), "-o", str(target), "--mode", "rules"])
    assert len(calls) == 2  # the first record had been written to the temporary file
    if existing:
        assert target.read_text(encoding="utf-8") == "previous results\n"
    else:
        assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["docs"] + ["out.jsonl"] * existing)


def test_cli_extract_output_gets_umask_permissions(tmp_path, capsys):
    f = tmp_path / "seed.txt"
    f.write_text(SEED, encoding="utf-8")
    target = tmp_path / "out.jsonl"
    assert cli.main(["extract", str(f), "-o", str(target), "--mode", "rules"]) == 0
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_cli_extract_reads_stdin_in_process(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SEED.encode("utf-8")), encoding="utf-8"))
    code, out, err = _run(["extract", "-", "--mode", "rules"], capsys)
    assert code == 0
    rec = json.loads(out)
    assert rec["source"] == "<stdin>"
    assert [i["value"] for i in rec["indicators"]] == ["3245", "11063000000"]


def _console_script():
    script = Path(sys.executable).with_name("yingshang-ie")
    return [str(script)] if script.exists() else [sys.executable, "-m", "yingshang_ie.cli"]


def test_cli_console_script_reads_stdin():
    proc = subprocess.run([*_console_script(), "extract", "-", "--mode", "rules"], input=SEED.encode("utf-8"),
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    rec = json.loads(proc.stdout.decode("utf-8"))
    assert rec["source"] == "<stdin>" and rec["counties"][0]["code"] == "420902"
    err = proc.stderr.decode("utf-8")
    assert "1 document, 0 failed" in err
    assert "doc/s" not in err and "%|" not in err  # stderr is a pipe: no progress bar


@pytest.mark.parametrize("n, tty, shown", [(2, True, True), (1, True, False), (5, False, False)])
def test_cli_progress_bar_only_for_many_documents_on_a_terminal(monkeypatch, n, tty, shown):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty)
    with cli._progress(n) as bar:
        assert bar.disable is not shown


@pytest.mark.parametrize("argv, message", [
    ([], "required"),
    (["extract", "x.txt", "--mode", "fast"], "invalid choice: 'fast'"),
    (["extract", "x.txt", "--format", "xlsx"], "invalid choice: 'xlsx'"),
    (["extract", "x.txt", "-o", "/nonexistent-dir/out.jsonl", "--mode", "rules"], "does not exist"),
    (["render", "x.txt"], "-o/--output"),
])
def test_cli_usage_errors_exit_2(capsys, argv, message):
    code, _, err = _run(argv, capsys)
    assert code == 2
    assert message in err


def test_cli_help_exits_0(capsys):
    code, out, _ = _run(["--help"], capsys)
    assert code == 0
    for command in ("extract", "render", "stats", "validate", "evaluate", "train", "setup-segmenter"):
        assert command in out


def test_cli_render_writes_page(tmp_path, capsys):
    f = tmp_path / "R&D <报告>.txt"
    f.write_text(SEED + "研发投入占比 > 3 <x & y", encoding="utf-8")
    page = tmp_path / "page.html"
    code, _, err = _run(["render", str(f), "-o", str(page), "--mode", "rules"], capsys)
    assert code == 0 and f"{page}:" in err
    html = page.read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in html
    from yingshang_ie.render import LABEL_COLORS

    for color in LABEL_COLORS.values():
        assert color in html
    for text in ("孝南区", "新增市场主体", "3245家", "总投资", "110.63亿元"):
        assert text in html
    assert "<table>" in html and "<td>420902</td>" in html and "11063000000" in html
    assert "<title>R&amp;D &lt;报告&gt;.txt</title>" in html
    assert "&gt; 3 &lt;x &amp; y" in html and "<x" not in html
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".part"]


def test_cli_render_unreadable_file_exits_1(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe")
    code, _, err = _run(["render", str(bad), "-o", str(tmp_path / "p.html"), "--mode", "rules"], capsys)
    assert code == 1 and "bad.txt" in err
    assert not (tmp_path / "p.html").exists()


def test_cli_stats_and_validate_still_work(capsys):
    root = Path(__file__).resolve().parents[1]
    code, out, _ = _run(["stats", str(root / "annotations" / "seeds.jsonl")], capsys)
    assert code == 0 and "total" in out
    code, out, _ = _run(["validate", str(root / "annotations" / "seeds.jsonl")], capsys)
    assert code == 0 and "no problems" in out


def test_cli_evaluate_passes_arguments_through(capsys):
    if not cli.TRAINING_DIR.is_dir():
        pytest.skip("needs a source checkout with training/")
    code, out, _ = _run(["evaluate", "--mode", "rules", "--split", "heldout"], capsys)
    assert code == 0
    assert "COUNTY" in out and "INDICATOR" in out


def test_cli_train_help_comes_from_the_script(capsys):
    if not cli.TRAINING_DIR.is_dir():
        pytest.skip("needs a source checkout with training/")
    code, out, _ = _run(["train", "-h"], capsys)
    assert code == 0
    assert "usage: train.py" in out and "--max-train-samples" in out


def test_cli_training_commands_need_a_source_checkout(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "TRAINING_DIR", tmp_path / "training")
    code, _, err = _run(["evaluate", "--mode", "rules"], capsys)
    assert code == 1
    assert "source checkout" in err and "pip install -e" in err


def test_cli_setup_segmenter_prints_path(tmp_path, capsys, monkeypatch):
    seen = {}

    def fake_setup(cache_dir=None, *, force=False):
        seen.update(cache_dir=cache_dir, force=force)
        return tmp_path / "pkuseg"

    monkeypatch.setitem(sys.modules, "yingshang_ie.segmenter",
                        types.SimpleNamespace(setup_segmenter=fake_setup))
    code, out, _ = _run(["setup-segmenter", "--cache-dir", str(tmp_path), "--force"], capsys)
    assert code == 0
    assert out.strip() == str(tmp_path / "pkuseg")
    assert seen == {"cache_dir": str(tmp_path), "force": True}


def test_cli_setup_segmenter_error_exits_1(capsys, monkeypatch):
    from yingshang_ie.errors import YingshangError

    def failing(cache_dir=None, *, force=False):
        raise YingshangError("pip could not fetch pkuseg==0.0.25; connect and retry")

    monkeypatch.setitem(sys.modules, "yingshang_ie.segmenter", types.SimpleNamespace(setup_segmenter=failing))
    code, _, err = _run(["setup-segmenter"], capsys)
    assert code == 1 and "connect and retry" in err
