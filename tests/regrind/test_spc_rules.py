"""Run rules: hand-built series for every rule, and the vectorised engine against a plain loop
written from the definitions in the rules module's docstring."""

import math
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from partnerdesk.regrind.engines.rules import RULES, Signal, evaluate, evaluate_arrays
from partnerdesk.regrind.engines.spc import capability, individuals_limits

NAN = math.nan


def found(values, rule, **limits):
    """(index, first_index) of the signals of one rule, centre 0 and sigma 1."""
    return [(s.index, s.first_index) for s in evaluate(values, 0.0, 1.0, [rule], **limits)]


# --- the plain-loop reference ---------------------------------------------------------------


def reference(values, center, sigma, rules, *, lcl=None, ucl=None):
    kept = [i for i, v in enumerate(values) if not math.isnan(v)]
    x = [values[i] for i in kept]

    def above(v, k):
        return v > center + k * sigma

    def below(v, k):
        return v < center - k * sigma

    def beyond_limits(p):
        high = x[p] > ucl if ucl is not None else above(x[p], 3)
        low = x[p] < lcl if lcl is not None else below(x[p], 3)
        return p if high or low else None

    def k_of_m(k, m, level):
        def check(p):
            if p < m - 1:
                return None
            for side in (above, below):
                if side(x[p], level):
                    hits = [j for j in range(p - m + 1, p + 1) if side(x[j], level)]
                    if len(hits) >= k:
                        return hits[0]
            return None

        return check

    def run(length, condition):
        def check(p):
            if p < length - 1:
                return None
            window = x[p - length + 1 : p + 1]
            return p - length + 1 if condition(window) else None

        return check

    def one_side(window):
        return all(above(v, 0) for v in window) or all(below(v, 0) for v in window)

    def within_one(window):
        return all(center - sigma < v < center + sigma for v in window)

    def outside_one(window):
        return all(above(v, 1) or below(v, 1) for v in window)

    def trend(window):
        rises = all(b > a for a, b in pairwise(window))
        falls = all(b < a for a, b in pairwise(window))
        return rises or falls

    def alternating(window):
        steps = [b - a for a, b in pairwise(window)]
        if any(step == 0 for step in steps):
            return False
        return all((s > 0) != (t > 0) for s, t in pairwise(steps))

    checks = {
        "we1": beyond_limits,
        "we2": k_of_m(2, 3, 2),
        "we3": k_of_m(4, 5, 1),
        "we4": run(8, one_side),
        "n1": beyond_limits,
        "n2": run(9, one_side),
        "n3": run(6, trend),
        "n4": run(14, alternating),
        "n5": k_of_m(2, 3, 2),
        "n6": k_of_m(4, 5, 1),
        "n7": run(15, within_one),
        "n8": run(8, outside_one),
    }
    signals = []
    for p in range(len(x)):
        for code in RULES:
            if code in rules:
                first = checks[code](p)
                if first is not None:
                    signals.append(Signal(kept[p], code, kept[first], x[p]))
    return signals


ALL = list(RULES)


def _on_grid(center, sigma, steps):
    return [center + (j / 2) * sigma for j in steps]


@st.composite
def _segment(draw, center, sigma):
    """A stretch of points shaped to come close to (or reach) one of the patterns; the values
    lie on the half-sigma grid, so many sit exactly on a zone boundary or the centre line."""
    kind = draw(st.sampled_from(["random", "side", "within", "outside", "trend", "zigzag"]))
    if kind == "random":
        spread = draw(st.sampled_from([2, 4, 8]))
        steps = draw(st.lists(st.integers(-spread, spread), max_size=10))
        anywhere = st.floats(center - 5 * sigma, center + 5 * sigma)
        return _on_grid(center, sigma, steps) + draw(st.lists(anywhere, max_size=3))
    if kind == "side":  # mostly on one side, the centre line now and then
        sign = draw(st.sampled_from([1, -1]))
        steps = draw(st.lists(st.integers(0, 8), min_size=5, max_size=12))
        return _on_grid(center, sigma, [sign * j for j in steps])
    if kind == "within":  # within 1 sigma, with the 1 sigma boundaries now and then
        near = st.sampled_from([-1, 0, 1] * 6 + [-2, 2])
        steps = draw(st.lists(near, min_size=12, max_size=18))
        return _on_grid(center, sigma, steps)
    if kind == "outside":  # beyond 1 sigma on either side, the boundaries now and then
        far = st.sampled_from([-8, -6, -5, -4, -3, -2, 2, 3, 4, 5, 6, 8])
        return _on_grid(center, sigma, draw(st.lists(far, min_size=5, max_size=10)))
    if kind == "trend":  # steps of one direction, a flat step now and then
        sign = draw(st.sampled_from([1, -1]))
        rises = draw(st.lists(st.sampled_from([0] + [1, 2] * 4), min_size=4, max_size=8))
        level = draw(st.integers(-8, 8))
        steps = [level]
        for rise in rises:
            steps.append(steps[-1] + sign * rise)
        return _on_grid(center, sigma, steps)
    # zigzag: alternating steps, a flat or repeated direction now and then
    sizes = draw(st.lists(st.sampled_from([1, 2, 3] * 4 + [0]), min_size=12, max_size=17))
    flip = st.sampled_from([1] * 9 + [-1])
    flips = draw(st.lists(flip, min_size=len(sizes), max_size=len(sizes)))
    steps, direction = [draw(st.integers(-4, 4))], 1
    for size, flip in zip(sizes, flips, strict=True):
        direction = -direction * flip
        steps.append(steps[-1] + direction * size)
    return _on_grid(center, sigma, steps)


