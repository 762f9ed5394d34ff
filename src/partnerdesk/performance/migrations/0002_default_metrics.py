"""The default metric library. Idempotent by code: an existing metric with the same code is
left as it is. The reverse removes only these codes, and only where nothing uses them."""

from decimal import Decimal

from django.db import migrations

# code, name, description, unit, direction, aggregation, source, derived source
DEFAULT_METRICS = [
    (
        "on_time_delivery",
        "On-time delivery",
        "Deliveries received on or before the promised date, of all deliveries due. Imported "
        "for now; derived from goods receipts once the finance module lands.",
        "%",
        "higher",
        "ratio",
        "imported",
        "",
    ),
    (
        "lot_acceptance",
        "Lot acceptance rate",
        "Lots accepted at incoming inspection, of all lots inspected.",
        "%",
        "higher",
        "ratio",
        "imported",
        "",
    ),
    (
        "ppm_defective",
        "PPM defective",
        "Defective parts per million parts received.",
        "ppm",
        "lower",
        "mean",
        "imported",
        "",
    ),
    (
        "invoice_accuracy",
        "Invoice accuracy",
        "Invoices matching order and receipt without correction, of all invoices.",
        "%",
        "higher",
        "ratio",
        "imported",
        "",
    ),
    (
        "milestone_on_time",
        "Milestone on-time",
        "Contract deliverables and milestones due in the period delivered on time.",
        "%",
        "higher",
        "ratio",
        "derived",
        "milestone_on_time",
    ),
    (
        "budget_adherence",
        "Budget adherence",
        "Spend within the contract budget (100 = on budget).",
        "%",
        "higher",
        "mean",
        "imported",
        "",
    ),
    (
        "customer_quality_index",
        "Customer quality index",
        "Customer survey score on a 0-100 scale.",
        "index",
        "higher",
        "mean",
        "imported",
        "",
    ),
    (
        "quality_response_time",
        "Response time to quality issues",
        "Hours from a quality issue being raised to the partner's first containment answer.",
        "hours",
        "lower",
        "mean",
        "manual",
        "",
    ),
    (
        "regrind_within_tolerance",
        "Regrind ratio within tolerance",
        "Regrind lots whose regrind ratio stayed within the agreed tolerance, of all lots.",
        "%",
        "higher",
        "ratio",
        "manual",
        "",
    ),
]
CODES = [row[0] for row in DEFAULT_METRICS]


def create_metrics(apps, schema_editor):
    Metric = apps.get_model("performance", "Metric")
    existing = set(Metric.objects.filter(code__in=CODES).values_list("code", flat=True))
    Metric.objects.bulk_create(
        Metric(
            code=code,
            name=name,
            description=description,
            unit=unit,
            direction=direction,
            aggregation=aggregation,
            scale=Decimal(100) if aggregation == "ratio" else Decimal(1),
            source=source,
            derived_source=derived,
            decimals=0 if unit == "ppm" else (1 if unit == "hours" else 2),
        )
        for code, name, description, unit, direction, aggregation, source, derived in (
            DEFAULT_METRICS
        )
        if code not in existing
    )


def remove_unused_metrics(apps, schema_editor):
    Metric = apps.get_model("performance", "Metric")
    ServiceLevel = apps.get_model("performance", "ServiceLevel")
    Measurement = apps.get_model("performance", "Measurement")
    ScorecardCriterion = apps.get_model("performance", "ScorecardCriterion")
    used = (
        set(ServiceLevel.objects.values_list("metric_id", flat=True))
        | set(Measurement.objects.values_list("metric_id", flat=True))
        | set(ScorecardCriterion.objects.values_list("metric_id", flat=True))
    )
    Metric.objects.filter(code__in=CODES).exclude(pk__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [("performance", "0001_initial")]

    operations = [migrations.RunPython(create_metrics, remove_unused_metrics)]
