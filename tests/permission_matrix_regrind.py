"""The regrind module's part of the permission matrix (``test_permission_matrix.py``): its
rows, the records its URLs name, and the bodies of its write requests.

The module belongs to no partner: every internal role reads it, partner users see none of it
(404, empty lists). Manufacturing and the administrator keep the plant set-up; quality and
manufacturing (and the administrator) manage charts, limits, signals and rankings; management
makes a ranking final. The ``machine`` column is a dosing machine's account: it posts readings
and reads its own ingests (and, holding ``view_dosingunit``, the dosing units), nothing else.
"""

import datetime
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 3, 2)
MONTH = datetime.date(2026, 3, 1)
UNIT = "MX-DOSER-1"
STAMP = "%Y-%m-%d %H:%M%z"  # with the offset: the readings do not depend on TIME_ZONE

# 302 for anon means "redirected to the login page"; 405 is a POST-only page.
UI_MATRIX = """
                                      anon adm cmp fin mgt mfg out qua mch prt oth
regrind:setup                          302 200 200 200 200 200 200 200 200 404 404
regrind:lines                          302 200 200 200 200 200 200 200 404 404 404
regrind:line_create                    302 200 404 404 404 200 404 404 404 404 404
regrind:line_edit                      302 200 404 404 404 200 404 404 404 404 404
regrind:units                          302 200 200 200 200 200 200 200 200 404 404
regrind:unit_create                    302 200 404 404 404 200 404 404 404 404 404
regrind:unit_edit                      302 200 404 404 404 200 404 404 404 404 404
regrind:products                       302 200 200 200 200 200 200 200 404 404 404
regrind:product_create                 302 200 404 404 404 200 404 404 404 404 404
regrind:product_edit                   302 200 404 404 404 200 404 404 404 404 404
regrind:runs                           302 200 200 200 200 200 200 200 404 404 404
regrind:shifts                         302 200 200 200 200 200 200 200 404 404 404
regrind:shift_create                   302 200 404 404 404 200 404 404 404 404 404
regrind:shift_edit                     302 200 404 404 404 200 404 404 404 404 404
regrind:roster                         302 200 200 200 200 200 200 200 404 404 404
regrind:roster_generate                302 405 405 405 405 405 405 405 405 405 405
regrind:assignment_create              302 405 405 405 405 405 405 405 405 405 405
regrind:assignment_delete              302 405 405 405 405 405 405 405 405 405 405
regrind:home                           302 200 200 200 200 200 200 200 404 404 404
regrind:line                           302 200 200 200 200 200 200 200 404 404 404
regrind:chart_create                   302 200 404 404 404 200 404 200 404 404 404
regrind:chart                          302 200 200 200 200 200 200 200 404 404 404
regrind:chart_rules                    302 405 405 405 405 405 405 405 405 405 405
regrind:chart_baseline                 302 405 405 405 405 405 405 405 405 405 405
regrind:signals                        302 200 200 200 200 200 200 200 404 404 404
regrind:signal_ack                     302 200 200 200 200 200 200 200 404 404 404
regrind:ingests                        302 200 200 200 200 200 200 200 200 404 404
regrind:ingest_upload                  302 200 404 404 404 200 404 404 200 404 404
regrind:ingest                         302 200 200 200 200 200 200 200 200 404 404
regrind:ranking                        302 200 200 200 200 200 200 200 404 404 404
regrind:ranking_compute                302 405 405 405 405 405 405 405 405 405 405
regrind:ranking_finalize               302 405 405 405 405 405 405 405 405 405 405
"""

