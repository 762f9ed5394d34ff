"""Managing users and their roles (administrators only). Every change is audited; passwords
never reach the audit trail."""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerdesk.accounts.models import User
from partnerdesk.accounts.roles import PARTNER, ROLE_PERMISSIONS
from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.errors import InvalidInput
from partnerdesk.core.services import assign_fields, require_perm, validate_and_save

USER_FIELDS = {"username", "first_name", "last_name", "email", "partner", "is_active"}


def _check_roles(roles: list[str], partner) -> None:
    unknown = sorted(set(roles) - ROLE_PERMISSIONS.keys())
    if unknown:
        raise InvalidInput(
            _("Unknown roles: %s") % ", ".join(unknown),
            fields={"roles": [_("Unknown roles: %s") % ", ".join(unknown)]},
        )
    if partner is not None and set(roles) != {PARTNER}:
        message = _("A partner user has exactly the partner role.")
        raise InvalidInput(message, fields={"roles": [message]})
    if partner is None and PARTNER in roles:
        message = _("The partner role needs a partner.")
        raise InvalidInput(message, fields={"partner": [message]})


def _snapshot(user: User) -> dict:
    data = snapshot(user, m2m=False)
    for name in ("last_login", "is_superuser", "is_staff", "date_joined"):
        data.pop(name, None)
    data["roles"] = sorted(user.groups.values_list("name", flat=True))
    return data


def _set_roles(user: User, roles: list[str]) -> None:
    user.groups.set(Group.objects.filter(name__in=roles))


@transaction.atomic
def user_create(*, actor, data: dict, roles: list[str], password: str) -> User:
    """Create a user with roles and an initial password (checked by the password rules)."""
    require_perm(actor, "accounts.add_user")
    _check_roles(roles, data.get("partner"))
    user = User()
    assign_fields(user, data, USER_FIELDS)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), fields={"password": exc.messages}) from exc
    user.set_password(password)
    validate_and_save(user)
    _set_roles(user, roles)
    record_change(actor=actor, instance=user, action=AuditAction.CREATE, after=_snapshot(user))
    return user


@transaction.atomic
def user_update(*, actor, user: User, data: dict, roles: list[str]) -> User:
    require_perm(actor, "accounts.change_user")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _snapshot(user)
    assign_fields(user, data, USER_FIELDS)
    _check_roles(roles, user.partner)
    if user.pk == actor.pk and not user.is_active:
        raise InvalidInput(
            _("You cannot deactivate yourself."),
            fields={"is_active": [_("You cannot deactivate yourself.")]},
        )
    validate_and_save(user)
    _set_roles(user, roles)
    record_change(
        actor=actor, instance=user, action=AuditAction.UPDATE, before=before, after=_snapshot(user)
    )
    return user
