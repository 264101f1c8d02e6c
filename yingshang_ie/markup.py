"""Markup removal with an exact offset map back to the caller's text.

The corpus stores each seed with its markup removed and nothing else changed:
a leading YAML front-matter block and HTML tags are dropped, every other
character is kept as it is.  :func:`strip_markup` does exactly that and
returns, for each kept character, its index in the original string, so spans
found on the clean text can be reported in the caller's offsets.

HTML character references (``&amp;``, ``&#x4E2D;``) are decoded only when
``decode_entities=True``; the decoded character then maps to the first
character of the reference.
"""

from __future__ import annotations

import html
import re

__all__ = ["strip_markup"]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
# A real tag: a name that starts with a letter and is followed by whitespace,
# "/" or ">".  Markdown autolinks such as <http://…> are text, not tags.
_TAG = re.compile(
    r"<!--.*?-->"
    r"|<(?:script|style)\b[^>]*>.*?</(?:script|style)\s*>"
    r"|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"
    r"|<![A-Za-z][^<>]*>",
    re.S | re.I,
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def strip_markup(text: str, *, decode_entities: bool = False) -> tuple[str, list[int]]:
    """Remove front matter and HTML tags from ``text``.

    Args:
        text: the caller's string.
        decode_entities: also turn HTML character references into characters.

    Returns:
        ``(clean, origin)`` where ``clean`` is the text without markup and
        ``origin[i]`` is the index in ``text`` of ``clean[i]``.  ``origin`` has
        one extra final element, ``len(text)``, so that an exclusive end offset
        ``e`` maps to ``origin[e - 1] + 1`` and an empty tail maps cleanly.

    Example:
        >>> strip_markup("<p>乳源</p>")
        ('乳源', [3, 4, 10])
    """
    removed: list[tuple[int, int]] = []
    fm = _FRONT_MATTER.match(text)
    if fm:
        removed.append((0, fm.end()))
    start_scan = fm.end() if fm else 0
    if "<" in text:
        removed.extend(m.span() for m in _TAG.finditer(text, start_scan))
    if not removed and not (decode_entities and "&" in text):
        return text, list(range(len(text) + 1))

    pieces: list[str] = []
    origin: list[int] = []
    pos = 0
    for a, b in removed + [(len(text), len(text))]:
        _keep(text, pos, a, pieces, origin, decode_entities)
        pos = max(pos, b)
    origin.append(len(text))
    return "".join(pieces), origin


def _keep(text: str, a: int, b: int, pieces: list[str], origin: list[int], decode: bool) -> None:
    if a >= b:
        return
    if not decode or "&" not in text[a:b]:
        pieces.append(text[a:b])
        origin.extend(range(a, b))
        return
    pos = a
    for m in _ENTITY.finditer(text, a, b):
        pieces.append(text[pos : m.start()])
        origin.extend(range(pos, m.start()))
        decoded = html.unescape(m.group())
        pieces.append(decoded)
        origin.extend([m.start()] * len(decoded))
        pos = m.end()
    pieces.append(text[pos:b])
    origin.extend(range(pos, b))
