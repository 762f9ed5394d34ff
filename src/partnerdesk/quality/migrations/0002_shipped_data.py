"""The shipped audit templates, the defect types and the quality KPIs in the metric library
(existing codes are left alone). The library already has ``lot_acceptance`` and
``ppm_defective`` as imported metrics (performance 0002), so the derived ones computed from
the lots inspected here have codes of their own, as finance's derived metrics do."""

from decimal import Decimal

from django.db import migrations

METRICS = [
    (
        "lot_acceptance_inspected",
        "Lot acceptance rate (from inspection)",
        "Incoming lots accepted on inspection, of all lots decided in the period.",
        "%",
        "higher",
        "ratio",
        Decimal(100),
    ),
    (
        "ppm_defective_inspected",
        "Defective parts per million (from inspection)",
        "Quantity rejected by incoming inspection per million received, over the lots decided "
        "in the period.",
        "ppm",
        "lower",
        "ratio",
        Decimal(1000000),
    ),
    (
        "audit_score",
        "Supplier audit score",
        "The score of the partner's audits closed in the period (mean).",
        "%",
        "higher",
        "mean",
        Decimal(1),
    ),
    (
        "eightd_on_time",
        "8D on-time closure",
        "Corrective actions closed by their D8 due time, of all closed in the period.",
        "%",
        "higher",
        "ratio",
        Decimal(100),
    ),
    (
        "repeat_nonconformances",
        "Repeat nonconformances",
        "Nonconformances detected in the period that repeat one of the same defect at the same "
        "partner within 12 months.",
        "count",
        "lower",
        "sum",
        Decimal(1),
    ),
]
SOURCES = {
    "lot_acceptance_inspected": "lot_acceptance",
    "ppm_defective_inspected": "ppm_defective",
    "audit_score": "audit_score",
    "eightd_on_time": "eightd_on_time",
    "repeat_nonconformances": "repeat_nonconformances",
}


def load(apps, schema_editor):
    from partnerdesk.quality.shipped import DEFECT_TYPES, TEMPLATES

    DefectType = apps.get_model("quality", "DefectType")
    for code, name, description in DEFECT_TYPES:
        DefectType.objects.get_or_create(
            code=code, defaults={"name": name, "description": description}
        )
    Template = apps.get_model("quality", "AuditTemplate")
    Section = apps.get_model("quality", "AuditSection")
    Question = apps.get_model("quality", "AuditQuestion")
    for code, name, description, sections in TEMPLATES:
        if Template.objects.filter(code=code).exists():
            continue
        template = Template.objects.create(code=code, name=name, description=description)
        for s_pos, (title, questions) in enumerate(sections, start=1):
            section = Section.objects.create(template=template, position=s_pos, title=title)
            for q_pos, (text, kind, weight, options) in enumerate(questions, start=1):
                Question.objects.create(
                    section=section,
                    position=q_pos,
                    text=text,
                    kind=kind,
                    weight=Decimal(weight),
                    scale_max=options.get("scale_max"),
                    lower_limit=None if "lower" not in options else Decimal(str(options["lower"])),
                    upper_limit=None if "upper" not in options else Decimal(str(options["upper"])),
                    unit=options.get("unit", ""),
                    evidence_required=options.get("evidence", False),
                    critical=options.get("critical", False),
                )
    Metric = apps.get_model("performance", "Metric")
    for code, name, description, unit, direction, aggregation, scale in METRICS:
        Metric.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "unit": unit,
                "direction": direction,
                "aggregation": aggregation,
                "source": "derived",
                "derived_source": SOURCES[code],
                "scale": scale,
                "decimals": 0 if unit in ("ppm", "count") else 2,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial"), ("performance", "0002_default_metrics")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
