from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yingshang_ie import ConfigError, Extractor, ModelNotFoundError, extract
from yingshang_ie.normalize import normalize


def _rules(text):
    return extract(text, mode="rules")


def _check_offsets(text, x):
    for e in x.entities:
        assert text[e.start:e.end] == e.text
    for i in x.indicators:
        assert text[i.value_span.start:i.value_span.end] == i.value_span.text
    for c in x.counties:
        assert text[c.mention.start:c.mention.end] == c.mention.text


@pytest.mark.parametrize("text, mention, code", [
    ("乳源瑶族自治县新签约项目33个", "乳源瑶族自治县", "440232"),
    ("絳縣縣委書記解芳", "絳縣", "140826"),
    ("孝感市孝南区作为代表参加发布会", "孝南区", "420902"),
    ("柞水县出台制度办法19个", "柞水县", "611026"),
    ("万宁市推进监督一张网建设", "万宁市", "469006"),   # province-administered (xx90xx)
    ("仙桃市新增市场主体3245家", "仙桃市", "429004"),
])
def test_extract_links_county_codes(text, mention, code):
    x = _rules(text)
    link = next(c for c in x.counties if c.mention.text == mention)
    assert link.code == code
    assert x.entities[0].label == "COUNTY" and x.entities[0].text == mention


def test_extract_short_form_needs_full_mention():
    assert [c.mention.text for c in _rules("乳源瑶族自治县发展。乳源坚持改革").counties] == ["乳源瑶族自治县", "乳源"]
    assert _rules("乳源坚持改革").counties == ()


def test_extract_ambiguous_county_settled_by_context_or_left_open():
    open_ = _rules("鼓楼区优化营商环境").counties[0]
    assert open_.code is None and len(open_.candidates) >= 4
    settled = _rules("南京市鼓楼区优化营商环境").counties[0]
    assert settled.code == "320106" and settled.prefecture == "南京"


@pytest.mark.parametrize("text, span, value, unit, approx", [
    ("总投资110.63亿元", "110.63亿元", Decimal("11063000000"), "元", False),
    ("投入资金1000余万元", "1000余万元", Decimal("10000000"), "元", True),
    ("网办率达95.67%", "95.67%", Decimal("95.67"), "%", False),
    ("全省营商环境第81位", "第81位", Decimal("81"), "位", False),
    ("出台“二十六条”措施，涵盖二十六条具体举措", "二十六条", Decimal("26"), "条", False),
    ("历经两个多月反复修改", "两个多月", Decimal("2"), "月", True),
])
def test_extract_normalises_indicator_values(text, span, value, unit, approx):
    ind = next(i for i in _rules(text).indicators if i.value_span.text == span)
    assert (ind.value, ind.unit, ind.approx) == (value, unit, approx)


def test_extract_dates_are_not_indicators():
    x = _rules("2022年4月1日，孝南区新增市场主体3245家")
    assert [i.value_span.text for i in x.indicators] == ["3245家"]
    assert x.indicators[0].metric.text == "新增市场主体"


def test_extract_list_shares_metric():
    x = _rules("新签约项目33个，总投资110.63亿元，完成率达132%、316%。")
    assert [(i.metric.text, i.value_span.text) for i in x.indicators][-2:] == [("完成率", "132%"), ("完成率", "316%")]


def test_extract_html_and_fullwidth_offsets_index_original():
    text = "<p>乳源瑶族自治县</p><p>总投资１１０．６３亿元&amp;更多</p>"
    x = _rules(text)
    _check_offsets(text, x)
    ind = x.indicators[0]
    assert ind.value_span.text == "１１０．６３亿元" and ind.value == Decimal("11063000000")


def test_extract_traditional_script_keeps_original_characters():
    text = "絳縣網辦率達到95.67%，涉企審批事項350個"
    x = _rules(text)
    _check_offsets(text, x)
    assert {e.text for e in x.entities} >= {"絳縣", "95.67%", "350個"}


