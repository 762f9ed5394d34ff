"""Recording measurements: one by one, corrected with history, or imported from a file."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.performance.choices import Aggregation, MeasurementSource, MetricSource
from partnerdesk.performance.models import Measurement, Metric, PeriodClose
from partnerdesk.performance.periods import month_start

MAX_ABS = Decimal("1e11")


def _refuse(field: str, message: str, error=InvalidInput):
    raise error(message, fields={field: [message]})


def check_values(metric: Metric, value, numerator, denominator) -> None:
    """A ratio metric needs numerator and denominator (denominator > 0, numerator between 0 and
    the denominator); the others need a value. Absurd magnitudes are refused."""
    if metric.aggregation == Aggregation.RATIO:
        if numerator is None or denominator is None:
            _refuse(
                "numerator",
                _("%(metric)s is a ratio: give numerator and denominator.")
                % {"metric": metric.name},
            )
        if denominator <= 0:
            _refuse("denominator", _("The denominator must be greater than 0."))
        if numerator < 0 or numerator > denominator:
            _refuse("numerator", _("The numerator must be between 0 and the denominator."))
        if denominator >= MAX_ABS:
            _refuse("denominator", _("The denominator is implausibly large."))
    else:
        if value is None:
            _refuse("value", _("Give a value."))
        if abs(value) >= MAX_ABS:
            _refuse("value", _("The value is implausibly large."))
        if metric.unit == "%" and not Decimal(0) <= value <= Decimal(100):
            _refuse("value", _("A percentage lies between 0 and 100."))


def check_period_open(day: datetime.date) -> None:
    period = month_start(day)
    if PeriodClose.objects.filter(period=period, reopened_at__isnull=True).exists():
        _refuse(
            "measured_on",
            _("%(period)s is closed; reopen it to change its measurements.")
            % {"period": period.strftime("%Y-%m")},
            Conflict,
        )


def _ratio(numerator, denominator, metric: Metric):
    if numerator is None or denominator in (None, 0):
        return None
    return (numerator / denominator * metric.scale).quantize(Decimal("0.0001"))


def measurement_record(
    *,
    user,
    contract,
    metric: Metric,
    measured_on: datetime.date,
    value=None,
    numerator=None,
    denominator=None,
    source: str = MeasurementSource.MANUAL,
    evidence: str = "",
) -> Measurement:
    """Record one value. Refused for derived metrics, closed periods, dates outside the
    contract, and a second value for the same contract, metric and date (correct it instead)."""
    require_perm(user, "performance.add_measurement")
    if metric.source == MetricSource.DERIVED:
        _refuse(
            "metric",
            _("%(metric)s is derived from platform data and cannot be entered.")
            % {"metric": metric.name},
        )
    if not contract.start_date <= measured_on <= contract.end_date:
        _refuse(
            "measured_on",
            _("The date is outside the contract (%(start)s to %(end)s).")
            % {"start": contract.start_date, "end": contract.end_date},
        )
    check_values(metric, value, numerator, denominator)
    with transaction.atomic():
        check_period_open(measured_on)
        duplicate = Measurement.objects.filter(
            contract=contract, metric=metric, measured_on=measured_on, is_current=True
        ).first()
        if duplicate is not None:
            _refuse(
                "measured_on",
                _(
                    "%(contract)s already has %(metric)s for %(date)s "
                    "(value %(value)s); correct that one instead."
                )
                % {
                    "contract": contract.reference,
                    "metric": metric.name,
                    "date": measured_on.isoformat(),
                    "value": duplicate.value,
                },
                Conflict,
            )
        try:
            # A second person recording the same value at the same moment passes the check
            # above too; the unique constraint stops one of them.
            with transaction.atomic():
                measurement = Measurement.objects.create(
                    contract=contract,
                    metric=metric,
                    period=month_start(measured_on),
                    measured_on=measured_on,
                    value=_ratio(numerator, denominator, metric)
                    if metric.aggregation == Aggregation.RATIO
                    else value,
                    numerator=numerator,
                    denominator=denominator,
                    source=source,
                    evidence=evidence[:300],
                    author=user,
                )
        except IntegrityError as exc:
            message = _(
                "%(contract)s already has %(metric)s for %(date)s; correct that one instead."
            ) % {
                "contract": contract.reference,
                "metric": metric.name,
                "date": measured_on.isoformat(),
            }
            raise Conflict(message, fields={"measured_on": [message]}) from exc
        record_change(actor=user, instance=measurement, action=AuditAction.CREATE)
    return measurement


@transaction.atomic
def measurement_correct(
    *,
    user,
    measurement: Measurement,
    reason: str,
    value=None,
    numerator=None,
    denominator=None,
    evidence: str = "",
) -> Measurement:
    """Correct a value: a new current row replaces the old one, which is kept."""
    require_perm(user, "performance.change_measurement")
    reason = (reason or "").strip()
    if not reason:
        _refuse("correction_reason", _("Say why the value is corrected."))
    old = (
        Measurement.objects.select_for_update()
        .select_related("metric", "contract")
        .get(pk=measurement.pk)
    )
    if not old.is_current:
        _refuse(
            "measurement", _("This value was already corrected; correct the newest one."), Conflict
        )
    check_period_open(old.measured_on)
    check_values(old.metric, value, numerator, denominator)
    old.is_current = False
    old.save(update_fields=["is_current"])
    new = Measurement.objects.create(
        contract=old.contract,
        metric=old.metric,
        period=old.period,
        measured_on=old.measured_on,
        value=_ratio(numerator, denominator, old.metric)
        if old.metric.aggregation == Aggregation.RATIO
        else value,
        numerator=numerator,
        denominator=denominator,
        source=old.source,
        evidence=(evidence or old.evidence)[:300],
        author=user,
        correction_reason=reason[:300],
    )
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    record_change(actor=user, instance=new, action=AuditAction.CREATE)
    return new
