"""The ingest-readings command and the scheduled jobs of the regrind module."""

import io

import pytest
from django.core.management import CommandError, call_command

from partnerdesk.regrind.models import PrecisionRanking, Reading


def test_ingest_readings_command(plant, make_user, tmp_path):
    make_user("manufacturing", username="operator")
    path = tmp_path / "export.csv"
    path.write_text("machine,timestamp,ratio\nM1,2026-03-02 08:00,20\nM1,2026-03-02 08:10,150\n")
    out = io.StringIO()
    call_command("ingest-readings", str(path), user="operator", stdout=out)
    text = out.getvalue()
    assert "2 rows, 1 stored, 0 already stored, 1 refused" in text
    assert "row 3: A ratio lies between 0 and 100 % (got 150)." in text
    assert Reading.objects.count() == 1
    with pytest.raises(CommandError, match="No active user"):
        call_command("ingest-readings", str(path), user="nobody")
    with pytest.raises(CommandError, match="No such file"):
        call_command("ingest-readings", str(tmp_path / "missing.csv"), user="operator")


def test_rank_previous_month_job(plant, make_user, settings):
    from partnerdesk.regrind.tasks import rank_previous_month

    first = rank_previous_month.call()
    second = rank_previous_month.call()
    assert "revision 1" in first and "revision 2" in second
    assert PrecisionRanking.objects.count() == 2
