"""The audit programme services on the real database: templates, the copy of questions into an
audit, answers checked per kind, findings, evidence files, closing (score, grade, findings,
nonconformances for major findings), the scheduled planning, and who may do what."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from partnerdesk.core.errors import ApplicationError, Conflict, Forbidden, InvalidInput
from partnerdesk.notifications.models import Notification
from partnerdesk.quality.models import (
    Audit,
    AuditAnswer,
    AuditEvidence,
    AuditTemplate,
    Nonconformance,
)
from partnerdesk.quality.services import audits
from tests.factories import PDF, AuditScheduleFactory, AuditTemplateFactory, PartnerFactory
from tests.support import audit_rows, stored_files, upload

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
PLANNED = datetime.date(2026, 11, 20)


@pytest.fixture
def quality(make_user):
    return make_user("quality")


@pytest.fixture
def partner():
    return PartnerFactory()


def build_template(user, code="SUP"):
    """Two sections, five questions:

    1. Maintenance plan followed      yes/no   weight 2, evidence required
    2. Maintenance records complete   scale 5  weight 2
    3. Instruments calibrated         yes/no   weight 3, critical
    4. Gauges calibrated (%)          numeric  weight 1, lower limit 95
    5. Stock labelled                 yes/no   weight 1
    """
    template = audits.template_create(user=user, data={"code": code, "name": f"Audit {code}"})
    equipment = audits.section_add(user=user, template=template, data={"title": "Equipment"})
    storage = audits.section_add(user=user, template=template, data={"title": "Storage"})
    for section, data in (
        (equipment, {"text": "Maintenance plan followed", "weight": 2, "evidence_required": True}),
        (equipment, {"text": "Maintenance records complete", "kind": "scale", "scale_max": 5,
                     "weight": 2}),
        (equipment, {"text": "Instruments calibrated", "weight": 3, "critical": True}),
        (storage, {"text": "Gauges calibrated", "kind": "numeric", "lower_limit": 95,
                   "unit": "%", "weight": 1}),
        (storage, {"text": "Stock labelled", "weight": 1}),
    ):  # fmt: skip
        audits.question_add(user=user, section=section, data=data)
    return template


@pytest.fixture
def template(quality):
    return build_template(quality)


@pytest.fixture
def audit(quality, partner, template):
    return audits.audit_plan(
        user=quality, partner=partner, template=template, planned_date=PLANNED, auditor=quality
    )


def answers_of(audit) -> list[AuditAnswer]:
    return list(AuditAnswer.objects.filter(audit=audit).order_by("position"))


def answer(user, audit, position, **data):
    target = AuditAnswer.objects.get(audit=audit, position=position)
    return audits.answer_record(user=user, answer=target, data=data)


def attach(user, audit, position, name="photo.png", content=PNG):
    target = AuditAnswer.objects.get(audit=audit, position=position)
    return audits.evidence_add(
        user=user, audit=audit, answer=target, uploaded_file=upload(name, content)
    )


def answer_all(user, audit, *, q2="4", q3=True, q4="97", q5=False, evidence=True):
    answer(user, audit, 1, yes=True)
    answer(user, audit, 2, value=q2)
    answer(user, audit, 3, yes=q3)
    answer(user, audit, 4, value=q4)
    answer(user, audit, 5, yes=q5)
    if evidence:
        attach(user, audit, 1)


# --- templates --------------------------------------------------------------------------------


def test_a_template_gets_numbered_sections_and_questions_with_audit_rows(quality, template):
    sections = list(template.sections.order_by("position"))
    assert [(s.position, s.title) for s in sections] == [(1, "Equipment"), (2, "Storage")]
    assert [(q.position, q.text, q.kind) for q in sections[0].questions.all()] == [
        (1, "Maintenance plan followed", "yes_no"),
        (2, "Maintenance records complete", "scale"),
        (3, "Instruments calibrated", "yes_no"),
    ]
    assert [q.position for q in sections[1].questions.all()] == [1, 2]
    question = sections[1].questions.get(position=1)
    assert (question.weight, question.lower_limit, question.upper_limit) == (D(1), D(95), None)
    assert [row.action for row in audit_rows(template)] == ["create"]
    assert [row.action for row in audit_rows(question)] == ["create"]
    assert audit_rows(question)[0].actor == quality


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "Score?", "kind": "scale"}, "scale_max"),
        ({"text": "Reading?", "kind": "numeric"}, "lower_limit"),
        (
            {"text": "Reading?", "kind": "numeric", "lower_limit": 5, "upper_limit": 4},
            "upper_limit",
        ),
        ({"text": "Weightless?", "weight": 0}, "weight"),
        ({"text": "Position?", "position": 9}, "position"),
    ],
)
def test_question_rules_are_checked_and_nothing_is_saved(quality, template, data, field):
    section = template.sections.get(position=2)
    with pytest.raises(ApplicationError) as refused:
        audits.question_add(user=quality, section=section, data=data)
    assert field in refused.value.fields
    assert section.questions.count() == 2


def test_template_grades_must_be_ordered(quality, template):
    with pytest.raises(InvalidInput) as refused:
        audits.template_update(
            user=quality, template=template, data={"grade_a_min": 70, "grade_b_min": 80}
        )
    assert "grade_b_min" in refused.value.fields
    template.refresh_from_db()
    assert (template.grade_a_min, template.grade_b_min) == (D(90), D(80))


# --- planning ---------------------------------------------------------------------------------


def test_planning_copies_the_questions_and_later_edits_leave_the_audit_alone(
    quality, template, audit
):
    assert audit.number == "AUD-2026-0001"
    assert (audit.status, audit.auditor, audit.planned_date) == ("planned", quality, PLANNED)
    copied = answers_of(audit)
    assert [(a.position, a.section_title, a.text, a.weight) for a in copied] == [
        (1, "Equipment", "Maintenance plan followed", D(2)),
        (2, "Equipment", "Maintenance records complete", D(2)),
        (3, "Equipment", "Instruments calibrated", D(3)),
        (4, "Storage", "Gauges calibrated", D(1)),
        (5, "Storage", "Stock labelled", D(1)),
    ]
    assert (copied[0].evidence_required, copied[2].critical, copied[1].scale_max) == (
        True,
        True,
        5,
    )
    # The template changes afterwards: a text and a weight edited, a question removed, one added.
    equipment, storage = template.sections.order_by("position")
    audits.question_update(
        user=quality,
        question=equipment.questions.get(position=1),
        data={"text": "Changed", "weight": 5},
    )
    audits.question_delete(user=quality, question=storage.questions.get(position=2))
    audits.question_add(user=quality, section=storage, data={"text": "New question"})
    audits.section_update(user=quality, section=equipment, data={"title": "Machines"})
    # The audit keeps its copy; the removed question's answer just loses its link.
    after = answers_of(audit)
    assert [(a.section_title, a.text, a.weight) for a in after] == [
        ("Equipment", "Maintenance plan followed", D(2)),
        ("Equipment", "Maintenance records complete", D(2)),
        ("Equipment", "Instruments calibrated", D(3)),
        ("Storage", "Gauges calibrated", D(1)),
        ("Storage", "Stock labelled", D(1)),
    ]
    assert after[4].question_id is None
    # An audit planned now gets the new version.
    second = audits.audit_plan(
        user=quality, partner=audit.partner, template=template, planned_date=PLANNED
    )
    assert second.number == "AUD-2026-0002"
    assert [(a.section_title, a.text) for a in answers_of(second)] == [
        ("Machines", "Changed"),
        ("Machines", "Maintenance records complete"),
        ("Machines", "Instruments calibrated"),
        ("Storage", "Gauges calibrated"),
        ("Storage", "New question"),
    ]


def test_planning_needs_an_active_template_with_questions(quality, partner, template):
    empty = AuditTemplateFactory()
    with pytest.raises(InvalidInput) as refused:
        audits.audit_plan(user=quality, partner=partner, template=empty, planned_date=PLANNED)
    assert "template" in refused.value.fields
    audits.template_update(user=quality, template=template, data={"is_active": False})
    template.refresh_from_db()
    with pytest.raises(InvalidInput, match="is not active"):
        audits.audit_plan(user=quality, partner=partner, template=template, planned_date=PLANNED)
    assert not Audit.objects.exists()
    assert not AuditAnswer.objects.exists()


def test_the_auditor_is_notified_of_a_planned_audit(quality, audit):
    notice = Notification.objects.get(recipient=quality, kind="audit_planned")
    assert notice.title == f"Audit {audit.number} of {audit.partner} planned for 2026-11-20"
    assert notice.link == f"/quality/audits/{audit.pk}/"


# --- answers ----------------------------------------------------------------------------------


def test_the_first_answer_starts_the_audit(quality, audit):
    recorded = answer(quality, audit, 5, yes="no", comment="  two racks unlabelled ")
    assert (recorded.yes, recorded.finding, recorded.comment) == (
        False,
        "minor",
        "two racks unlabelled",
    )
    assert (recorded.answered_by, recorded.answered_at is not None) == (quality, True)
    audit.refresh_from_db()
    assert audit.status == "in_progress" and audit.started_at is not None
    assert [row.action for row in audit_rows(recorded)] == ["update"]


@pytest.mark.parametrize(
    ("position", "data", "field"),
    [
        (1, {"yes": "maybe"}, "yes"),
        (2, {"value": "6"}, "value"),  # above the scale's maximum of 5
        (2, {"value": "-1"}, "value"),
        (2, {"value": "2.5"}, "value"),  # not a whole score
        (2, {"value": "abc"}, "value"),
        (4, {"value": "NaN"}, "value"),
        (4, {"value": "1e12"}, "value"),  # outside any plausible range
        (4, {"value": "12", "score": "9"}, "score"),  # unknown field
    ],
)
def test_answers_are_checked_per_kind_and_nothing_is_saved(quality, audit, position, data, field):
    with pytest.raises(InvalidInput) as refused:
        answer(quality, audit, position, **data)
    assert field in refused.value.fields
    stored = AuditAnswer.objects.get(audit=audit, position=position)
    assert (stored.yes, stored.value, stored.finding, stored.answered_at) == (None, None, "", None)
    audit.refresh_from_db()
    assert audit.status == "planned"


def test_answers_of_each_kind(quality, audit):
    assert answer(quality, audit, 1, yes="yes").yes is True
    scale = answer(quality, audit, 2, value="3")
    assert (scale.value, scale.finding) == (D(3), "observation")  # 3 of 5: not below half
    assert answer(quality, audit, 2, value="2").finding == "minor"  # 2 of 5: below half
    reading = answer(quality, audit, 4, value="94,5")  # a decimal comma is read
    assert (reading.value, reading.finding) == (D("94.5"), "minor")
    assert answer(quality, audit, 4, value="95").finding == "compliant"  # on the limit
    assert answer(quality, audit, 3, yes=False).finding == "major"  # critical
    # Not applicable clears the values; an empty answer clears the answer.
    not_applicable = answer(quality, audit, 4, not_applicable=True, value="97")
    assert (not_applicable.value, not_applicable.finding) == (None, "")
    cleared = answer(quality, audit, 1, yes=None)
    assert (cleared.yes, cleared.finding, cleared.answered_by) == (None, "", None)


def test_a_finding_can_be_raised_but_not_lowered(quality, audit):
    # "No" is a minor finding by the rules: an observation is refused, major is allowed.
    with pytest.raises(InvalidInput, match="graded more severely, not less") as refused:
        answer(quality, audit, 5, yes=False, finding="observation")
    assert refused.value.fields == {"finding": ["At least Minor finding."]}
    assert AuditAnswer.objects.get(audit=audit, position=5).yes is None
    assert answer(quality, audit, 5, yes=False, finding="major").finding == "major"
    # A compliant answer may be noted as an observation.
    assert answer(quality, audit, 1, yes=True, finding="observation").finding == "observation"
    with pytest.raises(InvalidInput) as refused:
        answer(quality, audit, 1, yes=True, finding="severe")
    assert "finding" in refused.value.fields
    # Not applicable has no finding whatever is asked.
    assert answer(quality, audit, 1, not_applicable=True, finding="major").finding == ""


# --- evidence ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "Files of type “.exe” are not accepted"),
        ("photo.png", b"just some text, not a picture", "The file's content is not a .png file."),
        ("photo.jpg", b"", "The file is empty."),
        ("report.pdf", PNG, "The file's content is not a .pdf file."),
    ],
)
def test_evidence_of_the_wrong_type_is_refused_and_nothing_stored(
    quality, audit, settings, name, content, message
):
    with pytest.raises(InvalidInput, match=message) as refused:
        attach(quality, audit, 1, name=name, content=content)
    assert "file" in refused.value.fields
    assert not AuditEvidence.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []


def test_evidence_is_stored_with_its_type_size_and_hash(quality, audit, settings):
    evidence = attach(quality, audit, 1, name="gauge.png")
    assert (evidence.original_name, evidence.content_type, evidence.size) == (
        "gauge.png",
        "image/png",
        len(PNG),
    )
    assert len(evidence.sha256) == 64
    assert evidence.file.read() == PNG
    assert stored_files(settings.MEDIA_ROOT) == [
        f"quality/audits/{audit.pk}/{evidence.sha256[:2]}/{evidence.sha256}"
    ]
    assert [row.action for row in audit_rows(evidence)] == ["create"]
    # For the audit as a whole (no question), with a caption.
    general = audits.evidence_add(
        user=quality, audit=audit, uploaded_file=upload("walk.pdf", PDF), caption=" Walk "
    )
    assert (general.answer, general.caption) == (None, "Walk")
    audits.evidence_delete(user=quality, evidence=general)
    assert list(audit.evidence.all()) == [evidence]


def test_evidence_for_a_question_of_another_audit_is_refused(quality, partner, template, audit):
    other = audits.audit_plan(
        user=quality, partner=partner, template=template, planned_date=PLANNED
    )
    foreign = AuditAnswer.objects.get(audit=other, position=1)
    with pytest.raises(InvalidInput) as refused:
        audits.evidence_add(
            user=quality, audit=audit, answer=foreign, uploaded_file=upload("a.png", PNG)
        )
    assert "answer" in refused.value.fields
    assert not AuditEvidence.objects.exists()


# --- closing ----------------------------------------------------------------------------------


def test_closing_with_unanswered_questions_names_them_and_changes_nothing(quality, audit):
    answer(quality, audit, 1, yes=True)
    answer(quality, audit, 3, yes=True)
    answer(quality, audit, 5, yes=True)
    with pytest.raises(InvalidInput) as refused:
        audits.audit_close(user=quality, audit=audit)
    expected = "2 questions are not answered: 2. Maintenance records complete, 4. Gauges calibrated"
    assert refused.value.message == expected
    assert refused.value.fields == {"answers": [expected]}
    audit.refresh_from_db()
    assert (audit.status, audit.score, audit.grade, audit.closed_at) == (
        "in_progress",
        None,
        "",
        None,
    )
    assert not Nonconformance.objects.exists()


def test_more_than_five_unanswered_questions_are_counted(quality, partner):
    template = AuditTemplateFactory()
    section = audits.section_add(user=quality, template=template, data={"title": "All"})
    for number in range(1, 8):
        audits.question_add(user=quality, section=section, data={"text": f"Q{number}"})
    audit = audits.audit_plan(
        user=quality, partner=partner, template=template, planned_date=PLANNED
    )
    with pytest.raises(InvalidInput) as refused:
        audits.audit_close(user=quality, audit=audit)
    assert refused.value.message == (
        "7 questions are not answered: 1. Q1, 2. Q2, 3. Q3, 4. Q4, 5. Q5 and 2 more"
    )


def test_a_question_requiring_evidence_needs_some(quality, audit):
    answer_all(quality, audit, evidence=False)
    with pytest.raises(InvalidInput) as refused:
        audits.audit_close(user=quality, audit=audit)
    assert refused.value.fields == {
        "evidence": ["Evidence is required for: 1. Maintenance plan followed"]
    }
    # Evidence for the audit as a whole does not count for the question.
    audits.evidence_add(user=quality, audit=audit, uploaded_file=upload("walk.pdf", PDF))
    with pytest.raises(InvalidInput):
        audits.audit_close(user=quality, audit=audit)
    audit.refresh_from_db()
    assert audit.status == "in_progress"
    # Not applicable, the question needs none.
    answer(quality, audit, 1, not_applicable=True)
    assert audits.audit_close(user=quality, audit=audit).status == "closed"


def test_closing_scores_grades_and_keeps_the_findings(quality, audit):
    answer_all(quality, audit)
    closed = audits.audit_close(user=quality, audit=audit, summary="  Good plant ")
    # Points: 2 (yes) + 2 x 4/5 = 1.6 + 3 (yes) + 1 (97 >= 95) + 0 (no) = 7.6 of 9
    # = 84.444… -> 84.44 %: grade B.
    assert (closed.score, closed.grade, closed.status) == (D("84.44"), "B", "closed")
    assert (closed.summary, closed.closed_by) == ("Good plant", quality)
    assert closed.closed_at is not None
    assert closed.explanation["findings"] == {
        "compliant": 3,
        "observation": 1,
        "minor": 1,
        "major": 0,
    }
    assert [a.finding for a in answers_of(audit)] == [
        "compliant",
        "observation",
        "compliant",
        "compliant",
        "minor",
    ]
    assert audit_rows(closed)[-1].changes["status"] == ["in_progress", "closed"]
    # A minor finding opens no nonconformance by itself.
    assert not Nonconformance.objects.exists()


def test_a_closed_audit_is_not_edited(quality, audit):
    answer_all(quality, audit)
    audits.audit_close(user=quality, audit=audit)
    evidence = audit.evidence.get()
    first = AuditAnswer.objects.get(audit=audit, position=1)
    with pytest.raises(Conflict, match="is Closed; it cannot be changed"):
        audits.answer_record(user=quality, answer=first, data={"yes": False})
    with pytest.raises(Conflict):
        attach(quality, audit, 1)
    with pytest.raises(Conflict):
        audits.evidence_delete(user=quality, evidence=evidence)
    with pytest.raises(Conflict):
        audits.audit_close(user=quality, audit=audit)
    with pytest.raises(Conflict):
        audits.audit_cancel(user=quality, audit=audit, reason="Changed our mind")
    first.refresh_from_db()
    assert first.yes is True
    assert audit.evidence.count() == 1


def test_major_findings_open_nonconformances(quality, audit):
    # The critical question fails (major by the rules); the auditor raises the "no" of
    # question 5 to major too.
    answer_all(quality, audit, q3=False)
    answer(quality, audit, 5, yes=False, finding="major", comment="Labels missing")
    closed = audits.audit_close(user=quality, audit=audit)
    # 2 + 1.6 + 0 + 1 + 0 = 4.6 of 9 = 51.11 %: C by score, and two majors.
    assert (closed.score, closed.grade) == (D("51.11"), "C")
    ncs = list(Nonconformance.objects.order_by("audit_answer__position"))
    assert [(nc.audit_answer.position, nc.severity, nc.source) for nc in ncs] == [
        (3, "major", "audit"),
        (5, "major", "audit"),
    ]
    nc = ncs[1]
    assert nc.title == f"Audit {audit.number}: Stock labelled"
    assert (nc.description, nc.partner, nc.owner, nc.defect_type.code) == (
        "Labels missing",
        audit.partner,
        quality,
        "AUDIT",
    )
    assert nc.detected_on == timezone.localdate(closed.closed_at)


def test_cancelling_needs_a_reason(quality, audit):
    with pytest.raises(InvalidInput):
        audits.audit_cancel(user=quality, audit=audit, reason="  ")
    cancelled = audits.audit_cancel(user=quality, audit=audit, reason="Plant closed")
    assert (cancelled.status, cancelled.summary) == ("cancelled", "Cancelled: Plant closed")


# --- scheduled planning -----------------------------------------------------------------------


@pytest.fixture
def schedule(quality, partner, template):
    return audits.schedule_create(
        user=quality,
        data={
            "partner": partner,
            "template": template,
            "frequency": "monthly",
            "auditor": quality,
            "next_due": datetime.date(2026, 12, 1),
            "lead_days": 14,
        },
    )


def test_an_audit_is_planned_lead_days_before_it_is_due(schedule, quality):
    # 1 December less 14 days is 17 November: nothing on the 16th.
    assert audits.plan_scheduled_audits(datetime.date(2026, 11, 16)) == []
    schedule.refresh_from_db()
    assert schedule.next_due == datetime.date(2026, 12, 1)
    [planned] = audits.plan_scheduled_audits(datetime.date(2026, 11, 17))
    assert (planned.planned_date, planned.schedule, planned.auditor) == (
        datetime.date(2026, 12, 1),
        schedule,
        quality,
    )
    assert planned.answers.count() == 5
    assert Notification.objects.filter(recipient=quality, kind="audit_planned").count() == 1
    schedule.refresh_from_db()
    assert schedule.next_due == datetime.date(2027, 1, 1)


def test_planning_again_plans_nothing_twice(schedule, quality):
    day = datetime.date(2026, 11, 20)
    assert len(audits.plan_scheduled_audits(day)) == 1
    assert audits.plan_scheduled_audits(day) == []
    # Even with the schedule moved back to the slot already planned.
    audits.schedule_update(
        user=quality, schedule=schedule, data={"next_due": datetime.date(2026, 12, 1)}
    )
    assert audits.plan_scheduled_audits(day) == []
    assert Audit.objects.filter(schedule=schedule).count() == 1
    schedule.refresh_from_db()
    assert schedule.next_due == datetime.date(2027, 1, 1)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2027, 1, 31), 1, datetime.date(2027, 2, 28)),
        (datetime.date(2028, 1, 31), 1, datetime.date(2028, 2, 29)),  # leap year
        (datetime.date(2026, 3, 31), 1, datetime.date(2026, 4, 30)),
        (datetime.date(2026, 11, 30), 3, datetime.date(2027, 2, 28)),
        (datetime.date(2027, 11, 30), 3, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 12, 15), 1, datetime.date(2027, 1, 15)),
        (datetime.date(2026, 10, 31), 3, datetime.date(2027, 1, 31)),
        (datetime.date(2026, 8, 31), 6, datetime.date(2027, 2, 28)),
        (datetime.date(2028, 2, 29), 12, datetime.date(2029, 2, 28)),
    ],
)
def test_months_are_stepped_to_the_months_last_day_when_needed(day, months, expected):
    assert audits.add_months(day, months) == expected


def test_a_monthly_schedule_on_31_january_moves_to_the_end_of_february(quality, partner, template):
    schedule = AuditScheduleFactory(
        partner=partner, template=template, next_due=datetime.date(2028, 1, 31), lead_days=0
    )
    [planned] = audits.plan_scheduled_audits(datetime.date(2028, 1, 31))
    assert planned.planned_date == datetime.date(2028, 1, 31)
    schedule.refresh_from_db()
    assert schedule.next_due == datetime.date(2028, 2, 29)


def test_a_schedule_on_the_31st_comes_back_to_the_31st_after_february(quality, partner):
    template = AuditTemplate.objects.get(code="ONSITE")
    schedule = audits.schedule_create(
        user=quality,
        data={
            "partner": partner,
            "template": template,
            "frequency": "monthly",
            "next_due": datetime.date(2027, 1, 31),
            "lead_days": 0,
        },
    )
    assert schedule.day_of_month == 31
    planned = [
        audits.plan_scheduled_audits(day)[0].planned_date
        for day in (
            datetime.date(2027, 1, 31),
            datetime.date(2027, 2, 28),
            datetime.date(2027, 3, 31),
        )
    ]
    assert planned == [
        datetime.date(2027, 1, 31),
        datetime.date(2027, 2, 28),
        datetime.date(2027, 3, 31),  # not the 28th: the schedule keeps its day
    ]
    # Moving the schedule by hand sets a new day of the month.
    audits.schedule_update(
        user=quality, schedule=schedule, data={"next_due": datetime.date(2027, 4, 15)}
    )
    schedule.refresh_from_db()
    assert schedule.day_of_month == 15


def test_a_quarterly_schedule_steps_three_months(quality, partner, template):
    schedule = AuditScheduleFactory(
        partner=partner,
        template=template,
        frequency="quarterly",
        next_due=datetime.date(2026, 11, 30),
        lead_days=7,
    )
    [planned] = audits.plan_scheduled_audits(datetime.date(2026, 11, 23))
    assert planned.planned_date == datetime.date(2026, 11, 30)
    schedule.refresh_from_db()
    assert schedule.next_due == datetime.date(2027, 2, 28)


def test_a_schedule_far_behind_plans_only_the_current_slot(partner, template):
    monthly = AuditScheduleFactory(
        partner=partner, template=template, next_due=datetime.date(2026, 1, 15), lead_days=14
    )
    quarterly = AuditScheduleFactory(
        template=template,
        frequency="quarterly",
        next_due=datetime.date(2026, 2, 1),
        lead_days=14,
    )
    planned = audits.plan_scheduled_audits(datetime.date(2026, 11, 22))
    # Monthly: 15 January to 15 October are past with a later slot due: skipped. 15 November is
    # past, but 15 December (less 14 days: 1 December) is not due yet: it is the current slot.
    # Quarterly: 1 Feb, 1 May, 1 Aug skipped; 1 November planned, 1 February is not due yet.
    assert sorted((a.schedule_id, a.planned_date) for a in planned) == sorted(
        [
            (monthly.pk, datetime.date(2026, 11, 15)),
            (quarterly.pk, datetime.date(2026, 11, 1)),
        ]
    )
    assert Audit.objects.count() == 2
    monthly.refresh_from_db()
    quarterly.refresh_from_db()
    assert (monthly.next_due, quarterly.next_due) == (
        datetime.date(2026, 12, 15),
        datetime.date(2027, 2, 1),
    )


def test_a_schedule_that_cannot_be_planned_does_not_stop_the_others(partner, template):
    broken = AuditScheduleFactory(
        template=AuditTemplateFactory(), next_due=datetime.date(2026, 12, 1), lead_days=14
    )  # the template has no questions
    working = AuditScheduleFactory(
        partner=partner, template=template, next_due=datetime.date(2026, 12, 1), lead_days=14
    )
    inactive = AuditScheduleFactory(
        template=template, next_due=datetime.date(2026, 12, 1), is_active=False
    )
    [planned] = audits.plan_scheduled_audits(datetime.date(2026, 11, 20))
    assert planned.schedule == working
    for schedule in (broken, working, inactive):
        schedule.refresh_from_db()
    # The broken one stays due (tried again once its template is fixed); the inactive one rests.
    assert (broken.next_due, working.next_due, inactive.next_due) == (
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
        datetime.date(2026, 12, 1),
    )


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["finance", "manufacturing", "management"])
def test_other_internal_roles_may_not_run_audits(
    make_user, quality, partner, template, audit, role
):
    user = make_user(role)
    first = AuditAnswer.objects.get(audit=audit, position=1)
    with pytest.raises(Forbidden):
        audits.template_create(user=user, data={"code": "X", "name": "X"})
    with pytest.raises(Forbidden):
        audits.question_add(user=user, section=template.sections.first(), data={"text": "Q"})
    with pytest.raises(Forbidden):
        audits.audit_plan(user=user, partner=partner, template=template, planned_date=PLANNED)
    with pytest.raises(Forbidden):
        audits.answer_record(user=user, answer=first, data={"yes": True})
    with pytest.raises(Forbidden):
        audits.evidence_add(user=user, audit=audit, uploaded_file=upload("a.png", PNG))
    with pytest.raises(Forbidden):
        audits.audit_close(user=user, audit=audit)
    first.refresh_from_db()
    assert first.yes is None
    assert Audit.objects.count() == 1


def test_a_partner_user_may_not_answer_its_own_audit(make_user, partner, audit):
    supplier = make_user("partner", partner=partner)
    with pytest.raises(Forbidden):
        answer(supplier, audit, 1, yes=True)
    with pytest.raises(Forbidden):
        audits.audit_close(user=supplier, audit=audit)


def test_a_number_taken_meanwhile_is_retried_and_another_constraint_is_not(
    partner, template, monkeypatch
):
    from django.db import IntegrityError

    from partnerdesk.quality.models import Audit
    from partnerdesk.quality.services import numbers
    from partnerdesk.quality.services.numbers import save_numbered
    from tests.factories import AuditFactory

    # A racing writer took AUD-2027-0001 after this one computed it: the next number is used.
    taken = AuditFactory(number="AUD-2027-0001", partner=partner, template=template)
    real_next = numbers.next_number
    calls = []

    def stale_then_real(model, prefix, year=None):
        calls.append(prefix)
        return "AUD-2027-0001" if len(calls) == 1 else real_next(model, prefix, year)

    monkeypatch.setattr(numbers, "next_number", stale_then_real)
    audit = save_numbered(
        Audit(partner=partner, template=template, planned_date=datetime.date(2027, 1, 5)),
        "AUD",
        2027,
    )
    counted = []

    def counting(model, prefix, year=None):
        counted.append(prefix)
        return real_next(model, prefix, year)

    monkeypatch.setattr(numbers, "next_number", counting)
    assert (audit.number, len(calls)) == ("AUD-2027-0002", 2)
    # The same schedule slot twice is another constraint: no retry, the error stands.
    schedule = AuditScheduleFactory(partner=partner, template=template)
    AuditFactory(
        partner=partner, template=template, schedule=schedule, planned_date=taken.planned_date
    )
    with pytest.raises(IntegrityError):
        save_numbered(
            Audit(
                partner=partner,
                template=template,
                schedule=schedule,
                planned_date=taken.planned_date,
            ),
            "AUD",
            2027,
        )
    assert len(counted) == 1  # one number drawn, not five