# regrind:ingest is the machine's own ingest (a post with a refused row).
API_MATRIX = """
                                                  anon adm cmp fin mgt mfg out qua mch prt oth
GET /regrind/lines                                 401 200 200 200 200 200 200 200 200 200 200
POST /regrind/lines                                401 201 403 403 403 201 403 403 403 403 403
GET /regrind/lines/{line_id}                       401 200 200 200 200 200 200 200 404 404 404
PATCH /regrind/lines/{line_id}                     401 200 404 404 404 200 404 404 404 404 404
POST /regrind/lines/{line_id}/roster               401 201 403 403 403 201 403 403 404 404 404
GET /regrind/units                                 401 200 200 200 200 200 200 200 200 200 200
POST /regrind/units                                401 201 403 403 403 201 403 403 403 403 403
GET /regrind/units/{unit_id}                       401 200 200 200 200 200 200 200 200 404 404
PATCH /regrind/units/{unit_id}                     401 200 404 404 404 200 404 404 404 404 404
GET /regrind/products                              401 200 200 200 200 200 200 200 200 200 200
POST /regrind/products                             401 201 403 403 403 201 403 403 403 403 403
GET /regrind/products/{product_id}                 401 200 200 200 200 200 200 200 404 404 404
PATCH /regrind/products/{product_id}               401 200 404 404 404 200 404 404 404 404 404
GET /regrind/runs                                  401 200 200 200 200 200 200 200 200 200 200
POST /regrind/runs                                 401 201 403 403 403 201 403 403 403 403 403
GET /regrind/runs/{run_id}                         401 200 200 200 200 200 200 200 404 404 404
GET /regrind/shifts                                401 200 200 200 200 200 200 200 200 200 200
POST /regrind/shifts                               401 201 403 403 403 201 403 403 403 403 403
GET /regrind/shifts/{shift_id}                     401 200 200 200 200 200 200 200 404 404 404
PATCH /regrind/shifts/{shift_id}                   401 200 404 404 404 200 404 404 404 404 404
GET /regrind/shift-assignments                     401 200 200 200 200 200 200 200 200 200 200
POST /regrind/shift-assignments                    401 201 403 403 403 201 403 403 403 403 403
GET /regrind/shift-assignments/{assignment_id}     401 200 200 200 200 200 200 200 404 404 404
DELETE /regrind/shift-assignments/{assignment_id}  401 204 404 404 404 204 404 404 404 404 404
POST /regrind/readings                             401 200 403 403 403 200 403 403 200 403 403
POST /regrind/readings/csv                         401 200 403 403 403 200 403 403 200 403 403
GET /regrind/ingests                               401 200 200 200 200 200 200 200 200 200 200
GET /regrind/ingests/{ingest_id}                   401 200 200 200 200 200 200 200 200 404 404
GET /regrind/charts                                401 200 200 200 200 200 200 200 200 200 200
POST /regrind/charts                               401 201 403 403 403 201 403 201 403 403 403
GET /regrind/charts/{chart_id}                     401 200 200 200 200 200 200 200 404 404 404
PATCH /regrind/charts/{chart_id}                   401 200 404 404 404 200 404 200 404 404 404
POST /regrind/charts/{chart_id}/baseline           401 201 403 403 403 201 403 201 403 403 403
GET /regrind/charts/{chart_id}/points              401 200 200 200 200 200 200 200 404 404 404
GET /regrind/signals                               401 200 200 200 200 200 200 200 200 200 200
POST /regrind/signals/{signal_id}/acknowledge      401 200 403 403 403 200 403 200 403 403 403
GET /regrind/rankings                              401 200 200 200 200 200 200 200 200 200 200
POST /regrind/rankings                             401 201 403 403 403 201 403 201 403 403 403
GET /regrind/rankings/{ranking_id}                 401 200 200 200 200 200 200 200 404 404 404
POST /regrind/rankings/{ranking_id}/finalize       401 200 403 403 200 403 403 403 403 403 403
"""


def _local(hour: int, minutes: int = 0) -> datetime.datetime:
    """``minutes`` after ``hour`` o'clock on DAY, company time."""
    start = datetime.datetime(DAY.year, DAY.month, DAY.day, hour, tzinfo=TZ)
    return start + datetime.timedelta(minutes=minutes)


