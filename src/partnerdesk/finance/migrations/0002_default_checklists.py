from django.db import migrations


def load(apps, schema_editor):
    from partnerdesk.finance.checklists import DEFAULT_TEMPLATES

    Template = apps.get_model("finance", "ChecklistTemplate")
    Item = apps.get_model("finance", "ChecklistItem")
    for document_type, (name, items) in DEFAULT_TEMPLATES.items():
        if Template.objects.filter(document_type=document_type).exists():
            continue
        template = Template.objects.create(
            document_type=document_type, name=name, version=1, is_active=True
        )
        Item.objects.bulk_create(
            Item(template=template, position=position, text=text, auto_check=check)
            for position, (text, check) in enumerate(items, start=1)
        )


def default_profile(apps, schema_editor):
    from decimal import Decimal

    Profile = apps.get_model("finance", "ToleranceProfile")
    if not Profile.objects.filter(partner=None, category=None).exists():
        Profile.objects.create(
            name="Company default",
            price_percent=Decimal("2"),
            price_absolute=Decimal("0.05"),
            quantity_percent=Decimal("0"),
            amount_percent=Decimal("1"),
            amount_absolute=Decimal("50"),
            combine="or",
        )


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]
    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(default_profile, migrations.RunPython.noop),
    ]
