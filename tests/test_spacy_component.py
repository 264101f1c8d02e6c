"""The "yingshang_ie" spaCy component: doc.ents, Doc extensions, pipe, errors, serialisation.

All in mode="rules" on spaCy's character tokenizer or hand-made tokens; no pkuseg model
(tests/test_segmenter.py covers that).
"""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

import yingshang_ie.spacy_component  # noqa: F401  (registers the factory)
from yingshang_ie import ConfigError, CountyLink, Extraction, Extractor, Indicator

ROOT = Path(__file__).resolve().parents[1]
SEED = "乳源瑶族自治县新签约项目33个，总投资110.63亿元"
SEED_ENTS = [("COUNTY", "乳源瑶族自治县"), ("METRIC", "新签约项目"), ("INDICATOR", "33个"),
             ("METRIC", "总投资"), ("INDICATOR", "110.63亿元")]
# pkuseg's segmentation of SEED (shared/segmenter/README.md), with 110.63亿 as pkuseg cuts it
PKUSEG_WORDS = ["乳源", "瑶族", "自治县", "新", "签约", "项目", "33", "个", "，", "总", "投资", "110.63亿", "元"]


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("zh")
    nlp.add_pipe("yingshang_ie", config={"mode": "rules"})
    return nlp


def test_spacy_sets_ents_on_seed_sentence(nlp):
    doc = nlp(SEED)
    assert [(e.label_, e.text) for e in doc.ents] == SEED_ENTS
    assert [(e.start_char, e.end_char) for e in doc.ents] == [(0, 7), (7, 12), (12, 15), (16, 19), (19, 27)]


def test_spacy_sets_indicators_counties_and_extraction(nlp):
    doc = nlp(SEED)
    assert all(isinstance(i, Indicator) for i in doc._.indicators)
    assert [(i.metric.text, i.value, i.unit, i.kind) for i in doc._.indicators] == [
        ("新签约项目", Decimal("33"), "个", "count"),
        ("总投资", Decimal("11063000000"), "元", "money"),
    ]
    assert isinstance(doc._.counties, tuple) and isinstance(doc._.counties[0], CountyLink)
    assert doc._.counties[0].code == "440232"
    assert isinstance(doc._.extraction, Extraction) and doc._.extraction.text == doc.text
    assert doc._.extraction.indicators == doc._.indicators


def test_spacy_factory_meta_and_extensions(nlp):
    meta = nlp.get_pipe_meta("yingshang_ie")
    assert meta.assigns == ["doc.ents", "doc._.indicators", "doc._.counties", "doc._.extraction"]
    assert meta.default_config == {"mode": "auto", "model_path": None, "merge_policy": "consensus.v3"}
    for name in ("indicators", "counties", "extraction"):
        assert Doc.has_extension(name)
    assert spacy.blank("zh").make_doc(SEED)._.extraction is None  # default before the component runs
    yingshang_ie.spacy_component.register_extensions()  # a second registration is a no-op


def test_spacy_factory_builds_extractor_from_config():
    nlp = spacy.blank("zh")
    component = nlp.add_pipe("yingshang_ie", config={"mode": "rules", "merge_policy": "prefer_rules.v1"})
    assert isinstance(component.extractor, Extractor)
    assert component.extractor.mode == "rules"
    assert component.cfg == {"mode": "rules", "model_path": None, "merge_policy": "prefer_rules.v1"}


@pytest.mark.parametrize("config, match", [
    ({"mode": "bogus"}, "unknown mode 'bogus'; choose one of auto, rules, model"),
    ({"mode": "rules", "merge_policy": "nope.v1"}, "unknown merge policy 'nope.v1'; choose one of .*prefer_rules.v1"),
])
def test_spacy_factory_rejects_bad_settings(config, match):
    with pytest.raises(ConfigError, match=match):
        spacy.blank("zh").add_pipe("yingshang_ie", config=config)


def test_spacy_pipe_many_documents_including_empty(nlp):
    texts = ["", "   ", SEED, "乳源县投资5亿元", "\n"] * 30
    docs = list(nlp.pipe(texts, batch_size=7))
    assert [d.text for d in docs] == texts
    for text, doc in zip(texts, docs):
        one = nlp(text)
        assert [(e.label_, e.start_char, e.end_char) for e in doc.ents] == \
               [(e.label_, e.start_char, e.end_char) for e in one.ents]
        assert doc._.indicators == one._.indicators
    assert docs[0].ents == () and docs[0]._.indicators == () and docs[0]._.extraction.entities == ()
    assert [(e.label_, e.text) for e in docs[2].ents] == SEED_ENTS