@given(st.text(alphabet=st.sampled_from(list("乳源县孝南区絳縣<p>/ 亿元%１２3.余个第位年月日，。“”《》&amp;")), max_size=120))
@settings(max_examples=150, deadline=None)
def test_extract_offsets_hold_on_random_text(text):
    _check_offsets(text, _rules(text))


def test_extract_offsets_hold_on_seeds(corpus):
    for doc in corpus:
        _check_offsets(doc.text, _rules(doc.text))


def test_extract_rejects_non_text_and_handles_empty():
    with pytest.raises(TypeError, match="takes text as str, got bytes"):
        extract(b"abc", mode="rules")
    for empty in ("", "   \n", "<p></p>"):
        x = _rules(empty)
        assert x.entities == () and x.indicators == () and x.counties == ()


def test_extract_bad_mode_lists_choices():
    with pytest.raises(ConfigError, match="choose one of auto, rules, model"):
        extract("文本", mode="fast")


def test_extract_long_text_is_processed_whole():
    text = "乳源瑶族自治县新签约项目33个。" * 20000
    x = _rules(text)
    assert len(x.indicators) == 20000
    assert x.entities[-1].end == len(text) - 1


def test_extract_missing_model_raises_in_model_mode_and_falls_back_in_auto(tmp_path):
    with pytest.raises(ModelNotFoundError):
        Extractor(mode="model", model_path=tmp_path / "none")
    with pytest.warns(UserWarning, match="rules only"):
        ex = Extractor(mode="auto", model_path=tmp_path / "none")
    assert ex.mode == "rules"
    assert ex.extract("孝南区").counties[0].code == "420902"


def test_extract_pipe_matches_extract():
    ex = Extractor(mode="rules")
    texts = ["孝南区新增市场主体3245家", "", "絳縣"]
    assert [x.to_dict() for x in ex.pipe(texts)] == [ex.extract(t).to_dict() for t in texts]


def test_normalize_maps_entities_and_tags_back():
    n = normalize("<b>a&amp;b</b>絳")
    assert n.text == "a&b绛"
    assert n.to_original(1, 2) == (4, 9)
    assert n.to_original(3, 4) == (14, 15)


def test_extract_numbers_beyond_any_real_quantity_do_not_raise():
    # 10^32, a 29-digit amount and a 200-digit run: parsed, never a decimal.InvalidOperation
    for text, digits in (("1亿亿亿亿元", 33), ("1" * 29 + "元", 29)):
        (ind,) = _rules(text).indicators
        assert ind.unit == "元" and len(str(ind.value)) == digits
    (ind,) = _rules("9" * 200 + "亿元").indicators
    assert ind.value > 10 ** 200


def test_extract_lone_surrogates_and_controls_keep_offsets():
    text = "\ud800乳源县\x00新签约项目33个\udfff"
    x = _rules(text)
    _check_offsets(text, x)
    assert [(e.label, e.text) for e in x.entities] == [("COUNTY", "乳源县"), ("METRIC", "新签约项目"), ("INDICATOR", "33个")]


def test_pipe_rejects_a_bare_string():
    from yingshang_ie import Extractor

    ex = Extractor(mode="rules")
    for bad in ("一段文本", b"bytes"):
        with pytest.raises(TypeError, match=r"pass \[text\]"):
            list(ex.pipe(bad))


@pytest.mark.parametrize("text, metric, indicator", [
    ("营业 收入达到3.5亿元", "营业 收入", "3.5亿元"),          # a stray space inside the metric
    ("实 际利用外资1200万美元", "实 际利用外资", "1200万美元"),
    ("固定资产投资完成14.71 亿元", "固定资产投资", "14.71 亿元"),  # and inside the number
])
def test_extract_stray_spaces_stay_inside_spans(text, metric, indicator):
    x = _rules(text)
    _check_offsets(text, x)
    (ind,) = x.indicators
    assert ind.value_span.text == indicator and ind.metric is not None and ind.metric.text == metric
