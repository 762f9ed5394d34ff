"""The quality overview: its figures, its three charts, the lists of what needs attention, the
module's navigation, and a pinned query count."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from partnerdesk.quality.models import DefectType
from tests.factories import (
    AuditFactory,
    CorrectiveActionFactory,
    CostEventFactory,
    EightDStageFactory,
    GoodsReceiptLineFactory,
    InspectionParameterFactory,
    InspectionStandardFactory,
    LotInspectionFactory,
    NonconformanceFactory,
    PartnerFactory,
    PurchaseOrderLineFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def month_start(months_back: int) -> datetime.date:
    today = timezone.localdate()
    year, month = today.year, today.month - months_back
    while month < 1:
        year, month = year - 1, month + 12
    return datetime.date(year, month, 1)


def decided(partner, status, when: datetime.date, **extra):
    moment = timezone.make_aware(datetime.datetime.combine(when, datetime.time(10)))
    return LotInspectionFactory(
        receipt_line__order_line__order__partner=partner,
        status=status,
        decided_at=moment,
        defectives=0 if status == "accepted" else 3,
        **extra,
    )


def seed(partner, *, size=1):
    """Lots, nonconformances, costs, an overdue stage and an audit for ``partner``."""
    today = timezone.localdate()
    this_month, last_month = month_start(0), month_start(1)
    contamination = DefectType.objects.get(code="CONTAMINATION")
    moisture = DefectType.objects.get(code="MOISTURE")
    for _ in range(size):
        decided(partner, "accepted", this_month)
        decided(partner, "accepted", this_month)
        decided(partner, "rejected", this_month)  # no disposition yet
        decided(partner, "accepted", last_month)
        LotInspectionFactory(receipt_line__order_line__order__partner=partner)  # open
        for defect in (contamination, contamination, moisture):
            NonconformanceFactory(partner=partner, defect_type=defect, detected_on=today)
        CostEventFactory(partner=partner, occurred_on=this_month, amount=Decimal("100.00"))
        CostEventFactory(
            partner=partner, occurred_on=last_month, amount=Decimal("50.00"), currency="USD"
        )
        action = CorrectiveActionFactory(nonconformance=NonconformanceFactory(partner=partner))
        EightDStageFactory(
            action=action, stage=3, due_at=timezone.now() - datetime.timedelta(hours=3)
        )
        AuditFactory(
            partner=partner, planned_date=today + datetime.timedelta(days=5), auditor=UserFactory()
        )


def test_the_overview_shows_figures_charts_and_what_needs_attention(client, make_user):
    partner = PartnerFactory(code="CMO-ALPHA")
    seed(partner)
    line = GoodsReceiptLineFactory(
        order_line=PurchaseOrderLineFactory(order__partner=partner, item="HOUSING-Z")
    )
    standard = InspectionStandardFactory(item="HOUSING-Z")
    InspectionParameterFactory(standard=standard)
    client.force_login(make_user("quality"))

    html = client.get("/quality/").content.decode()

    for figure, value in (
        ("lines_to_inspect", 1),
        ("lots_open", 1),
        ("lots_awaiting_disposition", 1),
        ("nc_open", 4),
        ("actions_open", 1),
        ("audits_planned", 1),
    ):
        tile = html[html.index(f'data-figure="{figure}"') :]
        assert f'<span class="figure">{value}</span>' in tile[: tile.index("</a>")], figure
    acceptance = html[html.index('id="acceptance"') :]
    assert f'data-label="{month_start(0):%Y-%m}" data-value="66.7"' in acceptance
    assert f'data-label="{month_start(1):%Y-%m}" data-value="100.0"' in acceptance
    pareto = html[html.index('id="pareto"') :]
    assert pareto.index('data-label="CONTAMINATION" data-value="2"') < pareto.index(
        'data-label="MOISTURE" data-value="1"'
    )
    assert "50.0 %" in pareto and "75.0 %" in pareto  # cumulative shares (4 NCs: 2, 1, 1)
    costs = html[html.index('id="costs"') :]
    assert 'data-name="CNY"' in costs and 'data-name="USD"' in costs
    assert "100.00 CNY" in costs and "50.00 USD" in costs
    assert "D3" in html[html.index('id="overdue-stages"') :]
    assert "Rejected: needs a disposition" in html[html.index('id="lots-awaiting"') :]
    assert "CMO-ALPHA" in html[html.index('id="upcoming-audits"') :]
    assert f"/quality/inspections/new/{line.pk}/" not in html  # the tile links to the to-do list


def test_the_navigation_leads_to_the_module_and_its_sections(client, make_user):
    client.force_login(make_user("quality"))
    html = client.get("/").content.decode()
    assert '<a href="/quality/">Quality</a>' in html

    page = client.get("/quality/nonconformances/").content.decode()
    subnav = page[
        page.index('class="q-subnav"') : page.index("</nav>", page.index('class="q-subnav"'))
    ]
    for label in (
        "Overview",
        "Audits",
        "Schedules",
        "Audit templates",
        "Inspections",
        "Standards",
        "Nonconformances",
        "8D actions",
        "Costs",
    ):
        assert f">{label}</a>" in subnav
    assert 'class="active" aria-current="page">Nonconformances</a>' in subnav


def test_a_partner_user_sees_only_its_own_figures(client, make_user):
    partner = PartnerFactory()
    seed(partner)
    seed(PartnerFactory())
    client.force_login(make_user("partner", partner=partner))

    html = client.get("/quality/").content.decode()

    tile = html[html.index('data-figure="nc_open"') :]
    assert '<span class="figure">4</span>' in tile[: tile.index("</a>")]
    assert 'data-figure="lines_to_inspect"' not in html
    assert 'id="costs"' not in html  # partner users do not see cost events
    page = client.get("/quality/nonconformances/").content.decode()
    subnav = page[
        page.index('class="q-subnav"') : page.index("</nav>", page.index('class="q-subnav"'))
    ]
    assert ">Costs</a>" not in subnav and ">Standards</a>" not in subnav


def test_someone_without_quality_access_gets_404(client):
    client.force_login(UserFactory())
    assert client.get("/quality/").status_code == 404
    assert "/quality/" not in client.get("/").content.decode()


@pytest.mark.parametrize("size", [1, 4])
def test_quality_home_query_count_is_constant(client, make_user, django_assert_num_queries, size):
    seed(PartnerFactory(), size=size)
    user = make_user("quality")
    client.force_login(user)
    client.get("/quality/")

    with django_assert_num_queries(16):
        response = client.get("/quality/")

    assert response.status_code == 200
