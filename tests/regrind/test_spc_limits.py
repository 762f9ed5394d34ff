"""Phase I limits against published worked examples, and the input checks."""

import math

import numpy as np
import pytest

from partnerdesk.regrind.engines.spc import (
    Limits,
    chart_points,
    individuals_limits,
    limits_for,
    subgroups,
    xbar_r_limits,
    xbar_s_limits,
)

# Montgomery, Introduction to Statistical Quality Control, Table 6.1: flow width (microns) of
# the hard-bake process, 25 samples of 5 wafers, with the printed sample means and ranges.
HARD_BAKE = [
    # wafers 1..5                                   x-bar    R
    ((1.3235, 1.4128, 1.6744, 1.4573, 1.6914), 1.5119, 0.3679),
    ((1.4314, 1.3592, 1.6075, 1.4666, 1.6109), 1.4951, 0.2517),
    ((1.4284, 1.4871, 1.4932, 1.4324, 1.5674), 1.4817, 0.1390),
    ((1.5028, 1.6352, 1.3841, 1.2831, 1.5507), 1.4712, 0.3521),
    ((1.5604, 1.2735, 1.5265, 1.4363, 1.6441), 1.4882, 0.3706),
    ((1.5955, 1.5451, 1.3574, 1.3281, 1.4198), 1.4492, 0.2674),
    ((1.6274, 1.5064, 1.8366, 1.4177, 1.5144), 1.5805, 0.4189),
    ((1.4190, 1.4303, 1.6637, 1.6067, 1.5519), 1.5343, 0.2447),
    ((1.3884, 1.7277, 1.5355, 1.5176, 1.3688), 1.5076, 0.3589),
    ((1.4039, 1.6697, 1.5089, 1.4627, 1.5220), 1.5134, 0.2658),
    ((1.4158, 1.7667, 1.4278, 1.5928, 1.4181), 1.5242, 0.3509),
    ((1.5821, 1.3355, 1.5777, 1.3908, 1.7559), 1.5284, 0.4204),
    ((1.2856, 1.4106, 1.4447, 1.6398, 1.1928), 1.3947, 0.4470),
    ((1.4951, 1.4036, 1.5893, 1.6458, 1.4969), 1.5261, 0.2422),
    ((1.3589, 1.2863, 1.5996, 1.2497, 1.5471), 1.4083, 0.3499),
    ((1.5747, 1.5301, 1.5171, 1.1839, 1.8662), 1.5344, 0.6823),
    ((1.3680, 1.7269, 1.3957, 1.5014, 1.4449), 1.4874, 0.3589),
    ((1.4163, 1.3864, 1.3057, 1.6210, 1.5573), 1.4573, 0.3153),
    ((1.5796, 1.4185, 1.6541, 1.5116, 1.7247), 1.5777, 0.3062),
    ((1.7106, 1.4412, 1.2361, 1.3820, 1.7601), 1.5060, 0.5240),
    ((1.4371, 1.5051, 1.3485, 1.5670, 1.4880), 1.4691, 0.2185),
    ((1.4738, 1.5936, 1.6583, 1.4973, 1.4720), 1.5390, 0.1863),
    ((1.5917, 1.4333, 1.5551, 1.5295, 1.6866), 1.5592, 0.2533),
    ((1.6399, 1.5243, 1.5705, 1.5563, 1.5530), 1.5688, 0.1156),
    ((1.5797, 1.3663, 1.6240, 1.3732, 1.6887), 1.5264, 0.3224),
]

