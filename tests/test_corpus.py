import json

import pytest

from yingshang_ie.convert import (
    from_docbin,
    from_doccano,
    from_label_studio,
    to_docbin,
    to_doccano,
    to_label_studio,
)
from yingshang_ie.corpus import LABELS, Document, GoldSpan, load_corpus, parse_records, to_dataset
from yingshang_ie.errors import AnnotationError

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

GOOD = {"id": "x1", "source": "x.txt", "text": "乳源瑶族自治县新签约项目33个",
        "entities": [{"start": 0, "end": 7, "label": "COUNTY", "text": "乳源瑶族自治县", "code": "440232"},
                     {"start": 7, "end": 12, "label": "METRIC", "text": "新签约项目"},
                     {"start": 12, "end": 15, "label": "INDICATOR", "text": "33个", "value": "33", "unit": "个"}]}


def _line(**changes):
    rec = json.loads(json.dumps(GOOD, ensure_ascii=False))
    rec.update(changes)
    return json.dumps(rec, ensure_ascii=False)


def _with_entity(i, **changes):
    rec = json.loads(json.dumps(GOOD, ensure_ascii=False))
    rec["entities"][i].update(changes)
    return json.dumps(rec, ensure_ascii=False)


def test_corpus_seeds_validate_and_cover_every_document(corpus, splits):
    assert [d.id for d in corpus] == ["000", "001", "002", "003", "004"]
    assert set(splits["heldout"]) == {"002", "004"}
    assert {"000", "001", "003"} <= set(splits["train"])
    for doc in corpus:
        for e in doc.entities:
            assert doc.text[e.start:e.end] == e.text
    totals = {lab: sum(1 for d in corpus for e in d.entities if e.label == lab) for lab in LABELS}
    assert totals["INDICATOR"] >= 90 and totals["PROGRAM"] >= 100 and totals["COUNTY"] >= 40 and totals["METRIC"] >= 80


def test_corpus_stored_text_is_seed_without_markup(corpus):
    doc = corpus[0]
    raw = (ROOT / "seeds" / doc.source).read_text(encoding="utf-8")
    assert "<p>" not in doc.text and "layout: post" not in doc.text
    assert doc.text.startswith("“要有‘店小二’")
    assert len(doc.text) < len(raw)
    traditional = corpus[2]
    assert (ROOT / "seeds" / traditional.source).read_text(encoding="utf-8") == traditional.text


@pytest.mark.parametrize(
    "line, message",
    [
        (_with_entity(1, end=40), r"bad offsets \[7, 40\)"),
        (_with_entity(1, label="CITY"), r"unknown label 'CITY'"),
        (_with_entity(1, text="新签约项"), r"text\[7:12\] is '新签约项目' but the entity says '新签约项'"),
        (_with_entity(1, start=5, text="治县新签约项目"), r"entity 1 .* overlaps entity 0"),
        ('{"id": "x1", "text": "abc", ', r"broken JSON"),
        (_line(id=""), r"non-empty string 'id'"),
        (_with_entity(0, start="0"), r"start/end must be integers"),
    ],
)
def test_corpus_rejects_broken_record_naming_it(line, message):
    with pytest.raises(AnnotationError, match=message) as info:
        parse_records([line], "bad.jsonl")
    assert "bad.jsonl:1" in str(info.value)


def test_corpus_reports_every_problem_and_duplicate_ids():
    lines = [_line(), _line(), _with_entity(2, label="NUMBER"), "{oops"]
    with pytest.raises(AnnotationError) as info:
        parse_records(lines, "f.jsonl")
    problems = info.value.problems
    assert any("f.jsonl:2" in p and "duplicate id 'x1'" in p for p in problems)
    assert any("f.jsonl:3" in p and "unknown label 'NUMBER'" in p for p in problems)
    assert any("f.jsonl:4" in p and "broken JSON" in p for p in problems)
    assert isinstance(info.value, ValueError)


def test_corpus_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no annotation file"):
        load_corpus(tmp_path / "none.jsonl")


def _spans(docs):
    return [(d.id, d.text, [(e.start, e.end, e.label, e.text, dict(e.extra)) for e in d.entities]) for d in docs]


ASTRAL = Document("astral", "𠀀𠀁县新增市场主体3245家", (
    GoldSpan(0, 3, "COUNTY", "𠀀𠀁县"), GoldSpan(3, 9, "METRIC", "新增市场主体"),
    GoldSpan(9, 14, "INDICATOR", "3245家", {"value": "3245", "unit": "家"}),
))


@pytest.mark.parametrize("export, back", [
    (to_label_studio, from_label_studio),
    (to_doccano, from_doccano),
    (to_docbin, from_docbin),
])
def test_convert_round_trip_keeps_spans(corpus, export, back):
    docs = [*corpus, ASTRAL]
    assert _spans(back(export(docs))) == _spans(docs)


def test_convert_label_studio_counts_utf16_units():
    task = to_label_studio([ASTRAL])[0]
    region = task["annotations"][0]["result"][1]["value"]
    assert (region["start"], region["end"]) == (5, 11)  # two astral characters count twice


def test_convert_docbin_survives_disk(tmp_path, corpus):
    path = tmp_path / "seeds.spacy"
    to_docbin(corpus).to_disk(path)
    assert _spans(from_docbin(path)) == _spans(corpus)


def test_convert_doccano_rejects_offsets_that_miss_text():
    bad = [{"id": "d", "text": "乳源县", "label": [[0, 9, "COUNTY"]]}]
    with pytest.raises(AnnotationError, match=r"d.*bad offsets \[0, 9\)"):
        from_doccano(bad)


def test_corpus_as_dataset_keeps_offsets(corpus):
    ds = to_dataset(corpus)
    assert ds.num_rows == 5
    row = ds[4]
    for e in row["entities"]:
        assert row["text"][e["start"]:e["end"]] == e["text"]


def test_evaluation_label_absent_from_both_sides_scores_zero_of_zero():
    from yingshang_ie.evaluation import score

    t = score([[(0, 2, "COUNTY")]], [[(0, 2, "COUNTY")]])
    assert t["COUNTY"]["strict"].f1 == 1.0
    assert (t["PROGRAM"]["strict"].n_gold, t["PROGRAM"]["strict"].n_pred, t["PROGRAM"]["strict"].f1) == (0, 0, 0.0)


def test_evaluation_adjacent_spans_do_not_overlap():
    from yingshang_ie.evaluation import score

    t = score([[(0, 2, "METRIC")]], [[(2, 4, "METRIC")]])
    assert t["METRIC"]["partial"].tp == 0
