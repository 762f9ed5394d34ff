"""The organisation: people, teams and departments, their rules and their pages."""

import pytest

from partnerdesk.core.errors import Forbidden, InvalidInput
from partnerdesk.organisation import services
from partnerdesk.organisation.models import Person
from tests.factories import (
    DepartmentFactory,
    InternalOwnerFactory,
    PartnerFactory,
    PersonFactory,
    TeamFactory,
)
from tests.support import audit_rows

pytestmark = pytest.mark.django_db


def test_a_persons_team_must_belong_to_their_department(admin_user):
    # Given a quality engineer and a finance team
    quality = DepartmentFactory(kind="quality", name="Quality")
    finance_team = TeamFactory(department=DepartmentFactory(kind="finance"), name="AP")
    person = PersonFactory(department=quality, team=None)

    # When they are put in the finance team
    with pytest.raises(InvalidInput) as exc:
        services.person_update(user=admin_user, person=person, data={"team": finance_team})

    # Then it is refused and nothing changed
    assert exc.value.fields == {"team": ["The team belongs to another department."]}
    person.refresh_from_db()
    assert person.team is None
    assert audit_rows(person) == []


def test_person_create_is_audited(admin_user):
    department = DepartmentFactory(kind="quality", name="Quality")
    team = TeamFactory(department=department, name="Supplier quality")

    person = services.person_create(
        user=admin_user,
        data={"full_name": "Qin Lan", "department": department, "team": team},
    )

    [entry] = audit_rows(person)
    assert entry.changes["full_name"] == [None, "Qin Lan"]
    assert entry.changes["team"] == [None, team.pk]


@pytest.mark.parametrize("role", ["outsourcing", "quality", "management"])
def test_only_administrators_change_the_organisation(make_user, role):
    department = DepartmentFactory(kind="quality", name="Quality")

    with pytest.raises(Forbidden):
        services.person_create(
            user=make_user(role), data={"full_name": "X", "department": department}
        )
    with pytest.raises(Forbidden):
        services.department_update(user=make_user(role), department=department, data={"name": "QA"})

    assert Person.objects.count() == 0
    department.refresh_from_db()
    assert department.name == "Quality"


def test_people_list_filters_and_sorts(client, outsourcing_user):
    quality = DepartmentFactory(kind="quality", name="Quality")
    finance = DepartmentFactory(kind="finance", name="Finance")
    PersonFactory(full_name="Zhang Wei", department=quality, job_title="Engineer")
    PersonFactory(full_name="Li Na", department=finance, job_title="Clerk")
    PersonFactory(full_name="Ma Lin", department=quality, is_active=False)
    client.force_login(outsourcing_user)

    def names(query):
        response = client.get(f"/organisation/?{query}")
        assert response.status_code == 200
        return [p.full_name for p in response.context["list"].items]

    assert names(f"department={quality.pk}") == ["Ma Lin", "Zhang Wei"]
    assert names("active=true") == ["Li Na", "Zhang Wei"]
    assert names("q=clerk") == ["Li Na"]
    assert names("sort=-name") == ["Zhang Wei", "Ma Lin", "Li Na"]


def test_person_page_lists_the_partners_they_own(client, outsourcing_user):
    person = PersonFactory(full_name="Wang Fang")
    InternalOwnerFactory(person=person, partner=PartnerFactory(code="CMO-1"), role="relationship")
    client.force_login(outsourcing_user)

    html = client.get(f"/organisation/people/{person.pk}/").content.decode()

    assert "Relationship owner: " in html
    assert "CMO-1" in html


def test_departments_page_lists_teams_with_lead_and_members(client, outsourcing_user):
    department = DepartmentFactory(kind="manufacturing", name="Manufacturing center")
    team = TeamFactory(department=department, name="Line 1 team A")
    lead = PersonFactory(full_name="Chen Jie", department=department, team=team)
    PersonFactory(department=department, team=team)
    team.lead = lead
    team.save()
    client.force_login(outsourcing_user)

    html = client.get("/organisation/departments/").content.decode()

    assert "Manufacturing center" in html
    assert "Line 1 team A" in html
    assert "Chen Jie" in html
    assert "2 members" in html
