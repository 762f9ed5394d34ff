"""The monthly precision ranking: figures per team from known readings, order, revisions."""

import datetime
import io
import itertools
from decimal import Decimal

import pytest

from partnerdesk.core.errors import InvalidInput
from partnerdesk.regrind.services.ingest import readings_ingest_csv
from partnerdesk.regrind.services.ranking import ranking_compute, ranking_finalize
from tests.regrind.conftest import DAY, local

MONTH = datetime.date(2026, 3, 1)


@pytest.fixture
def user(make_user):
    return make_user("administrator")


def feed(user, rows):
    text = "machine,timestamp,regrind_kg,virgin_kg,ratio\n" + "".join(
        f"{m},{t:%Y-%m-%d %H:%M:%S},{r},{v},{x}\n" for m, t, r, v, x in rows
    )
    return readings_ingest_csv(user=user, stream=io.BytesIO(text.encode()), now=local(DAY, 23, 30))


def test_figures_costs_and_order(plant, user):
    # Red (early shift): 20, 21, 23 (outside: USL 22), 19 -> 3 of 4 within.
    # Blue (late shift): 20, 20, 20, 26 (above the maximum 25) -> 3 of 4 within.
    rows = [("M1", local(DAY, 8, i), "", "", x) for i, x in enumerate([20, 21, 23, 19])] + [
        ("M1", local(DAY, 15, i), "10", "40", x) for i, x in enumerate([20, 20, 20])
    ]
    rows.append(("M1", local(DAY, 15, 3), "", "", 26))
    feed(user, rows)
    ranking = ranking_compute(user=user, month=MONTH, min_readings=1)
    teams = {t.team.name: t for t in ranking.teams.select_related("team")}
    red, blue = teams["Red"], teams["Blue"]
    assert (red.readings, red.within, red.share_within) == (4, 3, 0.75)
    assert red.mean_abs_deviation == pytest.approx((0 + 1 + 3 + 1) / 4)
    assert red.mean_deviation == pytest.approx((0 + 1 + 3 - 1) / 4)
    # Red's moving ranges 1, 2, 4: sigma = (7/3)/1.128; mean 20.75; Cpk = (20.75-18)/(3 sigma)
    sigma = (7 / 3) / 1.128
    assert red.cpk == pytest.approx(min(22 - 20.75, 20.75 - 18) / (3 * sigma))
    # Below target: Red's 19 % batch at the nominal 50 kg used 0.5 kg more virgin at 8 CNY/kg.
    assert red.virgin_cost == Decimal("4.00") and red.risk_cost == Decimal("0.00")
    # Blue's 26 % batch is 1 point above the maximum: 0.5 kg at 30 CNY/kg of quality risk.
    assert blue.risk_cost == Decimal("15.00") and blue.above_max == 1
    # Same share: the lower mean absolute deviation ranks first (Red 1.25 vs Blue 1.5).
    assert blue.mean_abs_deviation == pytest.approx(6 / 4)
    assert (red.rank, blue.rank) == (1, 2)
    assert ranking.readings == 8 and ranking.unassigned == 0
    assert red.inputs[0]["product"] == "P20" and red.inputs[0]["readings"] == 4


def test_revisions_reproduce_and_final_is_frozen(plant, user, settings):
    feed(user, [("M1", local(DAY, 8, i), "", "", 20 + i % 2) for i in range(6)])
    first = ranking_compute(user=user, month=MONTH, min_readings=10)
    second = ranking_compute(user=user, month=MONTH, min_readings=10)
    assert second.revision == first.revision + 1
    a = list(first.teams.values_list("team", "readings", "share_within", "cpk", "rank"))
    b = list(second.teams.values_list("team", "readings", "share_within", "cpk", "rank"))
    assert a == b and a[0][4] is None  # 6 readings: not eligible under 10
    with pytest.raises(InvalidInput):
        ranking_finalize(user=user, ranking=first)  # not the latest revision
    ranking_finalize(user=user, ranking=second)
    with pytest.raises(InvalidInput):
        ranking_compute(user=user, month=MONTH)


def test_sums_over_time_slices_add_up_to_the_whole_month(plant, user):
    from django.db import connection

    from partnerdesk.regrind.services.ranking import (
        _slice_sums,
        _slices,
        merge_sums,
        month_bounds,
    )

    rows = [("M1", local(DAY, 8, i), "", "", 18 + i % 9) for i in range(40)]
    rows += [("M2", local(DAY, 15, i), "", "", 20 + i % 3) for i in range(30)]
    feed(user, rows)
    start, end = month_bounds(MONTH)

    def adapt(pair):
        return [connection.ops.adapt_datetimefield_value(v) for v in pair]

    whole = merge_sums([_slice_sums(adapt((start, end)))])
    cuts = [start, local(DAY, 8, 20), local(DAY, 12), local(DAY, 15, 10), end]
    sliced = merge_sums([_slice_sums(adapt(pair)) for pair in itertools.pairwise(cuts)])
    as_dict = {row[:3]: row[3:] for row in whole}
    assert {row[:3] for row in sliced} == set(as_dict) and len(as_dict) == 2
    for row in sliced:
        assert row[3:] == pytest.approx(as_dict[row[:3]])
    assert sum(r[3] for r in whole) == 70
    assert len(_slices(start, end, 3)) == 3