@st.composite
def series(draw):
    center = float(draw(st.integers(-5, 5)))
    sigma = draw(st.sampled_from([0.25, 0.5, 1.0, 2.0]))
    values = []
    for part in draw(st.lists(_segment(center, sigma), min_size=1, max_size=5)):
        values.extend(part)
    for position in draw(st.lists(st.integers(0, len(values)), max_size=3)):
        values.insert(position, NAN)
    anywhere = st.floats(center - 5 * sigma, center + 5 * sigma)
    limit = st.one_of(
        st.none(), st.integers(-8, 8).map(lambda j: center + (j / 2) * sigma), anywhere
    )
    return values, center, sigma, draw(limit), draw(limit)


@settings(max_examples=400, deadline=None)
@given(series(), st.lists(st.sampled_from(ALL), min_size=1, max_size=12))
def test_engine_matches_the_reference_loop(case, rules):
    values, center, sigma, lcl, ucl = case
    expected = reference(values, center, sigma, rules, lcl=lcl, ucl=ucl)
    assert evaluate(values, center, sigma, rules, lcl=lcl, ucl=ucl) == expected


@pytest.mark.parametrize("seed", range(3))
def test_engine_matches_the_reference_loop_on_long_random_series(seed):
    rng = np.random.default_rng(seed)
    values = np.round(rng.normal(0.0, 1.0, 3000) * 2) / 2  # many exact boundary values
    values[rng.integers(0, 3000, 30)] = NAN
    values[1000:1100] += 1.5
    expected = reference(values.tolist(), 0.0, 1.0, ALL)
    assert expected  # the series is long enough to exercise the rules
    assert evaluate(values, 0.0, 1.0, ALL) == expected


# --- one point beyond the limits --------------------------------------------------------------


@pytest.mark.parametrize("rule", ["we1", "n1"])
def test_one_point_beyond_three_sigma(rule):
    assert found([0.0, 3.5, 0.0], rule) == [(1, 1)]
    assert found([0.0, -3.01], rule) == [(1, 1)]
    assert found([3.0, -3.0, 2.99], rule) == []  # exactly on 3 sigma is not beyond


@pytest.mark.parametrize("rule", ["we1", "n1"])
def test_rule_one_respects_the_charts_own_limits(rule):
    # asymmetric limits: UCL at 2.5 sigma, LCL clipped at -4 sigma
    values = [2.6, 2.5, -3.5, -4.0, -4.1]
    assert found(values, rule, ucl=2.5, lcl=-4.0) == [(0, 0), (4, 4)]
    # only one limit given: the other side stays at 3 sigma
    assert found([-3.5, 2.6], rule, ucl=2.5) == [(0, 0), (1, 1)]


# --- k of m ------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", ["we2", "n5"])
def test_two_of_three_beyond_two_sigma(rule):
    assert found([2.5, 0.0, 2.5], rule) == [(2, 0)]
    assert found([-2.5, -2.1, 0.0], rule) == []  # the third point is not beyond
    assert found([0.0, -2.5, -2.1], rule) == [(2, 1)]
    # one short: only one beyond in each window of three
    assert found([2.5, 0.0, 0.0, 2.5], rule) == []
    # opposite sides do not add up
    assert found([2.5, 0.0, -2.5], rule) == []
    # exactly on 2 sigma is not beyond, neither as the signalled point nor as a companion
    assert found([2.0, 0.0, 2.5], rule) == []
    assert found([2.5, 0.0, 2.0], rule) == []
    # a window needs three points
    assert found([2.5, 2.5], rule) == []


def test_two_of_three_counts_the_window_ending_on_the_signal():
    # windows (0, 2.5, 2.5) and (2.5, 2.5, 2.5): the first counted point moves with the window
    assert found([0.0, 2.5, 2.5, 2.5], "we2") == [(2, 1), (3, 1)]
    assert found([0.0, 2.5, 2.5, 0.0, 2.5], "we2") == [(2, 1), (4, 2)]


