"""The annotated county corpus: stored texts, splits, gold fields, consistency."""

import json
import sys

from yingshang_ie.consistency import explained_strings, find_inconsistencies
from yingshang_ie.corpus import LABELS

from conftest import ROOT

TEXTS = ROOT / "annotations" / "texts"


def _county_docs(full_corpus):
    return [d for d in full_corpus if not d.id.isdigit()]


def test_every_county_text_is_annotated_and_stored_unchanged(full_corpus):
    docs = _county_docs(full_corpus)
    files = sorted(TEXTS.glob("*.txt"))
    assert len(files) == 56
    assert sorted(d.source for d in docs) == [f.name for f in files]
    for doc in docs:
        assert doc.text == (TEXTS / doc.source).read_text(encoding="utf-8")
        assert doc.source.startswith(doc.id + "_")


def test_splits_are_fixed_disjoint_and_stratified(full_corpus, splits):
    sys.path.insert(0, str(ROOT / "training"))
    from make_splits import split

    names = ("train", "dev", "test", "heldout")
    ids = [i for n in names for i in splits[n]]
    assert len(ids) == len(set(ids)) == len(full_corpus)
    assert set(ids) == {d.id for d in full_corpus}
    # the split file is what the documented procedure produces
    assert {n: splits[n] for n in ("train", "dev", "test")} == split()
    county = [d.id for d in _county_docs(full_corpus)]
    assert 0.18 <= len(splits["test"]) / len(county) <= 0.24
    assert 0.13 <= len(splits["dev"]) / len(county) <= 0.18
    test = set(splits["test"])
    assert "ot_13" in test                                   # the statistical county profile
    assert test & {"ot_02", "ot_03", "ot_04", "ot_05", "ot_10", "ot_25"}  # a work report
    assert test & {"ot_09", "ot_17"}                         # traditional script
    assert len([i for i in test if i.startswith("pd_")]) >= 5  # several news reports


def test_gold_fields_on_every_indicator_and_county(full_corpus):
    codes = {ln.split("\t")[0] for ln in (ROOT / "yingshang_ie" / "data" / "counties.tsv")
             .read_text(encoding="utf-8").splitlines() if ln[:1].isdigit()}
    for doc in _county_docs(full_corpus):
        for e in doc.entities:
            if e.label == "INDICATOR":
                assert "value" in e.extra and "unit" in e.extra, (doc.id, e.text)
                float(e.extra["value"])
            if e.label == "COUNTY":
                assert e.extra.get("code") in codes, (doc.id, e.text, e.extra.get("code"))


def test_county_corpus_density_is_in_the_expected_range(full_corpus):
    docs = _county_docs(full_corpus)
    spans = sum(len(d.entities) for d in docs)
    chars = sum(len(d.text) for d in docs)
    assert 20 <= 1000 * spans / chars <= 45
    for label in LABELS:
        assert sum(e.label == label for d in docs for e in d.entities) >= 300


def test_every_consistency_entry_is_explained(full_corpus):
    explained = explained_strings(ROOT / "annotations" / "GUIDELINES.md")
    open_ = [i.surface for i in find_inconsistencies(full_corpus) if i.surface not in explained]
    assert open_ == []


def test_program_lexicon_holds_train_names_only(full_corpus, splits):
    from yingshang_ie.normalize import to_halfwidth, to_simplified

    lexicon = {ln for ln in (ROOT / "yingshang_ie" / "data" / "programs.txt").read_text(encoding="utf-8").splitlines()
               if ln and not ln.startswith("#")}
    train = set(splits["train"])
    names = {d.id: {to_simplified(to_halfwidth(e.text)) for e in d.entities if e.label == "PROGRAM"} for d in full_corpus}
    train_names = set().union(*(names[i] for i in train))
    assert lexicon == {n for n in train_names if len(n) >= 2}
    only_elsewhere = set().union(*(v for k, v in names.items() if k not in train)) - train_names
    assert only_elsewhere and not lexicon & only_elsewhere
