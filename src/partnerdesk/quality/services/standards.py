"""Inspection standards and their parameters, and the standard that applies to a receipt line."""

from django.utils.translation import gettext as _

from partnerdesk.audit.crud import audited_create, audited_delete, audited_update
from partnerdesk.core.errors import Conflict
from partnerdesk.core.services import require_perm
from partnerdesk.finance.models import GoodsReceiptLine
from partnerdesk.quality.models import (
    InspectionParameter,
    InspectionStandard,
)
from partnerdesk.quality.services.numbers import add_at_end

STANDARD_FIELDS = {"code", "name", "item", "category", "level", "aql", "allow_reduced", "notes"}


STANDARD_UPDATE_FIELDS = STANDARD_FIELDS - {"code"} | {"is_active"}


PARAMETER_FIELDS = {
    "code",
    "name",
    "kind",
    "unit",
    "target",
    "lower_limit",
    "upper_limit",
    "plausible_min",
    "plausible_max",
    "defect_type",
}


def standard_create(*, user, data: dict) -> InspectionStandard:
    return audited_create(user=user, model=InspectionStandard, data=data, allowed=STANDARD_FIELDS)


def standard_update(*, user, standard: InspectionStandard, data: dict) -> InspectionStandard:
    return audited_update(user=user, instance=standard, data=data, allowed=STANDARD_UPDATE_FIELDS)


def parameter_add(*, user, standard: InspectionStandard, data: dict) -> InspectionParameter:
    require_perm(user, "quality.change_inspectionstandard")
    return add_at_end(
        user=user,
        parent=standard,
        field="standard",
        model=InspectionParameter,
        data=data,
        allowed=PARAMETER_FIELDS,
    )


def parameter_update(*, user, parameter: InspectionParameter, data: dict) -> InspectionParameter:
    require_perm(user, "quality.change_inspectionstandard")
    return audited_update(user=user, instance=parameter, data=data, allowed=PARAMETER_FIELDS)


def parameter_delete(*, user, parameter: InspectionParameter) -> None:
    require_perm(user, "quality.change_inspectionstandard")
    if parameter.readings.exists():
        raise Conflict(
            _("“%(name)s” has readings in past inspections; deactivate the standard instead.")
            % {"name": parameter.name}
        )
    audited_delete(user=user, instance=parameter)


def standard_for(line: GoodsReceiptLine) -> InspectionStandard | None:
    """The active standard for a receipt line: the one naming its item, else its category's."""
    order_line = line.order_line
    active = InspectionStandard.objects.filter(is_active=True)
    found = active.filter(item=order_line.item).order_by("code").first()
    if found is None and order_line.category_id:
        found = active.filter(category_id=order_line.category_id, item="").order_by("code").first()
    return found
