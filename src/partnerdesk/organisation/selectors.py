from partnerdesk.organisation.models import Department, Person, Team


def person_list(*, user):
    return Person.objects.restrict(user).select_related("department", "team", "user")


def department_list(*, user):
    return Department.objects.restrict(user).select_related("head")


def team_list(*, user):
    return Team.objects.restrict(user).select_related("department", "lead")