# Montgomery, Table 6.3: inside diameter (mm) of forged piston rings, the 25 preliminary
# samples of 5. The same data ship with the R package qcc as `pistonrings` (samples 1-25,
# trial = TRUE), whose vignette ("A quick tour of qcc", version 3.0) prints its results.
PISTON_RINGS = [
    (74.030, 74.002, 74.019, 73.992, 74.008),
    (73.995, 73.992, 74.001, 74.011, 74.004),
    (73.988, 74.024, 74.021, 74.005, 74.002),
    (74.002, 73.996, 73.993, 74.015, 74.009),
    (73.992, 74.007, 74.015, 73.989, 74.014),
    (74.009, 73.994, 73.997, 73.985, 73.993),
    (73.995, 74.006, 73.994, 74.000, 74.005),
    (73.985, 74.003, 73.993, 74.015, 73.988),
    (74.008, 73.995, 74.009, 74.005, 74.004),
    (73.998, 74.000, 73.990, 74.007, 73.995),
    (73.994, 73.998, 73.994, 73.995, 73.990),
    (74.004, 74.000, 74.007, 74.000, 73.996),
    (73.983, 74.002, 73.998, 73.997, 74.012),
    (74.006, 73.967, 73.994, 74.000, 73.984),
    (74.012, 74.014, 73.998, 73.999, 74.007),
    (74.000, 73.984, 74.005, 73.998, 73.996),
    (73.994, 74.012, 73.986, 74.005, 74.007),
    (74.006, 74.010, 74.018, 74.003, 74.000),
    (73.984, 74.002, 74.003, 74.005, 73.997),
    (74.000, 74.010, 74.013, 74.020, 74.003),
    (73.988, 74.001, 74.009, 74.005, 73.996),
    (74.004, 73.999, 73.990, 74.006, 74.009),
    (74.010, 73.989, 73.990, 74.009, 74.014),
    (74.015, 74.008, 73.993, 74.000, 74.010),
    (73.982, 73.984, 73.995, 74.017, 74.013),
]
# The s_i column of Montgomery's Table 6.3 for samples 1-16 (four decimals).
PISTON_RING_S = [
    0.0148, 0.0075, 0.0147, 0.0091, 0.0122, 0.0087, 0.0055, 0.0123,
    0.0055, 0.0063, 0.0029, 0.0042, 0.0105, 0.0153, 0.0073, 0.0078,
]  # fmt: skip

# qcc's `viscosity` data (aircraft primer paint, one reading per batch; source given by qcc:
# Montgomery, Introduction to Statistical Quality Control, 5th ed., pp. 232-235), the 20
# batches marked trial = TRUE.
VISCOSITY = [
    34.05, 34.40, 33.59, 35.96, 34.70, 33.51, 33.79, 34.04, 34.52, 33.75,
    33.27, 33.71, 34.03, 34.58, 34.02, 33.97, 34.05, 34.04, 33.73, 34.05,
]  # fmt: skip


def test_hard_bake_subgroup_statistics_match_the_printed_table():
    data = np.array([row for row, _, _ in HARD_BAKE])
    means, ranges = chart_points("xbar_r", data.ravel(), 5)
    assert [round(m, 4) for m in means] == [mean for _, mean, _ in HARD_BAKE]
    assert [round(r, 4) for r in ranges] == [r for _, _, r in HARD_BAKE]


# Montgomery, Introduction to Statistical Quality Control, Example 6.1 (x-bar and R charts for
# the hard-bake process): x-double-bar = 1.5056, R-bar = 0.32521, UCL = 1.6933, LCL = 1.3179,
# R chart UCL = 0.68749 and LCL = 0.
def test_montgomery_example_6_1_hard_bake_xbar_r():
    limits = xbar_r_limits([row for row, _, _ in HARD_BAKE])
    assert limits.kind == "xbar_r"
    assert limits.subgroup_size == 5
    assert limits.points == 25
    assert round(limits.center, 4) == 1.5056
    assert round(limits.dispersion_center, 5) == 0.32521
    assert round(limits.ucl, 4) == 1.6933
    # the book's half-width is 0.1877 on both sides; 0.577 * 0.32521 = 0.18765, so the exact LCL
    # is 1.31797 and its last printed digit is one unit off
    assert limits.lcl == pytest.approx(1.3179, abs=1e-4)
    assert round(limits.dispersion_ucl, 5) == 0.68749
    assert limits.dispersion_lcl == 0
    assert limits.constants == {"A2": 0.577, "d2": 2.326, "D3": 0.0, "D4": 2.114}
    assert limits.sigma == pytest.approx(limits.dispersion_center / 2.326)
    assert limits.zone_sigma == pytest.approx(0.577 * limits.dispersion_center / 3)


def test_piston_ring_standard_deviations_match_the_printed_table():
    _, stds = chart_points("xbar_s", np.ravel(PISTON_RINGS), 5)
    assert [round(s, 4) for s in stds[:16]] == PISTON_RING_S


