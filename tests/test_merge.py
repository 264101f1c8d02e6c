import pytest

from yingshang_ie.errors import ConfigError
from yingshang_ie.merge import Candidate, get_policy, resolve_overlaps
from yingshang_ie.rules.programs import ProgramMatch
from yingshang_ie.types import Source

R, M = Source.RULES, Source.MODEL


def _spans(cands):
    return [(c.start, c.end, c.label, c.source) for c in cands]


def test_merge_resolve_overlaps_keeps_first_ranked_and_sorts():
    kept = resolve_overlaps([Candidate(5, 9, "PROGRAM", 0.9, R), Candidate(0, 6, "METRIC", 0.9, M),
                             Candidate(9, 12, "INDICATOR", 0.9, R), Candidate(0, 5, "COUNTY", 0.9, R)])
    assert _spans(kept) == [(0, 5, "COUNTY", R), (5, 9, "PROGRAM", R), (9, 12, "INDICATOR", R)]


@pytest.mark.parametrize("policy, expected", [
    ("prefer_rules.v1", [(0, 3, "COUNTY", R), (3, 8, "PROGRAM", R)]),
    ("prefer_model.v1", [(0, 4, "PROGRAM", M), (4, 8, "METRIC", M)]),
    # both trusted for their labels: the longer model PROGRAM wins the overlap, rule PROGRAM is not trusted
    ("hybrid.v1", [(0, 4, "PROGRAM", M), (4, 8, "METRIC", M)]),
    ("hybrid_programs.v1", [(0, 4, "PROGRAM", M)]),
])
def test_merge_policies_pick_by_source_and_label(policy, expected):
    rules = [Candidate(0, 3, "COUNTY", 0.99, R), Candidate(3, 8, "PROGRAM", 0.85, R)]
    model = [Candidate(0, 4, "PROGRAM", 0.7, M), Candidate(4, 8, "METRIC", 0.6, M)]
    assert _spans(get_policy(policy).merge(rules, model)) == expected


def test_merge_consensus_vets_bare_quotes_and_fills_gaps():
    bare = Candidate(0, 4, "PROGRAM", 0.55, R, ProgramMatch(0, 4, "一窗通办", "bare_quote"))
    lone_bare = Candidate(10, 14, "PROGRAM", 0.55, R, ProgramMatch(10, 14, "雪中送炭", "bare_quote"))
    titled = Candidate(20, 25, "PROGRAM", 0.95, R, ProgramMatch(20, 25, "三年行动计划", "title"))
    model = [Candidate(0, 4, "PROGRAM", 0.8, M), Candidate(30, 34, "PROGRAM", 0.9, M),
             Candidate(40, 44, "PROGRAM", 0.3, M), Candidate(50, 53, "COUNTY", 0.9, M)]
    merged = get_policy("consensus.v1").merge([bare, lone_bare, titled], model)
    assert _spans(merged) == [(0, 4, "PROGRAM", R), (20, 25, "PROGRAM", R), (30, 34, "PROGRAM", M)]


def test_merge_unknown_policy_lists_registered_ones():
    with pytest.raises(ConfigError, match="unknown merge policy 'best'; choose one of consensus.v1, hybrid.v1"):
        get_policy("best")
