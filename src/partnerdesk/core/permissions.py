"""Object visibility in the queryset layer, applied before any view or endpoint sees a row.

Every business model's manager is built from :class:`RestrictedQuerySet`. ``restrict(user,
action)`` answers the rows the user may see or act on:

* no row at all without the model permission ``<app>.<action>_<model>``;
* a partner user (``user.partner_id`` set) sees only rows whose ``partner_path`` leads to their
  own partner; a model without a ``partner_path`` is invisible to partner users;
* rows flagged confidential (``confidential_field``) need ``confidential_permission`` too.
"""

from django.db import models


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        model = self.model
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
            return self.none()
        qs = self
        partner_path = getattr(model, "partner_path", None)
        if user.partner_id is not None:
            if partner_path is None:
                return self.none()
            qs = qs.filter(**{partner_path: user.partner_id})
        confidential_field = getattr(model, "confidential_field", None)
        if confidential_field and not user.has_perm(model.confidential_permission):
            qs = qs.filter(**{confidential_field: False})
        return qs


RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)


def can(user, action: str, model) -> bool:
    """Whether the user holds the model permission at all (rows may still be restricted)."""
    opts = model._meta
    return bool(
        user.is_authenticated and user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
    )