# Montgomery, Introduction to Statistical Quality Control, Example 6.3 (x-bar and s charts
# for the piston rings): x-double-bar = 74.001, UCL = 74.014, LCL = 73.988.
# The example also prints s-bar = 0.0094 and B4 s-bar = 0.0196; those do not follow from the
# data: the s_i of the table (checked above) average 0.00924, which is what qcc prints for the
# S chart of the same data (centre 0.009240037, UCL 0.01930242), so s-bar and the S chart
# are checked against qcc's output.
def test_montgomery_example_6_3_piston_rings_xbar_s():
    limits = xbar_s_limits(PISTON_RINGS)
    assert limits.kind == "xbar_s"
    assert round(limits.center, 3) == 74.001
    assert round(limits.ucl, 3) == 74.014
    assert round(limits.lcl, 3) == 73.988
    assert limits.dispersion_center == pytest.approx(0.009240037, abs=5e-10)
    # qcc uses the exact B4 (2.088998); the printed 2.089 moves the 8th decimal
    assert limits.dispersion_ucl == pytest.approx(0.01930242, abs=5e-8)
    assert limits.dispersion_lcl == 0
    assert limits.sigma == pytest.approx(limits.dispersion_center / 0.94)
    assert limits.constants == {"A3": 1.427, "c4": 0.94, "B3": 0.0, "B4": 2.089}


# qcc vignette, x-bar and R charts of pistonrings[1:25]: centre 74.00118, R-bar 0.02276,
# x-bar LCL 73.98805, UCL 74.0143, R chart UCL 0.04812533. qcc uses the exact d2(5) = 2.325929
# and D4(5) = 2.114457 where the book (and this engine) use 2.326 and 2.114, so the limits
# agree to about 1e-5.
def test_qcc_piston_rings_xbar_r():
    limits = xbar_r_limits(np.array(PISTON_RINGS))
    assert round(limits.center, 5) == 74.00118
    assert round(limits.dispersion_center, 5) == 0.02276
    assert limits.lcl == pytest.approx(73.98805, abs=2e-5)
    assert limits.ucl == pytest.approx(74.0143, abs=2e-5)
    assert limits.dispersion_ucl == pytest.approx(0.04812533, abs=2e-5)
    # Montgomery's Exercise on Table 6.3 notes the R-based x-bar limits equal the s-based ones
    s_limits = xbar_s_limits(PISTON_RINGS)
    assert round(limits.ucl, 3) == round(s_limits.ucl, 3) == 74.014
    assert round(limits.lcl, 3) == round(s_limits.lcl, 3) == 73.988


# qcc vignette, "Continuous one-at-time data": qcc(viscosity[trial], type = "xbar.one") prints
# centre 34.088, standard deviation 0.5076521 (MR-bar / 1.128), LCL 32.56504, UCL 35.61096.
def test_qcc_viscosity_individuals():
    limits = individuals_limits(VISCOSITY)
    assert limits.kind == "imr"
    assert limits.subgroup_size == 1
    assert limits.points == 20
    assert round(limits.center, 3) == 34.088
    assert round(limits.sigma, 7) == 0.5076521
    assert round(limits.lcl, 5) == 32.56504
    assert round(limits.ucl, 5) == 35.61096
    assert limits.dispersion_center == pytest.approx(limits.sigma * 1.128)
    assert limits.ucl - limits.center == pytest.approx(3 * limits.dispersion_center / 1.128)
    assert limits.dispersion_ucl == pytest.approx(3.267 * limits.dispersion_center)
    assert limits.dispersion_lcl == 0
    assert limits.zone_sigma == pytest.approx(limits.sigma)
    assert limits.constants == {"d2": 1.128, "D3": 0.0, "D4": 3.267}


def test_individuals_limits_by_hand():
    limits = individuals_limits([10.0, 12.0, 11.0, 13.0])
    # moving ranges 2, 1, 2 -> MR-bar = 5/3
    assert limits.center == 11.5
    assert limits.dispersion_center == pytest.approx(5 / 3)
    assert limits.ucl == pytest.approx(11.5 + 3 * (5 / 3) / 1.128)
    assert limits.lcl == pytest.approx(11.5 - 3 * (5 / 3) / 1.128)


