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
    with pytest.raises(ConfigError, match="unknown merge policy .best.; choose one of consensus.v3, consensus.v2, consensus.v1, hybrid.v1"):
        get_policy("best")


def test_merge_consensus_v2_adds_model_metric_where_a_clause_lacks_one():
    text = "新签约项目33个,总投资110亿元,增长较快。"
    rules = [Candidate(5, 8, "INDICATOR", 0.95, R), Candidate(9, 12, "METRIC", 0.8, R),
             Candidate(12, 17, "INDICATOR", 0.95, R)]
    model = [Candidate(0, 5, "METRIC", 0.9, M),    # clause 1: an INDICATOR and no METRIC → added
             Candidate(9, 11, "METRIC", 0.9, M),   # clause 2 has a rule METRIC already
             Candidate(18, 20, "METRIC", 0.9, M)]  # clause 3 has no INDICATOR
    merged = get_policy("consensus.v2").merge(rules, model, text)
    assert _spans(merged) == [(0, 5, "METRIC", M), (5, 8, "INDICATOR", R), (9, 12, "METRIC", R),
                              (12, 17, "INDICATOR", R)]
    low = [Candidate(0, 5, "METRIC", 0.4, M)]  # under MIN_MODEL_SCORE
    assert _spans(get_policy("consensus.v2").merge(rules, low, text))[0] == (5, 8, "INDICATOR", R)


def test_merge_consensus_v3_confident_programs_override_and_model_metrics_fill_gaps():
    text = "地区生产总值增长6.5%，推进放管服改革，完成投资5亿元，实施一网通办改革"
    lex = ProgramMatch(15, 20, "放管服改革", "lexicon")
    rules = [Candidate(0, 8, "METRIC", 0.6, R), Candidate(8, 12, "INDICATOR", 0.99, R),
             Candidate(15, 20, "PROGRAM", 0.8, R, lex), Candidate(26, 29, "INDICATOR", 0.99, R),
             Candidate(32, 38, "PROGRAM", 0.8, R, ProgramMatch(32, 38, "一网通办改革", "lexicon"))]
    model = [Candidate(0, 6, "METRIC", 0.99, M),          # METRIC never overrides: the rule metric stays
             Candidate(6, 10, "METRIC", 0.99, M),         # overlaps the rule INDICATOR: the number wins
             Candidate(15, 18, "PROGRAM", 0.97, M),       # ≥ 0.95: replaces the longer rule PROGRAM
             Candidate(22, 26, "METRIC", 0.6, M),         # a gap: the model METRIC fills it
             Candidate(32, 36, "PROGRAM", 0.9, M)]        # < 0.95: the rule PROGRAM stays
    merged = _spans(get_policy("consensus.v3").merge(rules, model, text))
    assert merged == [(0, 8, "METRIC", R), (8, 12, "INDICATOR", R), (15, 18, "PROGRAM", M),
                      (22, 26, "METRIC", M), (26, 29, "INDICATOR", R), (32, 38, "PROGRAM", R)]