@pytest.mark.parametrize("rule", ["we3", "n6"])
def test_four_of_five_beyond_one_sigma(rule):
    assert found([1.5, 1.5, 0.0, 1.5, 1.5], rule) == [(4, 0)]
    assert found([-1.5, -1.5, -1.5, -1.5, 0.0], rule) == []  # the last point is not beyond
    assert found([0.0, -1.5, -1.5, -1.5, -1.5], rule) == [(4, 1)]
    # one short
    assert found([1.5, 0.0, 0.0, 1.5, 1.5], rule) == []
    # exactly on 1 sigma does not count
    assert found([1.0, 1.5, 0.0, 1.5, 1.5], rule) == []
    assert found([1.5, 1.5, 1.0, 1.5, 1.5], rule) == [(4, 0)]
    # opposite sides do not add up
    assert found([1.5, -1.5, 1.5, -1.5, 1.5], rule) == []


# --- runs on one side -------------------------------------------------------------------------


def test_eight_on_one_side():
    assert found([0.1] * 8, "we4") == [(7, 0)]
    assert found([-0.1] * 8, "we4") == [(7, 0)]
    assert found([0.1] * 7, "we4") == []
    # a point exactly on the centre line is on neither side and breaks the run
    assert found([0.1] * 4 + [0.0] + [0.1] * 4, "we4") == []
    assert found([0.1] * 4 + [-0.1] * 4, "we4") == []
    # a longer run signals again on each further point
    assert found([0.1] * 10, "we4") == [(7, 0), (8, 1), (9, 2)]


def test_nine_on_one_side():
    assert found([0.2] * 9, "n2") == [(8, 0)]
    assert found([-0.2] * 9, "n2") == [(8, 0)]
    assert found([0.2] * 8, "n2") == []
    assert found([0.2] * 4 + [0.0] + [0.2] * 4, "n2") == []
    # a run of 11 signals on its 9th, 10th and 11th points
    assert found([-1.0] + [0.2] * 11, "n2") == [(9, 1), (10, 2), (11, 3)]


# --- trend and alternation --------------------------------------------------------------------


def test_six_points_steadily_increasing_or_decreasing():
    assert found([0.0, 0.1, 0.2, 0.3, 0.4, 0.5], "n3") == [(5, 0)]
    assert found([0.5, 0.4, 0.3, 0.2, 0.1, 0.0], "n3") == [(5, 0)]
    assert found([0.0, 0.1, 0.2, 0.3, 0.4], "n3") == []  # five points: one short
    # equal neighbours break the trend
    assert found([0.0, 0.1, 0.2, 0.2, 0.3, 0.4, 0.5], "n3") == []
    assert found([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6], "n3") == [(5, 0), (6, 1)]
    # the trend is about order only, not zones
    assert found([-5.0, -3.0, 0.0, 0.5, 4.0, 9.0], "n3") == [(5, 0)]


def test_fourteen_points_alternating():
    zigzag = [0.0, 1.0] * 7
    assert found(zigzag, "n4") == [(13, 0)]
    assert found([-x for x in zigzag], "n4") == [(13, 0)]
    assert found(zigzag[:13], "n4") == []  # thirteen points: one short
    # a zero difference breaks the alternation
    broken = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]
    assert found(broken, "n4") == []
    assert found(zigzag + [0.0], "n4") == [(13, 0), (14, 1)]


# --- zones either side ------------------------------------------------------------------------


def test_fifteen_within_one_sigma():
    assert found([0.5, -0.5, 0.0] * 5, "n7") == [(14, 0)]
    assert found([0.5] * 14, "n7") == []
    # a point exactly on 1 sigma is not within and breaks the run, on either side
    assert found([0.5] * 7 + [1.0] + [0.5] * 7, "n7") == []
    assert found([0.5] * 7 + [-1.0] + [0.5] * 7, "n7") == []
    assert found([0.99] * 16, "n7") == [(14, 0), (15, 1)]


def test_eight_beyond_one_sigma_either_side():
    assert found([1.5, -1.5] * 4, "n8") == [(7, 0)]
    assert found([1.5] * 7, "n8") == []
    # exactly on 1 sigma is not beyond and breaks the run
    assert found([1.5] * 4 + [1.0] + [1.5] * 3, "n8") == []
    assert found([-1.5] * 4 + [-1.0] + [-1.5] * 4, "n8") == []


# --- the evaluate contract --------------------------------------------------------------------


