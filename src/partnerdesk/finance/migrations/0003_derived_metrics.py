"""Metrics derived from finance data, added to the metric library (existing codes untouched)."""

from decimal import Decimal

from django.db import migrations

METRICS = [
    (
        "receipts_on_time",
        "On-time delivery (from receipts)",
        "Receipt lines received on or before the promised date of their order line, of all "
        "receipt lines with a promised date received in the period.",
        "%",
        "higher",
        "ratio",
        "receipts_on_time",
    ),
    (
        "invoices_matched",
        "Invoice accuracy (from matching)",
        "Invoices of the period that matched order and receipt without a discrepancy, of all "
        "matched invoices.",
        "%",
        "higher",
        "ratio",
        "invoices_matched",
    ),
    (
        "budget_adherence_invoiced",
        "Budget adherence (from invoices)",
        "100 when the month's net invoiced amount is within the contract's monthly budget, "
        "else budget / spend x 100.",
        "%",
        "higher",
        "mean",
        "budget_adherence",
    ),
]


def add(apps, schema_editor):
    Metric = apps.get_model("performance", "Metric")
    for code, name, description, unit, direction, aggregation, source in METRICS:
        Metric.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "unit": unit,
                "direction": direction,
                "aggregation": aggregation,
                "source": "derived",
                "derived_source": source,
                "scale": Decimal(100) if aggregation == "ratio" else Decimal(1),
                "decimals": 2,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("finance", "0002_default_checklists"), ("performance", "0002_default_metrics")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
