"""Demo regrind module: the manufacturing center as a living plant.

Three moulding lines with two dosing units each and a product with its regrind specification,
six teams on the early and late shift (rosters from 13 weeks back to 2 weeks ahead, the two
teams of a line swapping shifts every week), and 13 weeks of readings up to now: one batch
every 10 minutes per unit during the shifts, uploaded as the lines' monthly CSV exports (one
with a few bad rows, one sent twice) and the latest two hours as machine posts. Each team
doses with its own precision; DU-L2-A drifts over the second month until its load cell is
recalibrated, DU-L3-B doses 2.5 points more regrind for the last two weeks, DU-L1-B's hopper
bridged twice. I-MR charts on every unit and an X̄-R chart on DU-L1-A take their limits from
the first three weeks; the monitoring then raises the signals, a few older ones are
acknowledged, and the rankings of the last two months (the older one final) and of this month
to date are computed.

Everything goes through the services. The readings are drawn with a generator seeded by
``seed`` and dated relative to ``today``; they are loaded only while the demo units have none,
and every other record is looked up by its natural key first, so loading twice adds nothing.
"""

import datetime
import io
import math
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import F
from django.utils import timezone

from partnerdesk.accounts.models import User
from partnerdesk.demo import regrind_data as data
from partnerdesk.organisation.models import Department, Person, Team
from partnerdesk.organisation.services import team_update
from partnerdesk.regrind.choices import ChartKind, SignalStatus
from partnerdesk.regrind.models import (
    ControlChart,
    DosingUnit,
    PrecisionRanking,
    ProductionLine,
    ProductRun,
    Reading,
    ReadingIngest,
    RegrindProduct,
    Shift,
    Signal,
)
from partnerdesk.regrind.services import plant
from partnerdesk.regrind.services.charts import chart_create, chart_set_baseline
from partnerdesk.regrind.services.ingest import readings_ingest_csv, readings_ingest_rows
from partnerdesk.regrind.services.monitoring import monitor_charts
from partnerdesk.regrind.services.ranking import ranking_compute, ranking_finalize

D = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)
SLOT = datetime.timedelta(minutes=data.INTERVAL_MIN)
LINE_OF = {unit[0]: line[0] for line in data.LINES for unit in line[5]}
RULES = ["we1", "we2", "we3", "we4", "d1"]


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _parity(day: datetime.date) -> int:
    """0 or 1 by the week ``day`` is in: line teams swap shifts between the two."""
    return ((day.toordinal() - 1) // 7) % 2


def _weekday_before(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day -= D
    return day


# --- the plant ---------------------------------------------------------------------------------


def _plant(users, start: datetime.date):
    admin, chen = users["admin"], users["chen.jie"]
    shifts = [
        Shift.objects.filter(code=code).first()
        or plant.shift_create(
            user=admin, data={"code": code, "name": name, "start_time": begins, "hours": hours}
        )
        for code, name, begins, hours in data.SHIFTS
    ]
    products = {}
    for code, name, *figures in data.PRODUCTS:
        target, tolerance, maximum, batch, virgin, regrind, risk = map(Decimal, figures)
        products[code] = RegrindProduct.objects.filter(code=code).first() or plant.product_create(
            user=admin,
            data={
                "code": code,
                "name": name,
                "target_ratio": target,
                "tolerance": tolerance,
                "max_ratio": maximum,
                "nominal_batch_kg": batch,
                "currency": "CNY",
                "virgin_price_per_kg": virgin,
                "regrind_price_per_kg": regrind,
                "risk_cost_per_kg": risk,
            },
        )
    lines, units = {}, {}
    for code, name, notes, product, manager, unit_rows in data.LINES:
        line = ProductionLine.objects.filter(code=code).first()
        if line is None:
            boss = Person.objects.filter(full_name=manager).first()
            line = plant.line_create(
                user=admin, data={"code": code, "name": name, "notes": notes, "manager": boss}
            )
        for unit_code, unit_name, _offset in unit_rows:
            units[unit_code] = DosingUnit.objects.filter(code=unit_code).first() or (
                plant.unit_create(
                    user=admin, data={"line": line, "code": unit_code, "name": unit_name}
                )
            )
        if not ProductRun.objects.filter(line=line).exists():
            since = _at(start - 14 * D, datetime.time(6))
            plant.product_run_start(
                user=chen, line=line, product=products[product], starts_at=since
            )
        lines[code] = line
    return shifts, products, lines, units


def _teams(users) -> dict[str, Team]:
    """The six line teams; the manufacturing demo user leads Line 1 team A."""
    department = Department.objects.get(kind="manufacturing")
    teams = {
        name: Team.objects.get_or_create(department=department, name=name)[0]
        for rows in data.TEAMS.values()
        for name, _sigma, _bias in rows
    }
    lead = Person.objects.filter(user=users["chen.jie"]).first()
    team = teams[data.CHEN_JIE_TEAM]
    if lead is not None and team.lead_id != lead.pk:
        teams[team.name] = team_update(user=users["admin"], team=team, data={"lead": lead})
    return teams


def _rosters(user, lines, teams, shifts, start: datetime.date, today: datetime.date) -> None:
    """Monday to Friday, week by week: in even weeks a line's first team works early."""
    last = today + data.ROSTER_WEEKS_AHEAD * 7 * D
    monday = start
    while monday <= last:
        for code, line in lines.items():
            order = [teams[name] for name, _sigma, _bias in data.TEAMS[code]]
            if _parity(monday):
                order.reverse()
            plant.roster_generate(
                user=user, line=line, teams=order, shifts=shifts, start=monday, end=monday + 4 * D
            )
        monday += 7 * D


# --- the readings ------------------------------------------------------------------------------


class _Calendar:
    """The demo's dates: the history's first Monday, its working days and its events."""

    def __init__(self, today: datetime.date, now: datetime.datetime):
        self.today, self.now = today, now
        self.start = start = today - today.weekday() * D - data.HISTORY_WEEKS * 7 * D
        days = (start + k * D for k in range((today - start).days + 1))
        self.days = [day for day in days if day.weekday() < 5]
        drift = data.DRIFT
        self.drift = (
            _at(start + drift["start"] * D, datetime.time(6)),
            _at(start + drift["end"] * D, drift["fixed"]),
        )
        self.step_from = _at(today - data.STEP["days_ago"] * D, data.STEP["from"])
        self.baseline = (
            _at(start, datetime.time()),
            _at(start + data.BASELINE_WEEKS * 7 * D, datetime.time()),
        )
        self.episodes = [self._episode(spec) for spec in data.HOPPER_EPISODES]

    def team(self, line_code: str, shift_index: int, day: datetime.date) -> tuple:
        """(name, sigma, bias) of the team on the shift: the first team works early in even
        weeks."""
        return data.TEAMS[line_code][(shift_index + _parity(day)) % 2]

    def _episode(self, spec) -> datetime.datetime:
        """When a hopper episode starts: its slot in the shift of the hopper's team."""
        day = self.start + spec["day"] * D if "day" in spec else self.today - spec["days_ago"] * D
        day = _weekday_before(day)
        line_code = LINE_OF[data.HOPPER["unit"]]
        for index, (_code, _name, begins, _hours) in enumerate(data.SHIFTS):
            if self.team(line_code, index, day)[0] == data.HOPPER["team"]:
                return _at(day, begins) + data.HOPPER["slot"] * SLOT
        raise ValueError(data.HOPPER["team"])

    def events(self, unit_code: str, at: np.ndarray) -> np.ndarray:
        """The unit's deviation from its usual dosing at the slot times ``at`` (seconds)."""
        extra = np.zeros(len(at))
        if unit_code == data.DRIFT["unit"]:
            first, fixed = (moment.timestamp() for moment in self.drift)
            inside = (at >= first) & (at < fixed)
            extra += np.where(inside, data.DRIFT["rise"] * (at - first) / (fixed - first), 0)
        if unit_code == data.STEP["unit"]:
            extra += np.where(at >= self.step_from.timestamp(), data.STEP["step"], 0)
        if unit_code == data.HOPPER["unit"]:
            for episode in self.episodes:
                begins = episode.timestamp()
                ends = begins + data.HOPPER["batches"] * SLOT.total_seconds()
                extra -= np.where((at >= begins) & (at < ends), data.HOPPER["drop"], 0)
        return extra


def _unit_history(cal: _Calendar, rng, line_code, unit_code, offset, product) -> list[tuple]:
    """The unit's readings up to now: (time, batch, regrind kg, virgin kg, ratio). Each team
    doses with its own noise; the blender corrects each batch by part of the last error."""
    slots, sigma, bias = [], [], []
    for day in cal.days:
        for index, (_code, _name, begins, hours) in enumerate(data.SHIFTS):
            _team, team_sigma, team_bias = cal.team(line_code, index, day)
            first = _at(day, begins)
            for k in range(hours * 60 // data.INTERVAL_MIN):
                slots.append(first + k * SLOT)
                sigma.append(team_sigma)
                bias.append(team_bias)
    n, per_day = len(slots), len(slots) // len(cal.days)
    noise, mass_noise = rng.standard_normal(n), rng.standard_normal(n)
    jitter = rng.integers(0, data.JITTER_S, n)
    shocks = noise * np.asarray(sigma) * math.sqrt(1 - data.CORRECTION**2)
    wobble, previous = np.empty(n), 0.0
    for i in range(n):
        previous = wobble[i] = data.CORRECTION * previous + shocks[i]
    at = np.fromiter((slot.timestamp() for slot in slots), dtype=float, count=n)
    ratio = float(product.target_ratio) + offset + np.asarray(bias) + wobble
    ratio += cal.events(unit_code, at)
    values = np.round(ratio, 2)
    mass = float(product.nominal_batch_kg) * (1 + 0.008 * mass_noise)
    regrind = np.round(mass * values / 100, 3)
    masses = data.EXPORTS[line_code][3]
    columns = zip(
        values.tolist(),
        regrind.tolist() if masses else [None] * n,
        np.round(mass - regrind, 3).tolist() if masses else [None] * n,
        strict=True,
    )
    tag, rows = f"{unit_code[3:5]}{unit_code[-1]}", []
    for i, (value, regrind_kg, virgin_kg) in enumerate(columns):
        time = slots[i] + datetime.timedelta(seconds=int(jitter[i]))
        if time >= cal.now:
            break
        batch = f"{tag}-{time:%y%m%d}-{i % per_day + 1:03d}"
        rows.append((time, batch, regrind_kg, virgin_kg, value))
    return rows


def _csv(line_code: str, rows, extra=()) -> bytes:
    header, separator, time_format, with_masses = data.EXPORTS[line_code]
    lines = []  # (time, text) pairs, sorted below
    for unit_code, (time, batch, regrind, virgin, ratio) in rows:
        fields = [unit_code, time.strftime(time_format), batch]
        if with_masses:
            fields += [f"{regrind:.3f}", f"{virgin:.3f}"]
        lines.append((time, separator.join([*fields, f"{ratio:.2f}"])))
    lines += list(extra)
    lines.sort(key=lambda pair: pair[0])
    return ("\n".join([header, *(text for _time, text in lines)]) + "\n").encode()


def _backdate(ingest, at: datetime.datetime) -> None:
    ReadingIngest.objects.filter(pk=ingest.pk).update(
        started_at=at, finished_at=at + datetime.timedelta(seconds=3)
    )


def _readings(users, seed: int, cal: _Calendar, products) -> None:
    """The monthly exports of each line (one with bad rows, one sent twice) and the latest
    batches as the machines' posts, each ingest dated to its upload."""
    now, uploader = cal.now, users["chen.jie"]
    files, posts = defaultdict(list), defaultdict(list)
    index = 0
    for line_code, _name, _notes, product, _manager, unit_rows in data.LINES:
        for unit_code, _unit_name, offset in unit_rows:
            index += 1
            rng = np.random.default_rng([seed, index])
            rows = _unit_history(cal, rng, line_code, unit_code, offset, products[product])
            cut = max(len(rows) - data.POSTED_PER_UNIT, 0)
            for row in rows[:cut]:
                month = row[0].date().replace(day=1)  # company time
                files[(month, line_code)].append((unit_code, row))
            posts[line_code] += [(unit_code, row) for row in rows[cut:]]
    order = [code for code, *_x in data.LINES]
    months = sorted({month for month, _line in files})
    uploaded = {}
    for month, line_code in sorted(files, key=lambda key: (key[0], order.index(key[1]))):
        extra = ()
        if (line_code, months.index(month)) == data.BAD_FILE:
            day = _weekday_before(month + 9 * D)
            fmt = data.EXPORTS[line_code][2]
            rows = data.bad_rows(day, lambda t, d=day, f=fmt: _at(d, t).strftime(f))
            extra = [(_at(day, time), text) for time, text in rows]
        name = data.FILENAME.format(line=line_code, month=month)
        body = _csv(line_code, files[(month, line_code)], extra)
        ingest = readings_ingest_csv(user=uploader, stream=io.BytesIO(body), filename=name, now=now)
        following = (month + 32 * D).replace(day=1)
        at = _at(following, datetime.time(8, 20 + 6 * order.index(line_code)))
        uploaded[(line_code, months.index(month))] = (body, name, min(at, now - 20 * MINUTE))
        _backdate(ingest, uploaded[(line_code, months.index(month))][2])
    if data.RESENT_FILE in uploaded:
        body, name, at = uploaded[data.RESENT_FILE]
        ingest = readings_ingest_csv(user=uploader, stream=io.BytesIO(body), filename=name, now=now)
        _backdate(ingest, min(at + D + 45 * MINUTE, now - 10 * MINUTE))
    gateway = _machine_user() or uploader
    for line_code in order:
        rows = [
            {
                "machine": unit_code,
                "timestamp": time.isoformat(),
                "batch": batch,
                "ratio": ratio,
                **({"regrind_kg": regrind, "virgin_kg": virgin} if regrind is not None else {}),
            }
            for unit_code, (time, batch, regrind, virgin, ratio) in sorted(
                posts[line_code], key=lambda pair: pair[1][0]
            )
        ]
        if rows:
            ingest = readings_ingest_rows(user=gateway, rows=rows, now=now)
            last = max(row[1][0] for row in posts[line_code])
            _backdate(ingest, min(last + datetime.timedelta(seconds=30), now))


def _machine_user():
    """The plant's dosing gateway: a machine account that posts the units' readings."""
    group = Group.objects.filter(name="machine").first()
    if group is None:
        return None
    username, first, last = data.MACHINE_USER
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=first, last_name=last)
        user.set_unusable_password()
        user.save()
        user.groups.add(group)
    return User.objects.get(pk=user.pk)


# --- charts, signals, rankings -----------------------------------------------------------------


def _charts(user, units, cal: _Calendar) -> None:
    """An I-MR chart on every unit (the drifting one with Nelson 2 and 3 too) and an X̄-R
    chart of five on DU-L1-A, limits from the first three weeks."""
    wanted = [(code, ChartKind.INDIVIDUALS, None) for code in units]
    wanted.append(("DU-L1-A", ChartKind.XBAR_R, 5))
    for code, kind, size in wanted:
        unit = units[code]
        chart = ControlChart.objects.filter(unit=unit, kind=kind).first()
        if chart is None:
            rules = RULES + (["n2", "n3"] if code == data.DRIFT["unit"] else [])
            chart = chart_create(user=user, unit=unit, kind=kind, subgroup_size=size, rules=rules)
        if chart.limits_id is None:
            start, end = cal.baseline
            note = "The first three weeks after the blenders' annual calibration."
            chart_set_baseline(user=user, chart=chart, start=start, end=end, note=note)


def _ack_target(spec, chart, cal: _Calendar):
    """The signal a note acknowledges, and when."""
    signals = Signal.objects.filter(chart=chart, status=SignalStatus.OPEN)
    if "episode" in spec:  # the episode's first signal
        begins = cal.episodes[spec["episode"]]
        ends = begins + (data.HOPPER["batches"] + 2) * SLOT
        signal = signals.filter(point_at__range=(begins, ends)).order_by("point_at").first()
        return signal, signal and signal.point_at + spec["after"]
    if spec.get("drift"):  # the last signal before the recalibration prompted it
        began, fixed = cal.drift
        found = signals.filter(point_at__range=(began, fixed)).order_by("-point_at")
        signal = found.filter(rule="we1").first() or found.first()
        return signal, fixed + 20 * MINUTE
    # the unit's first signal, before the drift began elsewhere: a false alarm
    signal = signals.filter(point_at__lt=cal.drift[0]).order_by("point_at").first()
    return signal, signal and signal.point_at + spec["after"]


def _acknowledge(users, units, cal: _Calendar) -> None:
    """A few older signals acknowledged with their cause and action, each at its time."""
    from partnerdesk.regrind.services.signals import signal_acknowledge

    for spec in data.ACKNOWLEDGEMENTS:
        if Signal.objects.filter(note=spec["note"]).exists():
            continue
        chart = ControlChart.objects.get(unit=units[spec["unit"]], kind=ChartKind.INDIVIDUALS)
        signal, at = _ack_target(spec, chart, cal)
        if signal is None:
            continue
        signal_acknowledge(
            user=users[spec["user"]], signal=signal, note=spec["note"], with_earlier=True
        )
        Signal.objects.filter(chart_id=signal.chart_id, note=spec["note"]).update(
            acknowledged_at=min(at, cal.now)
        )


def _rankings(users, today: datetime.date, now: datetime.datetime) -> None:
    """The two full months before this one (the older final) and this month to date."""
    this = today.replace(day=1)
    last = (this - D).replace(day=1)
    before = (last - D).replace(day=1)
    for month, computed in (
        (before, _at(last, datetime.time(9, 30)) + 2 * D),
        (last, _at(this, datetime.time(9, 30))),
        (this, now),
    ):
        if not PrecisionRanking.objects.filter(month=month).exists():
            ranking = ranking_compute(user=users["chen.jie"], month=month)
            at = min(computed, now)
            PrecisionRanking.objects.filter(pk=ranking.pk).update(computed_at=at)
    older = PrecisionRanking.objects.filter(month=before).order_by("-revision").first()
    if not older.is_final:
        ranking_finalize(user=users["liu.yang"], ranking=older)


def load_regrind_demo(*, seed: int = 2026, today: datetime.date | None = None) -> dict:
    """The regrind module's demo data (see the module docstring). Returns counts to print."""
    cal = _Calendar(today or timezone.localdate(), timezone.now())
    names = ["admin", "chen.jie", "zhang.wei", "liu.yang"]
    users = {user.username: user for user in User.objects.filter(username__in=names)}
    shifts, products, lines, units = _plant(users, cal.start)
    teams = _teams(users)
    _rosters(users["chen.jie"], lines, teams, shifts, cal.start, cal.today)
    if not Reading.objects.filter(unit__in=units.values()).exists():
        _readings(users, seed, cal, products)
    _charts(users["zhang.wei"], units, cal)
    monitor_charts(unit_ids=[unit.pk for unit in units.values()])
    # Raised as the readings came in, not all at once now.
    Signal.objects.filter(chart__unit__in=units.values(), created_at__gte=cal.now).update(
        created_at=F("point_at") + MINUTE
    )
    _acknowledge(users, units, cal)
    _rankings(users, cal.today, cal.now)
    return {
        "regrind_readings": Reading.objects.count(),
        "regrind_signals": Signal.objects.count(),
        "regrind_rankings": PrecisionRanking.objects.count(),
    }