class _FailsOn:
    """An extractor stand-in that raises on texts containing ``bad``."""

    def __init__(self, extractor, bad):
        self.inner, self.bad, self.config = extractor, bad, extractor.config

    def extract(self, text):
        return next(iter(self.pipe([text])))

    def pipe(self, texts):
        texts = list(texts)
        if any(self.bad in t for t in texts):
            raise RuntimeError(f"cannot read {self.bad}")
        return self.inner.pipe(texts)


def test_spacy_pipe_routes_failures_to_error_handler():
    nlp = spacy.blank("zh")
    component = nlp.add_pipe("yingshang_ie", config={"mode": "rules"})
    component.extractor = _FailsOn(component.extractor, "坏")
    seen = []
    nlp.set_error_handler(lambda name, proc, docs, e: seen.append((name, [d.text for d in docs], str(e))))
    texts = [SEED, "坏文档", "乳源县投资5亿元", SEED]
    docs = list(nlp.pipe(texts, batch_size=4))
    assert [d.text for d in docs] == [SEED, "乳源县投资5亿元", SEED]  # the bad one is left out, the rest go on
    assert all(d.ents for d in docs)
    assert seen == [("yingshang_ie", ["坏文档"], "cannot read 坏")]


def test_spacy_call_raises_by_default():
    nlp = spacy.blank("zh")
    component = nlp.add_pipe("yingshang_ie", config={"mode": "rules"})
    component.extractor = _FailsOn(component.extractor, "坏")
    with pytest.raises(RuntimeError, match="cannot read 坏"):
        nlp("坏文档")


@pytest.mark.parametrize("words, expected", [
    # pkuseg's tokens: every entity boundary is a token boundary
    (PKUSEG_WORDS, SEED_ENTS),
    # tokens straddling entity boundaries: spans widen to whole tokens; the county span, after
    # widening, overlaps the METRIC span and filter_spans keeps the longer one
    (["乳源瑶族自治县新", "签约项目", "33个，", "总投资110", ".63亿元"],
     [("METRIC", "乳源瑶族自治县新签约项目"), ("INDICATOR", "33个，"), ("INDICATOR", "总投资110.63亿元")]),
])
def test_spacy_aligns_ents_to_tokens_with_expand(nlp, words, expected):
    doc = Doc(nlp.vocab, words=words, spaces=[False] * len(words))
    doc = nlp.get_pipe("yingshang_ie")(doc)
    assert [(e.label_, e.text) for e in doc.ents] == expected
    for span in doc.ents:  # every span covers the entity it came from
        assert any(span.start_char <= e.start and e.end <= span.end_char and e.label == span.label_
                   for e in doc._.extraction.entities)
    # the Extraction keeps exact character offsets whatever the tokens
    assert [(e.label, e.text) for e in doc._.extraction.entities] == SEED_ENTS


def test_spacy_to_disk_and_back(nlp, tmp_path):
    nlp.to_disk(tmp_path)
    assert json.loads((tmp_path / "yingshang_ie" / "cfg").read_text(encoding="utf-8")) == {
        "mode": "rules", "model_path": None, "merge_policy": "consensus.v3"}
    loaded = spacy.load(tmp_path)
    assert loaded.get_pipe("yingshang_ie").cfg["mode"] == "rules"
    assert [(e.label_, e.text) for e in loaded(SEED).ents] == SEED_ENTS


def test_spacy_from_disk_restores_saved_settings(tmp_path):
    saved = spacy.blank("zh").add_pipe("yingshang_ie", config={"mode": "rules", "merge_policy": "prefer_rules.v1"})
    saved.to_disk(tmp_path)
    component = spacy.blank("zh").add_pipe("yingshang_ie", config={"mode": "rules"})
    assert component.from_disk(tmp_path) is component
    assert component.cfg["merge_policy"] == "prefer_rules.v1"
    assert component.extractor.config.merge_policy == "prefer_rules.v1"


def test_spacy_entry_point_in_pyproject():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    factories = project.get("entry-points", {}).get("spacy_factories", {})
    assert factories.get("yingshang_ie") == "yingshang_ie.spacy_component:make_yingshang_ie"


def test_spacy_factory_found_through_entry_point():
    """A fresh interpreter finds the factory without importing yingshang_ie (needs the installed entry point)."""
    code = ("import sys, spacy\n"
            "nlp = spacy.blank('zh')\n"
            "nlp.add_pipe('yingshang_ie', config={'mode': 'rules'})\n"
            f"print([e.label_ for e in nlp({SEED!r}).ents])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, (f"spaCy did not find the factory through the spacy_factories entry point; "
                                 f"reinstall with `pip install -e .`:\n{out.stderr[-2000:]}")
    assert out.stdout.strip() == str([label for label, _ in SEED_ENTS])
