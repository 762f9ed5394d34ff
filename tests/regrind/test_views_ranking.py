"""The ranking page: computing a month from the page, the table in rank order with its
figures, the bar chart, each team's explanation from its inputs, revisions, making the month
final; who may; a pinned query count."""

import datetime
import io
from decimal import Decimal

import pytest

from partnerdesk.regrind.models import PrecisionRanking, TeamPrecision
from partnerdesk.regrind.services.ingest import readings_ingest_csv
from tests.factories import PartnerFactory, TeamFactory
from tests.regrind.conftest import DAY, local
from tests.support import audit_rows

MONTH = datetime.date(2026, 3, 1)


def feed(user):
    # Red (early shift): 20, 21, 23, 19: 3 of 4 within 18-22. Blue (late): 20, 20, 26, 24:
    # 2 of 4 within, one above the maximum 25.
    rows = [(local(DAY, 8, i), x) for i, x in enumerate([20, 21, 23, 19])]
    rows += [(local(DAY, 15, i), x) for i, x in enumerate([20, 20, 26, 24])]
    text = "machine,timestamp,ratio\n" + "".join(f"M1,{t:%Y-%m-%d %H:%M:%S},{x}\n" for t, x in rows)
    readings_ingest_csv(user=user, stream=io.BytesIO(text.encode()), now=local(DAY, 23))


@pytest.fixture
def admin(make_user):
    return make_user("administrator", username="rank-admin")


def test_computing_and_reading_a_month(client, admin, plant):
    feed(admin)
    client.force_login(admin)
    response = client.post("/regrind/ranking/compute/", {"month": "2026-03", "min_readings": 2})
    ranking = PrecisionRanking.objects.get()
    assert response.status_code == 302
    assert response.url == "/regrind/ranking/?month=2026-03&revision=1"
    page = client.get("/regrind/ranking/?month=2026-03").content.decode()
    # Rank order: Red (75 % within) before Blue (50 %).
    assert page.index('data-team="Red" data-rank="1"') < page.index(
        'data-team="Blue" data-rank="2"'
    )
    assert ">75 %<" in page and ">50 %<" in page
    # Blue's 26 % batch: 1 point above 25 at the nominal 50 kg = 0.5 kg x 30 CNY.
    assert "15.00 CNY" in page
    assert 'data-label="Red" data-value="75.0"' in page  # the bar chart
    assert 'id="team-' in page and "<td>L1</td><td>P20</td>" in page  # inputs explained
    assert "mean moving range ÷ d2 (d2 = 1.128" in page
    assert "Revision 1, computed" in page and "not final" in page
    assert 'data-revision="1"' in page
    # The month is over: it can be made final; then it is not computed again.
    assert f'action="/regrind/ranking/{ranking.pk}/finalize/"' in page
    done = client.post(f"/regrind/ranking/{ranking.pk}/finalize/", follow=True)
    assert "Revision 1 is the final ranking of 2026-03." in done.content.decode()
    ranking.refresh_from_db()
    assert ranking.is_final and audit_rows(ranking)[-1].action == "update"
    page = client.get("/regrind/ranking/?month=2026-03").content.decode()
    assert 'id="compute"' not in page and "s ranking is final.</p>" in page
    refused = client.post("/regrind/ranking/compute/", {"month": "2026-03", "min_readings": 2})
    assert "This month&#x27;s ranking is final" in refused.content.decode()
    assert PrecisionRanking.objects.count() == 1


def test_revisions_and_a_month_without_ranking(client, admin, plant):
    feed(admin)
    client.force_login(admin)
    client.post("/regrind/ranking/compute/", {"month": "2026-03", "min_readings": 100})
    client.post("/regrind/ranking/compute/", {"month": "2026-03", "min_readings": 2})
    latest = client.get("/regrind/ranking/?month=2026-03").content.decode()
    assert "Revision 2, computed" in latest and 'data-team="Red" data-rank="1"' in latest
    first = client.get("/regrind/ranking/?month=2026-03&revision=1").content.decode()
    assert "Revision 1, computed" in first
    assert 'data-team="Red" data-rank=""' in first  # too few readings to be ranked
    # The first revision is not the latest: it cannot be made final.
    assert "/finalize/" not in first
    empty = client.get("/regrind/ranking/?month=2026-02").content.decode()
    assert 'id="no-ranking"' in empty and 'value="2026-02"' in empty
    bad = client.post("/regrind/ranking/compute/", {"month": "2026-13", "min_readings": 1})
    assert "Give the month as YYYY-MM." in bad.content.decode()


def test_who_may(client, make_user, admin, plant):
    feed(admin)
    client.force_login(admin)
    client.post("/regrind/ranking/compute/", {"month": "2026-03", "min_readings": 2})
    ranking = PrecisionRanking.objects.get()
    client.force_login(make_user("compliance"))
    page = client.get("/regrind/ranking/?month=2026-03").content.decode()
    assert 'data-team="Red"' in page and 'id="compute"' not in page and "/finalize/" not in page
    assert client.post("/regrind/ranking/compute/", {"month": "2026-03"}).status_code == 404
    client.force_login(make_user("manufacturing"))  # computes, may not make final
    assert client.post(f"/regrind/ranking/{ranking.pk}/finalize/").status_code == 404
    client.force_login(make_user("management"))  # makes final, does not compute
    page = client.get("/regrind/ranking/?month=2026-03").content.decode()
    assert "/finalize/" in page and 'id="compute"' not in page
    client.force_login(make_user("partner", partner=PartnerFactory()))
    assert client.get("/regrind/ranking/").status_code == 404


@pytest.mark.parametrize("teams", [1, 5])
def test_ranking_page_query_count(client, admin, plant, teams, django_assert_num_queries):
    ranking = PrecisionRanking.objects.create(month=MONTH, revision=1, rule_version="r")
    for rank in range(1, teams + 1):
        TeamPrecision.objects.create(
            ranking=ranking,
            team=TeamFactory(name=f"Team {rank}"),
            rank=rank,
            readings=100,
            within=90,
            share_within=0.9,
            mean_abs_deviation=0.5,
            mean_deviation=0.1,
            virgin_cost=Decimal("1.00"),
            currency="CNY",
            inputs=[{"line_id": plant.line.pk, "product": "P20", "readings": 100}],
        )
    client.force_login(admin)
    url = "/regrind/ranking/?month=2026-03"
    client.get(url)
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
