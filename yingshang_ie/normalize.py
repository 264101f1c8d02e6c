"""Step 1: a normalised working copy of the caller's text, with an offset map back.

Rules and model read a working copy in which

- front matter and HTML tags are removed (and, for ``extract``, HTML character
  references such as ``&amp;`` decoded),
- full-width ASCII forms (``１２３％``, ``（``) and the ideographic space are
  folded to their half-width forms, character for character,
- traditional characters are converted to simplified ones with OpenCC's
  ``t2s`` configuration, character for character,
- characters no library below can take are replaced one for one: a lone surrogate
  (``"\\ud800"``, from broken JSON or file names) by U+FFFD, NUL and the other C0/C1
  controls except tab and line breaks by a space.

Each working character remembers the ``[start, end)`` range of the original
text it came from, so :meth:`Normalized.to_original` turns a span found on the
working copy into offsets of the caller's own string.

Example:
    >>> n = normalize("<p>絳縣投資１１０億元</p>")
    >>> n.text
    '绛县投资110亿元'
    >>> n.to_original(0, 2)
    (3, 5)
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Normalized", "normalize", "strip_markup", "to_halfwidth", "to_simplified"]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
# A real tag: a name starting with a letter, followed by whitespace, "/" or ">".
# Markdown autolinks such as <http://…> are text, not tags.
_TAG = re.compile(
    r"<!--.*?-->"
    r"|<(?:script|style)\b[^>]*>.*?</(?:script|style)\s*>"
    r"|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"
    r"|<![A-Za-z][^<>]*>",
    re.S | re.I,
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_UNSAFE = re.compile("[\ud800-\udfff]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class Normalized:
    """A working copy and, per working character, its original ``[start, end)``."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a working-copy span ``[start, end)`` (``end > start``) to original offsets."""
        return self.starts[start], self.ends[end - 1]


def strip_markup(text: str, *, decode_entities: bool = False) -> tuple[str, list[int], list[int]]:
    """Remove front matter and HTML tags; keep every other character as it is.

    Returns:
        ``(clean, starts, ends)``: ``clean[i]`` comes from ``text[starts[i]:ends[i]]``
        (one character, or a whole character reference when decoded).
    """
    removed: list[tuple[int, int]] = []
    fm = _FRONT_MATTER.match(text)
    if fm:
        removed.append((0, fm.end()))
    if "<" in text:
        removed.extend(m.span() for m in _TAG.finditer(text, fm.end() if fm else 0))
    decode = decode_entities and "&" in text
    if not removed and not decode:
        return text, list(range(len(text))), list(range(1, len(text) + 1))
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for a, b in removed + [(len(text), len(text))]:
        if a > pos:
            _keep(text, pos, a, decode, pieces, starts, ends)
        pos = max(pos, b)
    return "".join(pieces), starts, ends


def _keep(text: str, a: int, b: int, decode: bool, pieces: list[str], starts: list[int], ends: list[int]) -> None:
    refs = list(_ENTITY.finditer(text, a, b)) if decode else []
    pos = a
    for m in refs + [None]:
        stop = m.start() if m else b
        pieces.append(text[pos:stop])
        starts.extend(range(pos, stop))
        ends.extend(range(pos + 1, stop + 1))
        if m is None:
            break
        decoded = html.unescape(m.group())
        pieces.append(decoded)
        starts.extend([m.start()] * len(decoded))
        ends.extend([m.end()] * len(decoded))
        pos = m.end()


def to_halfwidth(text: str) -> str:
    """Fold full-width ASCII forms and the ideographic space; length is unchanged."""
    return text.translate(_FULLWIDTH)


@lru_cache(maxsize=1)
def _t2s():
    try:
        import opencc
    except ImportError:
        raise ImportError("traditional-script support needs OpenCC: pip install opencc") from None
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def _t2s_char(ch: str) -> str:
    out = _t2s().convert(ch)
    return out if len(out) == 1 else ch


def to_simplified(text: str) -> str:
    """Traditional → simplified, one character for one character (OpenCC ``t2s``).

    OpenCC converts phrases as well as characters; when a phrase rule changes the
    length, the text is converted character by character instead, so that the
    result always has the length of the input.
    """
    if text.isascii():
        return text
    out = _t2s().convert(text)
    if len(out) == len(text):
        return out
    return "".join(_t2s_char(ch) for ch in text)


def normalize(text: str, *, markup: bool = True) -> Normalized:
    """Build the working copy of ``text`` (see the module docstring)."""
    if markup:
        clean, starts, ends = strip_markup(text, decode_entities=True)
    else:
        clean, starts, ends = text, list(range(len(text))), list(range(1, len(text) + 1))
    working = to_simplified(to_halfwidth(_safe(clean)))
    return Normalized(text, working, tuple(starts), tuple(ends))


def _safe(text: str) -> str:
    """Lone surrogates → U+FFFD, controls → space; the length is unchanged."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else " ", text)
