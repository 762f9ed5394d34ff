"""Importing measurements from a CSV or Excel (.xlsx) file, for the import page and the API.

Three steps: ``parse_measurement_file`` reads the file (the shape: columns, numbers, dates,
duplicates within the file); ``check_measurements`` checks the rows against the database
(contracts, metrics, closed months, values already recorded) and says what an import would do;
``import_measurements`` writes it all or nothing. A row identical to the current measurement is
"unchanged" and skipped, so importing the same file twice changes nothing.

Set-based: contracts, metrics, closed months and current measurements are read in four
queries whatever the size of the file, and the new rows and their audit rows are bulk inserted.
"""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction, AuditEntry
from partnerdesk.audit.services import diff, snapshot
from partnerdesk.contracts.models import Contract
from partnerdesk.core.errors import ApplicationError, Conflict, InvalidInput
from partnerdesk.core.request_context import current_request_id
from partnerdesk.core.services import require_perm
from partnerdesk.performance.choices import Aggregation, MeasurementSource, MetricSource
from partnerdesk.performance.models import Measurement, Metric, PeriodClose
from partnerdesk.performance.periods import month_start
from partnerdesk.performance.services.import_files import (
    EVIDENCE_LENGTH,
    FIELD_NAMES,
    ImportRow,
    ParsedFile,
    RowError,
    fail_row,
)
from partnerdesk.performance.services.measurements import _ratio, check_values


class ImportRefused(InvalidInput):
    """Some rows are wrong; nothing was imported. ``row_errors`` says which and why."""

    def __init__(self, row_errors: list[RowError]):
        self.row_errors = row_errors
        super().__init__(
            _("%(count)d rows have errors; nothing was imported.") % {"count": len(row_errors)}
            if len(row_errors) != 1
            else _("1 row has an error; nothing was imported."),
            fields={"rows": [str(e) for e in row_errors]},
        )


@dataclass(frozen=True)
class ImportResult:
    created: int
    unchanged: int


@dataclass
class ImportPlan:
    new: list[Measurement]
    unchanged: int
    errors: list[RowError]


# --- checking against the database ------------------------------------------------------------


def _same(existing: tuple, row: ImportRow, ratio: bool) -> bool:
    _value, numerator, denominator = existing
    if ratio:
        return numerator == row.numerator and denominator == row.denominator
    return _value == row.value


def check_measurements(*, user, parsed: ParsedFile, source: str = MeasurementSource.IMPORT):
    """What importing ``parsed`` would do: the measurements to create, how many rows are
    unchanged, and every row error (the file's own and those found against the database)."""
    require_perm(user, "performance.add_measurement")
    errors = list(parsed.errors)
    rows = parsed.rows
    references = {r.contract for r in rows if r.contract}
    codes = {r.metric for r in rows if r.metric}
    contracts = {
        c.reference: c
        for c in Contract.objects.restrict(user, "view")
        .filter(reference__in=references)
        .only("id", "reference", "start_date", "end_date")
    }
    metrics = {m.code: m for m in Metric.objects.restrict(user, "view").filter(code__in=codes)}
    dates = [r.measured_on for r in rows if r.measured_on]
    months = {month_start(d) for d in dates}
    closed = set(
        PeriodClose.objects.filter(period__in=months, reopened_at__isnull=True).values_list(
            "period", flat=True
        )
    )
    current = {}
    if contracts and metrics and dates:
        current = {
            (c, m, d): (value, num, den)
            for c, m, d, value, num, den in Measurement.objects.filter(
                is_current=True,
                contract_id__in=[c.pk for c in contracts.values()],
                metric_id__in=[m.pk for m in metrics.values()],
                measured_on__gte=min(dates),
                measured_on__lte=max(dates),
            ).values_list(
                "contract_id", "metric_id", "measured_on", "value", "numerator", "denominator"
            )
        }
    plan = ImportPlan(new=[], unchanged=0, errors=errors)
    for row in rows:
        contract = contracts.get(row.contract)
        metric = metrics.get(row.metric)
        if row.contract and contract is None:
            fail_row(
                row,
                errors,
                "contract",
                _("Unknown contract “%(value)s”.") % {"value": row.contract},
            )
        if row.metric and metric is None:
            message = _("Unknown metric “%(value)s”.") % {"value": row.metric}
            fail_row(row, errors, "metric", message)
        elif metric is not None and metric.source == MetricSource.DERIVED:
            fail_row(
                row,
                errors,
                "metric",
                _("%(metric)s is derived from platform data and cannot be entered.")
                % {"metric": metric.name},
            )
        if row.failed:
            continue
        _check_row(row, contract, metric, closed, current, plan, source, user, parsed.name)
    plan.errors.sort(
        key=lambda e: (e.row, FIELD_NAMES.index(e.field) if e.field in FIELD_NAMES else 99)
    )
    return plan


