"""Tolerance profiles and item categories (small reference data, audited)."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from partnerdesk.audit.crud import audited_create, audited_delete, audited_update
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.finance.choices import Combine
from partnerdesk.finance.models import ItemCategory, ToleranceProfile

PROFILE_FIELDS = {
    "name",
    "partner",
    "category",
    "price_percent",
    "price_absolute",
    "quantity_percent",
    "quantity_absolute",
    "amount_percent",
    "amount_absolute",
    "combine",
}
LIMITS = [
    "price_percent",
    "price_absolute",
    "quantity_percent",
    "quantity_absolute",
    "amount_percent",
    "amount_absolute",
]


def _check(data: dict, instance: ToleranceProfile | None) -> None:
    fields: dict[str, list[str]] = {}
    for name in LIMITS:
        value = data.get(name, getattr(instance, name, None) if instance else None)
        if value is not None:
            try:
                value = Decimal(str(value))
            except ArithmeticError:
                fields[name] = [_("Enter a number.")]
                continue
        if value is not None and not value.is_finite():
            fields[name] = [_("Enter a number.")]
        elif value is not None and value < 0:
            fields[name] = [_("Must not be negative.")]
        if value is not None and name.endswith("percent") and Decimal(value) > 100:
            fields[name] = [_("At most 100 %.")]
    combine = data.get("combine", getattr(instance, "combine", Combine.OR))
    if combine not in Combine.values:
        fields["combine"] = [_("Choose and or or.")]
    if fields:
        raise InvalidInput(_("Check the tolerance limits."), fields=fields)
    partner = data.get("partner", instance.partner if instance else None)
    category = data.get("category", instance.category if instance else None)
    if (
        instance is not None
        and instance.partner_id is None
        and instance.category_id is None
        and (partner is not None or category is not None)
    ):
        # The matching needs exactly one default profile.
        message = _("The default profile applies to every partner and category; keep it so.")
        raise Conflict(
            message, fields={"partner" if partner is not None else "category": [message]}
        )
    same = ToleranceProfile.objects.filter(partner=partner, category=category)
    if instance is not None:
        same = same.exclude(pk=instance.pk)
    if same.exists():
        message = _("A profile for this partner and category exists already: %(name)s.") % {
            "name": same.first().name
        }
        raise Conflict(message, fields={"category": [message]})


@transaction.atomic
def profile_create(*, user, data: dict) -> ToleranceProfile:
    require_perm(user, "finance.add_toleranceprofile")  # before the clash check: 403, not 409
    _lock()
    _check(data, None)
    return audited_create(user=user, model=ToleranceProfile, data=data, allowed=PROFILE_FIELDS)


def _lock() -> None:
    """Serialise changes of profiles' scopes so two people cannot give two profiles the same
    partner and category at once (the matching refuses to run then): every such change locks
    the default profile's row first (a lock on no row would serialise nothing)."""
    default = ToleranceProfile.objects.filter(partner=None, category=None).order_by("pk")
    list(default.select_for_update().values_list("pk", flat=True))


@transaction.atomic
def profile_update(*, user, profile: ToleranceProfile, data: dict) -> ToleranceProfile:
    require_perm(user, "finance.change_toleranceprofile")
    _lock()
    _check(data, profile)
    return audited_update(user=user, instance=profile, data=data, allowed=PROFILE_FIELDS)


@transaction.atomic
def profile_delete(*, user, profile: ToleranceProfile) -> None:
    require_perm(user, "finance.delete_toleranceprofile")
    if profile.partner_id is None and profile.category_id is None:
        raise Conflict(_("The default profile cannot be deleted; change its limits instead."))
    audited_delete(user=user, instance=profile)


def category_create(*, user, data: dict) -> ItemCategory:
    return audited_create(user=user, model=ItemCategory, data=data, allowed={"code", "name"})


def category_update(*, user, category: ItemCategory, data: dict) -> ItemCategory:
    return audited_update(user=user, instance=category, data=data, allowed={"name"})