def test_limits_is_frozen_and_zone_sigma_is_a_third_of_the_upper_distance():
    limits = Limits("imr", 1, 10.0, 16.0, 4.0, 2.0, 1.0, 3.0, 0.0, 5, {})
    assert limits.zone_sigma == 2.0
    with pytest.raises(AttributeError):
        limits.center = 1.0  # type: ignore[misc]


def test_limits_for_dispatches_on_kind():
    flat = np.ravel(PISTON_RINGS)
    assert limits_for("xbar_s", flat, 5) == xbar_s_limits(PISTON_RINGS)
    assert limits_for("xbar_r", np.append(flat, [74.0, 74.1]), 5) == xbar_r_limits(PISTON_RINGS)
    assert limits_for("imr", VISCOSITY) == individuals_limits(VISCOSITY)
    with pytest.raises(ValueError, match="unknown chart kind"):
        limits_for("p", flat, 5)


def test_subgroups_drop_the_incomplete_tail():
    groups = subgroups(list(range(11)), 5)
    assert groups.shape == (2, 5)
    assert groups[1].tolist() == [5, 6, 7, 8, 9]
    assert subgroups([1.0, 2.0], 5).shape == (0, 5)


def test_chart_points_individuals_have_nan_as_first_moving_range():
    x, mr = chart_points("imr", [3.0, 5.0, 4.0])
    assert x.tolist() == [3.0, 5.0, 4.0]
    assert math.isnan(mr[0])
    assert mr[1:].tolist() == [2.0, 1.0]
    x, mr = chart_points("imr", [])
    assert len(x) == len(mr) == 0


def test_chart_points_subgroups():
    means, ranges = chart_points("xbar_r", [1, 2, 3, 4, 5, 6, 7], 3)
    assert means.tolist() == [2.0, 5.0]
    assert ranges.tolist() == [2.0, 2.0]
    means, stds = chart_points("xbar_s", [1, 2, 3, 4, 5, 6, 7], 3)
    assert stds.tolist() == [1.0, 1.0]
    means, stds = chart_points("xbar_s", [1, 2], 3)
    assert len(means) == len(stds) == 0


@pytest.mark.parametrize("values", [[], [5.0]])
def test_individuals_need_two_readings(values):
    with pytest.raises(ValueError, match="at least 2 readings"):
        individuals_limits(values)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_readings_are_rejected(bad):
    with pytest.raises(ValueError, match="finite"):
        individuals_limits([1.0, bad, 2.0])
    with pytest.raises(ValueError, match="finite"):
        xbar_r_limits([[1.0, 2.0], [bad, 3.0]])
    with pytest.raises(ValueError, match="finite"):
        xbar_s_limits([[1.0, 2.0], [bad, 3.0]])
    with pytest.raises(ValueError, match="finite"):
        chart_points("xbar_r", [1.0, bad, 2.0, 3.0], 2)


def test_subgroup_charts_need_two_subgroups():
    with pytest.raises(ValueError, match="at least 2 subgroups"):
        xbar_r_limits([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="at least 2 subgroups"):
        limits_for("xbar_s", [1.0, 2.0, 3.0, 4.0, 5.0], 3)


@pytest.mark.parametrize("size", [1, 26])
def test_subgroup_size_outside_the_table_is_rejected(size):
    groups = np.arange(size * 3, dtype=float).reshape(3, size)
    with pytest.raises(ValueError, match="between 2 and 25"):
        xbar_r_limits(groups)
    with pytest.raises(ValueError, match="between 2 and 25"):
        xbar_s_limits(groups)
    with pytest.raises(ValueError, match="between 2 and 25"):
        chart_points("xbar_r", groups.ravel(), size)


def test_subgroups_must_be_a_rectangle():
    with pytest.raises(ValueError, match="same size"):
        xbar_r_limits([[1.0, 2.0], [3.0, 4.0, 5.0]])
    with pytest.raises(ValueError, match="two-dimensional"):
        xbar_r_limits([1.0, 2.0, 3.0])


def test_individuals_chart_takes_subgroup_size_one_only():
    with pytest.raises(ValueError, match="subgroup size 1"):
        chart_points("imr", [1.0, 2.0], 2)
    with pytest.raises(ValueError, match="one-dimensional"):
        individuals_limits([[1.0, 2.0], [3.0, 4.0]])
