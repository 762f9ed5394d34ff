"""Pages of period closes, explanations, credit proposals, scorecards and scorecard policies."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerdesk.contracts.services.contracts import contract_change_status, contract_create
from partnerdesk.performance.models import (
    CreditProposal,
    Metric,
    PartnerScore,
    PeriodClose,
    ScorecardPolicy,
    ServiceLevelResult,
)
from partnerdesk.performance.services.closing import period_close
from partnerdesk.performance.services.measurements import measurement_correct, measurement_record
from partnerdesk.performance.services.policies import policy_create
from partnerdesk.performance.services.service_levels import service_level_create
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 21)
SEPTEMBER = datetime.date(2026, 9, 1)
OCTOBER = datetime.date(2026, 10, 1)
TIERS = [
    {"threshold": "99.9", "percent_of_fee": "10"},
    {"threshold": "99", "percent_of_fee": "25"},
    {"threshold": "95", "percent_of_fee": "100"},
]
BANDS = [
    {"name": "Good", "lower": 70, "upper": 100, "action": "none"},
    {"name": "Watch", "lower": 50, "upper": 70, "action": "warn"},
    {"name": "Poor", "lower": 0, "upper": 50, "action": "block"},
]


class World:
    """A manager, an on-time metric scored by a policy, and partners with one contract each
    carrying a tiered, pool-capped service level on that metric."""

    def __init__(self, make_user):
        self.manager = make_user("administrator", username="boss")
        self.metric = Metric.objects.create(
            code="otd-test",
            name="On-time test",
            unit="%",
            direction="higher",
            aggregation="ratio",
        )
        policy_create(
            user=self.manager,
            name="Default",
            effective_from=datetime.date(2026, 1, 1),
            decay=Decimal("0.5"),
            window=3,
            criteria=[{"metric": "otd-test", "weight": 100, "worst": 90, "best": 100}],
            bands=BANDS,
        )
        self.contracts = {}

    def add_partner(self, code: str):
        partner = PartnerFactory(code=code)
        contract = contract_create(
            user=self.manager,
            partner=partner,
            data={
                "reference": f"C-{code}",
                "title": f"Moulding {code}",
                "outsourced_scope": "Housings",
                "start_date": datetime.date(2026, 1, 1),
                "end_date": datetime.date(2027, 12, 31),
                "monthly_fee": Decimal("100000.00"),
                "at_risk_percent": Decimal("12"),
            },
        )
        contract_change_status(
            user=self.manager, contract=contract, to_status="active", reason="Signed"
        )
        service_level_create(
            user=self.manager,
            contract=contract,
            metric=self.metric,
            name="OTD",
            terms={
                "target": Decimal("99.9"),
                "critical": True,
                "credit_model": "tiered",
                "tiers": TIERS,
                "pool_allocation_percent": Decimal("50"),
                "earn_back_periods": 2,
            },
        )
        self.contracts[code] = contract
        return partner

    def record(self, code: str, day: datetime.date, on_time: int, total: int = 1000):
        return measurement_record(
            user=self.manager,
            contract=self.contracts[code],
            metric=self.metric,
            measured_on=day,
            numerator=Decimal(on_time),
            denominator=Decimal(total),
        )

    def close(self, period: datetime.date) -> PeriodClose:
        return period_close(user=self.manager, period=period, today=TODAY)


@pytest.fixture
def world(make_user):
    return World(make_user)


def signed_in(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def test_every_page_renders(world, client):
    # Given a closed month with a breach
    world.add_partner("CMO-A")
    world.record("CMO-A", datetime.date(2026, 9, 30), 980)
    close = world.close(SEPTEMBER)
    result = ServiceLevelResult.objects.get()
    score = PartnerScore.objects.get()
    signed_in(client, world.manager)
    # When each page is opened, then it renders
    urls = [
        reverse("performance:closes"),
        reverse("performance:close", args=[close.pk]),
        reverse("performance:explain_result", args=[result.pk]),
        reverse("performance:explain_score", args=[score.pk]),
        reverse("performance:proposals"),
        reverse("performance:proposals") + "?status=proposed&kind=credit&period=2026-09",
        reverse("performance:scorecards"),
        reverse("performance:scorecards") + "?period=2026-09",
        reverse("performance:scorecard", args=[score.partner_id]),
        reverse("performance:policies"),
        reverse("performance:policy_create"),
    ]
    assert [client.get(url).status_code for url in urls] == [200] * len(urls)
    page = text(client.get(reverse("performance:scorecard", args=[score.partner_id])))
    assert page.count('class="chart line-chart"') == 2  # the KPI and the scores
    assert 'class="point flagged"' in page  # September's breach


def test_the_close_page_closes_a_month_and_refuses_a_second_close(world, client):
    world.add_partner("CMO-A")
    world.record("CMO-A", datetime.date(2026, 9, 30), 980)
    signed_in(client, world.manager)
    url = reverse("performance:closes")

    response = client.post(url, {"action": "close", "period": "2026-09"})

    close = PeriodClose.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("performance:close", args=[close.pk])
    assert (close.period, close.revision, close.closed_by) == (SEPTEMBER, 1, world.manager)

    again = client.post(url, {"action": "close", "period": "2026-09"})

    assert again.status_code == 200
    assert "2026-09 is already closed. Reopen it with a reason to recompute it." in text(again)
    assert PeriodClose.objects.count() == 1


def test_the_close_page_refuses_a_month_that_has_not_ended(world, client):
    signed_in(client, world.manager)
    response = client.post(reverse("performance:closes"), {"action": "close", "period": "2999-01"})
    assert response.status_code == 200
    assert "Only a month that has ended can be closed" in text(response)
    assert PeriodClose.objects.count() == 0


def test_reopen_without_a_reason_is_refused(world, client):
    world.add_partner("CMO-A")
    world.close(SEPTEMBER)
    signed_in(client, world.manager)

    response = client.post(
        reverse("performance:closes"), {"action": "reopen", "period": "2026-09", "reason": "  "}
    )

    assert response.status_code == 200
    assert "This field is required." in text(response)
    assert PeriodClose.objects.get().reopened_at is None


def test_users_without_the_permission_cannot_close(make_user, client):
    signed_in(client, make_user("quality"))
    response = client.post(reverse("performance:closes"), {"action": "close", "period": "2026-09"})
    assert response.status_code == 404
    assert PeriodClose.objects.count() == 0


def test_after_reopen_correction_and_close_the_revision_shows_the_changed_credit(world, client):
    # Given September closed with 98.0 % on time: a 6,000.00 credit (capped by the pool)
    world.add_partner("CMO-A")
    measurement = world.record("CMO-A", datetime.date(2026, 9, 30), 980)
    signed_in(client, world.manager)
    url = reverse("performance:closes")
    client.post(url, {"action": "close", "period": "2026-09"})
    # When it is reopened with a reason, corrected to 99.9 % and closed again
    reopened = client.post(
        url, {"action": "reopen", "period": "2026-09", "reason": "Recounted deliveries"}
    )
    assert reopened.status_code == 302
    measurement_correct(
        user=world.manager,
        measurement=measurement,
        reason="Recount",
        numerator=Decimal(999),
        denominator=Decimal(1000),
    )
    client.post(url, {"action": "close", "period": "2026-09"})
    second = PeriodClose.objects.get(revision=2)
    page = text(client.get(reverse("performance:close", args=[second.pk])))
    # Then revision 2 shows the credit, outcome and attainment before → after
    assert "Differences to revision 1" in page
    assert "Recounted deliveries" in page
    assert '<span class="before">6000.00</span> → <span class="after">0.00</span>' in page
    assert '<span class="before">Breach</span> → <span class="after">Met</span>' in page
    assert '<span class="before">98.0000</span> → <span class="after">99.9000</span>' in page
    listing = text(client.get(url))
    assert "revision 2" in listing and "Recounted deliveries" in listing


def test_explain_result_shows_the_applied_tier_and_the_caps(world, client):
    # 98.0 % is below 99 → 25 % of 100,000.00 = 25,000.00; the pool cap is 50 % of the
    # at-risk 12,000.00 = 6,000.00 and binds.
    world.add_partner("CMO-A")
    measurement = world.record("CMO-A", datetime.date(2026, 9, 30), 980)
    world.close(SEPTEMBER)
    result = ServiceLevelResult.objects.get()
    signed_in(client, world.manager)

    page = text(client.get(reverse("performance:explain_result", args=[result.pk])))

    applied = re.findall(r'<tr class="applied"[^>]*>\s*<td>(.*?)</td><td>(.*?)</td>', page)
    assert applied == [("below 99", "25 %")]
    assert "Terms version 1" in page
    assert "25000.00 CNY" in page  # raw credit
    assert "12.00 % → 12000.00 CNY" in page  # at-risk amount
    assert "cap binds" in page and "at-risk cap does not bind" in page
    assert "<strong>6000.00 CNY</strong>" in page
    assert f"measurement #{measurement.pk}" in page
    assert "2026-09-30" in page
    assert "attainment 98.0000 below 99 → 25 % of fee 100000.00" in page


def test_explain_score_shows_the_policy_version_weights_and_band(world, client):
    # 95.0 % on 90 (0) to 100 (100) → 50.00; one period → overall 50.00 → Watch (warn)
    world.add_partner("CMO-A")
    world.record("CMO-A", datetime.date(2026, 9, 30), 950)
    world.close(SEPTEMBER)
    score = PartnerScore.objects.get()
    signed_in(client, world.manager)

    page = text(client.get(reverse("performance:explain_score", args=[score.pk])))

    assert "Default v1 · version 1" in page
    assert re.search(r'data-metric="otd-test">\s*<td>On-time test', page)
    assert "<td>95.0000</td><td>90.0000</td><td>100.0000</td>" in page
    assert "<td>50.00</td><td>100.00 %</td><td>100.00 %</td>" in page
    applied = re.findall(r'<tr class="applied"[^>]*><td>(.*?)</td>', page)
    assert applied == ["Watch"]
    assert "Warn on new orders and contracts" in page


def test_the_ranking_orders_partners_by_overall_score(world, client):
    for code, on_time in (("CMO-A", 950), ("CMO-B", 999), ("CMO-C", 980)):
        world.add_partner(code)
        world.record(code, datetime.date(2026, 9, 30), on_time)
    world.close(SEPTEMBER)
    signed_in(client, world.manager)

    page = text(client.get(reverse("performance:scorecards")))

    # 99.9 → 99.00, 98.0 → 80.00, 95.0 → 50.00
    assert re.findall(r'data-partner="([^"]+)"', page) == ["CMO-B", "CMO-C", "CMO-A"]
    assert re.findall(r'class="bar" data-label="([^"]+)" data-value="([^"]+)"', page) == [
        ("CMO-B", "99.0"),
        ("CMO-C", "80.0"),
        ("CMO-A", "50.0"),
    ]
    assert "standing-warn" in page  # CMO-A is in the Watch band


def policy_post(criteria, bands, **head):
    data = {
        "name": "Stricter",
        "effective_from": "2026-12-01",
        "decay": "0.8",
        "window": "6",
        "criteria-TOTAL_FORMS": str(len(criteria) + 1),
        "criteria-INITIAL_FORMS": "0",
        "bands-TOTAL_FORMS": str(len(bands) + 1),
        "bands-INITIAL_FORMS": "0",
        **head,
    }
    for index, row in enumerate(criteria):
        data.update({f"criteria-{index}-{key}": value for key, value in row.items()})
    for index, row in enumerate(bands):
        data.update({f"bands-{index}-{key}": value for key, value in row.items()})
    return data


def test_the_policy_editor_refuses_weights_summing_to_90(world, client):
    Metric.objects.create(
        code="ppm-test", name="PPM test", unit="ppm", direction="lower", aggregation="mean"
    )
    signed_in(client, world.manager)
    criteria = [
        {"metric": "otd-test", "weight": "40", "worst": "90", "best": "100"},
        {"metric": "ppm-test", "weight": "50", "worst": "500", "best": "0"},
    ]

    response = client.post(reverse("performance:policy_create"), policy_post(criteria, BANDS))

    assert response.status_code == 200
    assert "Weights add up to 90, not 100." in text(response)
    assert 'value="40"' in text(response) and 'value="Stricter"' in text(response)
    assert ScorecardPolicy.objects.count() == 1


def test_the_policy_editor_refuses_overlapping_bands(world, client):
    signed_in(client, world.manager)
    criteria = [{"metric": "otd-test", "weight": "100", "worst": "90", "best": "100"}]
    bands = [
        {"name": "Good", "lower": "60", "upper": "100", "action": "none"},
        {"name": "Poor", "lower": "0", "upper": "70", "action": "block"},
    ]

    response = client.post(reverse("performance:policy_create"), policy_post(criteria, bands))

    assert response.status_code == 200
    assert "Band &#x27;Poor&#x27; (ends at 70) overlaps band &#x27;Good&#x27; (starts at 60)." in (
        text(response)
    )
    assert ScorecardPolicy.objects.count() == 1


def test_the_policy_editor_saves_a_new_version(world, client):
    signed_in(client, world.manager)
    criteria = [{"metric": "otd-test", "weight": "100", "worst": "92", "best": "100"}]

    response = client.post(reverse("performance:policy_create"), policy_post(criteria, BANDS))

    assert response.status_code == 302
    policy = ScorecardPolicy.objects.get(version=2)
    assert (policy.name, policy.effective_from, policy.window) == (
        "Stricter",
        datetime.date(2026, 12, 1),
        6,
    )
    assert [(c.metric.code, c.worst) for c in policy.criteria.all()] == [
        ("otd-test", Decimal("92.0000"))
    ]
    assert sorted(b.name for b in policy.bands.all()) == ["Good", "Poor", "Watch"]


def test_a_partner_user_sees_only_their_own_scorecard(world, make_user, client):
    own = world.add_partner("CMO-A")
    other = world.add_partner("CMO-B")
    world.record("CMO-A", datetime.date(2026, 9, 30), 950)
    world.record("CMO-B", datetime.date(2026, 9, 30), 980)
    world.close(SEPTEMBER)
    signed_in(client, make_user("partner", partner=own))
    other_score = PartnerScore.objects.get(partner=other)

    assert client.get(reverse("performance:scorecard", args=[own.pk])).status_code == 200
    assert client.get(reverse("performance:scorecard", args=[other.pk])).status_code == 404
    assert client.get(reverse("performance:explain_score", args=[other_score.pk])).status_code == (
        404
    )
    ranking = text(client.get(reverse("performance:scorecards")))
    assert re.findall(r'data-partner="([^"]+)"', ranking) == ["CMO-A"]
    # The partner role holds no permission on credit proposals or results: none is shown.
    assert CreditProposal.objects.count() == 2
    assert client.get(reverse("performance:proposals")).status_code == 404
    result = ServiceLevelResult.objects.get(contract__partner=other)
    assert client.get(reverse("performance:explain_result", args=[result.pk])).status_code == 404


def test_proposals_filter_and_show_what_an_earn_back_returns(world, client):
    world.add_partner("CMO-A")
    world.record("CMO-A", datetime.date(2026, 8, 31), 980)
    world.record("CMO-A", datetime.date(2026, 9, 30), 1000)
    world.record("CMO-A", datetime.date(2026, 10, 31), 999)
    for month in (8, 9, 10):
        world.close(datetime.date(2026, month, 1))
    signed_in(client, world.manager)
    url = reverse("performance:proposals")

    earn_backs = text(client.get(url + "?kind=earn_back"))
    credits = text(client.get(url + "?kind=credit&period=2026-08"))

    assert earn_backs.count('class="proposal proposal-earn_back"') == 1
    assert "returns the credit of 2026-08 (6000.00 CNY)" in earn_backs
    assert credits.count('class="proposal proposal-credit"') == 1
    assert "proposal-earn_back" not in credits
    partial = text(
        client.get(
            url + "?sort=-amount", headers={"HX-Request": "true", "HX-Target": "list-results"}
        )
    )
    assert partial.startswith("\n<table") and "<html" not in partial
    assert partial.count('class="proposal ') == 2


def count_queries(client, url) -> int:
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_ranking_and_proposal_pages_need_the_same_queries_for_2_and_8_partners(world, client):
    for index in range(2):
        world.add_partner(f"P{index}")
        world.record(f"P{index}", datetime.date(2026, 9, 30), 980)
    world.close(SEPTEMBER)
    signed_in(client, world.manager)
    pages = [
        reverse("performance:scorecards"),
        reverse("performance:proposals"),
        reverse("performance:closes"),
    ]
    few = [count_queries(client, url) for url in pages]
    for index in range(2, 8):
        world.add_partner(f"P{index}")
    for index in range(8):
        world.record(f"P{index}", datetime.date(2026, 10, 31), 970 + index)
    world.close(OCTOBER)
    assert PartnerScore.objects.filter(period=OCTOBER).count() == 8

    many = [count_queries(client, url) for url in pages]

    assert many == few


def test_the_scorecard_page_needs_the_same_queries_for_1_and_3_periods(world, client):
    partner = world.add_partner("CMO-A")
    world.record("CMO-A", datetime.date(2026, 8, 31), 990)
    world.close(datetime.date(2026, 8, 1))
    signed_in(client, world.manager)
    url = reverse("performance:scorecard", args=[partner.pk])
    one = count_queries(client, url)
    world.record("CMO-A", datetime.date(2026, 9, 30), 950)
    world.record("CMO-A", datetime.date(2026, 10, 31), 930)
    world.close(SEPTEMBER)
    world.close(OCTOBER)

    page = text(client.get(url))

    assert count_queries(client, url) == one
    assert re.findall(r"<td>(2026-\d\d)</td>\s*<td>([\d.]+)</td>", page) == [
        ("2026-10", "30.00"),
        ("2026-09", "50.00"),
        ("2026-08", "90.00"),
    ]
    # Flagged: the three breaches of 99.9 % on the KPI chart, and on the score chart September's
    # overall (50 + 0.5 * 90) / 1.5 = 63.33 (Watch, warn) and October's
    # (30 + 0.5 * 50 + 0.25 * 90) / 1.75 = 44.29 (Poor, block).
    assert page.count('class="point flagged"') == 5
    assert "<strong>44.29</strong>" in page


def test_explain_lists_the_measurements_the_close_saw_not_later_corrections(world, client):
    from partnerdesk.performance.result_selectors import measurements_at_close
    from partnerdesk.performance.services.closing import period_reopen

    world.add_partner("CMO-A")
    measurement = world.record("CMO-A", datetime.date(2026, 9, 30), 980)
    world.close(SEPTEMBER)
    result = ServiceLevelResult.objects.select_related("period_close", "service_level").get()
    # The month is reopened and the value corrected: revision 1 still shows what it counted.
    period_reopen(user=world.manager, period=SEPTEMBER, reason="Recount")
    corrected = measurement_correct(
        user=world.manager,
        measurement=measurement,
        reason="Recount",
        numerator=Decimal(999),
        denominator=Decimal(1000),
    )
    [row] = measurements_at_close(result)
    assert (row.measurement_id, row.numerator, row.denominator) == (
        measurement.pk,
        "980.0000",
        "1000.0000",
    )
    assert corrected.pk != measurement.pk
    assert result.explanation["attainment_step"] == (
        "ratio: numerators 980.0000 / denominators 1000.0000 x 100.00 = 98.0000"
    )
