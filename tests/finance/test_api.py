"""The finance API: an order, its receipt and an invoice through the API to the exceptions and
the payment-status reasons; refusals in the error shape with their field (lines named
``lines.<n>.<field>``); partner users see only their own documents and nothing else of
finance; the exception queue's second-person rule; the weekly reconciliation and its export."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from partnerdesk.accounts.services import api_token_create
from partnerdesk.finance.choices import ExceptionStatus
from partnerdesk.finance.models import MatchException, PurchaseOrder
from tests.factories import (
    CreditProposalFactory,
    MatchExceptionFactory,
    PartnerFactory,
    SupplierInvoiceFactory,
)
from tests.support import assert_error

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 10, 5)
TAX_ID = "91440300MA5FXX"


def client_for(user) -> Client:
    _, raw = api_token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


@pytest.fixture
def partner():
    return PartnerFactory(code="CMO-API", tax_id=TAX_ID)


@pytest.fixture
def buyer(make_user):
    return client_for(make_user("outsourcing", username="buyer"))


@pytest.fixture
def finance_user(make_user):
    return make_user("finance", username="accountant")


@pytest.fixture
def finance(finance_user):
    return client_for(finance_user)


def order_body(partner, number="PO-1001", **extra):
    return {
        "partner": partner.pk,
        "number": number,
        "order_date": DAY.isoformat(),
        "currency": "CNY",
        "lines": [
            {"item": "HOUSING-A", "quantity": "1000", "unit_price": "2.5000"},
            {"item": "COVER-B", "quantity": "500", "unit_price": "1.2", "unit": "pcs"},
        ],
    } | extra


def invoice_body(partner, number="INV-0001", lines=None, **extra):
    lines = lines or [
        {
            "order": "PO-1001",
            "order_line": 1,
            "quantity": "1000",
            "unit_price": "2.6",
            "amount": "2600.00",
            "tax_rate": "13",
            "tax_amount": "338.00",
        },
        {
            "order": "PO-1001",
            "order_line": 2,
            "quantity": "500",
            "unit_price": "1.2",
            "amount": "600.00",
            "tax_rate": "13",
            "tax_amount": "78.00",
        },
    ]
    net = sum(Decimal(line["amount"]) for line in lines)
    tax = sum(Decimal(line["tax_amount"]) for line in lines)
    return {
        "partner": partner.pk,
        "number": number,
        "invoice_date": (DAY + datetime.timedelta(days=5)).isoformat(),
        "due_date": (DAY + datetime.timedelta(days=35)).isoformat(),
        "currency": "CNY",
        "net_total": str(net),
        "tax_total": str(tax),
        "gross_total": str(net + tax),
        "tax_id": TAX_ID,
        "bank_account": "6222 0000 1111",
        "lines": lines,
    } | extra


@pytest.fixture
def order_and_receipt(buyer, partner):
    """PO-1001 (1,000 housings at 2.50, 500 covers at 1.20) and a receipt of all the housings
    and 400 of the covers, both entered through the API."""
    order = ok(post(buyer, "/api/v1/purchase-orders", order_body(partner)), 201)
    receipt = ok(
        post(
            buyer,
            "/api/v1/goods-receipts",
            {
                "partner": partner.pk,
                "number": "DN-77",
                "received_on": (DAY + datetime.timedelta(days=3)).isoformat(),
                "lines": [
                    {"order": "PO-1001", "order_line": 1, "quantity_received": "1000"},
                    {"order": "PO-1001", "order_line": 2, "quantity_received": "400"},
                ],
            },
        ),
        201,
    )
    return order, receipt


# --- documents to exceptions and payment status ----------------------------------------------


def test_order_receipt_invoice_through_the_api_to_exceptions_and_reasons(
    buyer, finance, partner, order_and_receipt
):
    # Given an order and a receipt entered through the API
    order, receipt = order_and_receipt
    assert order["number"] == "PO-1001" and order["status"] == "open"
    assert [(line["line_no"], line["quantity"], line["unit_price"]) for line in order["lines"]] == [
        (1, "1000.000", "2.5000"),
        (2, "500.000", "1.2000"),
    ]
    assert ok(buyer.get(f"/api/v1/purchase-orders/{order['id']}"))["line_count"] == 2
    assert [(line["order"], line["order_line"]) for line in receipt["lines"]] == [
        ("PO-1001", 1),
        ("PO-1001", 2),
    ]

    # When finance enters an invoice 0.10 over the order price and for 100 covers not received
    invoice = ok(post(finance, "/api/v1/supplier-invoices", invoice_body(partner)), 201)

    # Then it is matched at once, blocked, and the exceptions name what is wrong
    assert invoice["payment_status"] == "blocked"
    assert invoice["gross_total"] == "3616.00"
    assert invoice["matched_at"] is not None
    assert [line["order"] for line in invoice["lines"]] == ["PO-1001", "PO-1001"]
    listed = ok(finance.get("/api/v1/match-exceptions", {"invoice": invoice["id"]}))
    by_type = {e["type"]: e for e in listed["items"]}
    assert {"price_variance", "quantity_variance"} <= by_type.keys()
    assert by_type["price_variance"]["amount_at_stake"] == "100.00"
    assert by_type["price_variance"]["invoice_number"] == "INV-0001"
    assert listed["count"] == len(listed["items"])

    # and the payment status gives every reason, blocking ones first
    status = ok(finance.get(f"/api/v1/supplier-invoices/{invoice['id']}/payment-status"))
    assert status["payment_status"] == "blocked"
    reasons = status["reasons"]
    exception_ids = {r["exception_id"] for r in reasons if r["exception_id"]}
    assert exception_ids == {e["id"] for e in listed["items"]}
    assert any("checklist not complete" in r["text"] for r in reasons)
    severities = [r["severity"] for r in reasons]
    assert severities == sorted(severities, key=lambda s: s != "block")

    # and the review lists its checks, the automatic ones answered
    review = ok(finance.get(f"/api/v1/supplier-invoices/{invoice['id']}/review"))
    auto = {c["item"]: c for c in review["checks"] if c["auto"]}
    assert auto["Tax id matches the partner"]["outcome"] == "passed"
    assert auto["Order number present and the order open"]["auto_check"] == "po_open"
    manual = [c for c in review["checks"] if not c["auto"]]
    assert manual and all(c["outcome"] == "pending" for c in manual)

    # and it cannot be released while blocked
    release = post(finance, f"/api/v1/supplier-invoices/{invoice['id']}/release")
    assert_error(release, 409, "conflict")


def test_answering_the_checklist_and_resolving_exceptions_makes_the_invoice_payable(
    finance, partner, order_and_receipt
):
    # Given an invoice exactly as ordered and received
    line = {
        "order": "PO-1001",
        "order_line": 1,
        "quantity": "1000",
        "unit_price": "2.5",
        "amount": "2500.00",
        "tax_rate": "13",
        "tax_amount": "325.00",
    }
    invoice = ok(
        post(finance, "/api/v1/supplier-invoices", invoice_body(partner, lines=[line])), 201
    )
    url = f"/api/v1/supplier-invoices/{invoice['id']}"

    # When a reviewer ticks every manual item
    review = ok(finance.get(f"{url}/review"))
    for check in review["checks"]:
        if not check["auto"]:
            answered = ok(
                post(finance, f"/api/v1/review-checks/{check['id']}/answer", {"outcome": "passed"})
            )
            assert answered["outcome"] == "passed" and answered["checked_by_id"] is not None

    # Then the review is complete and the invoice can be released
    assert ok(finance.get(f"{url}/review"))["status"] == "complete"
    assert ok(finance.get(f"{url}/payment-status"))["payment_status"] == "ready"
    released = ok(post(finance, f"{url}/release"))
    assert released["status"] == "released"
    # and releasing twice is a conflict
    assert_error(post(finance, f"{url}/release"), 409, "conflict")


def test_a_failed_answer_needs_a_note(finance, partner, order_and_receipt):
    invoice = ok(post(finance, "/api/v1/supplier-invoices", invoice_body(partner)), 201)
    review = ok(finance.get(f"/api/v1/supplier-invoices/{invoice['id']}/review"))
    manual = next(c for c in review["checks"] if not c["auto"])

    response = post(finance, f"/api/v1/review-checks/{manual['id']}/answer", {"outcome": "failed"})

    assert_error(response, 422, "validation_error", {"note": ["Say why in a note."]})


def test_matching_again_after_the_missing_covers_arrive_clears_the_quantity_variance(
    buyer, finance, partner, order_and_receipt
):
    invoice = ok(post(finance, "/api/v1/supplier-invoices", invoice_body(partner)), 201)
    assert MatchException.objects.filter(
        invoice_id=invoice["id"], type="quantity_variance", status=ExceptionStatus.OPEN
    ).exists()
    ok(
        post(
            buyer,
            "/api/v1/goods-receipts",
            {
                "partner": partner.pk,
                "number": "DN-78",
                "received_on": (DAY + datetime.timedelta(days=6)).isoformat(),
                "lines": [{"order": "PO-1001", "order_line": 2, "quantity_received": "100"}],
            },
        ),
        201,
    )

    matched = ok(post(finance, f"/api/v1/supplier-invoices/{invoice['id']}/match"))

    assert matched["run"]["exceptions_cleared"] >= 1
    assert not [r for r in matched["reasons"] if r["text"].startswith("Quantity variance")]
    runs = ok(finance.get("/api/v1/match-runs"))["items"]
    assert matched["run"]["id"] in [r["id"] for r in runs]


def test_inspection_puts_a_receipt_line_on_hold(make_user, order_and_receipt):
    _order, receipt = order_and_receipt
    quality = client_for(make_user("quality"))
    line = receipt["lines"][1]

    held = ok(
        post(
            quality,
            f"/api/v1/goods-receipt-lines/{line['id']}/inspection",
            {"accepted": "350", "rejected": "50", "on_hold": True, "hold_reason": "Sink marks"},
        )
    )

    assert (held["quantity_accepted"], held["quantity_rejected"], held["on_hold"]) == (
        "350.000",
        "50.000",
        True,
    )
    missing_reason = post(
        quality, f"/api/v1/goods-receipt-lines/{line['id']}/inspection", {"on_hold": True}
    )
    assert_error(
        missing_reason, 422, "validation_error", {"hold_reason": ["Give the reason for the hold."]}
    )


# --- refusals --------------------------------------------------------------------------------


def test_a_bad_line_is_a_422_naming_the_line(buyer, partner):
    body = order_body(partner)
    body["lines"].append({"item": "CLIP-C", "quantity": "0", "unit_price": "0.1"})

    response = post(buyer, "/api/v1/purchase-orders", body)

    error = assert_error(response, 422, "validation_error")
    assert list(error["fields"]) == ["lines.2.quantity"]
    assert not PurchaseOrder.objects.exists()


def test_a_receipt_line_on_an_unknown_order_line_is_a_422_naming_the_line(
    buyer, partner, order_and_receipt
):
    response = post(
        buyer,
        "/api/v1/goods-receipts",
        {
            "partner": partner.pk,
            "number": "DN-99",
            "received_on": DAY.isoformat(),
            "lines": [
                {"order": "PO-1001", "order_line": 1, "quantity_received": "1"},
                {"order": "PO-1001", "order_line": 7, "quantity_received": "1"},
            ],
        },
    )

    error = assert_error(response, 422, "validation_error")
    assert list(error["fields"]) == ["lines.1.order"]


def test_a_duplicate_order_number_is_a_409(buyer, partner, order_and_receipt):
    response = post(buyer, "/api/v1/purchase-orders", order_body(partner))

    assert_error(response, 409, "conflict", {"number": ["This order number is taken."]})
    assert PurchaseOrder.objects.filter(number="PO-1001").count() == 1


def test_entering_an_invoice_needs_the_permission(buyer, partner, order_and_receipt):
    response = post(buyer, "/api/v1/supplier-invoices", invoice_body(partner))

    assert_error(response, 403, "forbidden")


def test_an_unknown_partner_is_a_422_on_partner(buyer):
    response = post(buyer, "/api/v1/purchase-orders", order_body(PartnerFactory.build(pk=999_999)))

    assert_error(response, 422, "validation_error", {"partner": ["Unknown partner."]})


# --- partner users ---------------------------------------------------------------------------


def test_partner_users_see_only_their_own_documents_and_nothing_else_of_finance(make_user):
    # Given invoices of partners A and B, and a user of B
    a, b = PartnerFactory(code="CMO-A"), PartnerFactory(code="CMO-B")
    theirs = SupplierInvoiceFactory(partner=a, number="A-1")
    own = SupplierInvoiceFactory(partner=b, number="B-1")
    MatchExceptionFactory(invoice=own)
    client = client_for(make_user("partner", partner=b))

    # Then A's invoice is not found and the list shows only B's
    assert_error(client.get(f"/api/v1/supplier-invoices/{theirs.pk}"), 404, "not_found")
    assert_error(
        client.get(f"/api/v1/supplier-invoices/{theirs.pk}/payment-status"), 404, "not_found"
    )
    listed = ok(client.get("/api/v1/supplier-invoices"))
    assert [i["id"] for i in listed["items"]] == [own.pk]
    assert ok(client.get(f"/api/v1/supplier-invoices/{own.pk}"))["number"] == "B-1"

    # and the finance controls around their own invoice are not theirs to see
    for tail in ("payment-status", "review", "deductions", "credit-proposals"):
        assert_error(client.get(f"/api/v1/supplier-invoices/{own.pk}/{tail}"), 404, "not_found")
    assert ok(client.get("/api/v1/match-exceptions"))["items"] == []
    assert ok(client.get("/api/v1/reconciliations"))["items"] == []
    assert ok(client.get("/api/v1/tolerance-profiles"))["items"] == []
    # and acting on their own invoice is forbidden
    assert_error(post(client, f"/api/v1/supplier-invoices/{own.pk}/release"), 403, "forbidden")


# --- the exception queue ---------------------------------------------------------------------


def test_accepting_above_the_threshold_needs_a_second_person(
    settings, make_user, finance, finance_user
):
    # Given an exception with more at stake than the approval threshold
    settings.FINANCE_APPROVAL_THRESHOLD = Decimal("5000")
    exception = MatchExceptionFactory(amount_at_stake=Decimal("6000.00"))
    url = f"/api/v1/match-exceptions/{exception.pk}"
    ok(post(finance, f"{url}/assign", {"owner": finance_user.pk, "reason_code": "price_change"}))

    # When finance accepts it with a justification
    accepted = ok(
        post(
            finance,
            f"{url}/resolve",
            {"resolution": "accepted", "justification": "Price increase agreed by e-mail."},
        )
    )

    # Then it waits for a second approval, which the same person may not give
    assert accepted["status"] == "approval"
    assert accepted["owner_id"] == finance_user.pk and accepted["reason_code"] == "price_change"
    same = post(finance, f"{url}/approve", {"approve": True})
    assert_error(same, 403, "forbidden")

    # and someone else can
    manager = client_for(make_user("management"))
    approved = ok(post(manager, f"{url}/approve", {"approve": True, "note": "OK"}))
    assert approved["status"] == "resolved" and approved["approved_by_id"] is not None

    # and approving again is a conflict, as is resolving a resolved exception
    assert_error(post(manager, f"{url}/approve", {"approve": True}), 409, "conflict")
    again = post(finance, f"{url}/resolve", {"resolution": "accepted", "justification": "x"})
    assert_error(again, 409, "conflict")


def test_sending_an_acceptance_back_reopens_it(settings, make_user, finance):
    settings.FINANCE_APPROVAL_THRESHOLD = Decimal("5000")
    exception = MatchExceptionFactory(amount_at_stake=Decimal("9000.00"))
    url = f"/api/v1/match-exceptions/{exception.pk}"
    ok(post(finance, f"{url}/resolve", {"resolution": "accepted", "justification": "Agreed."}))

    manager = client_for(make_user("management"))
    sent_back = ok(post(manager, f"{url}/approve", {"approve": False, "note": "No evidence."}))

    assert sent_back["status"] == "open"
    assert "No evidence." in sent_back["justification"]


def test_a_requested_credit_note_resolves_the_exception_with_the_amount_recovered(finance):
    exception = MatchExceptionFactory(amount_at_stake=Decimal("100.00"))
    partner = exception.invoice.partner
    url = f"/api/v1/match-exceptions/{exception.pk}"
    waiting = ok(
        post(
            finance, f"{url}/resolve", {"resolution": "credit_note", "justification": "Overpriced."}
        )
    )
    assert waiting["status"] == "credit"
    other_partners = SupplierInvoiceFactory(kind="credit_note", number="CN-X")
    credit_note = SupplierInvoiceFactory(partner=partner, kind="credit_note", number="CN-1")

    wrong = post(finance, f"{url}/credit-note", {"credit_note_id": other_partners.pk})
    assert_error(wrong, 422, "validation_error")
    assert "credit_note_id" in wrong.json()["error"]["fields"]
    resolved = ok(
        post(finance, f"{url}/credit-note", {"credit_note_id": credit_note.pk, "amount": "100.00"})
    )

    assert resolved["status"] == "resolved"
    assert resolved["credit_note_id"] == credit_note.pk
    assert resolved["recovered_amount"] == "100.00"


def test_an_owner_must_be_an_internal_user(make_user, finance):
    exception = MatchExceptionFactory()
    outsider = make_user("partner", partner=exception.invoice.partner)

    response = post(
        finance, f"/api/v1/match-exceptions/{exception.pk}/assign", {"owner": outsider.pk}
    )

    assert_error(response, 422, "validation_error", {"owner": ["Unknown user."]})


# --- reconciliations and reference data ------------------------------------------------------


def test_reconciling_a_week_and_exporting_it(finance, partner, order_and_receipt):
    ok(post(finance, "/api/v1/supplier-invoices", invoice_body(partner)), 201)

    recon = ok(post(finance, "/api/v1/reconciliations", {"week": "2026-W41"}), 201)

    assert (recon["week"], recon["revision"], recon["week_start"]) == ("2026-W41", 1, "2026-10-05")
    assert recon["report"]["invoices"] == 1
    assert recon["agenda"], "a blocked invoice is on the meeting's agenda"
    listed = ok(finance.get("/api/v1/reconciliations", {"week": "2026-W41"}))
    assert [r["id"] for r in listed["items"]] == [recon["id"]]
    export = finance.get(f"/api/v1/reconciliations/{recon['id']}/export.xlsx")
    assert export.status_code == 200
    assert export["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert export.content[:2] == b"PK"
    assert "2026-W41" in export["Content-Disposition"]


def test_a_malformed_week_is_a_422_on_week(finance):
    assert_error(
        post(finance, "/api/v1/reconciliations", {"week": "2026-47"}), 422, "validation_error"
    )
    assert_error(
        post(finance, "/api/v1/reconciliations", {"week": "2026-W60"}), 422, "validation_error"
    )


def test_tolerance_profiles_and_item_categories(finance, partner):
    category = ok(post(finance, "/api/v1/item-categories", {"code": "RESIN", "name": "Resin"}), 201)
    assert_error(
        post(finance, "/api/v1/item-categories", {"code": "RESIN", "name": "Again"}),
        409,
        "conflict",
    )
    body = {
        "name": "Resin from CMO-API",
        "partner": partner.pk,
        "category": category["id"],
        "price_percent": "1.5",
        "amount_absolute": "20",
        "combine": "and",
    }
    profile = ok(post(finance, "/api/v1/tolerance-profiles", body), 201)
    assert (profile["partner_code"], profile["category_code"]) == ("CMO-API", "RESIN")
    assert (profile["price_percent"], profile["amount_absolute"]) == ("1.50", "20.0000")
    # the same scope twice is a conflict
    assert_error(
        post(finance, "/api/v1/tolerance-profiles", body | {"name": "Twin"}), 409, "conflict"
    )
    # a limit over 100 % is a 422 on its field
    too_much = post(finance, "/api/v1/tolerance-profiles", body | {"price_percent": "101"})
    assert "price_percent" in assert_error(too_much, 422, "validation_error")["fields"]

    url = f"/api/v1/tolerance-profiles/{profile['id']}"
    patched = ok(finance.patch(url, {"price_percent": None}, content_type="application/json"))
    assert patched["price_percent"] is None and patched["amount_absolute"] == "20.0000"
    assert finance.delete(url).status_code == 204
    assert_error(finance.get(url), 404, "not_found")
    default = ok(finance.get("/api/v1/tolerance-profiles"))["items"]
    assert [p["partner_id"] for p in default] == [None]
    assert_error(finance.delete(f"/api/v1/tolerance-profiles/{default[0]['id']}"), 409, "conflict")


# --- service credits -------------------------------------------------------------------------


def test_a_service_credit_is_deducted_from_the_partners_invoice(finance):
    # Given a proposed service credit of a closed SLA period and an invoice of the same partner
    proposal = CreditProposalFactory()
    invoice = SupplierInvoiceFactory(
        partner=proposal.contract.partner, gross_total=Decimal("28250.00")
    )
    url = f"/api/v1/supplier-invoices/{invoice.pk}"
    offered = ok(finance.get(f"{url}/credit-proposals"))["items"]
    assert [p["id"] for p in offered] == [proposal.pk]

    # When finance applies it
    applied = ok(post(finance, f"{url}/deductions", {"proposal_id": proposal.pk}), 201)

    # Then the invoice shows it and what is left to pay, and the proposal is taken
    assert applied["amount"] == f"{proposal.amount:.2f}"
    deductions = ok(finance.get(f"{url}/deductions"))
    assert [d["proposal_id"] for d in deductions["items"]] == [proposal.pk]
    assert Decimal(deductions["net_payable"]) == Decimal("28250.00") - proposal.amount
    assert ok(finance.get(f"{url}/credit-proposals"))["items"] == []
    again = post(finance, f"{url}/deductions", {"proposal_id": proposal.pk})
    assert_error(again, 409, "conflict")


def test_a_credit_larger_than_what_is_payable_is_refused(finance):
    proposal = CreditProposalFactory()  # 6,000.00
    invoice = SupplierInvoiceFactory(
        partner=proposal.contract.partner, gross_total=Decimal("2825.00")
    )
    refused = post(
        finance, f"/api/v1/supplier-invoices/{invoice.pk}/deductions", {"proposal_id": proposal.pk}
    )
    assert_error(refused, 409, "conflict")
    assert "2825.00 still payable" in refused.json()["error"]["message"]
