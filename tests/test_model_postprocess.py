"""postprocess / decoding of TokenClassifier on hand-made probabilities (no model)."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yingshang_ie.errors import ConfigError
from yingshang_ie.decoding import apply_span_rules, merge_windows, viterbi_bio
from yingshang_ie.model import Tokenization, Window, make_windows, postprocess

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
        (["O", "I-COUNTY", "I-COUNTY"], [(1, 3, "COUNTY")]),  # an I after O: the path opens the span with B
        (["B-METRIC", "I-METRIC", "B-INDICATOR"], [(0, 2, "METRIC"), (2, 3, "INDICATOR")]),
        (["B-PROGRAM", "I-PROGRAM", "B-PROGRAM"], [(0, 2, "PROGRAM")]),  # the one-character PROGRAM goes
        (["O", "O", "O"], []),
    ],
)
def test_model_decodes_valid_bio(tags, expected):
    text = "abc"
    w = _window([(0, 1), (1, 2), (2, 3)])
    probs = np.vstack([_probs(["O"]), _probs(tags), _probs(["O"])])
    spans = postprocess(text, [w], [probs], TAGS)
    assert [(s.start, s.end, s.label) for s in spans] == expected


def _valid(path):
    prev = "O"
    for tag in (TAGS[i] for i in path):
        if tag.startswith("I-") and prev[2:] != tag[2:]:
            return False
        prev = tag
    return True


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_model_viterbi_is_the_best_valid_path(n, seed):
    probs = np.random.default_rng(seed).dirichlet(np.full(len(TAGS), 0.3), size=n)
    path = viterbi_bio(probs, TAGS)
    assert _valid(path)
    logp = np.log(np.clip(probs, 1e-12, None))
    best = max(sum(logp[t, p[t]] for t in range(n))
               for p in itertools.product(range(len(TAGS)), repeat=n) if _valid(p))
    assert sum(logp[t, path[t]] for t in range(n)) == pytest.approx(best)


def test_model_specials_never_tagged():
    w = _window([(0, 1), (1, 2)])
    probs = _probs(["B-COUNTY", "B-COUNTY", "I-COUNTY", "B-COUNTY"])  # CLS and SEP tagged: ignored
    spans = postprocess("ab", [w], [probs], TAGS)
    assert [(s.start, s.end) for s in spans] == [(0, 2)]


def test_model_trims_whitespace_and_scores_label_mass():
    text = " 柞水县 "
    w = _window([(0, 2), (2, 4), (4, 5)])  # a SentencePiece piece keeping its leading space
    rows = [_probs(["B-COUNTY"], 0.8), _probs(["I-COUNTY"], 0.6)]
    rows[1][0, TAGS.index("B-COUNTY")] = 0.2  # P(COUNTY) of the second token: 0.6 + 0.2
    probs = np.vstack([_probs(["O"]), *rows, _probs(["O", "O"])])
    [span] = postprocess(text, [w], [probs], TAGS)
    assert (span.start, span.end, text[span.start:span.end]) == (1, 4, "柞水县")
    assert span.score == pytest.approx((0.8 + 0.2 / 8 + 0.8) / 2)


def test_model_window_centre_outweighs_cut_edge():
    text = "abcdef"
    offsets = [(i, i + 1) for i in range(6)]
    # window 1 holds tokens 0-3 and is cut there; window 2 holds tokens 1-5 with token 3 mid-window
    w1 = _window(offsets[0:4], start=0, is_last=False)
    w2 = _window(offsets[1:6], start=1, is_last=True)
    p1 = np.vstack([_probs(["O", "O", "O", "O"]), _probs(["B-COUNTY"], 0.9), _probs(["O"])])
    p2 = np.vstack([_probs(["O", "O", "O", "B-PROGRAM", "I-PROGRAM"], 0.6), _probs(["O"])])
    merged, offs = merge_windows([w1, w2], [p1, p2])
    assert offs == offsets
    # token 3: weight 1 on window 1's last row, weight 3 in the middle of window 2
    assert merged[3, TAGS.index("B-PROGRAM")] == pytest.approx((0.6 * 3 + 0.1 / 8) / 4)
    spans = postprocess(text, [w1, w2], [p1, p2], TAGS)
    assert [(s.start, s.end, s.label) for s in spans] == [(3, 5, "PROGRAM")]


def test_model_metric_needs_an_indicator_in_its_clause():
    text = "新签约项目33个,总投资较大。"
    spans = [(0, 5, "METRIC", 0.9), (5, 8, "INDICATOR", 0.9), (9, 12, "METRIC", 0.9), (12, 14, "PROGRAM", 0.9)]
    assert apply_span_rules(text, spans) == spans[:2] + spans[3:]
    assert apply_span_rules(text, [(0, 1, "PROGRAM", 0.9), (0, 1, "COUNTY", 0.9)]) == [(0, 1, "COUNTY", 0.9)]


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
