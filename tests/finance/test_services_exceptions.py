"""The exception queue on the real database: owners, accept (with a second approval above the
threshold), credit notes, reject, corrected data."""

import datetime
from decimal import Decimal as D

import pytest

from partnerdesk.audit.models import AuditAction
from partnerdesk.core.errors import Conflict, Forbidden, InvalidInput
from partnerdesk.finance.choices import ExceptionStatus, InvoiceStatus, PaymentStatus
from partnerdesk.finance.models import MatchException
from partnerdesk.finance.services import exceptions
from tests.factories import MatchExceptionFactory, PartnerFactory, SupplierInvoiceFactory
from tests.support import audit_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.FINANCE_APPROVAL_THRESHOLD = D("5000")


@pytest.fixture
def finance(make_user):
    return make_user("finance")


@pytest.fixture
def approver(make_user):
    return make_user("management")


@pytest.fixture
def partner():
    return PartnerFactory()


@pytest.fixture
def inv(partner):
    return SupplierInvoiceFactory(partner=partner, number="INV-9", gross_total=D("2825.00"))


def exc(inv, amount="100.00", **kwargs):
    return MatchExceptionFactory(invoice=inv, amount_at_stake=D(amount), **kwargs)


def fresh(e) -> MatchException:
    return MatchException.objects.get(pk=e.pk)


# --- assign ---------------------------------------------------------------------------------


def test_assign_an_owner_and_reason(finance, make_user, inv):
    e = exc(inv)
    owner = make_user("outsourcing")
    exceptions.exception_assign(user=finance, exception=e, owner=owner, reason_code="freight")
    e = fresh(e)
    assert (e.owner, e.reason_code, e.status) == (owner, "freight", "open")
    assert audit_rows(e)[-1].action == AuditAction.UPDATE
    with pytest.raises(InvalidInput) as error:
        exceptions.exception_assign(user=finance, exception=e, owner=owner, reason_code="weather")
    assert error.value.fields == {"reason_code": ["Unknown reason code."]}
    gone = make_user("finance", is_active=False)
    with pytest.raises(InvalidInput) as error:
        exceptions.exception_assign(user=finance, exception=e, owner=gone)
    assert error.value.fields == {"owner": ["Choose an active user."]}
    MatchException.objects.filter(pk=e.pk).update(status="resolved")
    with pytest.raises(Conflict):
        exceptions.exception_assign(user=finance, exception=e, owner=None)


# --- accept ---------------------------------------------------------------------------------


def test_accept_below_the_threshold_resolves(finance, inv):
    e = exc(inv, "4999.99")
    exceptions.exception_resolve(
        user=finance,
        exception=e,
        resolution="accepted",
        justification=" Price rise agreed by mail ",
        reason_code="price_change",
    )
    e = fresh(e)
    assert (e.status, e.resolution, e.justification, e.reason_code, e.resolved_by) == (
        "resolved",
        "accepted",
        "Price rise agreed by mail",
        "price_change",
        finance,
    )
    assert e.resolved_at is not None
    [entry] = audit_rows(e)
    assert (entry.actor, entry.changes["status"]) == (finance, ["open", "resolved"])


def test_exactly_at_the_threshold_needs_no_approval(finance, inv):
    # "above the threshold a second person approves" (module docstring and settings comment):
    # exactly 5000.00 is not above it.
    e = exc(inv, "5000.00")
    exceptions.exception_resolve(
        user=finance, exception=e, resolution="accepted", justification="Agreed"
    )
    assert fresh(e).status == ExceptionStatus.RESOLVED
    assert exceptions.__doc__.count("above ``FINANCE_APPROVAL_THRESHOLD``") == 1


@pytest.mark.parametrize(
    ("currency", "amount", "status"),
    [
        ("CNY", "5000.00", ExceptionStatus.RESOLVED),  # the default currency's threshold
        ("USD", "700.00", ExceptionStatus.RESOLVED),  # USD has its own
        ("USD", "700.01", ExceptionStatus.AWAITING_APPROVAL),
        ("USD", "5000.00", ExceptionStatus.AWAITING_APPROVAL),  # not the CNY figure
        ("CHF", "1.00", ExceptionStatus.AWAITING_APPROVAL),  # none configured: always
    ],
)
def test_each_currency_has_its_own_threshold(settings, finance, inv, currency, amount, status):
    settings.DEFAULT_CURRENCY = "CNY"
    settings.FINANCE_APPROVAL_THRESHOLDS = {"USD": D("700")}
    e = exc(inv, amount, currency=currency)
    exceptions.exception_resolve(
        user=finance, exception=e, resolution="accepted", justification="Agreed"
    )
    assert fresh(e).status == status


