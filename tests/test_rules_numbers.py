"""INDICATOR grammar (yingshang_ie.rules.numbers): spans, values, units, rejections."""

from decimal import Decimal

import pytest

from yingshang_ie.normalize import normalize
from yingshang_ie.rules.numbers import NumberMatch, find_numbers, parse_quantity


def _spans(text):
    return [m.text for m in find_numbers(text)]


def _only(text):
    matches = find_numbers(text)
    assert len(matches) == 1, matches
    return matches[0]


@pytest.mark.parametrize(
    "text, value, unit, kind, approx",
    [
        ("110.63亿元", "11063000000", "元", "money", False),
        ("1000余万元", "10000000", "元", "money", True),
        ("95.67%", "95.67", "%", "percent", False),
        ("第81位", "81", "位", "rank", False),
        ("二十六条", "26", "条", "count", False),
        ("两个多月", "2", "月", "duration", True),
        ("2000余亩", "2000", "亩", "area", True),
        ("15.3万平方米", "153000", "平方米", "area", False),
        ("千亿元", "100000000000", "元", "money", False),
        ("十几个", "10", "个", "count", True),
        ("3千万元", "30000000", "元", "money", False),
        ("1,234万元", "12340000", "元", "money", False),
        ("3个工作日", "3", "工作日", "duration", False),
        ("0.5个百分点", "0.5", "百分点", "percent", False),
        ("3千米", "3", "公里", "length", False),
        ("10万千瓦", "100000", "千瓦", "energy", False),
        ("百分之五十", "50", "%", "percent", False),
    ],
)
def test_numbers_value_unit_kind(text, value, unit, kind, approx):
    m = _only(text)
    assert (m.start, m.end, m.text) == (0, len(text), text)
    assert (m.value, m.value_max, m.unit, m.kind, m.approx) == (Decimal(value), None, unit, kind, approx)


@pytest.mark.parametrize(
    "text, value, value_max, unit",
    [
        ("6-8亿元", "600000000", "800000000", "元"),
        ("2至3小时", "2", "3", "小时"),
        ("6～8亿元", "600000000", "800000000", "元"),
        ("5%-10%", "5", "10", "%"),
        ("三至五万元", "30000", "50000", "元"),
    ],
)
def test_numbers_range_is_one_span(text, value, value_max, unit):
    m = _only(text)
    assert (m.text, m.value, m.value_max, m.unit) == (text, Decimal(value), Decimal(value_max), unit)


@pytest.mark.parametrize(
    "text, spans",
    [
        ("完成率达132%、316%。", ["132%", "316%"]),
        ("梳理843项、476项", ["843项", "476项"]),
        ("新签约项目33个，总投资110.63亿元", ["33个", "110.63亿元"]),
    ],
)
def test_numbers_list_gives_one_span_per_item(text, spans):
    assert _spans(text) == spans


@pytest.mark.parametrize(
    "text, span, approx",
    [
        ("网办率达95.67%", "95.67%", False),
        ("地区生产总值突破100亿元大关", "100亿元", False),
        ("服务上万家企业", "万家", True),
        ("增长10%左右", "10%", True),
        ("近3年", "3年", True),
        ("约20个", "20个", True),
        ("超过50%以上", "50%", False),
        ("逾千家", "千家", False),
        ("不出一周", "一周", False),
    ],
)
def test_numbers_leading_and_trailing_words_stay_out(text, span, approx):
    m = _only(text)
    assert (m.text, m.approx) == (span, approx)
    assert text[m.start:m.end] == span


@pytest.mark.parametrize(
    "text",
    [
        "2022年",
        "2021年度",
        "4月1日",
        "2022年04月02日",
        "20:38",
        "2009年以来",
        "第一",
        "一是突出力量统筹",
        "三、强要素重保障",
        "第三批",
        "“五个一”项目推进机制",
        "《建设营商环境最优区三十条措施》",
        "一名客商",
        "一个平台",
        "0530-1234567",
        "12345678901",
        "十四五",
        "二十大",
        "二期工程",
        "十三届四次全会",
        "深入开展优化营商环境三年攻坚行动",
        "70多年前",
        "12:57:31",
        "〔2022〕15号",
        "7×24小时",
        "千家万户",
    ],
)
def test_numbers_non_indicators_are_not_matched(text):
    assert find_numbers(text) == []


@pytest.mark.parametrize(
    "text, spans",
    [
        ("全县GDP增速居全市第2位、为13年来最好排名", ["第2位", "13年"]),
        ("数量全省第二", ["第二"]),
        ("均居全市第一梯队", ["第一梯队"]),
        ("连续四年蝉联", ["四年"]),
        ("依托百万人口大县优势", ["百万"]),
        ("“1名责任县领导、1名驻企服务专员、6个后台服务部门”", ["1名", "1名", "6个"]),
        ("“3个”", ["3个"]),
        ("陈大川说：“今年要新增市场主体500家，招引项目20个。”", ["500家", "20个"]),
    ],
)
def test_numbers_context_decides(text, spans):
    assert _spans(text) == spans


@pytest.mark.parametrize("text, unit, kind", [("总投资近50亿", "元", "money"), ("依托百万人口", "", "other")])
def test_numbers_implied_unit(text, unit, kind):
    m = find_numbers(text)[0]
    assert (m.unit, m.kind) == (unit, kind)


def test_numbers_fullwidth_input_keeps_offsets():
    text = "低效用地２０００余亩，占比９５．６７％"
    got = find_numbers(text)
    assert [(m.text, m.value, m.unit) for m in got] == [
        ("２０００余亩", Decimal("2000"), "亩"), ("９５．６７％", Decimal("95.67"), "%")]
    assert all(text[m.start:m.end] == m.text for m in got)


def test_numbers_empty_string():
    assert find_numbers("") == []


@pytest.mark.parametrize("span, value, unit", [("110.63亿元", "11063000000", "元"), ("第一位", "1", "位"), ("百万", "1000000", "")])
def test_numbers_parse_quantity(span, value, unit):
    m = parse_quantity(span)
    assert isinstance(m, NumberMatch)
    assert (m.start, m.end, m.text, m.value, m.unit) == (0, len(span), span, Decimal(value), unit)


@pytest.mark.parametrize("span", ["", "营商环境", "33个企业"])
def test_numbers_parse_quantity_rejects_non_quantities(span):
    assert parse_quantity(span) is None


def test_numbers_offsets_hold_on_train_documents(corpus, splits):
    train = [d for d in corpus if d.id in splits["train"]]
    for doc in train:
        work = normalize(doc.text, markup=False).text
        matches = find_numbers(work)
        assert matches
        assert all(work[m.start:m.end] == m.text == doc.text[m.start:m.end] for m in matches)
        assert all(a.end <= b.start for a, b in zip(matches, matches[1:]))


def test_metric_search_is_bounded_in_one_long_clause():
    """The clause search looks back at most REACH characters, so one clause of thousands
    of numbers stays linear; a metric right before its number is still found."""
    from yingshang_ie.rules.metrics import REACH, find_metric

    near = "新签约项目33个"
    m = find_metric(near, 5, 8, "个")
    assert (m.start, m.end, m.text) == (0, 5, "新签约项目")
    far = "总投资" + "x" * (REACH + 5) + "110亿元"
    start = far.index("110")
    m = find_metric(far, start, len(far), "元")
    assert m is None or m.start >= start - REACH
