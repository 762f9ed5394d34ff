"""A small plant for the regrind tests: one line with two units, a product running, two teams
on shift (early 06:00-14:00 and late 14:00-22:00 local time, Asia/Shanghai)."""

import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 3, 2)


def local(day: datetime.date, hour: int, minute: int = 0, second: int = 0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TZ)


@pytest.fixture
def plant(db, settings):
    from partnerdesk.organisation.models import Department, Team
    from partnerdesk.regrind.models import (
        DosingUnit,
        ProductionLine,
        ProductRun,
        RegrindProduct,
        ShiftAssignment,
    )

    settings.TIME_ZONE = "Asia/Shanghai"
    department, _ = Department.objects.get_or_create(
        kind="manufacturing", defaults={"name": "Manufacturing center"}
    )
    red = Team.objects.create(department=department, name="Red")
    blue = Team.objects.create(department=department, name="Blue")
    line = ProductionLine.objects.create(code="L1", name="Line 1")
    m1 = DosingUnit.objects.create(line=line, code="M1", name="Doser 1")
    m2 = DosingUnit.objects.create(line=line, code="M2", name="Doser 2")
    off = DosingUnit.objects.create(line=line, code="OFF", name="Retired", is_active=False)
    product = RegrindProduct.objects.create(
        code="P20",
        name="Housing",
        target_ratio=Decimal("20"),
        tolerance=Decimal("2"),
        max_ratio=Decimal("25"),
        nominal_batch_kg=Decimal("50"),
        currency="CNY",
        virgin_price_per_kg=Decimal("12.00"),
        regrind_price_per_kg=Decimal("4.00"),
        risk_cost_per_kg=Decimal("30.00"),
    )
    ProductRun.objects.create(line=line, product=product, starts_at=local(DAY, 0))
    for offset in range(3):
        day = DAY + datetime.timedelta(days=offset)
        ShiftAssignment.objects.create(
            line=line, team=red, starts_at=local(day, 6), ends_at=local(day, 14)
        )
        ShiftAssignment.objects.create(
            line=line, team=blue, starts_at=local(day, 14), ends_at=local(day, 22)
        )
    return SimpleNamespace(line=line, m1=m1, m2=m2, off=off, product=product, red=red, blue=blue)
