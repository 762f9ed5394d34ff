"""Human numbers for quality records (PREFIX-YEAR-0001, counted per prefix and year) and the
positions of ordered children (sections, questions, parameters)."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Length
from django.utils import timezone

ATTEMPTS = 5


def next_number(model, prefix: str, year: int | None = None) -> str:
    year = year or timezone.localdate().year
    stem = f"{prefix}-{year}-"
    # Longest first, then highest: "…-10000" comes after "…-9999".
    last = (
        model.objects.filter(number__startswith=stem)
        .order_by(Length("number").desc(), "-number")
        .values_list("number", flat=True)
        .first()
    )
    tail = (last or "")[len(stem) :]
    highest = int(tail) if tail.isdigit() else 0
    return f"{stem}{highest + 1:04d}"


def save_numbered(instance, prefix: str, year: int | None = None):
    """Give ``instance`` the next free number and insert it. Two writers racing for the same
    number meet the unique constraint; the loser takes the next one."""
    for attempt in range(ATTEMPTS):
        instance.number = next_number(type(instance), prefix, year)
        try:
            with transaction.atomic():
                instance.save(force_insert=True)
            return instance
        except IntegrityError:
            # Only a number taken meanwhile is worth another try; any other constraint
            # (a second inspection of the same receipt line…) fails at once.
            taken = type(instance).objects.filter(number=instance.number).exists()
            if not taken or attempt == ATTEMPTS - 1:
                raise
            instance.pk = None
    return instance


def add_at_end(*, user, parent, field: str, model, data: dict, allowed: set[str]):
    """Create a ``model`` row under ``parent`` (its foreign key ``field``) at the next free
    position. The parent row is locked, so two people adding at once get different positions."""
    from partnerdesk.audit.crud import audited_create

    with transaction.atomic():
        type(parent).objects.select_for_update().get(pk=parent.pk)
        last = model.objects.filter(**{field: parent}).aggregate(m=Max("position"))["m"]
        return audited_create(
            user=user,
            model=model,
            data=data,
            allowed=allowed,
            **{field: parent, "position": (last or 0) + 1},
        )