API_BODIES = {
    "POST /regrind/lines": {"code": "MX-NEW", "name": "New line"},
    "PATCH /regrind/lines/{line_id}": {"name": "Renamed line"},
    "POST /regrind/lines/{line_id}/roster": lambda world: {
        "teams": [world.objects.regrind.team.pk],
        "shifts": [world.objects.regrind.shift.pk],
        "start": "2026-04-06",
        "end": "2026-04-07",
    },
    "POST /regrind/units": lambda world: {
        "line": world.objects.regrind.line.pk,
        "code": "MX-DOSER-NEW",
        "name": "New doser",
    },
    "PATCH /regrind/units/{unit_id}": {"name": "Renamed doser"},
    "POST /regrind/products": {
        "code": "MX-P-NEW",
        "name": "New cover",
        "target_ratio": "15",
        "tolerance": "1.5",
        "max_ratio": "18",
        "nominal_batch_kg": "5",
        "virgin_price_per_kg": "12",
        "regrind_price_per_kg": "4",
        "risk_cost_per_kg": "30",
    },
    "PATCH /regrind/products/{product_id}": {"name": "Renamed housing"},
    "POST /regrind/runs": lambda world: {
        "line": world.objects.regrind.line.pk,
        "product": world.objects.regrind.spare_product.pk,
        "starts_at": "2026-04-01T00:00:00+08:00",
    },
    "POST /regrind/shifts": {"code": "MX-LATE", "name": "Late", "start_time": "14:00", "hours": 8},
    "PATCH /regrind/shifts/{shift_id}": {"name": "Renamed shift"},
    "POST /regrind/shift-assignments": lambda world: {
        "line": world.objects.regrind.line.pk,
        "team": world.objects.regrind.team.pk,
        "shift": world.objects.regrind.shift.pk,
        "day": "2026-04-08",
    },
    "POST /regrind/readings": {
        "readings": [{"machine": UNIT, "timestamp": "2026-03-02 13:30+08:00", "ratio": "20.1"}]
    },
    "POST /regrind/charts": lambda world: {
        "unit": world.objects.regrind.unit.pk,
        "kind": "xbar_r",
        "subgroup_size": 5,
    },
    "PATCH /regrind/charts/{chart_id}": {"rules": ["we1", "we2"]},
    "POST /regrind/charts/{chart_id}/baseline": {
        "start": "2026-03-02T06:00:00+08:00",
        "end": "2026-03-02T10:50:00+08:00",
        "note": "Matrix.",
    },
    "POST /regrind/signals/{signal_id}/acknowledge": {"note": "Matrix."},
    "POST /regrind/rankings": {"month": "2026-03", "min_readings": 1},
    "POST /regrind/rankings/{ranking_id}/finalize": {},
}

# The baseline readings wobble around the target; the machine's later post holds one far off
# (a signal) and one row it cannot read (refused, kept with the ingest).
BASELINE = [20.0, 20.3, 19.8, 20.1, 19.6, 20.4, 20.2, 19.9, 20.5, 19.7]


