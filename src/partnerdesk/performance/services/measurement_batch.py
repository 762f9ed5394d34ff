"""Recording many measurements at once, all or nothing.

Every row is checked first with the same rules as one value (``check_values``,
``check_period_open``, the contract's dates, duplicates in the database and within the batch);
only when no row has a problem is anything written, in one transaction. Problems are keyed by
row (0-based, as the request lists them): ``rows.3.value``.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from partnerdesk.core.errors import ApplicationError, Conflict, InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.performance.choices import MeasurementSource, MetricSource
from partnerdesk.performance.models import Measurement
from partnerdesk.performance.services.measurements import (
    check_period_open,
    check_values,
    measurement_record,
)


@dataclass(frozen=True)
class BatchRow:
    """One row of a batch; ``contract`` and ``metric`` are None when the id or code names
    nothing the user may see."""

    contract: object | None
    metric: object | None
    measured_on: datetime.date
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    evidence: str = ""


def _row_problems(row: BatchRow) -> tuple[dict[str, list[str]], bool]:
    """The row's field errors and whether all of them are conflicts."""
    fields: dict[str, list[str]] = {}
    conflicts_only = True
    if row.contract is None:
        fields["contract"] = [_("Unknown contract.")]
    if row.metric is None:
        fields["metric"] = [_("Unknown metric.")]
    if fields:
        return fields, False
    checks = [
        lambda: _not_derived(row.metric),
        lambda: _inside_contract(row.contract, row.measured_on),
        lambda: check_values(row.metric, row.value, row.numerator, row.denominator),
        lambda: check_period_open(row.measured_on),
    ]
    for check in checks:
        try:
            check()
        except ApplicationError as exc:
            for name, messages in (exc.fields or {"row": [exc.message]}).items():
                fields.setdefault(name, []).extend(messages)
            conflicts_only = conflicts_only and isinstance(exc, Conflict)
    return fields, conflicts_only


def _not_derived(metric) -> None:
    if metric.source == MetricSource.DERIVED:
        message = _("%(metric)s is derived from platform data and cannot be entered.") % {
            "metric": metric.name
        }
        raise InvalidInput(message, fields={"metric": [message]})


def _inside_contract(contract, day: datetime.date) -> None:
    if not contract.start_date <= day <= contract.end_date:
        message = _("The date is outside the contract (%(start)s to %(end)s).") % {
            "start": contract.start_date,
            "end": contract.end_date,
        }
        raise InvalidInput(message, fields={"measured_on": [message]})


def _duplicates(rows: list[BatchRow]) -> dict[int, str]:
    """Rows repeating an earlier row of the batch or a current value in the database."""
    keys = [
        (r.contract.pk, r.metric.pk, r.measured_on) if r.contract and r.metric else None
        for r in rows
    ]
    present = [k for k in keys if k]
    # A superset by each column (one OR per row would outgrow SQLite's expression depth),
    # narrowed to the exact keys here.
    stored = set(
        Measurement.objects.filter(
            is_current=True,
            contract_id__in={k[0] for k in present},
            metric_id__in={k[1] for k in present},
            measured_on__in={k[2] for k in present},
        ).values_list("contract_id", "metric_id", "measured_on")
    ) & set(present)
    found, seen = {}, {}
    for index, key in enumerate(keys):
        if key is None:
            continue
        if key in stored:
            found[index] = _("A value for this contract, metric and date exists; correct it.")
        elif key in seen:
            found[index] = _("Repeats row %(row)d of this batch.") % {"row": seen[key]}
        else:
            seen[key] = index
    return found


@transaction.atomic
def measurement_batch_record(*, user, rows: list[BatchRow]) -> list[Measurement]:
    """Record every row, or none: a 422 (409 when every problem is a conflict: a closed
    period, a duplicate) naming ``rows.<index>.<field>`` for each problem."""
    require_perm(user, "performance.add_measurement")
    fields: dict[str, list[str]] = {}
    conflicts_only = True
    for index, row in enumerate(rows):
        problems, conflicts = _row_problems(row)
        for name, messages in problems.items():
            fields[f"rows.{index}.{name}"] = messages
        conflicts_only = conflicts_only and (conflicts or not problems)
    for index, message in _duplicates(rows).items():
        fields.setdefault(f"rows.{index}.measured_on", []).append(message)
    if fields:
        error = Conflict if conflicts_only else InvalidInput
        raise error(
            _("%(n)d of %(total)d rows have problems; nothing was recorded.")
            % {"n": len({k.split(".")[1] for k in fields}), "total": len(rows)},
            fields=fields,
        )
    recorded = []
    for index, row in enumerate(rows):
        try:
            recorded.append(
                measurement_record(
                    user=user,
                    contract=row.contract,
                    metric=row.metric,
                    measured_on=row.measured_on,
                    value=row.value,
                    numerator=row.numerator,
                    denominator=row.denominator,
                    source=MeasurementSource.API,
                    evidence=row.evidence,
                )
            )
        except ApplicationError as exc:  # a concurrent write got there between check and write
            raise type(exc)(
                exc.message,
                fields={f"rows.{index}.{name}": msgs for name, msgs in exc.fields.items()},
            ) from exc
    return recorded
