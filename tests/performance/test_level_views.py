"""Pages of the metric library, service levels (the terms editor), exclusions and measurements."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerdesk.contracts.services.contracts import contract_create
from partnerdesk.performance.models import (
    Exclusion,
    Measurement,
    Metric,
    PeriodClose,
    ServiceLevel,
    ServiceLevelTerms,
)
from partnerdesk.performance.services.measurements import measurement_record
from partnerdesk.performance.services.service_levels import (
    exclusion_request,
    service_level_create,
)
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db
TIERS = [
    {"threshold": "99.9", "percent_of_fee": "10"},
    {"threshold": "99", "percent_of_fee": "25"},
]


def make_contract(user, reference="C-1", partner=None):
    return contract_create(
        user=user,
        partner=partner or PartnerFactory(code=f"CMO-{reference}"),
        data={
            "reference": reference,
            "title": "Moulding",
            "outsourced_scope": "Housings",
            "start_date": datetime.date(2026, 1, 1),
            "end_date": datetime.date(2027, 12, 31),
            "monthly_fee": Decimal("100000.00"),
        },
    )


def make_metric(code, aggregation="ratio", unit="%", **extra):
    return Metric.objects.create(
        code=code,
        name=code.replace("_", " ").title(),
        unit=unit,
        direction="higher",
        aggregation=aggregation,
        **extra,
    )


def add_level(user, contract, metric, pool="60"):
    return service_level_create(
        user=user,
        contract=contract,
        metric=metric,
        name="",
        terms={
            "target": Decimal("99.9"),
            "critical": True,
            "credit_model": "tiered",
            "tiers": TIERS,
            "pool_allocation_percent": Decimal(pool),
            "earn_back_periods": 2,
        },
    )


@pytest.fixture
def world(admin_user):
    contract = make_contract(admin_user)
    uptime = make_metric("t_uptime")
    level = add_level(admin_user, contract, uptime)
    return contract, uptime, level


def terms_post(tiers, **fields):
    data = {
        "target": "99.9",
        "critical": "on",
        "credit_model": "tiered",
        "pool_allocation_percent": "10",
        "earn_back_periods": "0",
        "note": "",
        "tiers-TOTAL_FORMS": str(len(tiers) + 1),
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "40",
    }
    for index, (threshold, percent) in enumerate([*tiers, ("", "")]):
        data[f"tiers-{index}-threshold"] = threshold
        data[f"tiers-{index}-percent_of_fee"] = percent
    data.update(fields)
    return data


def test_the_pages_render(client, admin_user, world):
    contract, uptime, level = world
    measurement = measurement_record(
        user=admin_user,
        contract=contract,
        metric=uptime,
        measured_on=datetime.date(2026, 3, 31),
        numerator=Decimal(980),
        denominator=Decimal(1000),
    )
    client.force_login(admin_user)
    pages = [
        "/performance/metrics/",
        "/performance/metrics/new/",
        f"/performance/metrics/{uptime.pk}/edit/",
        f"/performance/contracts/{contract.pk}/service-levels/",
        f"/performance/contracts/{contract.pk}/service-levels/new/",
        f"/performance/service-levels/{level.pk}/",
        f"/performance/service-levels/{level.pk}/terms/new/",
        "/performance/measurements/",
        f"/performance/measurements/?contract={contract.pk}&year=2026",
        f"/performance/measurements/new/?contract={contract.pk}&metric={uptime.pk}&month=2026-04",
        f"/performance/measurements/{measurement.pk}/correct/",
        "/performance/measurements/import/",
    ]

    statuses = {page: client.get(page).status_code for page in pages}

    assert statuses == dict.fromkeys(pages, 200)


def test_the_service_level_page_shows_versions_tiers_and_pool(client, admin_user, world):
    _contract, _uptime, level = world
    client.force_login(admin_user)

    page = client.get(f"/performance/service-levels/{level.pk}/").text

    assert "v1" in page
    assert "below 99.9" in page and "below 99" in page
    assert "60 %" in page
    assert "after 2 periods met" in page


def test_a_derived_metric_shows_its_source(client, admin_user):
    make_metric("t_derived", source="derived", derived_source="milestone_on_time")
    client.force_login(admin_user)

    page = client.get("/performance/metrics/?q=t_derived").text

    assert "Milestones and deliverables on time (%)" in page


def test_the_terms_editor_shows_a_non_monotonic_table_and_saves_nothing(client, admin_user):
    contract = make_contract(admin_user)
    metric = make_metric("t_otd")
    client.force_login(admin_user)
    before = (ServiceLevel.objects.count(), ServiceLevelTerms.objects.count())

    response = client.post(
        f"/performance/contracts/{contract.pk}/service-levels/new/",
        terms_post([("99.9", "10"), ("99", "5")], metric=str(metric.pk), name="OTD"),
    )

    assert response.status_code == 200
    top = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', response.text, re.S)
    assert (
        "Row 2: below 99 gives 5 %, which must be more than the 10 % of row 1 (below 99.9)."
        in top.group(1)
    )
    assert 'name="tiers-1-percent_of_fee" value="5"' in response.text  # the input is kept
    assert (ServiceLevel.objects.count(), ServiceLevelTerms.objects.count()) == before


def test_pool_allocations_above_100_are_refused_naming_the_sum(client, admin_user, world):
    contract, _uptime, _level = world  # 60 % of the pool already
    second = make_metric("t_quality")
    client.force_login(admin_user)

    response = client.post(
        f"/performance/contracts/{contract.pk}/service-levels/new/",
        terms_post([("99.9", "10")], metric=str(second.pk), name="", pool_allocation_percent="50"),
    )

    assert response.status_code == 200
    assert "Pool allocations add up to 110.00 %, more than 100 %." in response.text
    assert response.context["terms_form"].errors["pool_allocation_percent"] == [
        "Pool allocations add up to 110.00 %, more than 100 %."
    ]
    assert ServiceLevel.objects.count() == 1


def test_a_new_terms_version_is_added_from_a_date(client, admin_user, world):
    _contract, _uptime, level = world
    client.force_login(admin_user)

    response = client.post(
        f"/performance/service-levels/{level.pk}/terms/new/",
        terms_post(
            [("99.5", "15"), ("98", "40")],
            effective_from="2026-07-01",
            pool_allocation_percent="60",
            note="Amendment 2",
        ),
    )

    assert response.status_code == 302
    latest = level.terms.order_by("-version").first()
    assert (latest.version, latest.effective_from, latest.tiers, latest.note) == (
        2,
        datetime.date(2026, 7, 1),
        [
            {"threshold": "99.5", "percent_of_fee": "15"},
            {"threshold": "98", "percent_of_fee": "40"},
        ],
        "Amendment 2",
    )


def test_measurement_entry_for_a_closed_month_is_refused(client, admin_user, world):
    contract, uptime, _level = world
    PeriodClose.objects.create(period=datetime.date(2026, 8, 1))
    client.force_login(admin_user)

    response = client.post(
        "/performance/measurements/new/",
        {
            "contract": contract.pk,
            "metric": uptime.pk,
            "measured_on": "2026-08-31",
            "numerator": "990",
            "denominator": "1000",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "measured_on": ["2026-08 is closed; reopen it to change its measurements."]
    }
    assert Measurement.objects.count() == 0


def test_a_measurement_is_entered_from_the_grid_link(client, admin_user, world):
    contract, uptime, _level = world
    client.force_login(admin_user)

    response = client.post(
        "/performance/measurements/new/",
        {
            "contract": contract.pk,
            "metric": uptime.pk,
            "measured_on": "2026-04-30",
            "numerator": "990",
            "denominator": "1000",
            "evidence": "ERP",
        },
    )

    assert response.status_code == 302
    assert response.url == f"/performance/measurements/?contract={contract.pk}&year=2026"
    saved = Measurement.objects.get()
    assert (saved.value, saved.source, saved.author) == (Decimal("99.0000"), "manual", admin_user)


def test_a_correction_keeps_the_history(client, admin_user, world):
    contract, uptime, _level = world
    first = measurement_record(
        user=admin_user,
        contract=contract,
        metric=uptime,
        measured_on=datetime.date(2026, 3, 31),
        numerator=Decimal(980),
        denominator=Decimal(1000),
    )
    client.force_login(admin_user)

    response = client.post(
        f"/performance/measurements/{first.pk}/correct/",
        {"numerator": "999", "denominator": "1000", "correction_reason": "Recount"},
    )

    assert response.status_code == 302
    first.refresh_from_db()
    current = Measurement.objects.get(is_current=True)
    assert (first.is_current, first.replaced_by, current.value, current.correction_reason) == (
        False,
        current,
        Decimal("99.9000"),
        "Recount",
    )
    history = client.get(f"/performance/measurements/{current.pk}/correct/").context["history"]
    assert [(m.value, m.is_current) for m in history] == [
        (Decimal("99.9000"), True),
        (Decimal("98.0000"), False),
    ]


def test_a_correction_without_a_reason_is_refused(client, admin_user, world):
    contract, uptime, _level = world
    first = measurement_record(
        user=admin_user,
        contract=contract,
        metric=uptime,
        measured_on=datetime.date(2026, 3, 31),
        numerator=Decimal(980),
        denominator=Decimal(1000),
    )
    client.force_login(admin_user)

    response = client.post(
        f"/performance/measurements/{first.pk}/correct/",
        {"numerator": "999", "denominator": "1000", "correction_reason": ""},
    )

    assert response.status_code == 200
    assert Measurement.objects.count() == 1


def test_the_grid_shows_values_closed_months_and_derived_rows(client, admin_user, world):
    contract, uptime, _level = world
    derived = make_metric("t_milestones", source="derived", derived_source="milestone_on_time")
    add_level(admin_user, contract, derived, pool="10")
    measurement_record(
        user=admin_user,
        contract=contract,
        metric=uptime,
        measured_on=datetime.date(2026, 3, 31),
        numerator=Decimal(980),
        denominator=Decimal(1000),
    )
    PeriodClose.objects.create(period=datetime.date(2026, 3, 1))
    client.force_login(admin_user)

    response = client.get(f"/performance/measurements/?contract={contract.pk}&year=2026")

    rows = {row["metric"].code: row for row in response.context["rows"]}
    march = rows["t_uptime"]["cells"][2]
    assert (march["closed"], [m.value for m in march["values"]], march["record_url"]) == (
        True,
        [Decimal("98.0000")],
        None,
    )
    assert rows["t_uptime"]["cells"][3]["record_url"] == (
        f"/performance/measurements/new/?contract={contract.pk}&metric={uptime.pk}&month=2026-04"
    )
    assert rows["t_milestones"]["derived"] is True
    assert all(cell["record_url"] is None for cell in rows["t_milestones"]["cells"])
    assert 'title="980 / 1000"' in response.text
    assert "computed from platform data at the close; read-only" in response.text


def test_the_grid_query_count_does_not_grow_with_its_cells(client, admin_user):
    def seed(reference, metrics, months):
        contract = make_contract(admin_user, reference)
        for index in range(metrics):
            metric = make_metric(f"t_{reference.lower()}_{index}".replace("-", "_"))
            add_level(admin_user, contract, metric, pool="5")
            for month in range(1, months + 1):
                measurement_record(
                    user=admin_user,
                    contract=contract,
                    metric=metric,
                    measured_on=datetime.date(2026, month, 20),
                    numerator=Decimal(9),
                    denominator=Decimal(10),
                )
        return f"/performance/measurements/?contract={contract.pk}&year=2026"

    small, large = seed("S-1", 1, 1), seed("L-1", 4, 6)
    client.force_login(admin_user)
    client.get(small)

    counts = []
    for url in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_exclusions_are_requested_and_decided_by_someone_else(client, admin_user, make_user, world):
    _contract, _uptime, level = world
    client.force_login(admin_user)
    client.post(
        f"/performance/service-levels/{level.pk}/exclusions/new/",
        {"period": "2026-05", "reason": "Typhoon, clause 14.2"},
    )
    exclusion = Exclusion.objects.get()

    own = client.post(
        f"/performance/exclusions/{exclusion.pk}/decide/", {"decision": "approve"}, follow=True
    )
    client.force_login(make_user("finance", username="approver"))
    approved = client.post(
        f"/performance/exclusions/{exclusion.pk}/decide/", {"decision": "approve"}, follow=True
    )

    assert "The requester cannot approve their own exclusion." in own.text
    assert "Exclusion approved." in approved.text
    exclusion.refresh_from_db()
    assert (exclusion.period, exclusion.status) == (datetime.date(2026, 5, 1), "approved")


def test_an_exclusion_in_a_closed_month_cannot_be_decided(client, admin_user, make_user, world):
    _contract, _uptime, level = world
    exclusion = exclusion_request(
        user=admin_user, service_level=level, period=datetime.date(2026, 5, 1), reason="Flood"
    )
    PeriodClose.objects.create(period=datetime.date(2026, 5, 1))
    client.force_login(make_user("finance", username="approver"))

    response = client.post(
        f"/performance/exclusions/{exclusion.pk}/decide/", {"decision": "reject"}, follow=True
    )

    assert "2026-05 is closed; reopen it first." in response.text
    exclusion.refresh_from_db()
    assert exclusion.status == "requested"


def test_an_exclusion_request_without_a_valid_month_keeps_the_form(client, admin_user, world):
    _contract, _uptime, level = world
    client.force_login(admin_user)

    response = client.post(
        f"/performance/service-levels/{level.pk}/exclusions/new/",
        {"period": "May", "reason": "Typhoon"},
    )

    assert response.status_code == 200
    assert response.context["exclusion_form"].errors == {
        "period": ["A period is written YYYY-MM, for example 2026-10."]
    }
    assert Exclusion.objects.count() == 0


def test_a_partner_user_of_another_partner_gets_404(client, admin_user, make_user, world):
    contract, uptime, level = world
    measurement = measurement_record(
        user=admin_user,
        contract=contract,
        metric=uptime,
        measured_on=datetime.date(2026, 3, 31),
        numerator=Decimal(980),
        denominator=Decimal(1000),
    )
    exclusion = exclusion_request(
        user=admin_user, service_level=level, period=datetime.date(2026, 5, 1), reason="Flood"
    )
    client.force_login(make_user("partner", partner=PartnerFactory(code="OTHER")))
    pages = [
        f"/performance/contracts/{contract.pk}/service-levels/",
        f"/performance/contracts/{contract.pk}/service-levels/new/",
        f"/performance/service-levels/{level.pk}/",
        f"/performance/service-levels/{level.pk}/terms/new/",
        f"/performance/measurements/{measurement.pk}/correct/",
    ]

    statuses = {page: client.get(page).status_code for page in pages}
    decide = client.post(f"/performance/exclusions/{exclusion.pk}/decide/", {"decision": "reject"})
    grid = client.get(f"/performance/measurements/?contract={contract.pk}&year=2026")

    assert statuses == dict.fromkeys(pages, 404)
    assert decide.status_code == 404
    assert (grid.status_code, grid.context["contract"], grid.context["rows"]) == (200, None, [])


def test_the_own_partner_user_sees_the_service_level_but_cannot_add_terms(client, make_user, world):
    contract, _uptime, level = world
    client.force_login(make_user("partner", partner=contract.partner))

    detail = client.get(f"/performance/service-levels/{level.pk}/")
    add = client.get(f"/performance/service-levels/{level.pk}/terms/new/")

    assert (detail.status_code, add.status_code) == (200, 404)


def test_abandoned_import_uploads_are_pruned_after_a_day(settings):
    # Given one stale and one fresh upload of an import that was never committed
    import datetime
    import os

    from partnerdesk.performance.tasks import prune_import_uploads

    folder = settings.MEDIA_ROOT / "measurement-imports" / "7"
    folder.mkdir(parents=True)
    stale, fresh = folder / "old.csv", folder / "new.csv"
    stale.write_text("contract,metric\n")
    fresh.write_text("contract,metric\n")
    two_days_ago = (datetime.datetime.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(stale, (two_days_ago, two_days_ago))

    # When the daily job runs
    removed = prune_import_uploads.call()

    # Then only the stale file is gone
    assert removed == 1
    assert not stale.exists() and fresh.exists()
