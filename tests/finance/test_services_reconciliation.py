"""The weekly reconciliation on the real database: weeks, the report of a small hand-built
week, the meeting agenda, revisions, the command and the weekly job."""

import datetime
import io
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from partnerdesk.core.errors import Forbidden, InvalidInput
from partnerdesk.finance.choices import CheckOutcome
from partnerdesk.finance.models import (
    AgendaItem,
    MatchException,
    ReviewCheck,
    WeeklyReconciliation,
)
from partnerdesk.finance.services import documents, reviews
from partnerdesk.finance.services.reconciliation import (
    parse_week,
    previous_week,
    reconcile,
    reconcile_week,
    week_of,
)
from tests.factories import (
    ContractFactory,
    CreditProposalFactory,
    MatchExceptionFactory,
    PartnerFactory,
    SupplierInvoiceFactory,
)

pytestmark = pytest.mark.django_db

W41 = datetime.date(2026, 10, 5)
CENT = D("0.01")
SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- weeks ----------------------------------------------------------------------------------


def test_parse_week():
    assert parse_week("2026-W41") == (W41, datetime.date(2026, 10, 11))
    assert parse_week(" 2026-W53 ") == (datetime.date(2026, 12, 28), datetime.date(2027, 1, 3))
    assert week_of(datetime.date(2027, 1, 1)) == "2026-W53"
    assert week_of(datetime.date(2026, 10, 11)) == "2026-W41"
    assert previous_week(datetime.date(2026, 10, 12)) == "2026-W41"


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ("2026-47", "Give the week as YYYY-Www, e.g. 2026-W47."),
        ("2026-w47", "Give the week as YYYY-Www, e.g. 2026-W47."),
        ("", "Give the week as YYYY-Www, e.g. 2026-W47."),
        ("2026-W54", "2026 has no week 54."),
        ("2027-W53", "2027 has no week 53."),
        ("2026-W00", "2026 has no week 0."),
    ],
)
def test_parse_week_refusals(week, message):
    with pytest.raises(InvalidInput) as error:
        parse_week(week)
    assert error.value.message == message
    assert error.value.fields == {"week": ["Give the week as YYYY-Www, e.g. 2026-W47."]}


def test_a_week_that_has_not_started_cannot_be_reconciled(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: W41)
    with pytest.raises(InvalidInput) as error:
        reconcile_week(week="2026-W42")
    assert error.value.message == "Week 2026-W42 has not started yet."
    assert error.value.fields == {"week": ["Week 2026-W42 has not started yet."]}
    assert not WeeklyReconciliation.objects.exists()
    # The week running now may be reconciled (so far).
    assert reconcile_week(week="2026-W41").revision == 1


# --- a small week ---------------------------------------------------------------------------


@pytest.fixture
def finance(make_user):
    return make_user("finance", username="fin")


def invoice(user, partner, number, day, lines):
    built, net, tax = [], D(0), D(0)
    for o, n, q, p in lines:
        amount = (D(q) * D(p)).quantize(CENT)
        line_tax = (amount * D("0.13")).quantize(CENT)
        net, tax = net + amount, tax + line_tax
        built.append(
            {"order": o, "order_line": n, "quantity": q, "unit_price": p, "amount": str(amount),
             "tax_rate": "13", "tax_amount": str(line_tax)}
        )  # fmt: skip
    return documents.invoice_create(
        user=user,
        data={
            "partner": partner.pk,
            "number": number,
            "invoice_date": day,
            "due_date": day + datetime.timedelta(days=30),
            "currency": "CNY",
            "net_total": str(net),
            "tax_total": str(tax),
            "gross_total": str(net + tax),
            "tax_id": partner.tax_id,
            "bank_account": "6222 0000 1111",
            "lines": built,
        },
    )


def at(day: datetime.date):
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=SHANGHAI)