def test_above_the_threshold_another_person_approves(finance, approver, inv):
    e = exc(inv, "5000.01")
    exceptions.exception_resolve(
        user=finance, exception=e, resolution="accepted", justification="Agreed"
    )
    e = fresh(e)
    assert (e.status, e.resolution, e.resolved_by) == ("approval", "accepted", finance)
    # Still blocking while it waits.
    inv.refresh_from_db()
    assert inv.payment_status == PaymentStatus.BLOCKED

    with pytest.raises(Forbidden):
        exceptions.exception_approve(user=finance, exception=e, approve=True)
    assert fresh(e).status == "approval"

    exceptions.exception_approve(user=approver, exception=e, approve=True, note="ok")
    e = fresh(e)
    assert (e.status, e.approved_by, e.resolved_by) == ("resolved", approver, finance)
    assert e.approved_at is not None
    assert [x.actor for x in audit_rows(e)] == [finance, approver]
    with pytest.raises(Conflict):
        exceptions.exception_approve(user=approver, exception=e, approve=True)


def test_the_approver_can_send_it_back(finance, approver, inv):
    e = exc(inv, "8000.00")
    exceptions.exception_resolve(
        user=finance, exception=e, resolution="accepted", justification="Agreed"
    )
    exceptions.exception_approve(user=approver, exception=e, approve=False, note=" Show the mail ")
    e = fresh(e)
    assert (e.status, e.resolution, e.resolved_by, e.resolved_at, e.approved_by) == (
        "open",
        "",
        None,
        None,
        None,
    )
    assert e.justification == "Agreed\nSent back: Show the mail"


def test_outsourcing_resolves_but_does_not_approve(make_user, finance, inv):
    buyer = make_user("outsourcing")
    e = exc(inv, "9000.00")
    exceptions.exception_resolve(user=buyer, exception=e, resolution="accepted", justification="x")
    with pytest.raises(Forbidden):
        exceptions.exception_approve(user=make_user("outsourcing"), exception=e, approve=True)
    exceptions.exception_approve(user=finance, exception=e, approve=True)
    assert fresh(e).status == "resolved"


def test_resolve_refusals(finance, inv):
    e = exc(inv)
    with pytest.raises(InvalidInput) as error:
        exceptions.exception_resolve(
            user=finance, exception=e, resolution="accepted", justification="  "
        )
    assert error.value.fields == {
        "justification": ["Say why (the justification is kept as evidence)."]
    }
    with pytest.raises(InvalidInput) as error:
        exceptions.exception_resolve(user=finance, exception=e, resolution="cleared",
                                     justification="x")  # fmt: skip
    assert list(error.value.fields) == ["resolution"]
    with pytest.raises(InvalidInput) as error:
        exceptions.exception_resolve(user=finance, exception=e, resolution="accepted",
                                     justification="x", reason_code="nope")  # fmt: skip
    assert list(error.value.fields) == ["reason_code"]
    assert fresh(e).status == "open"
    assert audit_rows(e) == []
    MatchException.objects.filter(pk=e.pk).update(status="approval")
    with pytest.raises(Conflict) as error:
        exceptions.exception_resolve(user=finance, exception=e, resolution="accepted",
                                     justification="x")  # fmt: skip
    assert error.value.message == "This exception is awaiting second approval."


# --- credit notes ---------------------------------------------------------------------------


def credit_note(partner, gross="113.00", currency="CNY"):
    return SupplierInvoiceFactory(
        partner=partner, kind="credit_note", gross_total=D(gross), currency=currency
    )


def test_credit_note_requested_then_recorded(finance, partner, inv):
    e = exc(inv, "300.00")
    exceptions.exception_resolve(
        user=finance, exception=e, resolution="credit_note", justification="Overcharged freight"
    )
    e = fresh(e)
    assert (e.status, e.resolution, e.resolved_at) == ("credit", "credit_note", None)
    inv.refresh_from_db()
    assert inv.payment_status == PaymentStatus.BLOCKED

    note = credit_note(partner, "339.00")
    exceptions.exception_record_credit_note(user=finance, exception=e, credit_note=note)
    e = fresh(e)
    assert (e.status, e.credit_note, e.recovered_amount) == ("resolved", note, D("339.00"))
    assert e.resolved_at is not None


def test_recording_a_credit_note_with_its_amount(finance, partner, inv):
    e = exc(inv, "300.00", status="credit", resolution="credit_note")
    exceptions.exception_record_credit_note(
        user=finance, exception=e, credit_note=credit_note(partner, "500.00"), amount=D("300.00")
    )
    assert fresh(e).recovered_amount == D("300.00")


