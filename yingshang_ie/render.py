"""An extraction as one self-contained HTML page, for reading and checking by eye.

The page has a title, a legend (one colour per label, with counts), the document with
its entities highlighted by spaCy displaCy (``style="ent"``, ``manual=True``) and, under
it, a table of the indicator records (the rows of
:func:`yingshang_ie.export.indicator_rows`: county, metric, value, unit, approx ...).

Entity offsets index the caller's original string.  A plain-text document is shown as
it is.  For HTML / Markdown input the page shows the text with front matter and tags
removed and character references decoded (:func:`yingshang_ie.normalize.strip_markup`),
with a line break where a block tag (``<p>``, ``<br>``, ``<div>``, ``<li>``, ``<h1>``...)
separated two pieces of text; each entity's original ``[start, end)`` is mapped onto that
display text through the per-character offset map.  Every piece of text on the page is
HTML-escaped (displaCy escapes the document; this module the rest); the page declares
``<meta charset="utf-8">`` and is meant to be written as UTF-8.

Example:
    >>> from yingshang_ie import extract
    >>> page = render_html(extract("孝南区新增市场主体3245家。", mode="rules"), title="demo")
    >>> "孝南区" in page and LABEL_COLORS["COUNTY"] in page
    True
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from html import escape

from .export import indicator_rows
from .normalize import strip_markup
from .types import Extraction

__all__ = ["LABEL_COLORS", "display_text", "render_html"]

#: One background colour per label (light tints of the Okabe-Ito palette).
LABEL_COLORS: dict[str, str] = {
    "COUNTY": "#9ecae1",
    "PROGRAM": "#fdd49e",
    "INDICATOR": "#c7b9f0",
    "METRIC": "#b8e0b0",
}

_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|tr|table|section|article|header|footer|"
    r"blockquote|pre|figure|figcaption)\b", re.I)

_TABLE_COLUMNS = (("county", "县区"), ("county_code", "代码"), ("metric", "指标"), ("value", "数值"),
                  ("unit", "单位"), ("approx", "约数"), ("span_text", "原文"))

_CSS = """
body { font-family: system-ui, "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
       "Microsoft YaHei", sans-serif; max-width: 64em; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.4em; margin-bottom: .2em; }
.meta { color: #666; margin-top: 0; }
.legend { margin: 1em 0; }
.legend span { display: inline-block; padding: .2em .6em; margin-right: .5em; border-radius: .35em;
               font-size: .9em; font-weight: bold; }
.doc { border: 1px solid #ddd; border-radius: .5em; padding: 1em 1.5em; }
.doc mark.entity { display: inline-block; }  /* keep a span and its label on one line */
table { border-collapse: collapse; margin-top: .5em; font-size: .95em; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: left; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
"""


def display_text(text: str) -> tuple[str, list[int], list[int]]:
    """The text a page shows, and per display character its original ``[start, end)``.

    Plain text comes back unchanged.  Markup is removed as by ``strip_markup`` (character
    references decoded) and a ``"\\n"`` is inserted where a removed block tag separated
    two characters that are not already line breaks; such a newline maps to the removed
    gap ``[end of the previous character, start of the next)``, so no entity takes it in.
    """
    clean, starts, ends = strip_markup(text, decode_entities=True)
    if clean == text:
        return clean, starts, ends
    out: list[str] = []
    out_starts: list[int] = []
    out_ends: list[int] = []
    for i, ch in enumerate(clean):
        if i and starts[i] > ends[i - 1] and "\n" not in (ch, clean[i - 1]) \
                and _BLOCK_TAG.search(text, ends[i - 1], starts[i]):
            out.append("\n")
            out_starts.append(ends[i - 1])
            out_ends.append(starts[i])
        out.append(ch)
        out_starts.append(starts[i])
        out_ends.append(ends[i])
    return "".join(out), out_starts, out_ends


def _display_ents(x: Extraction, starts: list[int], ends: list[int]) -> list[dict]:
    """Entities as displaCy dicts over the display text; overlaps dropped (displaCy cannot nest)."""
    ents = []
    last_end = 0
    for e in sorted(x.entities, key=lambda e: (e.start, -e.end)):
        a, b = bisect_left(starts, e.start), bisect_right(ends, e.end)
        if b <= a or a < last_end:
            continue
        ents.append({"start": a, "end": b, "label": e.label})
        last_end = b
    return ents


def _legend(x: Extraction) -> str:
    counts = Counter(e.label for e in x.entities)
    chips = "".join(f'<span style="background: {color}">{escape(label)} {counts[label]}</span>'
                    for label, color in LABEL_COLORS.items())
    return f'<div class="legend">{chips}</div>'


def _table(x: Extraction) -> str:
    rows = indicator_rows(x, "")
    if not rows:
        return "<p>没有指标 (no indicators).</p>"
    head = "".join(f"<th>{escape(zh)}<br><small>{escape(key)}</small></th>" for key, zh in _TABLE_COLUMNS)
    body = []
    for n, row in enumerate(rows, 1):
        cells = "".join(
            f'<td{" class=num" if key == "value" else ""}>{escape(row[key])}</td>' for key, _ in _TABLE_COLUMNS)
        body.append(f"<tr><td class=num>{n}</td>{cells}</tr>")
    return f"<table><thead><tr><th>#</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_html(x: Extraction, *, title: str) -> str:
    """A complete UTF-8 HTML page showing ``x`` (see the module docstring).

    Args:
        x: an extraction; its ``text`` is the original string the offsets index.
        title: page title and heading (escaped here), e.g. the file name.

    Returns:
        The page as a ``str``, to be written with ``encoding="utf-8"``.
    """
    try:
        from spacy import displacy
    except ImportError:
        raise ImportError("rendering needs spaCy: pip install 'spacy>=3.7,<4'") from None

    text, starts, ends = display_text(x.text)
    doc = displacy.render(
        {"text": text, "ents": _display_ents(x, starts, ends)},
        style="ent", manual=True, page=False, jupyter=False,
        options={"colors": LABEL_COLORS, "ents": list(LABEL_COLORS)},
    )
    n_ind = len(x.indicators)
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n"
        f"<p class=\"meta\">mode {escape(x.mode)} · {len(x.entities)} entities · {n_ind} indicators · "
        f"{len(x.counties)} county mentions</p>\n"
        f"{_legend(x)}\n<div class=\"doc\">{doc}</div>\n"
        f"<h2>指标 Indicators ({n_ind})</h2>\n{_table(x)}\n</body>\n</html>\n"
    )