def build(objects: SimpleNamespace, users: dict) -> None:
    """The plant, its readings, a chart with limits, a signal and a ranking, as
    ``objects.regrind``; the records are made through the services, as the pages make them."""
    from partnerdesk.organisation.models import Department, Team
    from partnerdesk.regrind.services import charts, ingest, monitoring, plant, ranking

    admin, machine = users["administrator"], users["machine"]
    department, _created = Department.objects.get_or_create(
        kind="manufacturing", defaults={"name": "Manufacturing center"}
    )
    team = Team.objects.create(department=department, name="Regrind crew")
    line = plant.line_create(user=admin, data={"code": "MX-L1", "name": "Matrix line"})
    unit = plant.unit_create(user=admin, data={"line": line, "code": UNIT, "name": "Doser"})
    product, spare_product = (
        plant.product_create(
            user=admin,
            data={
                "code": code,
                "name": name,
                "target_ratio": "20",
                "tolerance": "2",
                "max_ratio": "25",
                "nominal_batch_kg": "5",
                "virgin_price_per_kg": "12",
                "regrind_price_per_kg": "4",
                "risk_cost_per_kg": "30",
            },
        )
        for code, name in (("MX-P20", "Matrix housing"), ("MX-P21", "Matrix bracket"))
    )
    run = plant.product_run_start(user=admin, line=line, product=product, starts_at=_local(0))
    shift = plant.shift_create(
        user=admin,
        data={"code": "MX-EARLY", "name": "Early", "start_time": datetime.time(6), "hours": 8},
    )
    assignment = plant.assignment_create(user=admin, line=line, team=team, shift=shift, day=DAY)
    spare_assignment = plant.assignment_create(
        user=admin, line=line, team=team, shift=shift, day=DAY + datetime.timedelta(days=1)
    )

    # 30 baseline readings from 06:00, every ten minutes, uploaded as a CSV file
    rows = [
        f"{UNIT},{_local(6, 10 * k):{STAMP}},B{k},,,{BASELINE[k % 10] + k % 3 / 10}"
        for k in range(30)
    ]
    header = "machine,timestamp,batch,regrind_kg,virgin_kg,ratio\n"
    csv_ingest = ingest.readings_ingest_csv(
        user=admin, stream=io.BytesIO((header + "\n".join(rows)).encode()), filename="b.csv"
    )
    chart = charts.chart_create(user=admin, unit=unit, kind="imr")
    charts.chart_set_baseline(user=admin, chart=chart, start=_local(6), end=_local(10, 50))
    post = [
        {"machine": UNIT, "timestamp": f"{_local(11, 10 * k):{STAMP}}", "ratio": value}
        for k, value in enumerate(["20.1", "19.9", "35", "20.2", "abc", "20.0"])
    ]
    machine_ingest = ingest.readings_ingest_rows(user=machine, rows=post)
    assert (machine_ingest.stored, machine_ingest.refused) == (5, 1)
    assert monitoring.monitor_charts(unit_ids=[unit.pk]) >= 1
    chart.refresh_from_db()
    objects.regrind = SimpleNamespace(
        team=team,
        line=line,
        unit=unit,
        product=product,
        spare_product=spare_product,
        run=run,
        shift=shift,
        assignment=assignment,
        spare_assignment=spare_assignment,
        csv_ingest=csv_ingest,
        ingest=machine_ingest,
        chart=chart,
        signal=chart.signals.order_by("point_at", "rule").first(),
        ranking=ranking.ranking_compute(user=admin, month=MONTH, min_readings=1),
    )


def ui_pks(objects: SimpleNamespace) -> dict:
    """The record each regrind page with an id in its URL is opened on."""
    r = objects.regrind
    by_record = [
        (r.line, "line_edit roster_generate assignment_create line"),
        (r.unit, "unit_edit"),
        (r.product, "product_edit"),
        (r.shift, "shift_edit"),
        (r.assignment, "assignment_delete"),
        (r.chart, "chart chart_rules chart_baseline"),
        (r.signal, "signal_ack"),
        (r.ingest, "ingest"),
        (r.ranking, "ranking_finalize"),
    ]
    return {
        f"regrind:{name}": (lambda pk=record.pk: pk)
        for record, names in by_record
        for name in names.split()
    }


def api_ids(objects: SimpleNamespace, key: str) -> dict:
    """The ids of a regrind operation ``key`` (all of them for an empty key); none for other
    operations: ``line_id`` also names a receipt line in finance's paths."""
    if key and " /regrind/" not in key:
        return {}
    r = objects.regrind
    return {
        "line_id": r.line.pk,
        "unit_id": r.unit.pk,
        "product_id": r.product.pk,
        "run_id": r.run.pk,
        "shift_id": r.shift.pk,
        # DELETE: the next day's assignment (no readings were taken in it)
        "assignment_id": (r.spare_assignment if key.startswith("DELETE") else r.assignment).pk,
        "ingest_id": r.ingest.pk,
        "chart_id": r.chart.pk,
        "signal_id": r.signal.pk,
        "ranking_id": r.ranking.pk,
    }


def csv_upload(client, path: str, headers: dict):
    """``POST /regrind/readings/csv``: a file of one reading after the machine's post."""
    data = f"machine,timestamp,ratio\n{UNIT},2026-03-02 13:40+08:00,20.2\n".encode()
    return client.post(path, {"file": SimpleUploadedFile("r.csv", data)}, **headers)
