"""The quality API, audit programme: a template built through the API, a schedule, an audit
planned, conducted with answers and evidence, refused while incomplete and closed with its
score, grade and explanation; who may do what; bad input answered as field errors."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from partnerdesk.accounts.services import api_token_create
from partnerdesk.notifications.models import Notification
from partnerdesk.quality.models import (
    Audit,
    AuditEvidence,
    AuditQuestion,
    AuditSchedule,
    AuditSection,
    AuditTemplate,
    Nonconformance,
)
from tests.factories import (
    PDF,
    AuditAnswerFactory,
    AuditEvidenceFactory,
    AuditFactory,
    AuditQuestionFactory,
    AuditSectionFactory,
    AuditTemplateFactory,
    PartnerFactory,
)
from tests.support import assert_error, audit_rows

pytestmark = pytest.mark.django_db

API = "/api/v1/quality"


def client_for(user) -> Client:
    _, raw = api_token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def call(client, method: str, url: str, body=None):
    return client.generic(
        method, API + url, json.dumps(body if body is not None else {}), "application/json"
    )


def ok(response, status: int = 200):
    assert response.status_code == status, response.content
    return response.json() if response.content else None


@pytest.fixture
def quality_user(make_user):
    return make_user("quality", username="inspector")


@pytest.fixture
def quality(quality_user):
    return client_for(quality_user)


@pytest.fixture
def partner():
    return PartnerFactory(code="CMO-AUD")


# --- templates ---------------------------------------------------------------------------------


def test_a_template_is_built_section_by_section_and_question_by_question(quality):
    template = ok(
        call(
            quality,
            "POST",
            "/audit-templates",
            {"code": "SITE-1", "name": "Site audit", "grade_a_min": "92.5"},
        ),
        201,
    )
    assert (template["code"], template["grade_a_min"], template["grade_b_min"]) == (
        "SITE-1",
        "92.50",
        "80.00",
    )
    assert template["sections"] == [] and template["question_count"] == 0

    tid = template["id"]
    first = ok(call(quality, "POST", f"/audit-templates/{tid}/sections", {"title": "People"}), 201)
    second = ok(call(quality, "POST", f"/audit-templates/{tid}/sections", {"title": "Store"}), 201)
    assert (first["position"], second["position"]) == (1, 2)

    sid = first["id"]
    yes_no = ok(
        call(
            quality,
            "POST",
            f"/audit-sections/{sid}/questions",
            {"text": "Training matrix kept?", "critical": True, "evidence_required": True},
        ),
        201,
    )
    scale = ok(
        call(
            quality,
            "POST",
            f"/audit-sections/{sid}/questions",
            {"text": "Records complete", "kind": "scale", "scale_max": 5, "weight": "2.5"},
        ),
        201,
    )
    numeric = ok(
        call(
            quality,
            "POST",
            f"/audit-sections/{second['id']}/questions",
            {"text": "Humidity", "kind": "numeric", "upper_limit": "60", "unit": "%"},
        ),
        201,
    )
    assert (yes_no["kind"], yes_no["weight"], yes_no["critical"]) == ("yes_no", "1.00", True)
    assert (scale["position"], scale["scale_max"], scale["weight"]) == (2, 5, "2.50")
    assert (numeric["upper_limit"], numeric["lower_limit"], numeric["unit"]) == (
        "60.0000",
        None,
        "%",
    )

    detail = ok(quality.get(f"{API}/audit-templates/{tid}"))
    assert (detail["section_count"], detail["question_count"]) == (2, 3)
    assert [s["title"] for s in detail["sections"]] == ["People", "Store"]
    assert [q["text"] for q in detail["sections"][0]["questions"]] == [
        "Training matrix kept?",
        "Records complete",
    ]

    changed = ok(call(quality, "PATCH", f"/audit-questions/{scale['id']}", {"weight": "3"}))
    assert changed["weight"] == "3.00" and changed["text"] == "Records complete"
    renamed = ok(call(quality, "PATCH", f"/audit-sections/{sid}", {"title": "People and skills"}))
    assert renamed["title"] == "People and skills" and len(renamed["questions"]) == 2
    ok(call(quality, "DELETE", f"/audit-questions/{yes_no['id']}"), 204)
    assert not AuditQuestion.objects.filter(pk=yes_no["id"]).exists()
    ok(call(quality, "DELETE", f"/audit-sections/{second['id']}"), 204)
    assert not AuditSection.objects.filter(pk=second["id"]).exists()
    patched = ok(call(quality, "PATCH", f"/audit-templates/{tid}", {"is_active": False}))
    assert patched["is_active"] is False and patched["name"] == "Site audit"
    assert patched["question_count"] == 1
    assert [row.action for row in audit_rows(AuditTemplate.objects.get(pk=tid))] == [
        "create",
        "update",
    ]


def test_template_list_filters_and_sorts(quality):
    AuditTemplateFactory(code="ZZ-LAST", name="Zeta")
    AuditTemplateFactory(code="AA-FIRST", name="Alpha", is_active=False)
    listed = ok(quality.get(f"{API}/audit-templates", {"q": "zz-"}))
    assert [t["code"] for t in listed["items"]] == ["ZZ-LAST"]
    inactive = ok(quality.get(f"{API}/audit-templates", {"is_active": "false"}))
    assert [t["code"] for t in inactive["items"]] == ["AA-FIRST"]
    by_name = ok(quality.get(f"{API}/audit-templates", {"sort": "-name", "page_size": 100}))
    names = [t["name"] for t in by_name["items"]]
    assert names == sorted(names, reverse=True)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": "Score", "kind": "scale"}, "scale_max"),
        ({"text": "Reading", "kind": "numeric"}, "lower_limit"),
        ({"text": "Reading", "kind": "numeric", "lower_limit": 5, "upper_limit": 1}, "upper_limit"),
        ({"text": "Weightless", "weight": "0"}, "weight"),
        ({"text": "Too precise", "weight": "1.234"}, "weight"),
        ({"text": "NaN limit", "kind": "numeric", "lower_limit": "NaN"}, "lower_limit"),
        ({"text": "  "}, "text"),
        ({"text": "x" * 301}, "text"),
        ({"text": "Odd kind", "kind": "essay"}, "kind"),
    ],
)
def test_bad_questions_are_field_errors_and_nothing_is_saved(quality, body, field):
    section = AuditSectionFactory()
    response = call(quality, "POST", f"/audit-sections/{section.pk}/questions", body)
    error = assert_error(response, 422, "validation_error")
    assert field in error["fields"], error
    assert not section.questions.exists()


def test_template_rules_answer_409_and_422(quality):
    AuditTemplateFactory(code="TAKEN")
    assert_error(
        call(quality, "POST", "/audit-templates", {"code": "TAKEN", "name": "Again"}),
        409,
        "conflict",
    )
    error = assert_error(
        call(
            quality,
            "POST",
            "/audit-templates",
            {"code": "GRADES", "name": "Grades", "grade_a_min": 70, "grade_b_min": 80},
        ),
        422,
        "validation_error",
    )
    assert "grade_b_min" in error["fields"]
    error = assert_error(
        call(quality, "POST", "/audit-templates", {"code": "has space", "name": "Bad code"}),
        422,
        "validation_error",
    )
    assert "code" in error["fields"]
    assert not AuditTemplate.objects.filter(code__in=["GRADES", "has space"]).exists()


def test_templates_are_for_quality_to_edit(make_user, quality):
    template = AuditTemplateFactory()
    question = AuditQuestionFactory(section=AuditSectionFactory(template=template))
    finance = client_for(make_user("finance"))
    assert ok(finance.get(f"{API}/audit-templates/{template.pk}"))["id"] == template.pk
    assert_error(
        call(finance, "POST", "/audit-templates", {"code": "FIN", "name": "Finance"}),
        403,
        "forbidden",
    )
    assert_error(
        call(finance, "POST", f"/audit-templates/{template.pk}/sections", {"title": "X"}),
        403,
        "forbidden",
    )
    assert_error(
        call(finance, "PATCH", f"/audit-questions/{question.pk}", {"text": "Changed"}),
        404,
        "not_found",
    )
    assert_error(call(finance, "DELETE", f"/audit-questions/{question.pk}"), 404, "not_found")
    partner_user = client_for(make_user("partner", partner=PartnerFactory()))
    assert ok(partner_user.get(f"{API}/audit-templates"))["items"] == []
    assert_error(partner_user.get(f"{API}/audit-templates/{template.pk}"), 404, "not_found")
    question.refresh_from_db()
    assert question.text != "Changed"


# --- schedules ---------------------------------------------------------------------------------


def test_schedules_are_created_changed_and_one_active_per_partner_and_template(
    quality, partner, make_user
):
    template = AuditTemplate.objects.get(code="ONSITE")
    auditor = make_user("quality", username="auditor")
    body = {
        "partner": partner.pk,
        "template": template.pk,
        "frequency": "quarterly",
        "auditor": auditor.pk,
        "next_due": "2027-01-15",
        "lead_days": 21,
    }
    schedule = ok(call(quality, "POST", "/audit-schedules", body), 201)
    assert (schedule["partner_code"], schedule["template_code"], schedule["frequency"]) == (
        "CMO-AUD",
        "ONSITE",
        "quarterly",
    )
    assert (schedule["auditor_id"], schedule["next_due"], schedule["lead_days"]) == (
        auditor.pk,
        "2027-01-15",
        21,
    )
    assert_error(call(quality, "POST", "/audit-schedules", body), 409, "conflict")

    changed = ok(
        call(
            quality,
            "PATCH",
            f"/audit-schedules/{schedule['id']}",
            {"frequency": "monthly", "auditor": None, "is_active": False},
        )
    )
    assert (changed["frequency"], changed["auditor_id"], changed["is_active"]) == (
        "monthly",
        None,
        False,
    )
    assert ok(quality.get(f"{API}/audit-schedules/{schedule['id']}"))["lead_days"] == 21
    listed = ok(quality.get(f"{API}/audit-schedules", {"partner": partner.pk}))
    assert [s["id"] for s in listed["items"]] == [schedule["id"]]
    assert ok(quality.get(f"{API}/audit-schedules", {"is_active": "true"}))["items"] == []


def test_a_schedule_naming_unknown_rows_is_refused_on_those_fields(quality, partner, make_user):
    template = AuditTemplate.objects.get(code="ONSITE")
    supplier = make_user("partner", partner=partner)
    body = {
        "partner": partner.pk,
        "template": template.pk,
        "frequency": "monthly",
        "next_due": "2027-01-15",
    }
    for not_an_auditor in (supplier, make_user("finance")):
        error = assert_error(
            call(quality, "POST", "/audit-schedules", body | {"auditor": not_an_auditor.pk}),
            422,
            "validation_error",
        )
        assert error["fields"] == {"auditor": ["Choose an active staff user who may do this."]}
    error = assert_error(
        call(quality, "POST", "/audit-schedules", body | {"template": 2**31 - 1}),
        422,
        "validation_error",
    )
    assert "template" in error["fields"]
    error = assert_error(
        call(quality, "POST", "/audit-schedules", body | {"partner": 2**31}),
        422,
        "validation_error",
    )
    assert "partner" in error["fields"]
    error = assert_error(
        call(quality, "POST", "/audit-schedules", body | {"frequency": "weekly"}),
        422,
        "validation_error",
    )
    assert "frequency" in error["fields"]
    assert not AuditSchedule.objects.exists()


# --- audits ------------------------------------------------------------------------------------


@pytest.fixture
def small_template():
    """Three questions: a critical yes/no (weight 1), a yes/no needing evidence (weight 8), a
    numeric reading from 95 % (weight 1)."""
    template = AuditTemplateFactory(code="SMALL", name="Small audit")
    section = AuditSectionFactory(template=template, position=1, title="Plant")
    AuditQuestionFactory(section=section, position=1, text="Gauges calibrated?", critical=True)
    AuditQuestionFactory(
        section=section,
        position=2,
        text="Training matrix?",
        weight=Decimal(8),
        evidence_required=True,
    )
    AuditQuestionFactory(
        section=section,
        position=3,
        text="Valid gauges",
        kind="numeric",
        lower_limit=Decimal(95),
        unit="%",
    )
    return template


def plan(client, partner, template, **extra):
    body = {"partner": partner.pk, "template": template.pk, "planned_date": "2026-11-25"}
    return ok(call(client, "POST", "/audits", body | extra), 201)


def test_an_audit_is_planned_conducted_and_closed_with_its_score_and_grade(
    quality, quality_user, partner, small_template, make_user
):
    auditor = make_user("quality", username="lead-auditor")
    audit = plan(quality, partner, small_template, auditor=auditor.pk)
    assert audit["number"].startswith("AUD-2026-")
    assert (audit["status"], audit["auditor_id"], audit["partner_code"]) == (
        "planned",
        auditor.pk,
        "CMO-AUD",
    )
    assert (audit["question_count"], audit["answered_count"], audit["explanation"]) == (3, 0, None)
    assert Notification.objects.filter(recipient=auditor, kind="audit_planned").count() == 1
    critical, training, gauges = audit["answers"]
    assert [a["position"] for a in audit["answers"]] == [1, 2, 3]
    assert (critical["critical"], critical["finding"], critical["answered"]) == (True, None, False)

    started = ok(call(quality, "POST", f"/audits/{audit['id']}/start"))
    assert started["status"] == "in_progress" and started["started_at"]

    answered = ok(
        call(
            quality,
            "PUT",
            f"/audit-answers/{critical['id']}",
            {"yes": False, "comment": "Two gauges overdue"},
        )
    )
    assert (answered["finding"], answered["yes"], answered["answered"]) == ("major", False, True)
    assert answered["answered_by_id"] == quality_user.pk
    at_limit = ok(call(quality, "PUT", f"/audit-answers/{gauges['id']}", {"value": "95"}))
    assert (at_limit["value"], at_limit["finding"]) == ("95.0000", "compliant")
    ok(call(quality, "PUT", f"/audit-answers/{training['id']}", {"yes": True}))

    # The question that requires evidence has none yet: nothing is closed.
    error = assert_error(
        call(quality, "POST", f"/audits/{audit['id']}/close"), 422, "validation_error"
    )
    assert "evidence" in error["fields"] and "Training matrix?" in error["message"]
    assert Audit.objects.get(pk=audit["id"]).status == "in_progress"

    photo = SimpleUploadedFile("matrix.pdf", PDF, content_type="application/pdf")
    evidence = ok(
        quality.post(
            f"{API}/audits/{audit['id']}/evidence",
            {"file": photo, "answer": training["id"], "caption": "Matrix on the wall"},
        ),
        201,
    )
    assert (evidence["answer_id"], evidence["caption"], evidence["content_type"]) == (
        training["id"],
        "Matrix on the wall",
        "application/pdf",
    )
    assert evidence["size"] == len(PDF)
    download = quality.get(evidence["file_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF

    closed = ok(call(quality, "POST", f"/audits/{audit['id']}/close", {"summary": "Good plant."}))
    # Points 0 + 8 + 1 of 10 = 90.00 %: grade A by score, one major finding: at most B.
    assert (closed["status"], closed["score"], closed["grade"]) == ("closed", "90.00", "B")
    assert (closed["major_count"], closed["minor_count"], closed["summary"]) == (
        1,
        0,
        "Good plant.",
    )
    explanation = closed["explanation"]
    assert (explanation["grade_by_score"], explanation["downgrade"]) == (
        "A",
        "1 major finding: at most grade B",
    )
    assert explanation["findings"] == {"compliant": 2, "observation": 0, "minor": 0, "major": 1}
    assert explanation["sections"] == [
        {
            "title": "Plant",
            "points": "9.00",
            "possible": "10.00",
            "percent": "90.00",
            "not_applicable": 0,
        }
    ]
    nc = Nonconformance.objects.get(audit_answer_id=critical["id"])
    major = closed["answers"][0]
    assert (major["nonconformance_id"], major["nonconformance_number"]) == (nc.pk, nc.number)
    assert [e["original_name"] for e in closed["answers"][1]["evidence"]] == ["matrix.pdf"]

    # A closed audit is not edited.
    assert_error(
        call(quality, "PUT", f"/audit-answers/{gauges['id']}", {"value": "50"}), 409, "conflict"
    )
    assert_error(call(quality, "DELETE", f"/audit-evidence/{evidence['id']}"), 409, "conflict")
    assert_error(call(quality, "POST", f"/audits/{audit['id']}/start"), 409, "conflict")


def test_closing_with_unanswered_questions_names_them_and_changes_nothing(
    quality, partner, small_template
):
    audit = plan(quality, partner, small_template)
    first = audit["answers"][0]
    ok(call(quality, "PUT", f"/audit-answers/{first['id']}", {"yes": True}))
    error = assert_error(
        call(quality, "POST", f"/audits/{audit['id']}/close"), 422, "validation_error"
    )
    assert "2 questions are not answered" in error["message"]
    assert "Training matrix?" in error["fields"]["answers"][0]
    assert "Valid gauges" in error["fields"]["answers"][0]
    row = Audit.objects.get(pk=audit["id"])
    assert (row.status, row.score, row.grade) == ("in_progress", None, "")
    assert not Nonconformance.objects.exists()


@pytest.mark.parametrize(
    "question, body, field",
    [
        (3, {"value": "NaN"}, "value"),
        (3, {"value": "1e12"}, "value"),
        (3, {"value": "12.12345"}, "value"),
        (1, {"yes": "perhaps"}, "yes"),
        (1, {"yes": False, "finding": "observation"}, "finding"),
        (1, {"yes": True, "finding": "severe"}, "finding"),
        (1, {"yes": True, "comment": "bad\x00byte"}, "comment"),
    ],
)
def test_bad_answers_are_field_errors_and_the_answer_is_unchanged(
    quality, partner, small_template, question, body, field
):
    audit = plan(quality, partner, small_template)
    answer = audit["answers"][question - 1]
    response = call(quality, "PUT", f"/audit-answers/{answer['id']}", body)
    error = assert_error(response, 422, "validation_error")
    assert field in error["fields"], error
    again = ok(quality.get(f"{API}/audits/{audit['id']}"))["answers"][question - 1]
    assert (again["answered"], again["finding"], again["comment"]) == (False, None, "")


def test_a_scale_score_above_its_maximum_is_refused(quality, partner):
    template = AuditTemplateFactory()
    AuditQuestionFactory(section=AuditSectionFactory(template=template), kind="scale", scale_max=5)
    audit = plan(quality, partner, template)
    answer = audit["answers"][0]
    error = assert_error(
        call(quality, "PUT", f"/audit-answers/{answer['id']}", {"value": 7}),
        422,
        "validation_error",
    )
    assert error["fields"] == {"value": ["0 to 5."]}
    observed = ok(call(quality, "PUT", f"/audit-answers/{answer['id']}", {"value": 3}))
    assert (observed["value"], observed["finding"]) == ("3.0000", "observation")
    not_applicable = ok(
        call(quality, "PUT", f"/audit-answers/{answer['id']}", {"not_applicable": True})
    )
    assert (not_applicable["value"], not_applicable["finding"]) == (None, None)
    assert not_applicable["answered"] is True


@pytest.mark.parametrize(
    "name, content",
    [
        ("tool.exe", b"MZ\x90\x00binary"),
        ("photo.png", b"just some text, not a picture"),
        ("empty.pdf", b""),
    ],
)
def test_evidence_of_the_wrong_type_is_refused_and_nothing_is_stored(
    quality, partner, small_template, name, content, settings
):
    audit = plan(quality, partner, small_template)
    response = quality.post(
        f"{API}/audits/{audit['id']}/evidence", {"file": SimpleUploadedFile(name, content)}
    )
    error = assert_error(response, 422, "validation_error")
    assert "file" in error["fields"]
    assert not AuditEvidence.objects.exists()
    media = settings.MEDIA_ROOT
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True


def test_evidence_names_an_answer_of_the_same_audit(quality, partner, small_template):
    audit = plan(quality, partner, small_template)
    stranger = AuditAnswerFactory(audit=AuditFactory(number="AUD-OTHER-1"))
    response = quality.post(
        f"{API}/audits/{audit['id']}/evidence",
        {"file": SimpleUploadedFile("a.pdf", PDF), "answer": stranger.pk},
    )
    error = assert_error(response, 422, "validation_error")
    assert error["fields"] == {"answer": ["Choose a question of this audit."]}
    general = ok(
        quality.post(
            f"{API}/audits/{audit['id']}/evidence", {"file": SimpleUploadedFile("a.pdf", PDF)}
        ),
        201,
    )
    assert general["answer_id"] is None
    detail = ok(quality.get(f"{API}/audits/{audit['id']}"))
    assert [e["id"] for e in detail["evidence"]] == [general["id"]]
    ok(call(quality, "DELETE", f"/audit-evidence/{general['id']}"), 204)
    assert not AuditEvidence.objects.exists()


def test_an_audit_is_cancelled_with_a_reason(quality, partner, small_template):
    audit = plan(quality, partner, small_template)
    error = assert_error(
        call(quality, "POST", f"/audits/{audit['id']}/cancel", {"reason": "   "}),
        422,
        "validation_error",
    )
    assert "reason" in error["fields"]
    cancelled = ok(
        call(quality, "POST", f"/audits/{audit['id']}/cancel", {"reason": "Plant closed"})
    )
    assert (cancelled["status"], cancelled["summary"]) == ("cancelled", "Cancelled: Plant closed")
    assert_error(
        call(quality, "POST", f"/audits/{audit['id']}/cancel", {"reason": "Again"}),
        409,
        "conflict",
    )


def test_planning_needs_an_active_template_with_questions(quality, partner):
    inactive = AuditTemplateFactory(is_active=False)
    AuditQuestionFactory(section=AuditSectionFactory(template=inactive))
    error = assert_error(
        call(
            quality,
            "POST",
            "/audits",
            {"partner": partner.pk, "template": inactive.pk, "planned_date": "2026-12-01"},
        ),
        422,
        "validation_error",
    )
    assert "template" in error["fields"]
    error = assert_error(
        call(
            quality,
            "POST",
            "/audits",
            {"partner": partner.pk, "template": inactive.pk, "planned_date": "0001-01-01"},
        ),
        422,
        "validation_error",
    )
    assert "planned_date" in error["fields"]
    assert not Audit.objects.exists()


def test_audit_list_filters(quality, partner):
    other = PartnerFactory(code="CMO-ELSEWHERE")
    closed = AuditFactory(partner=partner, status="closed", grade="A", score=Decimal(95))
    AuditFactory(partner=partner, planned_date=datetime.date(2027, 2, 1))
    AuditFactory(partner=other)
    AuditAnswerFactory(audit=closed, finding="major")
    AuditAnswerFactory(audit=closed, finding="minor")
    AuditAnswerFactory(audit=closed, finding="minor")

    by_partner = ok(quality.get(f"{API}/audits", {"partner": partner.pk}))
    assert by_partner["count"] == 2
    graded = ok(quality.get(f"{API}/audits", {"grade": "A"}))["items"]
    assert [a["id"] for a in graded] == [closed.pk]
    assert (graded[0]["score"], graded[0]["major_count"], graded[0]["minor_count"]) == (
        "95.00",
        1,
        2,
    )
    searched = ok(quality.get(f"{API}/audits", {"q": "elsewhere"}))["items"]
    assert [a["partner_code"] for a in searched] == ["CMO-ELSEWHERE"]
    later = ok(quality.get(f"{API}/audits", {"planned_from": "2027-01-01"}))["items"]
    assert [a["planned_date"] for a in later] == ["2027-02-01"]
    by_date = ok(quality.get(f"{API}/audits", {"sort": "planned_date"}))["items"]
    assert by_date[-1]["planned_date"] == "2027-02-01"
    for params, field in (
        ({"grade": "D"}, "grade"),
        ({"partner": 0}, "partner"),
        ({"status": "open"}, "status"),
        ({"planned_from": "2026-02-30"}, "planned_from"),
    ):
        error = assert_error(quality.get(f"{API}/audits", params), 422, "validation_error")
        assert field in error["fields"]


def test_partner_users_see_their_own_audits_and_evidence_and_change_nothing(make_user, partner):
    own = AuditFactory(partner=partner)
    answer = AuditAnswerFactory(audit=own)
    own_evidence = AuditEvidenceFactory(audit=own, answer=answer)
    foreign = AuditFactory(partner=PartnerFactory())
    foreign_evidence = AuditEvidenceFactory(audit=foreign)
    supplier = client_for(make_user("partner", partner=partner))

    listed = ok(supplier.get(f"{API}/audits"))
    assert [a["id"] for a in listed["items"]] == [own.pk]
    detail = ok(supplier.get(f"{API}/audits/{own.pk}"))
    assert detail["answers"][0]["evidence"][0]["id"] == own_evidence.pk
    assert supplier.get(f"{API}/audit-evidence/{own_evidence.pk}/file").status_code == 200
    assert_error(supplier.get(f"{API}/audits/{foreign.pk}"), 404, "not_found")
    assert_error(supplier.get(f"{API}/audit-evidence/{foreign_evidence.pk}/file"), 404, "not_found")
    assert_error(
        call(supplier, "PUT", f"/audit-answers/{answer.pk}", {"yes": True}), 404, "not_found"
    )
    assert_error(call(supplier, "POST", f"/audits/{own.pk}/start"), 403, "forbidden")
    assert_error(
        call(supplier, "POST", f"/audits/{own.pk}/cancel", {"reason": "No"}), 403, "forbidden"
    )
    assert ok(supplier.get(f"{API}/audit-schedules"))["items"] == []


def test_finance_and_manufacturing_read_audits_but_do_not_plan_or_answer(
    make_user, partner, small_template
):
    audit = AuditFactory(partner=partner, template=small_template)
    answer = AuditAnswerFactory(audit=audit)
    body = {"partner": partner.pk, "template": small_template.pk, "planned_date": "2026-12-01"}
    for role in ("finance", "manufacturing"):
        client = client_for(make_user(role))
        assert ok(client.get(f"{API}/audits/{audit.pk}"))["number"] == audit.number
        assert_error(call(client, "POST", "/audits", body), 403, "forbidden")
        assert_error(
            call(client, "PUT", f"/audit-answers/{answer.pk}", {"yes": True}), 404, "not_found"
        )
        response = client.post(
            f"{API}/audits/{audit.pk}/evidence", {"file": SimpleUploadedFile("a.pdf", PDF)}
        )
        assert_error(response, 403, "forbidden")
    assert Audit.objects.count() == 1 and not AuditEvidence.objects.exists()


def test_unauthenticated_requests_are_401(client):
    assert_error(client.get(f"{API}/audits"), 401, "unauthenticated")
