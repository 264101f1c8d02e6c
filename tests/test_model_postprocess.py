"""postprocess / decoding of TokenClassifier on hand-made probabilities (no model)."""

import numpy as np
import pytest

from yingshang_ie.errors import ConfigError
from yingshang_ie.model import ModelSpan, Tokenization, Window, decode_spans, make_windows, postprocess

TAGS = ["O", "B-COUNTY", "I-COUNTY", "B-PROGRAM", "I-PROGRAM", "B-INDICATOR", "I-INDICATOR", "B-METRIC", "I-METRIC"]


def _probs(tags, p=0.9):
    """One row per tag name; the named tag gets ``p``, the rest share the remainder."""
    out = np.full((len(tags), len(TAGS)), (1 - p) / (len(TAGS) - 1))
    for i, t in enumerate(tags):
        out[i, TAGS.index(t)] = p
    return out


def _window(offsets, start=0, is_last=True):
    return Window(tuple(range(len(offsets) + 2)), ((-1, -1), *offsets, (-1, -1)), start, is_last)


@pytest.mark.parametrize(
    "tags, expected",
    [
        (["B-COUNTY", "I-COUNTY", "O"], [(0, 2, "COUNTY")]),
        (["I-COUNTY", "I-COUNTY", "O"], [(0, 2, "COUNTY")]),  # stray I opens a span
        (["B-METRIC", "I-INDICATOR", "I-INDICATOR"], [(0, 1, "METRIC"), (1, 3, "INDICATOR")]),  # label switch
        (["B-METRIC", "B-METRIC", "O"], [(0, 1, "METRIC"), (1, 2, "METRIC")]),
        (["O", "O", "O"], []),
    ],
)
def test_model_bio_repair(tags, expected):
    text = "abc"
    w = _window([(0, 1), (1, 2), (2, 3)])
    probs = np.vstack([_probs(["O"]), _probs(tags), _probs(["O"])])
    spans = postprocess(text, [w], [probs], TAGS)
    assert [(s.start, s.end, s.label) for s in spans] == expected


def test_model_specials_never_tagged():
    w = _window([(0, 1)])
    probs = _probs(["B-COUNTY", "B-COUNTY", "I-COUNTY"])  # CLS and SEP tagged: ignored
    spans = postprocess("a", [w], [probs], TAGS)
    assert [(s.start, s.end) for s in spans] == [(0, 1)]


def test_model_trims_whitespace_and_scores_mean():
    text = " 柞水县 "
    w = _window([(0, 2), (2, 4), (4, 5)])  # a SentencePiece piece keeping its leading space
    probs = np.vstack([_probs(["O"]), _probs(["B-COUNTY"], 0.8), _probs(["I-COUNTY"], 0.6), _probs(["O", "O"])])
    [span] = postprocess(text, [w], [probs], TAGS)
    assert (span.start, span.end, text[span.start:span.end]) == (1, 4, "柞水县")
    assert span.score == pytest.approx(0.7)


def test_model_window_overlap_prefers_uncut_then_score():
    text = "abcdef"
    offsets = [(i, i + 1) for i in range(6)]
    # window 1 covers tokens 0-3 and ends mid-document: its span at the cut edge is truncated
    w1 = _window(offsets[0:4], start=0, is_last=False)
    w2 = _window(offsets[1:6], start=1, is_last=True)
    p1 = np.vstack([_probs(["O", "O", "O"]), _probs(["B-PROGRAM", "I-PROGRAM"], 0.99), _probs(["O"])])
    p2 = np.vstack([_probs(["O", "O", "B-PROGRAM", "I-PROGRAM", "I-PROGRAM", "O"], 0.7), _probs(["O"])])
    spans = postprocess(text, [w1, w2], [p1, p2], TAGS)
    assert spans == [ModelSpan(2, 5, "PROGRAM", pytest.approx(0.7))]


def test_model_overlapping_candidates_higher_score_wins():
    text = "abcd"
    offsets = [(i, i + 1) for i in range(4)]
    w1 = _window(offsets, 0, True)
    w2 = _window(offsets, 0, True)
    p1 = np.vstack([_probs(["O", "B-METRIC", "I-METRIC", "O", "O"], 0.6), _probs(["O"])])
    p2 = np.vstack([_probs(["O", "O", "B-INDICATOR", "I-INDICATOR", "O"], 0.9), _probs(["O"])])
    spans = postprocess(text, [w1, w2], [p1, p2], TAGS)
    assert [(s.start, s.end, s.label) for s in spans] == [(1, 3, "INDICATOR")]
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))


@pytest.mark.parametrize("n, window, stride", [(0, 8, 2), (5, 8, 2), (6, 8, 2), (50, 8, 2), (300, 128, 32)])
def test_model_windows_cover_every_token(n, window, stride):
    ids = list(range(100, 100 + n))
    offsets = [(i, i + 1) for i in range(n)]
    windows = make_windows(ids, offsets, 0, 2, window, stride)
    assert windows[-1].is_last and not any(w.is_last for w in windows[:-1])
    seen = set()
    for w in windows:
        assert len(w.ids) <= window and w.ids[0] == 0 and w.ids[-1] == 2
        assert list(w.ids[1:-1]) == ids[w.start : w.start + len(w.ids) - 2]
        seen.update(w.ids[1:-1])
    assert seen == set(ids)


def test_model_windows_reject_stride_too_large():
    with pytest.raises(ConfigError, match="must exceed stride"):
        make_windows([1, 2, 3], [(0, 1)] * 3, 0, 2, window=8, stride=6)


def test_model_tokenization_names_choices():
    with pytest.raises(ConfigError, match="subword"):
        Tokenization("words")


def test_model_decode_spans_yields_token_range():
    probs = np.vstack([_probs(["O", "B-METRIC", "I-METRIC", "O"])])
    [(start, end, label, score, first, last)] = decode_spans(probs, [(-1, -1), (0, 2), (2, 5), (-1, -1)], TAGS, "新签约项目")
    assert (start, end, label, first, last) == (0, 5, "METRIC", 1, 2)
