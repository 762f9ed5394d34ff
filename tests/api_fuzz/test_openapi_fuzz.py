"""Fuzz every operation of the OpenAPI schema through the WSGI app with schemathesis.

What must hold for any generated request (valid or deliberately broken):

* no server error (5xx) anywhere;
* every answer has a documented status code, content type and body schema;
* every non-2xx answer is JSON in the single error shape ``{"error": {...}}``.

Half of the generated path parameters are swapped for the ids of real records, so the fuzzer
reaches the update / delete code and not only the 404 branch.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings, strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partnerdesk.wsgi import application

pytestmark = pytest.mark.slow

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# Ids of the records made by the ``seeded`` fixture, read when hypothesis draws a case.
KNOWN_IDS: dict[str, int] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not path_parameters or not KNOWN_IDS:
        return st.just(path_parameters)
    real = {k: KNOWN_IDS.get(k, v) for k, v in path_parameters.items()}
    return st.sampled_from([path_parameters, real])


def error_shape(ctx, response, case):
    """Every non-2xx answer is ``{"error": {"status", "code", "message", "fields"}}``."""
    if response.status_code < 400:
        return None
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError(
            f"{response.status_code} answer is not JSON: {response.content[:200]!r}"
        ) from exc
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"{response.status_code} answer lacks 'error': {body!r}"
    missing = {"status", "code", "message", "fields"} - error.keys()
    assert not missing, f"error object lacks {sorted(missing)}: {body!r}"
    assert error["status"] == response.status_code, body
    assert isinstance(error["fields"], dict), body
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_shape,
]


@pytest.fixture
def seeded(request, transactional_db, roles, admin_user, make_user):
    """An administrator with a token, and one record of each kind for the fuzzer to hit (the
    regrind module's only for its own operations: they take a while to make).

    ``transactional_db``: the WSGI app runs in this thread, outside any test transaction."""
    from partnerdesk.accounts.services import api_token_create
    from tests.factories import (
        CertificationFactory,
        PartnerContactFactory,
        PartnerDocumentFactory,
        PartnerFactory,
    )

    partner = PartnerFactory()
    KNOWN_IDS.update(
        partner_id=partner.pk,
        contact_id=PartnerContactFactory(partner=partner).pk,
        certification_id=CertificationFactory(partner=partner).pk,
        document_id=PartnerDocumentFactory(partner=partner, uploaded_by=admin_user).pk,
    )
    KNOWN_IDS.update(_seed_contracts_and_performance(admin_user, partner))
    KNOWN_IDS.update(_seed_finance(admin_user, partner))
    KNOWN_IDS.update(_seed_quality(admin_user, partner))
    if "/regrind/" in request.node.name:
        KNOWN_IDS.update(_seed_regrind(admin_user, make_user("machine", username="doser")))
    _, raw = api_token_create(user=admin_user, name="fuzz")
    # As Django's test client does: keep the connection across requests instead of closing it
    # after each one (CONN_MAX_AGE=0), which costs a reconnect per request on PostgreSQL.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {raw}"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        KNOWN_IDS.clear()


def _seed_contracts_and_performance(user, partner) -> dict:
    """A running contract with a deliverable, a tiered service level, a measurement in the
    last full month, that month closed (a breach, so a credit proposal and a score), and an
    exclusion requested for the current month."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from partnerdesk.contracts.services.contracts import contract_change_status, contract_create
    from partnerdesk.contracts.services.parts import deliverable_create
    from partnerdesk.performance.models import CreditProposal, Metric
    from partnerdesk.performance.periods import month_end, month_start, previous_month
    from partnerdesk.performance.services.closing import period_close
    from partnerdesk.performance.services.measurements import measurement_record
    from partnerdesk.performance.services.policies import policy_create
    from partnerdesk.performance.services.service_levels import (
        exclusion_request,
        service_level_create,
    )

    today = timezone.localdate()
    period = previous_month(month_start(today))
    contract = contract_create(
        user=user,
        partner=partner,
        data={
            "reference": "FUZZ-1",
            "title": "Fuzzed contract",
            "outsourced_scope": "Everything",
            "start_date": previous_month(period),
            "end_date": today + datetime.timedelta(days=730),
            "monthly_fee": Decimal("1000.00"),
        },
    )
    contract_change_status(user=user, contract=contract, to_status="active", reason="Signed")
    deliverable = deliverable_create(
        user=user, contract=contract, data={"name": "First articles", "due_date": period}
    )
    metric = Metric.objects.create(
        code="fuzz_uptime", name="Uptime", unit="%", direction="higher", aggregation="ratio"
    )
    level = service_level_create(
        user=user,
        contract=contract,
        metric=metric,
        name="Uptime",
        terms={
            "target": Decimal("99"),
            "tiers": [{"threshold": "99", "percent_of_fee": "10"}],
            "pool_allocation_percent": Decimal("100"),
        },
    )
    policy_create(
        user=user,
        name="Fuzz",
        effective_from=previous_month(period),
        decay=Decimal("0.8"),
        window=3,
        criteria=[{"metric": "fuzz_uptime", "weight": 100, "worst": 90, "best": 100}],
        bands=[{"name": "All", "lower": 0, "upper": 100, "action": "none"}],
    )
    measurement = measurement_record(
        user=user,
        contract=contract,
        metric=metric,
        measured_on=month_end(period),
        numerator=Decimal(95),
        denominator=Decimal(100),
    )
    close = period_close(user=user, period=period)
    proposal = CreditProposal.objects.get(period=period)
    exclusion = exclusion_request(
        user=user, service_level=level, period=month_start(today), reason="Typhoon"
    )
    return {
        "contract_id": contract.pk,
        "deliverable_id": deliverable.pk,
        "metric_id": metric.pk,
        "level_id": level.pk,
        "exclusion_id": exclusion.pk,
        "measurement_id": measurement.pk,
        "close_id": close.pk,
        "result_id": proposal.result_id,
        "score_id": close.scores.get().pk,
        "period": period.strftime("%Y-%m"),
    }


def _seed_finance(user, partner) -> dict:
    """An order with a receipt, an invoice over the order price matched into exceptions (one
    accepted above the approval threshold, awaiting its second approval), its review, the last
    week reconciled, a tolerance profile of the partner."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from partnerdesk.finance.models import MatchException, ReviewCheck
    from partnerdesk.finance.services import documents, exceptions, profiles
    from partnerdesk.finance.services.reconciliation import previous_week, reconcile_week
    from tests.factories import MatchExceptionFactory
    from tests.support import restore_shipped_data

    # transactional_db empties the tables after each test, the shipped checklists with them.
    restore_shipped_data()
    day = timezone.localdate() - datetime.timedelta(days=10)
    order = documents.purchase_order_create(
        user=user,
        data={
            "partner": partner.pk,
            "number": "PO-FUZZ",
            "order_date": day,
            "currency": "CNY",
            "lines": [{"item": "HOUSING-A", "quantity": "1000", "unit_price": "2.5"}],
        },
    )
    receipt = documents.receipt_create(
        user=user,
        data={
            "partner": partner.pk,
            "number": "DN-FUZZ",
            "received_on": day,
            "lines": [{"order": "PO-FUZZ", "order_line": 1, "quantity_received": "900"}],
        },
    )
    invoice = documents.invoice_create(
        user=user,
        data={
            "partner": partner.pk,
            "number": "INV-FUZZ",
            "invoice_date": day,
            "due_date": day + datetime.timedelta(days=30),
            "currency": "CNY",
            "net_total": "2600.00",
            "tax_total": "0.00",
            "gross_total": "2600.00",
            "lines": [
                {
                    "order": "PO-FUZZ",
                    "order_line": 1,
                    "quantity": "1000",
                    "unit_price": "2.6",
                    "amount": "2600.00",
                }
            ],
        },
    )
    exceptions.exception_resolve(
        user=user,
        exception=MatchExceptionFactory(invoice=invoice, amount_at_stake=Decimal("9000.00")),
        resolution="accepted",
        justification="Agreed.",
    )
    recon = reconcile_week(week=previous_week(), actor=user)
    profile = profiles.profile_create(
        user=user, data={"name": "Fuzz", "partner": partner, "price_percent": Decimal("2")}
    )
    return {
        "order_id": order.pk,
        "receipt_id": receipt.pk,
        "line_id": receipt.lines.get().pk,
        "invoice_id": invoice.pk,
        "check_id": ReviewCheck.objects.filter(review__invoice=invoice).first().pk,
        "exception_id": MatchException.objects.filter(invoice=invoice).first().pk,
        "reconciliation_id": recon.pk,
        "profile_id": profile.pk,
    }


def _seed_quality(user, partner) -> dict:
    """A template with a section and questions, a schedule, an audit in progress with an
    answer and evidence, a standard with a parameter, a lot rejected from its readings (its
    nonconformance, the quality hold, a sampling state) and another line still to inspect, a
    customer complaint with an 8D whose D0 is submitted, and a cost event."""
    import datetime
    from decimal import Decimal
    from importlib import import_module

    from django.apps import apps
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from partnerdesk.finance.services import documents
    from partnerdesk.quality.models import DefectType, SamplingState
    from partnerdesk.quality.services import audits, costs, inspection, nonconformance
    from tests.factories import PDF

    # transactional_db empties the tables after each test, the shipped defect types with them.
    import_module("partnerdesk.quality.migrations.0002_shipped_data").load(apps, None)
    today = timezone.localdate()
    template = audits.template_create(user=user, data={"code": "FUZZ-TPL", "name": "Fuzz audit"})
    section = audits.section_add(user=user, template=template, data={"title": "Plant"})
    question = audits.question_add(user=user, section=section, data={"text": "Calibrated?"})
    audits.question_add(
        user=user,
        section=section,
        data={"text": "Valid gauges", "kind": "numeric", "lower_limit": Decimal(95)},
    )
    schedule = audits.schedule_create(
        user=user,
        data={
            "partner": partner,
            "template": template,
            "frequency": "monthly",
            "next_due": today + datetime.timedelta(days=30),
        },
    )
    audit = audits.audit_plan(user=user, partner=partner, template=template, planned_date=today)
    answer = audit.answers.order_by("position").first()
    audits.answer_record(user=user, answer=answer, data={"yes": True})
    evidence = audits.evidence_add(
        user=user, audit=audit, answer=answer, uploaded_file=SimpleUploadedFile("a.pdf", PDF)
    )

    standard = inspection.standard_create(
        user=user,
        data={"code": "FUZZ-STD", "name": "Fuzz regrind", "item": "FUZZ-ITEM", "aql": "6.5"},
    )
    parameter = inspection.parameter_add(
        user=user,
        standard=standard,
        data={
            "code": "moisture",
            "name": "Moisture",
            "unit": "%",
            "upper_limit": Decimal("0.5"),
            "plausible_min": Decimal(0),
            "plausible_max": Decimal(20),
            "defect_type": DefectType.objects.get(code="MOISTURE"),
        },
    )
    day = today - datetime.timedelta(days=3)
    lines = [{"item": "FUZZ-ITEM", "quantity": "8", "unit_price": "10"} for _ in range(2)]
    documents.purchase_order_create(
        user=user,
        data={
            "partner": partner.pk,
            "number": "PO-FUZZ-Q",
            "order_date": day,
            "currency": "CNY",
            "lines": lines,
        },
    )
    receipt = documents.receipt_create(
        user=user,
        data={
            "partner": partner.pk,
            "number": "DN-FUZZ-Q",
            "received_on": day,
            "lines": [
                {"order": "PO-FUZZ-Q", "order_line": n, "quantity_received": "8"} for n in (1, 2)
            ],
        },
    )
    # 8 pieces at AQL 6.5: n=2, Ac 0, Re 1; one unit out of limits rejects the lot.
    lot = inspection.lot_open(user=user, receipt_line=receipt.lines.get(line_no=1))
    rows = [inspection.ReadingRow(1, "moisture", "0.2"), inspection.ReadingRow(2, "moisture", "3")]
    lot = inspection.readings_record(user=user, inspection=lot, rows=rows)

    complaint = nonconformance.nc_create(
        user=user,
        data={
            "partner": partner,
            "source": "customer_complaint",
            "customer_reference": "CC-FUZZ",
            "defect_type": DefectType.objects.get(code="CONTAMINATION"),
            "title": "Specks",
            "reported_severity": "minor",
        },
    )
    action = nonconformance.action_open(user=user, nc=complaint)
    stage = action.stages.get(stage=0)
    nonconformance.stage_submit(user=user, stage=stage, content="Team formed")
    event = costs.cost_record(
        user=user,
        data={
            "kind": "material_loss",
            "occurred_on": day,
            "amount": Decimal("250"),
            "currency": "CNY",
            "partner": partner,
            "description": "Purged regrind",
        },
    )
    return {
        "template_id": template.pk,
        "section_id": section.pk,
        "question_id": question.pk,
        "schedule_id": schedule.pk,
        "audit_id": audit.pk,
        "answer_id": answer.pk,
        "evidence_id": evidence.pk,
        "standard_id": standard.pk,
        "parameter_id": parameter.pk,
        "lot_id": lot.pk,
        "state_id": SamplingState.objects.get(partner=partner, standard=standard).pk,
        "nc_id": complaint.pk,
        "action_id": action.pk,
        "stage_id": stage.pk,
        "cost_event_id": event.pk,
    }


def _seed_regrind(user, machine) -> dict:
    """The permission matrix's plant: a line with a dosing unit, products, a run, a shift with
    assignments, readings from a file and a machine's post (a refused row), a chart with limits
    and a signal, a ranking."""
    from types import SimpleNamespace

    from tests import permission_matrix_regrind as regrind

    objects = SimpleNamespace()
    regrind.build(objects, {"administrator": user, "machine": machine})
    return regrind.api_ids(objects, "")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
    derandomize=True,
)
def test_api_fuzz(case, seeded):
    case.call_and_validate(headers=seeded, checks=CHECKS)
