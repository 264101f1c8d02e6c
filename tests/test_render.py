"""The HTML page of an extraction: offsets through markup, escaping, a real browser."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from yingshang_ie import extract
from yingshang_ie.render import LABEL_COLORS, _display_ents, display_text, render_html
from yingshang_ie.types import Entity, Extraction, Source

ROOT = Path(__file__).resolve().parents[1]


def _marks(html):
    """(text, label) of each displaCy mark, in order."""
    return [(re.sub(r"\s+", "", text), label)
            for text, label in re.findall(r'<mark class="entity"[^>]*>\s*(.*?)\s*<span[^>]*>(\w+)</span>', html, re.S)]


def test_render_colours_every_label():
    from yingshang_ie.corpus import LABELS

    assert tuple(LABEL_COLORS) == LABELS and len(set(LABEL_COLORS.values())) == len(LABELS)


def test_render_plain_text_is_shown_unchanged():
    text = "孝南区新增市场主体3245家。\n总投资110.63亿元。"
    shown, starts, ends = display_text(text)
    assert shown == text and starts == list(range(len(text))) and ends == list(range(1, len(text) + 1))


@pytest.mark.parametrize("text, shown", [
    ("<p>孝南区</p><p>新增</p>", "孝南区\n新增"),
    ("<p>孝南区</p>\n<p>新增</p>", "孝南区\n新增"),  # no double line break
    ("孝南<b>区</b>R&amp;D<br/>新增", "孝南区R&D\n新增"),
    ("---\ntitle: x\n---\n<div>孝南区</div>", "孝南区"),
])
def test_render_display_text_strips_markup_and_breaks_blocks(text, shown):
    assert display_text(text)[0] == shown


def test_render_maps_entity_offsets_through_markup():
    text = "<p>孝南区&amp;新增<b>市场</b>主体3245家</p><p>总投资110.63亿元。</p>"
    x = extract(text, mode="rules")
    assert any("<b>" in e.text for e in x.entities)  # an entity spans a tag in the original
    assert _marks(render_html(x, title="t")) == [
        ("孝南区", "COUNTY"), ("新增市场主体", "METRIC"), ("3245家", "INDICATOR"),
        ("总投资", "METRIC"), ("110.63亿元", "INDICATOR")]


def test_render_drops_overlapping_entities():
    text = "孝南区新增市场主体"
    ents = (Entity(0, 3, "COUNTY", "孝南区", 1.0, Source.RULES),
            Entity(0, 9, "PROGRAM", text, 1.0, Source.MODEL),
            Entity(3, 9, "METRIC", "新增市场主体", 1.0, Source.RULES))
    shown, starts, ends = display_text(text)
    assert _display_ents(Extraction(text, ents), starts, ends) == [{"start": 0, "end": 9, "label": "PROGRAM"}]


def test_render_page_has_legend_table_and_escapes_text():
    x = extract("孝南区新增市场主体3245家，<script>alert(1)</script>R&D > 3", mode="rules")
    html = render_html(x, title="<b>标题</b>")
    assert "<title>&lt;b&gt;标题&lt;/b&gt;</title>" in html
    assert "alert" not in html  # script element removed with the markup
    assert "R&amp;D &gt; 3" in html
    for label, color in LABEL_COLORS.items():
        assert f'<span style="background: {color}">{label} ' in html
    assert "<td>新增市场主体</td>" in html and "<td>420902</td>" in html


def test_render_empty_text_gives_a_page():
    html = render_html(extract("", mode="rules"), title="empty")
    assert "没有指标" in html and html.rstrip().endswith("</html>")


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="chromium not installed (apt-get install -y chromium fonts-noto-cjk)")
def test_render_page_screenshots_in_chromium(tmp_path):
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "render_screenshot.py"), "--mode", "rules",
         "--out", str(tmp_path), "--size", "800,600"],
        capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    png = tmp_path / "004_cdd3b85343783a12.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
