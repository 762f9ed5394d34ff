"""The demo's contracts and performance year: closed months, credits, an earn-back and a
partner sliding into the blocking standing; loading it again adds nothing."""

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from partnerdesk.demo.company import load_demo_company
from partnerdesk.demo.performance_demo import demo_months
from partnerdesk.notifications.models import Notification
from partnerdesk.partners.models import Partner
from partnerdesk.performance.models import CreditProposal, Metric, PeriodClose
from partnerdesk.performance.selectors import partner_standing

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_the_demo_year_is_closed_with_credits_earn_backs_and_a_blocked_partner():
    # When the demo company is loaded
    load_demo_company()

    # Then each of the twelve months up to the last complete one has one standing close
    months = demo_months(timezone.localdate())
    standing = PeriodClose.objects.filter(reopened_at__isnull=True)
    assert sorted(standing.values_list("period", flat=True)) == months
    assert PeriodClose.objects.count() == 12
    # … with credits for finance, and credits earned back after two met months
    assert CreditProposal.objects.filter(kind="credit").count() >= 1
    earn_back = CreditProposal.objects.filter(kind="earn_back").select_related("earns_back")[0]
    credit = earn_back.earns_back
    assert (credit.earn_back_state, earn_back.amount) == ("earned_back", credit.amount)
    assert months.index(earn_back.period) - months.index(credit.period) == 2
    # … exactly one partner stands in a blocking band, the one that slid for four months
    blocked = [
        p.code
        for p in Partner.objects.order_by("code")
        if (s := partner_standing(partner_id=p.pk)) and s.action == "block"
    ]
    assert blocked == ["CMO-XMN"]
    xmn = Partner.objects.get(code="CMO-XMN")
    assert partner_standing(partner_id=xmn.pk).standing == "Poor"
    # … and its owners were alerted about the declines
    alerts = Notification.objects.filter(kind="score_decline")
    assert alerts.exists()
    assert {n.link for n in alerts} == {reverse("performance:scorecard", args=[xmn.pk])}
    # The default metric library is there, the derived milestone KPI included
    assert Metric.objects.get(code="milestone_on_time").derived_source == "milestone_on_time"


def test_loading_the_demo_twice_adds_nothing():
    # Given the demo loaded once
    load_demo_company()
    first = row_counts()

    # When it is loaded again
    load_demo_company()

    # Then every table has exactly as many rows as before
    assert row_counts() == first
    assert first["performance.PeriodClose"] == 12
    assert first["contracts.Contract"] == 9
