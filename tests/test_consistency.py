import json
import subprocess
import sys

from yingshang_ie.cli import main
from yingshang_ie.consistency import explained_strings, find_inconsistencies, format_report
from yingshang_ie.corpus import parse_records

from conftest import ROOT


def _doc(doc_id, text, *spans):
    ents = []
    for surface, label, k in spans:
        start = -1
        for _ in range(k):
            start = text.index(surface, start + 1)
        ents.append({"start": start, "end": start + len(surface), "label": label, "text": surface})
    return json.dumps({"id": doc_id, "text": text, "entities": ents}, ensure_ascii=False)


def _statuses(recs):
    return {i.surface: dict(i.statuses()) for i in find_inconsistencies(parse_records(recs))}


def test_consistency_lists_a_string_annotated_once_and_missed_once():
    recs = [_doc("a", "推进“放管服”改革", ("放管服", "PROGRAM", 1)),
            _doc("b", "深化放管服，新增市场主体3245家", ("3245家", "INDICATOR", 1), ("新增市场主体", "METRIC", 1))]
    assert _statuses(recs) == {"放管服": {"PROGRAM": 1, "none": 1}}


def test_consistency_lists_a_string_with_two_labels_across_script():
    recs = [_doc("a", "絳縣經濟開發區", ("絳縣", "COUNTY", 1)),
            _doc("b", "绛县新增企业5家", ("绛县", "PROGRAM", 1), ("5家", "INDICATOR", 1), ("新增企业", "METRIC", 1))]
    assert _statuses(recs) == {"绛县": {"COUNTY": 1, "PROGRAM": 1}}


def test_consistency_ignores_nested_names_longer_numbers_and_metrics_without_an_indicator():
    recs = [_doc("a", "乳源新建智慧乳源平台，项目13个；项目3个", ("乳源", "COUNTY", 1), ("智慧乳源", "PROGRAM", 1),
                 ("项目", "METRIC", 1), ("13个", "INDICATOR", 1), ("项目", "METRIC", 2), ("3个", "INDICATOR", 2)),
            _doc("b", "谋划项目，抓好落实")]
    assert _statuses(recs) == {}
    # 项目 unannotated next to a number is listed
    recs.append(_doc("c", "完成项目9个", ("9个", "INDICATOR", 1)))
    assert _statuses(recs) == {"项目": {"METRIC": 2, "none": 1}}  # 谋划项目 measures nothing: not counted


def test_consistency_report_marks_explained_strings(tmp_path):
    guide = tmp_path / "G.md"
    guide.write_text("# G\n## 5. Consistency check\n- `放管服` differs on purpose: …\n- `一年`, `一天`: a/an, not `一` …\n"
                     "## 6. Other\n- `其他`\n", encoding="utf-8")
    assert explained_strings(guide) == {"放管服", "一年", "一天"}
    recs = [_doc("a", "“放管服”改革", ("放管服", "PROGRAM", 1)), _doc("b", "放管服和其他", ("其他", "METRIC", 1))]
    report = format_report(find_inconsistencies(parse_records(recs)), explained_strings(guide))
    assert report.splitlines()[0].startswith("explained  '放管服': PROGRAM 1, none 1")
    assert "b [0,3) none" in report
    assert report.endswith("1 explained, 0 open")


def test_cli_consistency_exit_status_follows_open_entries(tmp_path, capsys):
    ann = tmp_path / "a.jsonl"
    ann.write_text(_doc("a", "“放管服”改革", ("放管服", "PROGRAM", 1)) + "\n"
                   + _doc("b", "放管服", ) + "\n", encoding="utf-8")
    guide = tmp_path / "G.md"
    guide.write_text("## Consistency\n", encoding="utf-8")
    assert main(["consistency", str(ann), "--guidelines", str(guide)]) == 1
    assert "OPEN  '放管服'" in capsys.readouterr().out
    guide.write_text("## Consistency\n- `放管服`: the second is a test.\n", encoding="utf-8")
    assert main(["consistency", str(ann), "--guidelines", str(guide)]) == 0
    assert main(["consistency", str(tmp_path / "missing.jsonl")]) == 2
    assert "no annotation file" in capsys.readouterr().err


def test_cli_stats_and_validate_read_several_files_and_reject_a_shared_id(tmp_path, capsys):
    one, two = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    one.write_text(_doc("a", "放管服", ("放管服", "PROGRAM", 1)) + "\n", encoding="utf-8")
    two.write_text(_doc("b", "柞水县", ("柞水县", "COUNTY", 1)) + "\n", encoding="utf-8")
    assert main(["stats", str(one), str(two)]) == 0
    out = capsys.readouterr().out
    assert "\na " in out and "\nb " in out
    assert main(["validate", str(one), str(two)]) == 0
    assert main(["validate", str(one), str(one)]) == 1
    assert "id 'a' is also in" in capsys.readouterr().err


def test_reconcile_sheet_keeps_agreed_spans_and_comments_one_sided_ones(tmp_path):
    sys.path.insert(0, str(ROOT / "training"))
    from annotation_sheet import resolve
    from reconcile import reconcile

    a, b = tmp_path / "A", tmp_path / "B"
    a.mkdir(), b.mkdir()
    (a / "004.tsv").write_text("S3\tINDICATOR\t第81位\tvalue=81\tunit=位\nS3\tMETRIC\t营商环境\n# DONE\n", encoding="utf-8")
    (b / "004.tsv").write_text("S3\tINDICATOR\t第81位\tvalue=80\tunit=位\nS3\tCOUNTY\t孝南\n# DONE\n", encoding="utf-8")
    sheet = reconcile(a / "004.tsv", b / "004.tsv")
    lines = sheet.splitlines()
    assert "S3\tINDICATOR\t第81位\tvalue=81\tunit=位" in lines
    assert any(ln.startswith("#? fields differ") for ln in lines)
    assert "#A-only\tS3\tMETRIC\t营商环境" in lines and "#B-only\tS3\tCOUNTY\t孝南" in lines
    out = tmp_path / "004.tsv"
    out.write_text(sheet.replace("#B-only\t", ""), encoding="utf-8")
    record, problems = resolve(out)
    assert problems == []
    assert [(e["label"], e["text"]) for e in record["entities"]] == [("INDICATOR", "第81位"), ("COUNTY", "孝南")]