@pytest.fixture
def week(finance, make_user):
    """Week 41 of 2026: three invoices of two partners.

    - PA INV-A1: 1000 x 2.50 + 500 x 1.20 = 3100.00 + 403.00 tax = 3503.00, clean, reviewed;
    - PA INV-A2: 100 x 10.00 = 1000.00 + 130.00 = 1130.00, nothing received (1000.00 at stake);
    - PB INV-B1: 200 x 5.20 = 1040.00 + 135.20 = 1175.20, 0.20 over the PO price (40.00).
    Outside the week: an accepted exception waiting for approval opened 40 days ago (77.00), a
    credit note asked for 10 days ago (12.50), a credit recovered (200.00) and a data error
    (55.00) resolved in the week; two proposed service credits and one earn-back.
    """
    buyer = make_user("outsourcing")
    a = PartnerFactory(code="PA", tax_id="91440300MA5FXA")
    b = PartnerFactory(code="PB", tax_id="91440300MA5FXB")
    for partner, number, lines in (
        (a, "PO-A", [("1000", "2.5"), ("500", "1.2"), ("100", "10")]),
        (b, "PO-B", [("200", "5")]),
    ):
        documents.purchase_order_create(
            user=buyer,
            data={
                "partner": partner.pk,
                "number": number,
                "order_date": W41 - datetime.timedelta(days=30),
                "currency": "CNY",
                "lines": [{"item": "X", "quantity": q, "unit_price": p} for q, p in lines],
            },
        )
    documents.receipt_create(
        user=buyer,
        data={"partner": a.pk, "number": "DN-A", "received_on": W41, "lines": [
            {"order": "PO-A", "order_line": 1, "quantity_received": "1000"},
            {"order": "PO-A", "order_line": 2, "quantity_received": "500"},
        ]},
    )  # fmt: skip
    documents.receipt_create(
        user=buyer,
        data={"partner": b.pk, "number": "DN-B", "received_on": W41, "lines": [
            {"order": "PO-B", "order_line": 1, "quantity_received": "200"},
        ]},
    )  # fmt: skip
    a1 = invoice(finance, a, "INV-A1", W41 + datetime.timedelta(days=1),
                 [("PO-A", 1, "1000", "2.5"), ("PO-A", 2, "500", "1.2")])  # fmt: skip
    for check in ReviewCheck.objects.filter(review__invoice=a1, outcome=CheckOutcome.PENDING):
        reviews.review_answer(user=finance, check=check, outcome="passed")
    a2 = invoice(finance, a, "INV-A2", W41 + datetime.timedelta(days=2), [("PO-A", 3, "100", "10")])
    b1 = invoice(
        finance, b, "INV-B1", W41 + datetime.timedelta(days=3), [("PO-B", 1, "200", "5.2")]
    )

    earlier = SupplierInvoiceFactory(partner=a, invoice_date=W41 - datetime.timedelta(days=7))
    old = MatchExceptionFactory(invoice=earlier, amount_at_stake=D("77.00"), status="approval")
    credit = MatchExceptionFactory(invoice=earlier, amount_at_stake=D("12.50"), status="credit")
    MatchException.objects.filter(pk=old.pk).update(
        opened_at=timezone.now() - datetime.timedelta(days=40)
    )
    MatchException.objects.filter(pk=credit.pk).update(
        opened_at=timezone.now() - datetime.timedelta(days=10)
    )
    in_week = [at(W41 + datetime.timedelta(days=n)) for n in (4, 6, 7)]
    resolved = {"invoice": earlier, "status": "resolved"}
    MatchExceptionFactory(
        **resolved, resolution="credit_note", recovered_amount=D("200.00"), resolved_at=in_week[0]
    )
    MatchExceptionFactory(
        **resolved, resolution="corrected", data_error_amount=D("55.00"), resolved_at=in_week[1]
    )
    # Resolved on the Monday after: not in the week.
    MatchExceptionFactory(
        **resolved, resolution="corrected", data_error_amount=D("99.00"), resolved_at=in_week[2]
    )
    contract = ContractFactory(partner=a)
    for month, amount, kind in ((8, "600.00", "credit"), (9, "150.00", "credit"),
                                (10, "100.00", "earn_back")):  # fmt: skip
        CreditProposalFactory(
            result__service_level__contract=contract,
            result__period_close__period=datetime.date(2026, month, 1),
            amount=D(amount),
            kind=kind,
        )
    return {"a": a, "b": b, "a1": a1, "a2": a2, "b1": b1}


