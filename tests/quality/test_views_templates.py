"""The checklist-template editor: templates, sections and questions, with the service's errors
next to their fields, audits already planned keeping their copy, who may edit, and the pinned
query count of a template's page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from partnerdesk.quality.models import AuditQuestion, AuditSection, AuditTemplate
from partnerdesk.quality.services import audits as services
from tests.factories import (
    AuditQuestionFactory,
    AuditSectionFactory,
    AuditTemplateFactory,
    PartnerFactory,
)
from tests.support import audit_rows

pytestmark = pytest.mark.django_db

NOTICE = "Audits already planned keep their copy of the questions"


@pytest.fixture
def quality(make_user, client):
    user = make_user("quality")
    client.force_login(user)
    return user


def question_data(**overrides):
    data = {
        "text": "Fire extinguishers inspected",
        "guidance": "",
        "kind": "yes_no",
        "weight": "1",
        "scale_max": "",
        "lower_limit": "",
        "upper_limit": "",
        "unit": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not False}


# --- templates ---------------------------------------------------------------------------------


def test_the_list_shows_the_shipped_templates_with_their_size(client, quality):
    response = client.get(reverse("quality:template_list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "ONSITE" in body and "On-site supplier audit" in body
    assert "REGRIND-MONTHLY" in body
    assert "<td>22</td>" in body  # the on-site audit's questions
    assert "New template" in body

    found = client.get(reverse("quality:template_list"), {"q": "regrind"})
    assert "REGRIND-MONTHLY" in found.content.decode()
    assert "ONSITE" not in found.content.decode()


def test_a_template_is_created_and_opens_its_page(client, quality):
    response = client.post(
        reverse("quality:template_create"),
        {
            "code": "HYGIENE",
            "name": "Hygiene walk",
            "description": "",
            "grade_a_min": "92",
            "grade_b_min": "75",
            "is_active": "on",
        },
        follow=True,
    )

    template = AuditTemplate.objects.get(code="HYGIENE")
    assert response.redirect_chain[-1][0] == reverse("quality:template_detail", args=[template.pk])
    body = response.content.decode()
    assert "Checklist template created" in body and NOTICE in body
    assert "A from 92 %, B from 75 %" in body
    assert len(audit_rows(template)) == 1


def test_a_taken_code_and_unordered_grades_are_refused_next_to_their_fields(client, quality):
    taken = client.post(
        reverse("quality:template_create"),
        {"code": "ONSITE", "name": "Copy", "grade_a_min": "90", "grade_b_min": "80"},
    )
    assert taken.status_code == 200
    assert 'id="id_code-error"' in taken.content.decode()
    assert AuditTemplate.objects.filter(code="ONSITE").count() == 1

    template = AuditTemplateFactory(name="Grades")
    unordered = client.post(
        reverse("quality:template_edit", args=[template.pk]),
        {"code": template.code, "name": "Grades", "grade_a_min": "70", "grade_b_min": "85"},
    )
    assert "Need 0 &lt;= grade B &lt;= grade A &lt;= 100." in unordered.content.decode()
    template.refresh_from_db()
    assert (template.grade_a_min, template.grade_b_min) == (Decimal(90), Decimal(80))


def test_a_template_is_edited(client, quality):
    template = AuditTemplateFactory(name="Old name")

    client.post(
        reverse("quality:template_edit", args=[template.pk]),
        {"code": template.code, "name": "New name", "grade_a_min": "90", "grade_b_min": "80"},
    )

    template.refresh_from_db()
    assert template.name == "New name" and template.is_active is False


# --- sections ----------------------------------------------------------------------------------


def test_sections_are_added_renamed_and_removed_with_their_questions(client, quality):
    template = AuditTemplateFactory()

    added = client.post(
        reverse("quality:section_create", args=[template.pk]), {"title": "Storage"}, follow=True
    )
    section = AuditSection.objects.get(template=template)
    assert section.position == 1
    assert added.redirect_chain[-1][0].endswith(f"#section-{section.pk}")
    assert "Section added." in added.content.decode()

    client.post(reverse("quality:section_edit", args=[section.pk]), {"title": "Storage areas"})
    section.refresh_from_db()
    assert section.title == "Storage areas"

    AuditQuestionFactory(section=section, position=1)
    AuditQuestionFactory(section=section, position=2)
    confirm = client.get(reverse("quality:section_delete", args=[section.pk]))
    assert "Its 2 questions are removed with it." in confirm.content.decode()
    assert NOTICE in confirm.content.decode()
    client.post(reverse("quality:section_delete", args=[section.pk]))
    assert not AuditSection.objects.filter(template=template).exists()
    assert not AuditQuestion.objects.filter(section__template=template).exists()


def test_a_section_without_a_title_is_refused(client, quality):
    template = AuditTemplateFactory()

    response = client.post(reverse("quality:section_create", args=[template.pk]), {"title": ""})

    assert "This field is required." in response.content.decode()
    assert not AuditSection.objects.filter(template=template).exists()


# --- questions ---------------------------------------------------------------------------------


def test_questions_of_each_kind_are_added(client, quality):
    section = AuditSectionFactory()
    url = reverse("quality:question_create", args=[section.pk])

    another = client.post(url, question_data(add_another="1"))
    assert another["Location"] == url
    client.post(url, question_data(text="Training records", kind="scale", scale_max="5"))
    done = client.post(
        url,
        question_data(
            text="Moisture",
            kind="numeric",
            upper_limit="0.2",
            unit="%",
            weight="2",
            evidence_required="on",
            critical="on",
        ),
        follow=True,
    )

    questions = list(AuditQuestion.objects.filter(section=section).order_by("position"))
    assert [(q.position, q.kind) for q in questions] == [
        (1, "yes_no"),
        (2, "scale"),
        (3, "numeric"),
    ]
    moisture = questions[2]
    assert (moisture.upper_limit, moisture.unit, moisture.critical) == (
        Decimal("0.2"),
        "%",
        True,
    )
    assert done.redirect_chain[-1][0].endswith(f"#question-{moisture.pk}")
    body = done.content.decode()
    assert "Score on a scale" in body and "(0\u20135)" in body and "≤ 0.2 %" in body


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "scale"}, "scale_max", "A scale question needs its maximum (e.g. 5)."),
        ({"kind": "numeric"}, "lower_limit", "A numeric question needs a lower or upper limit."),
        (
            {"kind": "numeric", "lower_limit": "5", "upper_limit": "1"},
            "upper_limit",
            "The upper limit is below the lower limit.",
        ),
        ({"weight": "0"}, "weight", "The weight must be above zero."),
    ],
    ids=["scale-without-max", "numeric-without-limits", "limits-reversed", "zero-weight"],
)
def test_a_question_breaking_a_rule_is_refused_next_to_the_field(
    client, quality, data, field, message
):
    section = AuditSectionFactory()

    response = client.post(
        reverse("quality:question_create", args=[section.pk]), question_data(**data)
    )

    body = response.content.decode()
    assert response.status_code == 200
    error = body.index(f'id="id_{field}-error"')
    assert message in body[error : error + 200]
    assert not AuditQuestion.objects.filter(section=section).exists()


def test_editing_and_removing_a_question_leaves_planned_audits_their_copy(client, quality):
    template = AuditTemplateFactory()
    section = AuditSectionFactory(template=template, position=1)
    question = AuditQuestionFactory(section=section, position=1, text="Floor clean")
    audit = services.audit_plan(
        user=quality,
        partner=PartnerFactory(),
        template=template,
        planned_date=datetime.date(2026, 11, 20),
    )

    client.post(
        reverse("quality:question_edit", args=[question.pk]),
        question_data(text="Floor clean and marked"),
    )
    question.refresh_from_db()
    assert question.text == "Floor clean and marked"

    confirm = client.get(reverse("quality:question_delete", args=[question.pk]))
    assert "Remove the question “Floor clean and marked”?" in confirm.content.decode()
    client.post(reverse("quality:question_delete", args=[question.pk]))

    assert not AuditQuestion.objects.filter(pk=question.pk).exists()
    copy = audit.answers.get()
    assert copy.text == "Floor clean" and copy.question is None
    assert [row.action for row in audit_rows(question, pk=question.pk)] == [
        "update",
        "delete",
    ]


# --- who may edit ------------------------------------------------------------------------------


def test_finance_reads_templates_without_edit_buttons_and_cannot_edit(client, make_user):
    template = AuditTemplate.objects.get(code="ONSITE")
    section = template.sections.first()
    question = section.questions.first()
    client.force_login(make_user("finance"))

    page = client.get(reverse("quality:template_detail", args=[template.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "Equipment maintenance and calibration records" in body
    assert "Add a question" not in body and "Add a section" not in body
    assert reverse("quality:template_edit", args=[template.pk]) not in body

    for url in (
        reverse("quality:template_create"),
        reverse("quality:template_edit", args=[template.pk]),
        reverse("quality:section_create", args=[template.pk]),
        reverse("quality:section_edit", args=[section.pk]),
        reverse("quality:section_delete", args=[section.pk]),
        reverse("quality:question_create", args=[section.pk]),
        reverse("quality:question_edit", args=[question.pk]),
        reverse("quality:question_delete", args=[question.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"title": "x", "text": "x"}).status_code == 404, url
    assert template.sections.count() == 5


def test_partner_users_do_not_see_the_templates(client, make_user):
    template = AuditTemplate.objects.get(code="ONSITE")
    client.force_login(make_user("partner", partner=PartnerFactory()))

    assert client.get(reverse("quality:template_list")).status_code == 404
    assert client.get(reverse("quality:template_detail", args=[template.pk])).status_code == 404


# --- query count -------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [2, 8])
def test_the_template_page_query_count_is_constant(
    client, quality, django_assert_num_queries, rows
):
    template = AuditTemplateFactory()
    for s in range(rows):
        section = AuditSectionFactory(template=template, position=s + 1)
        for q in range(rows):
            AuditQuestionFactory(section=section, position=q + 1)
    for n in range(rows):
        services.template_update(user=quality, template=template, data={"name": f"Name {n}"})
    url = reverse("quality:template_detail", args=[template.pk])
    client.get(url)

    with django_assert_num_queries(9):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count('class="question-row"') == rows * rows