def test_credit_note_refusals(finance, partner, inv):
    e = exc(inv)
    with pytest.raises(Conflict) as error:
        exceptions.exception_record_credit_note(
            user=finance, exception=e, credit_note=credit_note(partner)
        )
    assert error.value.message == "No credit note was requested for this exception."
    MatchException.objects.filter(pk=e.pk).update(status="credit", resolution="credit_note")
    cases = [
        (SupplierInvoiceFactory(partner=partner), None, "credit_note"),  # an invoice
        (credit_note(PartnerFactory()), None, "credit_note"),  # another partner's
        (credit_note(partner, currency="USD"), None, "credit_note"),
        (credit_note(partner), D("0"), "amount"),
        (credit_note(partner), D("-5"), "amount"),
    ]
    for note, amount, field in cases:
        with pytest.raises(InvalidInput) as error:
            exceptions.exception_record_credit_note(
                user=finance, exception=e, credit_note=note, amount=amount
            )
        assert list(error.value.fields) == [field]
    assert error.value.fields == {"amount": ["Must be more than zero."]}
    e = fresh(e)
    assert (e.status, e.credit_note, e.recovered_amount) == ("credit", None, D("0.00"))


# --- reject ---------------------------------------------------------------------------------


def test_reject_resolves_all_the_invoices_exceptions_and_rejects_it(finance, inv):
    first = exc(inv, "100.00")
    second = exc(inv, "50.00", type="quantity_variance")
    waiting = exc(inv, "9000.00", type="tax_mismatch", status="approval", resolution="accepted")
    credit = exc(inv, "20.00", type="arithmetic", status="credit", resolution="credit_note")
    elsewhere = exc(SupplierInvoiceFactory(), "10.00")

    exceptions.exception_resolve(
        user=finance, exception=first, resolution="rejected", justification="Billed twice"
    )
    inv.refresh_from_db()
    assert (inv.status, inv.rejection_reason, inv.payment_status) == (
        InvoiceStatus.REJECTED,
        "Billed twice",
        PaymentStatus.BLOCKED,
    )
    first = fresh(first)
    assert (first.status, first.resolution, first.justification) == (
        "resolved",
        "rejected",
        "Billed twice",
    )
    for other in (second, waiting, credit):
        other = fresh(other)
        assert (other.status, other.resolution, other.resolved_by) == (
            "resolved",
            "rejected",
            finance,
        )
        assert other.justification == f"Invoice rejected with exception #{first.pk}."
        assert audit_rows(other)[-1].actor == finance
    assert fresh(elsewhere).status == "open"


def test_outsourcing_cannot_reject_an_invoice_through_the_queue(make_user, inv):
    e = exc(inv)
    with pytest.raises(Forbidden):
        exceptions.exception_resolve(
            user=make_user("outsourcing"), exception=e, resolution="rejected", justification="x"
        )
    assert fresh(e).status == "open"
    inv.refresh_from_db()
    assert inv.status == "received"


# --- corrected ------------------------------------------------------------------------------


def test_corrected_records_the_data_error(finance, make_user, inv):
    e = exc(inv, "250.00")
    exceptions.exception_resolve(
        user=finance, exception=e, resolution="corrected", justification="Receipt keyed 100 short"
    )
    e = fresh(e)
    assert (e.status, e.resolution, e.data_error_found_by, e.data_error_amount) == (
        "resolved",
        "corrected",
        finance,
        D("250.00"),
    )
    other = exc(inv, "250.00", type="quantity_variance")
    finder = make_user("outsourcing")
    exceptions.exception_resolve(
        user=finance,
        exception=other,
        resolution="corrected",
        justification="Wrong unit on the order",
        data_error_amount=D("75.50"),
        found_by=finder,
        reason_code="data_entry",
    )
    other = fresh(other)
    assert (other.data_error_found_by, other.data_error_amount, other.reason_code) == (
        finder,
        D("75.50"),
        "data_entry",
    )
    third = exc(inv, type="tax_mismatch")
    with pytest.raises(InvalidInput) as error:
        exceptions.exception_resolve(
            user=finance,
            exception=third,
            resolution="corrected",
            justification="x",
            data_error_amount=D("-1"),
        )
    assert error.value.fields == {"data_error_amount": ["Must not be negative."]}
    assert fresh(third).status == "open"


def test_resolving_everything_frees_the_invoice(finance, inv):
    """Only the exceptions block: factory invoices have no review, so give it a complete one."""
    from partnerdesk.finance.services.reviews import review_start

    inv.matched_at = datetime.datetime(2026, 10, 9, tzinfo=datetime.UTC)
    inv.save()
    review = review_start(invoice=inv)
    review.checks.update(outcome="passed")
    review.status = "complete"
    review.save()
    e = exc(inv)
    exceptions.exception_resolve(
        user=finance, exception=e, resolution="accepted", justification="x"
    )
    inv.refresh_from_db()
    assert inv.payment_status == PaymentStatus.READY