def test_the_report_of_a_small_week(finance, week):
    recon = reconcile(user=finance, week="2026-W41")
    assert (recon.week, recon.revision, recon.week_start, recon.week_end, recon.created_by) == (
        "2026-W41",
        1,
        W41,
        datetime.date(2026, 10, 11),
        finance,
    )
    assert recon.run.label == "week 2026-W41"
    a, b = week["a"], week["b"]
    assert recon.report == {
        "week_start": "2026-10-05",
        "week_end": "2026-10-11",
        "invoices": 3,
        "lines": 4,
        "lines_matched": 2,
        "matched_share": "50.0",
        "payment_status": {"unchecked": 0, "ready": 1, "warned": 0, "blocked": 2},
        "exceptions_by_type": [
            {"type": "missing_receipt", "severity": "block", "currency": "CNY", "count": 1,
             "amount": "1000.00"},
            {"type": "price_variance", "severity": "block", "currency": "CNY", "count": 1,
             "amount": "40.00"},
        ],
        "exceptions_by_partner": [
            {"partner_id": a.pk, "partner": "PA", "currency": "CNY", "count": 1,
             "amount": "1000.00"},
            {"partner_id": b.pk, "partner": "PB", "currency": "CNY", "count": 1,
             "amount": "40.00"},
        ],
        "blocked": [{"currency": "CNY", "count": 2, "amount": "2305.20"}],
        "aging": [
            {"label": "0-7 d", "count": 2, "amount": {"CNY": "1040.00"}},
            {"label": "8-14 d", "count": 1, "amount": {"CNY": "12.50"}},
            {"label": "15-30 d", "count": 0, "amount": {}},
            {"label": "> 30 d", "count": 1, "amount": {"CNY": "77.00"}},
        ],
        "recovered": [{"currency": "CNY", "count": 1, "amount": "200.00"}],
        "data_errors": [{"currency": "CNY", "count": 1, "amount": "55.00"}],
        "opened": 0,
        "cleared": 0,
    }  # fmt: skip


def test_the_agenda_of_the_meeting(finance, week):
    recon = reconcile(user=finance, week="2026-W41")
    items = list(recon.agenda.order_by("position"))
    assert [(i.position, i.title, i.detail, i.partner, i.status) for i in items] == [
        (1, "Blocked invoices: 2 (2305.20 CNY)",
         "Decide on each blocking exception so the invoices can be paid on time.", None, "open"),
        (2, "PA: 1 open exception(s), 1000.00 CNY at stake",
         "Outsourcing to follow up with the partner; finance to confirm the figures.",
         week["a"], "open"),
        (3, "PB: 1 open exception(s), 40.00 CNY at stake",
         "Outsourcing to follow up with the partner; finance to confirm the figures.",
         week["b"], "open"),
        (4, "1 exception(s) open for more than 30 days", "Escalate or resolve: 77.00 CNY at stake.",
         None, "open"),
        (5, "1 accepted exception(s) awaiting a second approval", "", None, "open"),
        (6, "1 credit note(s) requested and not received", "", None, "open"),
        (7, "Service credits to deduct: 2 proposal(s), 750.00 CNY",
         "Apply them to the partners' next invoices.", None, "open"),
    ]  # fmt: skip