def _check_row(row, contract, metric, closed, current, plan, source, user, file_name) -> None:
    errors = plan.errors
    ratio = metric.aggregation == Aggregation.RATIO
    existing = current.get((contract.pk, metric.pk, row.measured_on))
    if existing is not None:
        if _same(existing, row, ratio):
            plan.unchanged += 1
        else:
            fail_row(
                row,
                errors,
                "numerator" if ratio else "value",
                _(
                    "%(contract)s already has %(metric)s for %(date)s "
                    "(value %(value)s); correct that one instead."
                )
                % {
                    "contract": contract.reference,
                    "metric": metric.name,
                    "date": row.measured_on.isoformat(),
                    "value": existing[0],
                },
            )
        return
    if not contract.start_date <= row.measured_on <= contract.end_date:
        fail_row(
            row,
            errors,
            "measured_on",
            _("The date is outside the contract (%(start)s to %(end)s).")
            % {"start": contract.start_date, "end": contract.end_date},
        )
        return
    period = month_start(row.measured_on)
    if period in closed:
        fail_row(
            row,
            errors,
            "measured_on",
            _("%(period)s is closed; reopen it to change its measurements.")
            % {"period": period.strftime("%Y-%m")},
        )
        return
    try:
        check_values(metric, row.value, row.numerator, row.denominator)
    except ApplicationError as exc:
        name = next(iter(exc.fields), "value")
        fail_row(row, errors, name, exc.message)
        return
    plan.new.append(
        Measurement(
            contract_id=contract.pk,
            metric_id=metric.pk,
            period=period,
            measured_on=row.measured_on,
            value=_ratio(row.numerator, row.denominator, metric) if ratio else row.value,
            numerator=row.numerator if ratio else None,
            denominator=row.denominator if ratio else None,
            source=source,
            evidence=(
                row.evidence
                or _("%(file)s, row %(row)d") % {"file": file_name or _("import"), "row": row.row}
            )[:EVIDENCE_LENGTH],
            author=user,
        )
    )


# --- writing ----------------------------------------------------------------------------------


def import_measurements(
    *, user, parsed: ParsedFile, source: str = MeasurementSource.IMPORT
) -> ImportResult:
    """Import the rows of ``parsed`` all or nothing: any row error refuses the whole file
    (``ImportRefused`` lists them). Rows identical to the current value are skipped."""
    require_perm(user, "performance.add_measurement")
    if parsed.needs_mapping:
        raise ImportRefused(parsed.errors)
    with transaction.atomic():
        plan = check_measurements(user=user, parsed=parsed, source=source)
        if plan.errors:
            raise ImportRefused(plan.errors)
        if plan.new:
            try:
                with transaction.atomic():
                    _insert_measurements(plan.new, user)
            except IntegrityError as exc:
                raise Conflict(
                    _("Someone recorded some of these values meanwhile; check the file again.")
                ) from exc
            _audit(user, plan.new)
    return ImportResult(created=len(plan.new), unchanged=plan.unchanged)


def _insert_many(model, objects: list, now: datetime.datetime) -> None:
    """INSERT the objects with one ``executemany``, values adapted per column type as the ORM
    would. ``bulk_create`` spends most of a 10,000-row import preparing values field by field."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    ops = connection.ops
    adapters = []
    for f in fields:
        kind = f.get_internal_type()
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            stamp = ops.adapt_datetimefield_value(now)
            adapters.append(lambda _value, stamp=stamp: stamp)
        elif kind == "DateField":
            adapters.append(ops.adapt_datefield_value)
        elif kind == "DateTimeField":
            adapters.append(ops.adapt_datetimefield_value)
        elif kind == "DecimalField":
            adapters.append(ops.adapt_decimalfield_value)
        elif kind == "JSONField":
            adapters.append(lambda value, encoder=f.encoder: ops.adapt_json_value(value, encoder))
        else:
            adapters.append(None)
    quote = ops.quote_name
    # Table and column names come from the model, never from input.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    attnames = [f.attname for f in fields]
    rows = [
        [
            adapt(getattr(obj, name)) if adapt else getattr(obj, name)
            for name, adapt in zip(attnames, adapters, strict=True)
        ]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _insert_measurements(new: list[Measurement], user) -> None:
    """Insert the new measurements and give each its primary key (one query finds them: a
    contract, metric and date has one current value)."""
    now = timezone.now()
    _insert_many(Measurement, new, now)
    ids = {
        (c, m, d): pk
        for pk, c, m, d in Measurement.objects.filter(
            author=user, created_at=now, is_current=True
        ).values_list("pk", "contract_id", "metric_id", "measured_on")
    }
    for measurement in new:
        measurement.created_at = now
        measurement.pk = ids[
            (measurement.contract_id, measurement.metric_id, measurement.measured_on)
        ]
        measurement._state.adding = False


def _audit(user, created: list[Measurement]) -> None:
    """One audit row per new measurement, as ``record_change`` writes them (rows built as
    plain records: 10,000 model instances would cost more than the insert)."""
    content_type_id = ContentType.objects.get_for_model(Measurement).pk
    request_id = current_request_id.get()
    actor_repr = str(user)[:150]
    entries = [
        SimpleNamespace(
            content_type_id=content_type_id,
            object_id=str(m.pk),
            object_repr=str(m)[:200],
            action=AuditAction.CREATE,
            changes=diff(None, snapshot(m, m2m=False)),
            actor_id=user.pk,
            actor_repr=actor_repr,
            request_id=request_id,
            at=None,
            confidential=False,
        )
        for m in created
    ]
    _insert_many(AuditEntry, entries, timezone.now())
