"""The demo's finance module: every kind of discrepancy the matching engine finds and every
state of the exception queue are there after ``partnerdesk demo``; loading it again adds
nothing."""

import pytest
from django.apps import apps

from partnerdesk.demo.company import load_demo_company
from partnerdesk.finance.choices import ExceptionStatus, Resolution
from partnerdesk.finance.engines import ExceptionType as EngineType
from partnerdesk.finance.models import (
    AgendaItem,
    DocumentReview,
    InvoiceDeduction,
    MatchException,
    ReviewCheck,
    SupplierInvoice,
    WeeklyReconciliation,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_the_demo_shows_every_discrepancy_and_every_state_and_loads_once():
    # When the demo company is loaded
    load_demo_company()
    first = row_counts()

    # Then every exception type the engine raises is there …
    exceptions = MatchException.objects.all()
    assert set(exceptions.values_list("type", flat=True)) == {t.value for t in EngineType}
    assert exceptions.filter(type="awaiting_inspection").exists()
    assert exceptions.filter(type="quality_hold", detail__contains="on quality hold").exists()
    duplicates = exceptions.filter(type="duplicate")
    assert set(duplicates.values_list("severity", flat=True)) == {"block", "warn"}  # exact, likely
    assert set(exceptions.filter(type="price_variance").values_list("severity", flat=True)) == {
        "block",
        "warn",
    }
    # … in every state, with owners and reason codes on open ones
    assert set(exceptions.values_list("status", flat=True)) == set(ExceptionStatus.values)
    open_ = exceptions.filter(status=ExceptionStatus.OPEN)
    assert open_.exclude(owner=None).exclude(reason_code="").exists()
    resolved = exceptions.filter(status=ExceptionStatus.RESOLVED)
    assert {
        Resolution.ACCEPTED,
        Resolution.CREDIT_NOTE,
        Resolution.REJECTED,
        Resolution.CORRECTED,
    } <= set(resolved.values_list("resolution", flat=True))
    # accepted below the threshold, above it approved by someone else, or awaiting approval
    approved = resolved.filter(resolution=Resolution.ACCEPTED).exclude(approved_by=None)
    assert approved.exists()
    assert all(e.approved_by_id != e.resolved_by_id for e in approved)
    assert resolved.filter(resolution=Resolution.ACCEPTED, approved_by=None).exists()
    assert exceptions.filter(status=ExceptionStatus.AWAITING_APPROVAL).exists()
    # a credit note received with the amount recovered; data errors with who found them
    recovered = resolved.get(resolution=Resolution.CREDIT_NOTE)
    assert recovered.recovered_amount > 0
    assert recovered.credit_note.kind == "credit_note"
    corrected = resolved.filter(resolution=Resolution.CORRECTED)
    assert {e.data_error_found_by.username for e in corrected} == {"li.na", "wang.fang"}
    assert all(e.data_error_amount > 0 for e in corrected)

    # Invoices: a rejected one, a few released, many clean; service credits deducted
    invoices = SupplierInvoice.objects.filter(kind="invoice")
    assert invoices.filter(status="rejected").count() == 1
    assert invoices.filter(status="released").count() == 5
    clean = invoices.exclude(pk__in=exceptions.values("invoice_id"))
    assert clean.count() >= 25
    assert invoices.exclude(currency="CNY").exists()
    assert InvoiceDeduction.objects.exists()
    # Reviews: some complete, a changed bank account confirmed by a second reviewer and one
    # waiting for it
    assert DocumentReview.objects.filter(status="complete").count() >= 10
    assert DocumentReview.objects.filter(status="open").exists()
    bank = ReviewCheck.objects.filter(item__auto_check="bank_account", needs_second=True)
    assert bank.exclude(second_by=None).count() == 1
    assert bank.filter(second_by=None).count() == 1
    # Weekly reconciliations of the last four weeks with their agendas, one point done
    assert WeeklyReconciliation.objects.count() == 4
    assert AgendaItem.objects.filter(status="done").count() == 1
    assert AgendaItem.objects.filter(status="open").count() > 4
    # The queue has an age: open exceptions in more than one aging bucket, resolved ones
    # resolved after they were opened; the newest report shows the same
    report = WeeklyReconciliation.objects.order_by("-week_start").first().report
    assert sum(1 for bucket in report["aging"] if bucket["count"]) >= 2
    assert all(e.resolved_at >= e.opened_at for e in resolved)
    # Credit notes are not matched: none is blocked only for that
    notes = SupplierInvoice.objects.filter(kind="credit_note")
    assert notes.exists() and notes.filter(payment_status="ready").exists()

    # When it is loaded again, every table keeps its rows
    load_demo_company()
    assert row_counts() == first