def test_a_second_run_is_revision_2_and_keeps_revision_1(finance, week, make_user):
    first = reconcile(user=finance, week="2026-W41")
    report = dict(first.report)
    agenda = list(first.agenda.values_list("title", flat=True))
    # The missing receipt arrives; the week is reconciled again.
    documents.receipt_create(
        user=make_user("outsourcing"),
        data={"partner": week["a"].pk, "number": "DN-A3", "received_on": W41, "lines": [
            {"order": "PO-A", "order_line": 3, "quantity_received": "100"}]},
    )  # fmt: skip
    second = reconcile_week(week="2026-W41")
    assert (second.revision, second.created_by) == (2, None)
    assert second.run_id != first.run_id
    assert (second.report["cleared"], second.report["lines_matched"]) == (1, 3)
    assert second.report["matched_share"] == "75.0"
    assert [r["type"] for r in second.report["exceptions_by_type"]] == ["price_variance"]
    assert second.report["blocked"] == [{"currency": "CNY", "count": 2, "amount": "2305.20"}]
    first.refresh_from_db()
    assert first.report == report
    assert list(first.agenda.values_list("title", flat=True)) == agenda
    # PA has nothing open in the week any more: one partner point less.
    assert second.agenda.count() == 6
    assert not second.agenda.filter(partner=week["a"]).exists()
    assert WeeklyReconciliation.objects.filter(week="2026-W41").count() == 2


def test_an_empty_week(finance):
    recon = reconcile(user=finance, week="2026-W30")
    assert (recon.report["invoices"], recon.report["lines"], recon.report["matched_share"]) == (
        0,
        0,
        None,
    )
    assert recon.report["blocked"] == []
    assert not recon.agenda.exists()


def test_only_finance_reconciles(make_user):
    with pytest.raises(Forbidden):
        reconcile(user=make_user("outsourcing"), week="2026-W41")


# --- the command and the job ----------------------------------------------------------------


def test_the_reconcile_command(finance, week):
    out = io.StringIO()
    call_command("reconcile", "--week", "2026-W41", "--user", "fin", stdout=out)
    assert out.getvalue().strip() == (
        "2026-W41 reconciled, revision 1: 3 invoices, 4 lines, 50.0 % matched, 0 exceptions "
        "opened, 0 cleared, blocked 2 (2305.20 CNY), 7 agenda items"
    )
    assert WeeklyReconciliation.objects.get().created_by == finance


def test_the_reconcile_command_refuses_a_bad_week_or_user(finance):
    with pytest.raises(CommandError) as error:
        call_command("reconcile", "--week", "2026-W54")
    assert str(error.value) == "2026 has no week 54."
    with pytest.raises(CommandError) as error:
        call_command("reconcile", "--week", "47")
    assert str(error.value) == "Give the week as YYYY-Www, e.g. 2026-W47."
    with pytest.raises(CommandError) as error:
        call_command("reconcile", "--week", "2026-W41", "--user", "nobody")
    assert str(error.value) == "No active user named 'nobody'."
    assert not WeeklyReconciliation.objects.exists()
    assert not AgendaItem.objects.exists()


def test_the_reconcile_command_defaults_to_last_week(monkeypatch):
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *a, **k: datetime.date(2026, 10, 14)
    )
    out = io.StringIO()
    call_command("reconcile", stdout=out)
    assert out.getvalue().startswith("2026-W41 reconciled, revision 1: 0 invoices")


def test_the_weekly_job_reconciles_last_week(monkeypatch, week):
    from partnerdesk.finance.tasks import weekly_reconciliation

    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *a, **k: datetime.date(2026, 10, 12)
    )
    assert weekly_reconciliation.call() == "2026-W41 reconciled (revision 1)"
    assert weekly_reconciliation.call() == "2026-W41 reconciled (revision 2)"
    recon = WeeklyReconciliation.objects.get(revision=1)
    assert (recon.created_by, recon.report["invoices"], recon.run.started_by) == (None, 3, None)