def test_nan_values_are_skipped_and_indices_refer_to_the_input():
    values = [0.1, 0.1, NAN, 0.1, 0.1, 0.1, NAN, NAN, 0.1, 0.1, 0.1, 4.0]
    signals = evaluate(values, 0.0, 1.0, ["we1", "we4"])
    assert signals == [
        Signal(index=10, rule="we4", first_index=0, value=0.1),
        Signal(index=11, rule="we1", first_index=11, value=4.0),
        Signal(index=11, rule="we4", first_index=1, value=4.0),
    ]


def test_signals_are_sorted_by_index_then_rule_order():
    values = [0.0, 2.5, 3.5]
    signals = evaluate(values, 0.0, 1.0, ["n5", "we2", "n1", "we1"])
    assert [(s.index, s.rule) for s in signals] == [
        (2, "we1"),
        (2, "we2"),
        (2, "n1"),
        (2, "n5"),
    ]


def test_zone_sigma_and_centre_scale_the_zones():
    # centre 10, zone sigma 0.5: 2 sigma is 11.0, 3 sigma is 11.5
    assert [s.rule for s in evaluate([10.0, 11.25, 11.25], 10.0, 0.5, ["we2"])] == ["we2"]
    assert evaluate([10.0, 11.0, 11.0], 10.0, 0.5, ["we2"]) == []
    assert [s.index for s in evaluate([11.5, 11.75], 10.0, 0.5, ["we1"])] == [1]


def test_arrays_and_signals_agree():
    rng = np.random.default_rng(7)
    values = rng.normal(0.0, 1.0, 2000)
    arrays = evaluate_arrays(values, 0.0, 1.0, ALL)
    signals = evaluate(values, 0.0, 1.0, ALL)
    assert len(signals) == len(arrays.index) > 0
    assert [s.index for s in signals] == arrays.index.tolist()
    assert [s.rule for s in signals] == arrays.rule.tolist()
    assert [s.first_index for s in signals] == arrays.first_index.tolist()
    assert [s.value for s in signals] == arrays.value.tolist()


def test_a_single_rule_code_may_be_given_as_a_string():
    assert found([3.5], "we1") == [(0, 0)]
    assert evaluate([3.5], 0.0, 1.0, "we1") == evaluate([3.5], 0.0, 1.0, ["we1"])


def test_no_rules_and_no_values_give_no_signals():
    assert evaluate([5.0, 6.0], 0.0, 1.0, []) == []
    assert evaluate([], 0.0, 1.0, ALL) == []
    assert evaluate([NAN, NAN], 0.0, 1.0, ALL) == []


def test_rules_describe_themselves():
    assert set(RULES) == {
        "we1",
        "we2",
        "we3",
        "we4",
        "n1",
        "n2",
        "n3",
        "n4",
        "n5",
        "n6",
        "n7",
        "n8",
    }
    windows = {code: info.window for code, info in RULES.items()}
    assert windows == {
        "we1": 1, "we2": 3, "we3": 5, "we4": 8,
        "n1": 1, "n2": 9, "n3": 6, "n4": 14, "n5": 3, "n6": 5, "n7": 15, "n8": 8,
    }  # fmt: skip
    for info in RULES.values():
        label, window, description = info
        assert label and description and window >= 1


def test_invalid_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="unknown rule"):
        evaluate([1.0], 0.0, 1.0, ["we9"])
    with pytest.raises(ValueError, match="sigma must be positive"):
        evaluate([1.0], 0.0, 0.0, ALL)
    with pytest.raises(ValueError, match="centre must be finite"):
        evaluate([1.0], NAN, 1.0, ALL)
    with pytest.raises(ValueError, match="infinite"):
        evaluate([1.0, math.inf], 0.0, 1.0, ALL)
    with pytest.raises(ValueError, match="one-dimensional"):
        evaluate([[1.0, 2.0]], 0.0, 1.0, ALL)
    with pytest.raises(ValueError, match="ucl must be finite"):
        evaluate([1.0], 0.0, 1.0, ALL, ucl=math.inf)


# --- scale ------------------------------------------------------------------------------------


def test_a_million_points_run_through_limits_rules_and_capability():
    # not timed (speed is measured in bench/): it runs, and an injected shift is found
    rng = np.random.default_rng(2024)
    values = rng.normal(20.0, 0.5, 1_000_000)
    values[700_000:700_020] += 3.0  # a 6 sigma shift for 20 points
    limits = individuals_limits(values)
    signals = evaluate(
        values, limits.center, limits.zone_sigma, ALL, lcl=limits.lcl, ucl=limits.ucl
    )
    beyond = {s.index for s in signals if s.rule == "we1"}
    assert set(range(700_000, 700_020)) <= beyond
    assert any(s.rule == "n2" and s.index == 700_008 for s in signals)
    result = capability(values, lsl=17.0, usl=23.0, sigma_within=limits.sigma)
    assert result.n == 1_000_000
    assert result.cp == pytest.approx(2.0, rel=0.02)
