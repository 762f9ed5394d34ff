"""Query counts of the quality API's lists and detail endpoints are pinned: the same number with
a few rows as with several times more, and below a ceiling, so an N+1 fails here.

Each case seeds rows, warms the per-process caches with one request, counts the queries of a
second one, seeds more rows of the same kind and counts again."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerdesk.accounts.services import api_token_create
from tests.factories import (
    AuditAnswerFactory,
    AuditEvidenceFactory,
    AuditFactory,
    AuditQuestionFactory,
    AuditScheduleFactory,
    AuditSectionFactory,
    AuditTemplateFactory,
    CorrectiveActionFactory,
    CostEventFactory,
    DefectTypeFactory,
    EightDStageFactory,
    GoodsReceiptLineFactory,
    InspectionParameterFactory,
    InspectionStandardFactory,
    LotInspectionFactory,
    NonconformanceFactory,
    PartnerFactory,
    PurchaseOrderLineFactory,
    SampleReadingFactory,
    SamplingStateFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/quality"
CEILING = 12


@pytest.fixture
def quality(make_user):
    _, raw = api_token_create(user=make_user("quality"), name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    return len(queries)


# --- list seeds: each adds ``n`` rows and answers the list's URL -------------------------------


def seed_audits(n, ctx):
    for _ in range(n):
        audit = AuditFactory(partner=ctx["partner"], auditor=ctx["user"])
        AuditAnswerFactory(audit=audit, finding="major")
        AuditAnswerFactory(audit=audit, finding="minor")
    return "/audits"


def seed_templates(n, ctx):
    for _ in range(n):
        AuditQuestionFactory(section=AuditSectionFactory(template=AuditTemplateFactory()))
    return "/audit-templates"


def seed_schedules(n, ctx):
    for _ in range(n):
        AuditScheduleFactory(auditor=ctx["user"])
    return "/audit-schedules"


def seed_standards(n, ctx):
    for _ in range(n):
        standard = InspectionStandardFactory(category=None)
        InspectionParameterFactory(standard=standard, defect_type=DefectTypeFactory())
    return "/inspection-standards"


def seed_lots(n, ctx):
    for _ in range(n):
        LotInspectionFactory(inspector=ctx["user"])
    return "/lots"


def seed_lines_to_inspect(n, ctx):
    InspectionStandardFactory(item="HOUSING-A")
    for _ in range(n):
        GoodsReceiptLineFactory(order_line=PurchaseOrderLineFactory(item="HOUSING-A"))
    return "/receipt-lines-to-inspect"


def seed_sampling_states(n, ctx):
    for _ in range(n):
        SamplingStateFactory()
    return "/sampling-states"


def seed_ncs(n, ctx):
    for _ in range(n):
        first = NonconformanceFactory(owner=ctx["user"])
        repeat = NonconformanceFactory(partner=first.partner, repeat_of=first)
        CorrectiveActionFactory(nonconformance=repeat)
        NonconformanceFactory(
            lot_inspection=LotInspectionFactory(), source="inspection", partner=first.partner
        )
        NonconformanceFactory(audit_answer=AuditAnswerFactory(), source="audit")
    return "/nonconformances"


def seed_actions(n, ctx):
    for _ in range(n):
        action = CorrectiveActionFactory(owner=ctx["user"])
        EightDStageFactory(action=action, stage=0, status="accepted")
        EightDStageFactory(
            action=action, stage=1, due_at=timezone.now() - datetime.timedelta(hours=2)
        )
    return "/corrective-actions"


def seed_costs(n, ctx):
    for _ in range(n):
        nc = NonconformanceFactory()
        event = CostEventFactory(
            partner=nc.partner,
            team=TeamFactory(),
            nonconformance=nc,
            lot_inspection=LotInspectionFactory(),
        )
        CostEventFactory(partner=nc.partner, amount=Decimal("-1200.00"), corrects=event)
    return "/cost-events"


def seed_defect_types(n, ctx):
    for _ in range(n):
        DefectTypeFactory()
    return "/defect-types"


LIST_SEEDS = [
    seed_audits,
    seed_templates,
    seed_schedules,
    seed_standards,
    seed_lots,
    seed_lines_to_inspect,
    seed_sampling_states,
    seed_ncs,
    seed_actions,
    seed_costs,
    seed_defect_types,
]


@pytest.mark.parametrize("seed", LIST_SEEDS, ids=lambda f: f.__name__.removeprefix("seed_"))
def test_list_queries_do_not_grow_with_rows(quality, make_user, seed):
    ctx = {"partner": PartnerFactory(), "user": make_user("quality")}
    url = API + seed(2, ctx)
    quality.get(url)
    few = count_queries(quality, url)
    seed(6, ctx)
    many = count_queries(quality, url)
    assert few == many, f"{url}: {few} queries with a few rows, {many} with more"
    assert many <= CEILING, f"{url}: {many} queries"


# --- details: each object grows by ``n`` children ----------------------------------------------


def grow_audit(n, ctx):
    if "audit" not in ctx:
        ctx["audit"] = AuditFactory(number="AUD-Q-1")
    audit = ctx["audit"]
    for _ in range(n):
        answer = AuditAnswerFactory(audit=audit, finding="minor")
        AuditEvidenceFactory(audit=audit, answer=answer)
        AuditEvidenceFactory(audit=audit)
    NonconformanceFactory(audit_answer=answer, source="audit")
    return f"/audits/{audit.pk}"


def grow_template(n, ctx):
    if "template" not in ctx:
        ctx["template"] = AuditTemplateFactory()
    template = ctx["template"]
    for _ in range(n):
        section = AuditSectionFactory(template=template)
        AuditQuestionFactory(section=section)
        AuditQuestionFactory(section=section)
    return f"/audit-templates/{template.pk}"


def grow_standard(n, ctx):
    if "standard" not in ctx:
        ctx["standard"] = InspectionStandardFactory()
    standard = ctx["standard"]
    for _ in range(n):
        InspectionParameterFactory(standard=standard, defect_type=DefectTypeFactory())
    return f"/inspection-standards/{standard.pk}"


def grow_lot(n, ctx):
    if "lot" not in ctx:
        ctx["lot"] = LotInspectionFactory(number="LOT-Q-1")
    lot = ctx["lot"]
    start = ctx.get("units", 0)
    for unit in range(start + 1, start + n + 1):
        parameter = InspectionParameterFactory(standard=lot.standard)
        SampleReadingFactory(inspection=lot, unit_no=unit, parameter=parameter)
    ctx["units"] = start + n
    return f"/lots/{lot.pk}"


def grow_action(n, ctx):
    if "action" not in ctx:
        ctx["action"] = CorrectiveActionFactory()
    action = ctx["action"]
    start = ctx.get("stages", 0)
    for stage in range(start, min(start + n, 9)):
        EightDStageFactory(action=action, stage=stage)
    ctx["stages"] = start + n
    return f"/corrective-actions/{action.pk}"


@pytest.mark.parametrize(
    "grow",
    [grow_audit, grow_template, grow_standard, grow_lot, grow_action],
    ids=lambda f: f.__name__.removeprefix("grow_"),
)
def test_detail_queries_do_not_grow_with_children(quality, grow):
    ctx = {}
    url = API + grow(2, ctx)
    quality.get(url)
    few = count_queries(quality, url)
    grow(5, ctx)
    many = count_queries(quality, url)
    assert few == many, f"{url}: {few} queries with a few children, {many} with more"
    assert many <= CEILING, f"{url}: {many} queries"
