"""Capability and performance indices against published examples."""

import math

import numpy as np
import pytest

from partnerdesk.regrind.engines.capability import Capability, capability
from partnerdesk.regrind.engines.spc import xbar_r_limits
from tests.regrind.test_spc_limits import PISTON_RINGS

# Montgomery, Introduction to Statistical Quality Control, chapter 8 (process capability):
# bursting strength (psi) of 100 soft-drink glass bottles, x-bar = 264.06, s = 32.02, with a
# lower specification of 200 psi only: C_pl = (264.06 - 200) / (3 * 32.02) = 0.67.
# The 100 readings as 20 samples of 5, transcribed at
# https://solvely.ai/homework/583142149-the-table-below-presents-the-soft-drink-bottle-bursting-strength-data-in-20-samples-of
# (that page prints x-double-bar 264.06 and R-bar 77.3, which the data reproduce).
BURSTING_STRENGTH = [
    265, 205, 263, 307, 220, 268, 260, 234, 299, 215, 197, 286, 274, 243, 231,
    267, 281, 265, 214, 318, 346, 317, 242, 258, 276, 300, 208, 187, 264, 271,
    280, 242, 260, 321, 228, 250, 299, 258, 267, 293, 265, 254, 281, 294, 223,
    260, 308, 235, 283, 277, 200, 235, 246, 328, 296, 276, 264, 269, 235, 290,
    221, 176, 248, 263, 231, 334, 280, 265, 272, 283, 265, 262, 271, 245, 301,
    280, 274, 253, 287, 258, 261, 248, 260, 274, 337, 250, 278, 254, 274, 275,
    278, 250, 265, 270, 298, 257, 210, 280, 269, 251,
]  # fmt: skip


# NIST/SEMATECH e-Handbook of Statistical Methods, 6.1.6 "What is Process Capability?"
# (https://www.itl.nist.gov/div898/handbook/pmc/section1/pmc16.htm): USL = 20, LSL = 8,
# mu = 16, sigma = 2 give Cp = 1.0, C_pu = 0.667, C_pl = 1.333 and C_pk = 0.667.
def test_nist_handbook_example():
    result = capability([14.0, 18.0], lsl=8, usl=20, sigma_within=2.0)  # mean 16
    assert result.mean == 16.0
    assert result.cp == pytest.approx(1.0)
    assert round(result.cpu, 3) == 0.667
    assert round(result.cpl, 3) == 1.333
    assert round(result.cpk, 3) == 0.667
    # the overall sigma of these two readings is sqrt(8): the P indices use it
    assert result.sigma_overall == pytest.approx(math.sqrt(8))
    assert result.pp == pytest.approx(12 / (6 * math.sqrt(8)))
    assert result.ppk == pytest.approx(4 / (3 * math.sqrt(8)))


def test_montgomery_bursting_strength_one_sided():
    result = capability(BURSTING_STRENGTH, lsl=200, sigma_within=32.02)
    assert result.n == 100
    assert round(result.mean, 2) == 264.06
    assert round(result.sigma_overall, 2) == 32.02
    assert round(result.cpl, 2) == 0.67
    assert round(result.cpk, 2) == 0.67  # one-sided: Cpk is the one side
    assert round(result.ppl, 2) == round(result.ppk, 2) == 0.67
    assert result.cp is None
    assert result.pp is None
    assert result.cpu is None
    assert result.ppu is None


# qcc vignette ("A quick tour of qcc", version 3.0), processCapability of the x-bar chart of
# pistonrings[1:25] (Montgomery's Table 6.3 piston rings): centre 74.00118, StdDev 0.009785039,
# with spec limits 73.95 and 74.05: Cp 1.703, Cp_l 1.743, Cp_u 1.663, Cp_k 1.663; with 73.99
# and 74.01: Cp 0.341, Cp_l 0.381, Cp_u 0.301, Cp_k 0.301. qcc's StdDev is R-bar / d2 with the
# exact d2(5); with the printed 2.326 sigma differs in the 7th significant digit.
def test_qcc_piston_ring_capability():
    limits = xbar_r_limits(PISTON_RINGS)
    assert limits.sigma == pytest.approx(0.009785039, rel=1e-5)
    values = np.ravel(PISTON_RINGS)
    wide = capability(values, lsl=73.95, usl=74.05, sigma_within=limits.sigma)
    assert round(wide.mean, 5) == 74.00118
    assert round(wide.cp, 3) == 1.703
    assert round(wide.cpl, 3) == 1.743
    assert round(wide.cpu, 3) == 1.663
    assert round(wide.cpk, 3) == 1.663
    tight = capability(values, lsl=73.99, usl=74.01, sigma_within=limits.sigma)
    assert round(tight.cp, 3) == 0.341
    assert round(tight.cpl, 3) == 0.381
    assert round(tight.cpu, 3) == 0.301
    assert round(tight.cpk, 3) == 0.301


def test_piston_rings_within_and_overall_sigma():
    limits = xbar_r_limits(PISTON_RINGS)
    values = np.ravel(PISTON_RINGS)
    result = capability(values, lsl=73.95, usl=74.05, sigma_within=limits.sigma)
    assert result.n == 125
    assert result.sigma_overall == pytest.approx(float(np.std(values, ddof=1)))
    assert result.pp == pytest.approx(0.1 / (6 * result.sigma_overall))
    assert result.ppk == pytest.approx(min(result.ppu, result.ppl))
    assert result.ppu == pytest.approx((74.05 - result.mean) / (3 * result.sigma_overall))


def test_upper_specification_only():
    result = capability([9.0, 11.0], usl=16.0, sigma_within=2.0)
    assert result.cpu == pytest.approx(1.0)
    assert result.cpk == pytest.approx(1.0)
    assert result.cp is None
    assert result.cpl is None


def test_zero_sigma_gives_no_index():
    result = capability([5.0, 5.0, 5.0], lsl=4.0, usl=6.0, sigma_within=0.0)
    assert result == Capability(
        n=3,
        mean=5.0,
        sigma_within=0.0,
        sigma_overall=0.0,
        cp=None,
        cpk=None,
        pp=None,
        ppk=None,
        cpu=None,
        cpl=None,
        ppu=None,
        ppl=None,
    )
    # only the within indices vanish when only the within sigma is 0
    result = capability([4.5, 5.5], lsl=4.0, usl=6.0, sigma_within=0.0)
    assert result.cp is None
    assert result.pp == pytest.approx(2 / (6 * math.sqrt(0.5)))


def test_a_process_outside_its_specification_has_negative_cpk():
    result = capability([21.0, 23.0], lsl=8, usl=20, sigma_within=1.0)
    assert result.cpu == pytest.approx(-2 / 3)
    assert result.cpk == result.cpu


def test_invalid_input_is_a_clear_error():
    with pytest.raises(ValueError, match="at least one specification limit"):
        capability([1.0, 2.0], sigma_within=1.0)
    with pytest.raises(ValueError, match="lsl must be below usl"):
        capability([1.0, 2.0], lsl=3.0, usl=3.0, sigma_within=1.0)
    with pytest.raises(ValueError, match="sigma_within"):
        capability([1.0, 2.0], lsl=0.0, sigma_within=-1.0)
    with pytest.raises(ValueError, match="at least 2 readings"):
        capability([1.0], lsl=0.0, sigma_within=1.0)
    with pytest.raises(ValueError, match="finite"):
        capability([1.0, math.nan], lsl=0.0, sigma_within=1.0)
    with pytest.raises(ValueError, match="usl must be finite"):
        capability([1.0, 2.0], usl=math.inf, sigma_within=1.0)
