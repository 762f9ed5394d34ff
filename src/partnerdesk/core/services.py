"""Helpers every service uses: permission checks and validated saves."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.utils.translation import gettext as _

from partnerdesk.core.errors import ApplicationError, Conflict, Forbidden


def require_perm(user, *perms: str) -> None:
    """Refuse unless the user holds every permission named."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise Forbidden(_("Sign in first."))
    missing = [p for p in perms if not user.has_perm(p)]
    if missing:
        raise Forbidden(
            _("You are not allowed to do this (needs %(perms)s).") % {"perms": ", ".join(missing)}
        )


def assign_fields(instance: models.Model, data: dict, allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ApplicationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))},
            fields={name: [_("This field cannot be set here.")] for name in sorted(unknown)},
        )
    for name, value in data.items():
        setattr(instance, name, value)


def validate_and_save(instance: models.Model, **save_kwargs) -> models.Model:
    """Run the model's full validation, then save. Raises ``ApplicationError`` with field errors
    so forms and the API show the same messages; a taken unique value is a ``Conflict``."""
    try:
        instance.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc) from exc
    try:
        instance.validate_unique()
    except ValidationError as exc:
        error = ApplicationError.from_validation_error(exc)
        raise Conflict(error.message, fields=error.fields) from exc
    try:
        instance.save(**save_kwargs)
    except IntegrityError as exc:
        # A racing request got there first (the unique checks in full_clean passed for both).
        raise Conflict(
            _("This %(thing)s clashes with an existing one.")
            % {"thing": instance._meta.verbose_name}
        ) from exc
    return instance
