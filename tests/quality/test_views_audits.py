"""The audit pages: the list, planning, an audit's page, conducting it (answers, evidence,
closing and cancelling), the report, evidence files, the schedules; who sees which buttons; and
the pinned query counts."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from partnerdesk.quality.models import (
    Audit,
    AuditAnswer,
    AuditEvidence,
    AuditSchedule,
    Nonconformance,
)
from partnerdesk.quality.services import audits as services
from tests.factories import (
    PDF,
    AuditQuestionFactory,
    AuditScheduleFactory,
    AuditSectionFactory,
    AuditTemplateFactory,
    PartnerFactory,
)
from tests.support import audit_rows, stored_files, upload

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
HTMX = {"HTTP_HX_REQUEST": "true"}


def make_template(*, questions_per_section: int = 1):
    """Two sections: a critical yes/no question needing evidence and a 0-5 scale; a numeric
    reading of at least 95 %. ``questions_per_section`` > 1 adds plain yes/no questions."""
    template = AuditTemplateFactory(code="SMALL", name="Small audit")
    equipment = AuditSectionFactory(template=template, position=1, title="Equipment")
    storage = AuditSectionFactory(template=template, position=2, title="Storage")
    AuditQuestionFactory(
        section=equipment,
        position=1,
        text="Gauges calibrated",
        kind="yes_no",
        weight=Decimal(2),
        critical=True,
        evidence_required=True,
    )
    AuditQuestionFactory(
        section=equipment, position=2, text="Maintenance records", kind="scale", scale_max=5
    )
    AuditQuestionFactory(
        section=storage,
        position=1,
        text="Gauges in calibration",
        kind="numeric",
        lower_limit=Decimal(95),
        unit="%",
    )
    for n in range(questions_per_section - 1):
        AuditQuestionFactory(section=storage, position=n + 2, text=f"Extra question {n}")
    return template


def plan(user, *, partner=None, template=None, **kwargs):
    return services.audit_plan(
        user=user,
        partner=partner or PartnerFactory(),
        template=template or make_template(),
        planned_date=kwargs.pop("planned_date", datetime.date(2026, 11, 20)),
        **kwargs,
    )


def answers_of(audit) -> dict[str, AuditAnswer]:
    return {a.text: a for a in AuditAnswer.objects.filter(audit=audit)}


def answer_all(user, audit, *, critical_yes=True):
    rows = answers_of(audit)
    services.answer_record(user=user, answer=rows["Gauges calibrated"], data={"yes": critical_yes})
    services.answer_record(user=user, answer=rows["Maintenance records"], data={"value": 4})
    services.answer_record(user=user, answer=rows["Gauges in calibration"], data={"value": "97"})
    services.evidence_add(
        user=user,
        audit=audit,
        answer=rows["Gauges calibrated"],
        uploaded_file=upload("calibration.pdf", PDF, "application/pdf"),
    )
    return rows


@pytest.fixture
def quality(make_user, client):
    user = make_user("quality", username="q-engineer")
    client.force_login(user)
    return user


# --- the list and planning ---------------------------------------------------------------------


def test_the_list_shows_audits_with_findings_and_filters_by_status(client, quality):
    first = plan(quality)
    template = first.template
    second = plan(quality, template=template, planned_date=datetime.date(2026, 12, 1))
    answer_all(quality, second, critical_yes=False)
    services.audit_close(user=quality, audit=second)

    response = client.get(reverse("quality:audit_list"))

    assert response.status_code == 200
    body = response.content.decode()
    assert first.number in body and second.number in body
    assert 'class="badge qa-finding-major">1</span>' in body
    assert "Plan an audit" in body

    closed = client.get(reverse("quality:audit_list"), {"status": "closed"})
    assert second.number in closed.content.decode()
    assert first.number not in closed.content.decode()


def test_the_list_answers_htmx_with_the_table_only_sorted(client, quality):
    early = plan(quality, planned_date=datetime.date(2026, 1, 5))
    late = plan(quality, template=early.template, planned_date=datetime.date(2026, 6, 5))

    response = client.get(
        reverse("quality:audit_list"),
        {"sort": "planned_date"},
        HTTP_HX_TARGET="list-results",
        **HTMX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.index(early.number) < body.index(late.number)


def test_planning_an_audit_copies_the_questions_and_tells_the_auditor(client, quality, make_user):
    template = make_template()
    partner = PartnerFactory()
    auditor = make_user("quality")

    response = client.post(
        reverse("quality:audit_create"),
        {
            "partner": partner.pk,
            "template": template.pk,
            "planned_date": "2026-11-20",
            "auditor": auditor.pk,
        },
        follow=True,
    )

    audit = Audit.objects.get(partner=partner)
    assert response.redirect_chain[-1][0] == reverse("quality:audit_detail", args=[audit.pk])
    assert f"Audit {audit.number} planned for 2026-11-20." in response.content.decode()
    assert audit.answers.count() == 3 and audit.auditor == auditor
    assert auditor.notifications.filter(kind="audit_planned").exists()


def test_planning_with_an_empty_template_or_no_date_says_why_and_plans_nothing(client, quality):
    empty = AuditTemplateFactory(name="Empty")
    partner = PartnerFactory()

    no_questions = client.post(
        reverse("quality:audit_create"),
        {"partner": partner.pk, "template": empty.pk, "planned_date": "2026-11-20"},
    )
    no_date = client.post(
        reverse("quality:audit_create"), {"partner": partner.pk, "template": empty.pk}
    )

    assert no_questions.status_code == 200
    assert "Add questions to the template first." in no_questions.content.decode()
    assert "This field is required." in no_date.content.decode()
    assert not Audit.objects.exists()


# --- an audit's page: buttons by role ----------------------------------------------------------


def test_quality_sees_the_actions_and_finance_only_reads(client, quality, make_user):
    audit = plan(quality)
    url = reverse("quality:audit_detail", args=[audit.pk])

    page = client.get(url).content.decode()
    assert "Start the audit" in page and "Conduct" in page and "Cancel the audit" in page

    client.force_login(make_user("finance"))
    page = client.get(url).content.decode()
    assert audit.number in page
    assert "Start the audit" not in page and "Cancel the audit" not in page
    assert reverse("quality:audit_conduct", args=[audit.pk]) not in page
    assert client.post(reverse("quality:audit_start", args=[audit.pk])).status_code == 404
    assert client.get(reverse("quality:audit_conduct", args=[audit.pk])).status_code == 404
    assert (
        client.post(reverse("quality:answer_save", args=[audit.answers.first().pk])).status_code
        == 404
    )
    audit.refresh_from_db()
    assert audit.status == "planned"


def test_post_only_actions_refuse_get(client, quality):
    audit = plan(quality)
    answer = audit.answers.first()
    for url in (
        reverse("quality:audit_start", args=[audit.pk]),
        reverse("quality:audit_close", args=[audit.pk]),
        reverse("quality:audit_cancel", args=[audit.pk]),
        reverse("quality:evidence_upload", args=[audit.pk]),
        reverse("quality:answer_save", args=[answer.pk]),
        reverse("quality:answer_nc", args=[answer.pk]),
    ):
        assert client.get(url).status_code == 405, url


def test_a_partner_user_sees_its_own_audit_but_not_another_partners(client, quality, make_user):
    own = plan(quality)
    other = plan(quality, template=own.template)
    answer_all(quality, own)
    evidence = AuditEvidence.objects.get(audit=own)
    other_evidence = services.evidence_add(
        user=quality,
        audit=other,
        uploaded_file=upload("site.pdf", PDF, "application/pdf"),
    )
    supplier = make_user("partner", partner=own.partner)
    client.force_login(supplier)

    page = client.get(reverse("quality:audit_detail", args=[own.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert own.number in body and "Start the audit" not in body and "Close and score" not in body
    assert client.get(reverse("quality:audit_report", args=[own.pk])).status_code == 200
    assert client.get(reverse("quality:evidence_file", args=[evidence.pk])).status_code == 200
    listing = client.get(reverse("quality:audit_list")).content.decode()
    assert own.number in listing and other.number not in listing

    assert client.get(reverse("quality:audit_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("quality:audit_report", args=[other.pk])).status_code == 404
    assert client.get(reverse("quality:evidence_file", args=[other_evidence.pk])).status_code == 404
    assert client.get(reverse("quality:audit_conduct", args=[own.pk])).status_code == 404
    assert client.get(reverse("quality:schedule_list")).status_code == 404


# --- starting and conducting -------------------------------------------------------------------


def test_starting_moves_the_audit_on_and_opens_the_conduct_page(client, quality):
    audit = plan(quality)

    response = client.post(reverse("quality:audit_start", args=[audit.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("quality:audit_conduct", args=[audit.pk])
    audit.refresh_from_db()
    assert audit.status == "in_progress" and audit.started_at is not None


def test_the_conduct_page_has_a_card_per_question_with_touch_controls(client, quality):
    audit = plan(quality)
    rows = answers_of(audit)

    response = client.get(reverse("quality:audit_conduct", args=[audit.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="qa-card') == 3
    assert body.index("Equipment") < body.index("Storage")
    critical = rows["Gauges calibrated"]
    for n, value in enumerate(("yes", "no", "na")):
        assert (
            f'<input type="radio" name="answer" value="{value}" id="id_a{critical.pk}_answer_{n}"'
        ) in body
    scale = rows["Maintenance records"]
    assert "Score from 0 to 5" in body
    for n in range(6):
        assert (
            f'<input type="radio" name="answer" value="{n}" id="id_a{scale.pk}_answer_{n}"' in body
        )
    assert '<input type="radio" name="answer" value="6"' not in body
    assert "Limits: ≥ 95 %" in body
    assert 'accept="image/*,application/pdf" capture="environment"' in body
    assert "evidence required" in body and "critical" in body
    assert "0 of 3 answered" in body
    assert reverse("quality:answer_save", args=[scale.pk]) in body
    assert 'name="from" value="conduct"' in body and "Close the audit" in body
    assert "quality/quality.css" in body


def test_an_answer_saved_with_htmx_returns_its_card_with_the_finding_and_the_progress(
    client, quality
):
    audit = plan(quality)
    critical = answers_of(audit)["Gauges calibrated"]

    response = client.post(
        reverse("quality:answer_save", args=[critical.pk]),
        {"answer": "no", "comment": "two gauges overdue", "finding": ""},
        **HTMX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="answer-{critical.pk}"' in body and "<html" not in body
    assert "Major finding" in body and "Saved" in body
    assert 'id="audit-progress" hx-swap-oob="true"' in body and "1 of 3 answered" in body
    critical.refresh_from_db()
    assert (critical.yes, critical.finding, critical.comment) == (
        False,
        "major",
        "two gauges overdue",
    )
    audit.refresh_from_db()
    assert audit.status == "in_progress"


def test_an_answer_saved_without_javascript_goes_back_to_its_card(client, quality):
    audit = plan(quality)
    reading = answers_of(audit)["Gauges in calibration"]

    response = client.post(
        reverse("quality:answer_save", args=[reading.pk]), {"value": "96,5"}, follow=True
    )

    assert response.redirect_chain[-1][0] == (
        reverse("quality:audit_conduct", args=[audit.pk]) + f"#answer-{reading.pk}"
    )
    assert "Question 3 saved." in response.content.decode()
    reading.refresh_from_db()
    assert reading.value == Decimal("96.5") and reading.finding == "compliant"


def test_a_scale_score_out_of_range_is_refused_next_to_the_field(client, quality):
    audit = plan(quality)
    scale = answers_of(audit)["Maintenance records"]

    htmx = client.post(reverse("quality:answer_save", args=[scale.pk]), {"answer": "7"}, **HTMX)
    plain = client.post(reverse("quality:answer_save", args=[scale.pk]), {"answer": "7"})

    for response in (htmx, plain):
        body = response.content.decode()
        assert response.status_code == 200
        assert f'<p class="error" id="id_a{scale.pk}_answer-error">0 to 5.</p>' in body
    assert "Saved" not in htmx.content.decode()
    scale.refresh_from_db()
    assert scale.value is None and scale.answered_at is None
    assert audit_rows(scale) == []


def test_a_reading_that_is_not_a_number_is_refused(client, quality):
    audit = plan(quality)
    reading = answers_of(audit)["Gauges in calibration"]

    response = client.post(
        reverse("quality:answer_save", args=[reading.pk]), {"value": "lots"}, **HTMX
    )

    assert "Enter a number." in response.content.decode()
    reading.refresh_from_db()
    assert reading.value is None


def test_a_finding_graded_below_the_rule_is_refused(client, quality):
    audit = plan(quality)
    scale = answers_of(audit)["Maintenance records"]

    response = client.post(
        reverse("quality:answer_save", args=[scale.pk]),
        {"answer": "1", "finding": "compliant"},
        **HTMX,
    )

    body = response.content.decode()
    assert "At least Minor finding." in body
    assert 'class="qa-card has-error"' in body
    scale.refresh_from_db()
    assert scale.value is None and scale.finding == ""


def test_a_finding_graded_more_severely_is_kept_and_shown_as_chosen(client, quality):
    audit = plan(quality)
    scale = answers_of(audit)["Maintenance records"]

    response = client.post(
        reverse("quality:answer_save", args=[scale.pk]),
        {"answer": "5", "finding": "observation"},
        **HTMX,
    )

    scale.refresh_from_db()
    assert scale.finding == "observation"
    assert '<option value="observation" selected>' in response.content.decode()
    # Saving again with the rule's grade ("") lets the rules grade it once more.
    client.post(reverse("quality:answer_save", args=[scale.pk]), {"answer": "5"}, **HTMX)
    scale.refresh_from_db()
    assert scale.finding == "compliant"


# --- closing and cancelling --------------------------------------------------------------------


def test_closing_with_unanswered_questions_shows_the_error_and_keeps_it_open(client, quality):
    audit = plan(quality)
    services.answer_record(
        user=quality, answer=answers_of(audit)["Maintenance records"], data={"value": 3}
    )

    response = client.post(
        reverse("quality:audit_close", args=[audit.pk]), {"summary": "done", "from": "conduct"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "2 questions are not answered: 1. Gauges calibrated, 3. Gauges in calibration" in body
    assert 'id="close-errors"' in body and "qa-card" in body
    audit.refresh_from_db()
    assert audit.status == "in_progress" and audit.score is None


def test_closing_without_required_evidence_is_refused(client, quality):
    audit = plan(quality)
    rows = answers_of(audit)
    services.answer_record(user=quality, answer=rows["Gauges calibrated"], data={"yes": True})
    services.answer_record(user=quality, answer=rows["Maintenance records"], data={"value": 5})
    services.answer_record(user=quality, answer=rows["Gauges in calibration"], data={"value": 99})

    response = client.post(reverse("quality:audit_close", args=[audit.pk]))

    assert "Evidence is required for: 1. Gauges calibrated" in response.content.decode()
    audit.refresh_from_db()
    assert audit.status == "in_progress"


def test_closing_scores_grades_explains_and_opens_a_nonconformance_per_major_finding(
    client, quality
):
    audit = plan(quality)
    answer_all(quality, audit, critical_yes=False)

    response = client.post(
        reverse("quality:audit_close", args=[audit.pk]),
        {"summary": "Calibration lapsed."},
        follow=True,
    )

    audit.refresh_from_db()
    nc = Nonconformance.objects.get(audit_answer__audit=audit)
    body = response.content.decode()
    # 0 of 2 + 4/5 of 1 + 1 of 1 = 1.8 of 4 points = 45 %: grade C by score.
    assert (audit.status, audit.score, audit.grade) == ("closed", Decimal("45.00"), "C")
    assert f"Audit {audit.number} closed: score 45.00 %, grade C." in body
    assert "45.00 %" in body and "1.80 / 4" in body
    assert "Grade by score: C" in body
    assert "<td>Equipment</td><td>0.80</td><td>3</td><td>26.67 %</td>" in body
    assert nc.severity == "major" and nc.number in body
    assert reverse("quality:nc_detail", args=[nc.pk]) in body
    assert "Close and score" not in body and "Start the audit" not in body


def test_a_downgrade_by_a_major_finding_is_explained(client, quality):
    template = make_template(questions_per_section=20)
    audit = plan(quality, template=template)
    rows = answer_all(quality, audit, critical_yes=False)
    for text, answer in rows.items():
        if text.startswith("Extra"):
            services.answer_record(user=quality, answer=answer, data={"yes": True})
    services.audit_close(user=quality, audit=audit)

    body = client.get(reverse("quality:audit_detail", args=[audit.pk])).content.decode()

    audit.refresh_from_db()
    assert audit.explanation["grade_by_score"] == "A" and audit.grade == "B"
    assert "Downgraded:" in body and "1 major finding allows at most grade B." in body


def test_cancelling_needs_a_reason(client, quality):
    audit = plan(quality)
    url = reverse("quality:audit_cancel", args=[audit.pk])

    refused = client.post(url, {"reason": ""})
    assert "This field is required." in refused.content.decode()
    audit.refresh_from_db()
    assert audit.status == "planned"

    client.post(url, {"reason": "Plant shut down for the holidays"})
    audit.refresh_from_db()
    assert audit.status == "cancelled" and "Plant shut down" in audit.summary
    conduct = client.get(reverse("quality:audit_conduct", args=[audit.pk]), follow=True)
    assert conduct.redirect_chain[-1][0] == reverse("quality:audit_detail", args=[audit.pk])
    assert "no longer conducted" in conduct.content.decode()


# --- minor findings: a nonconformance by hand ---------------------------------------------------


def test_a_minor_finding_of_a_closed_audit_gets_a_nonconformance_by_hand(client, quality):
    audit = plan(quality)
    rows = answer_all(quality, audit)
    scale = rows["Maintenance records"]
    services.answer_record(user=quality, answer=scale, data={"value": 1})
    url = reverse("quality:answer_nc", args=[scale.pk])

    early = client.post(url, follow=True)
    assert "close it first" in early.content.decode()
    assert not Nonconformance.objects.exists()

    services.audit_close(user=quality, audit=audit)
    detail = client.get(reverse("quality:audit_detail", args=[audit.pk])).content.decode()
    assert detail.count("Open a nonconformance") == 1

    response = client.post(url, follow=True)
    nc = Nonconformance.objects.get(audit_answer=scale)
    assert nc.source == "audit" and nc.reported_severity == "minor"
    assert f"Nonconformance {nc.number} opened." in response.content.decode()
    again = client.post(url, follow=True)
    assert f"This finding already has nonconformance {nc.number}." in again.content.decode()
    assert Nonconformance.objects.count() == 1


def test_a_compliant_answer_gets_no_nonconformance(client, quality):
    audit = plan(quality)
    rows = answer_all(quality, audit)
    services.audit_close(user=quality, audit=audit)

    response = client.post(
        reverse("quality:answer_nc", args=[rows["Gauges calibrated"].pk]), follow=True
    )

    assert "for a minor finding" in response.content.decode()
    assert not Nonconformance.objects.exists()


# --- evidence ----------------------------------------------------------------------------------


def test_a_photo_is_attached_to_a_question_shown_served_and_removed(client, quality):
    audit = plan(quality)
    critical = answers_of(audit)["Gauges calibrated"]

    response = client.post(
        reverse("quality:evidence_upload", args=[audit.pk]),
        {
            "answer": critical.pk,
            "caption": "Gauge 7",
            "file": upload("gauge.png", PNG, "image/png"),
        },
        **HTMX,
    )

    evidence = AuditEvidence.objects.get(answer=critical)
    body = response.content.decode()
    assert evidence.content_type == "image/png" and evidence.caption == "Gauge 7"
    assert f'id="answer-{critical.pk}"' in body and "evidence attached" in body
    file_url = reverse("quality:evidence_file", args=[evidence.pk])
    assert f'<img src="{file_url}"' in body

    inline = client.get(file_url)
    assert inline.status_code == 200 and inline["Content-Type"] == "image/png"
    assert b"".join(inline.streaming_content) == PNG
    assert "attachment" not in inline.get("Content-Disposition", "")
    download = client.get(file_url, {"download": "1"})
    assert download["Content-Disposition"].startswith("attachment")

    removed = client.post(reverse("quality:evidence_delete", args=[evidence.pk]), follow=True)
    assert "“gauge.png” removed." in removed.content.decode()
    assert not AuditEvidence.objects.exists()
    assert client.get(reverse("quality:evidence_delete", args=[evidence.pk])).status_code == 405


def test_general_evidence_without_javascript_goes_back_to_the_page(client, quality, settings):
    audit = plan(quality)

    response = client.post(
        reverse("quality:evidence_upload", args=[audit.pk]),
        {"file": upload("site-tour.pdf", PDF, "application/pdf")},
        follow=True,
    )

    assert response.redirect_chain[-1][0].endswith("#evidence")
    assert "“site-tour.pdf” attached." in response.content.decode()
    evidence = AuditEvidence.objects.get(audit=audit)
    assert evidence.answer is None
    assert len(stored_files(settings.MEDIA_ROOT)) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", "Files of type “.exe” are not accepted."),
        ("photo.png", b"just some text, not a picture", "The file&#x27;s content is not a .png"),
    ],
    ids=["executable", "text-named-png"],
)
def test_evidence_of_the_wrong_type_is_refused_and_nothing_is_stored(
    client, quality, settings, name, content, message
):
    audit = plan(quality)
    critical = answers_of(audit)["Gauges calibrated"]

    htmx = client.post(
        reverse("quality:evidence_upload", args=[audit.pk]),
        {"answer": critical.pk, "file": upload(name, content)},
        **HTMX,
    )
    plain = client.post(
        reverse("quality:evidence_upload", args=[audit.pk]), {"file": upload(name, content)}
    )

    assert message in htmx.content.decode()
    assert f'id="answer-{critical.pk}"' in htmx.content.decode()
    assert message in plain.content.decode() and 'id="evidence"' in plain.content.decode()
    assert not AuditEvidence.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []


def test_evidence_is_not_attached_to_another_audits_question(client, quality):
    audit = plan(quality)
    other = plan(quality, template=audit.template)
    foreign = other.answers.first()

    response = client.post(
        reverse("quality:evidence_upload", args=[audit.pk]),
        {"answer": foreign.pk, "file": upload("a.pdf", PDF, "application/pdf")},
    )

    assert response.status_code == 404
    assert not AuditEvidence.objects.exists()


def test_a_closed_audits_evidence_is_no_longer_removed(client, quality):
    audit = plan(quality)
    answer_all(quality, audit)
    services.audit_close(user=quality, audit=audit)
    evidence = AuditEvidence.objects.get(audit=audit)

    response = client.post(reverse("quality:evidence_delete", args=[evidence.pk]), follow=True)

    assert "it cannot be changed" in response.content.decode()
    assert AuditEvidence.objects.filter(pk=evidence.pk).exists()


# --- the report --------------------------------------------------------------------------------


def test_the_report_is_printable_with_every_answer_evidence_and_nonconformance(client, quality):
    audit = plan(quality)
    answer_all(quality, audit, critical_yes=False)
    services.audit_close(user=quality, audit=audit, summary="Two gauges overdue.")
    nc = Nonconformance.objects.get(audit_answer__audit=audit)

    response = client.get(reverse("quality:audit_report", args=[audit.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert f"Supplier audit report {audit.number}" in body
    for text in ("Gauges calibrated", "Maintenance records", "4 of 5", "97 %", "calibration.pdf"):
        assert text in body
    assert nc.number in body and "Two gauges overdue." in body
    assert "Auditor: name, date, signature" in body
    assert "Supplier representative: name, date, signature" in body
    assert 'class="q-subnav"' not in body and "@media print" not in body
    assert "quality/quality.css" in body and "Draft" not in body


def test_the_report_of_an_open_audit_is_marked_draft(client, quality):
    audit = plan(quality)

    body = client.get(reverse("quality:audit_report", args=[audit.pk])).content.decode()

    assert "Draft: the audit is planned" in body


# --- schedules ---------------------------------------------------------------------------------


def test_schedules_are_listed_created_and_edited(client, quality):
    template = make_template()
    partner = PartnerFactory(code="REGRIND1")

    created = client.post(
        reverse("quality:schedule_create"),
        {
            "partner": partner.pk,
            "template": template.pk,
            "frequency": "quarterly",
            "next_due": "2027-01-15",
            "lead_days": "10",
        },
        follow=True,
    )
    schedule = AuditSchedule.objects.get(partner=partner)
    assert "Audit schedule created." in created.content.decode()
    assert (schedule.frequency, schedule.lead_days) == ("quarterly", 10)

    listing = client.get(reverse("quality:schedule_list")).content.decode()
    assert "REGRIND1" in listing and "2027-01-15" in listing and "Quarterly" in listing

    client.post(
        reverse("quality:schedule_edit", args=[schedule.pk]),
        {"frequency": "monthly", "next_due": "2027-02-01", "lead_days": "7", "is_active": ""},
    )
    schedule.refresh_from_db()
    assert (schedule.frequency, schedule.is_active) == ("monthly", False)
    assert len(audit_rows(schedule)) == 2


def test_a_second_active_schedule_for_the_same_partner_and_template_is_refused(client, quality):
    existing = AuditScheduleFactory(template=make_template())

    response = client.post(
        reverse("quality:schedule_create"),
        {
            "partner": existing.partner.pk,
            "template": existing.template.pk,
            "frequency": "monthly",
            "next_due": "2027-01-15",
            "lead_days": "14",
        },
    )

    assert response.status_code == 200
    assert "Change the active schedule instead." in response.content.decode()
    assert AuditSchedule.objects.count() == 1


def test_finance_reads_schedules_but_cannot_change_them(client, make_user):
    schedule = AuditScheduleFactory()
    client.force_login(make_user("finance"))

    listing = client.get(reverse("quality:schedule_list"))

    assert listing.status_code == 200 and schedule.partner.code in listing.content.decode()
    assert "New schedule" not in listing.content.decode()
    assert client.get(reverse("quality:schedule_create")).status_code == 404
    assert client.get(reverse("quality:schedule_edit", args=[schedule.pk])).status_code == 404


# --- query counts: the same with few rows as with many ----------------------------------------


def seed_audit_list(n, user):
    template = make_template()
    for i in range(n):
        audit = plan(user, template=template, planned_date=datetime.date(2026, 1, 1 + i))
        if i % 2:
            answer_all(user, audit, critical_yes=False)
            services.audit_close(user=user, audit=audit)
    return reverse("quality:audit_list")


def _audit_with(n, user, *, closed):
    audit = plan(user, template=make_template(questions_per_section=n))
    rows = answer_all(user, audit, critical_yes=not closed)
    for text, answer in rows.items():
        if text.startswith("Extra"):
            services.answer_record(user=user, answer=answer, data={"yes": True, "comment": "ok"})
            services.evidence_add(
                user=user,
                audit=audit,
                answer=answer,
                uploaded_file=upload(f"{text}.png", PNG, "image/png"),
            )
    services.evidence_add(
        user=user, audit=audit, uploaded_file=upload("site.pdf", PDF, "application/pdf")
    )
    if closed:
        services.audit_close(user=user, audit=audit)
    return audit


def seed_audit_detail(n, user):
    return reverse("quality:audit_detail", args=[_audit_with(n, user, closed=True).pk])


def seed_audit_conduct(n, user):
    return reverse("quality:audit_conduct", args=[_audit_with(n, user, closed=False).pk])


def seed_audit_report(n, user):
    return reverse("quality:audit_report", args=[_audit_with(n, user, closed=True).pk])


PAGES = [
    ("audit list", seed_audit_list, 10),
    ("audit detail", seed_audit_detail, 10),
    ("audit conduct", seed_audit_conduct, 9),
    ("audit report", seed_audit_report, 9),
]


@pytest.mark.parametrize("rows", [2, 8])
@pytest.mark.parametrize(("page", "seed", "queries"), PAGES, ids=[p[0] for p in PAGES])
def test_page_query_count_is_constant(
    client, quality, django_assert_num_queries, page, seed, queries, rows
):
    url = seed(rows, quality)
    client.get(url)

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200
