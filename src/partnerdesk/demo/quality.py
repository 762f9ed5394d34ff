"""Demo quality module: inspection standards for regrind and moulded parts, a lot inspection
on every receipt line of the finance demo that has a standard (readings drawn around the
targets with a seeded random, mostly accepted; the rejected ones with their dispositions and
one still waiting, so finance blocks its invoice; one supplier switched to tightened
inspection by the switching rules), the audit programme (``quality_audits``),
nonconformances from lots, an audit, a customer complaint and production (one a repeat), 8D
actions in every state, and cost events (one corrected).

Everything is written through the quality services, as the quality engineer, the
manufacturing user or the partner users, in date order (``_run``), so lot numbers, switching
rules and repeat detection follow the calendar. Records are looked up by natural key first
(receipt line, schedule, title, description), so loading twice adds nothing. The services
stamp times with now; each record is dated back to its day right after it is written.
"""

import datetime
import random
from decimal import Decimal

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from partnerdesk.accounts.models import User
from partnerdesk.demo.finance_aging import backdate_exceptions
from partnerdesk.demo.finance_data import PARTNERS as FINANCE_PARTNERS
from partnerdesk.demo.quality_audits import audit_steps, aware, plan_due_audits
from partnerdesk.demo.quality_data import (
    ACTIONS_8D,
    BAG_KG,
    COSTS,
    HAND_NCS,
    LOTS,
    READINGS,
    STANDARDS,
)
from partnerdesk.finance.models import GoodsReceiptLine, ItemCategory
from partnerdesk.notifications.models import Notification
from partnerdesk.notifications.services import notification_mark_read
from partnerdesk.organisation.models import Team
from partnerdesk.partners.models import Partner
from partnerdesk.quality.choices import (
    AuditStatus,
    LotStatus,
    NCStatus,
    ParameterKind,
    StageStatus,
)
from partnerdesk.quality.engines import eightd
from partnerdesk.quality.models import (
    Audit,
    CorrectiveAction,
    CostEvent,
    DefectType,
    EightDStage,
    InspectionStandard,
    LotInspection,
    Nonconformance,
)
from partnerdesk.quality.services import costs, inspection, nonconformance as ncs

D = datetime.timedelta(days=1)
AUDIT_ACTIONS = {"CMO-SZP": "szp_calibration"}  # the major audit finding's 8D


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _standards(user) -> None:
    for code, name, applies, level, aql, notes, parameters in STANDARDS:
        standard = InspectionStandard.objects.filter(code=code).first()
        if standard is None:
            data = {"code": code, "name": name, "level": level, "aql": Decimal(aql)}
            data |= {"notes": notes, "item": applies.get("item", "")}
            if "category" in applies:
                data["category"] = ItemCategory.objects.get(code=applies["category"])
            standard = inspection.standard_create(user=user, data=data)
        if standard.parameters.exists():
            continue
        for p_code, p_name, kind, unit, target, low, high, p_min, p_max, defect in parameters:
            data = {"code": p_code, "name": p_name, "kind": kind, "unit": unit}
            data |= {"target": _dec(target), "lower_limit": _dec(low), "upper_limit": _dec(high)}
            data |= {"plausible_min": _dec(p_min), "plausible_max": _dec(p_max)}
            data["defect_type"] = DefectType.objects.get(code=defect)
            inspection.parameter_add(user=user, standard=standard, data=data)


# --- lots --------------------------------------------------------------------------------------


def _value(parameter, rng: random.Random, defective: bool, side: int | None) -> Decimal:
    mean, sigma, places, bad = READINGS[parameter.standard.code][parameter.code]
    step = Decimal(1).scaleb(-places)
    if defective:
        low, high = rng.choice(bad) if side is None else bad[side]
        return Decimal(str(rng.uniform(float(low), float(high)))).quantize(step)
    mean, sigma = Decimal(mean), Decimal(sigma)
    value = Decimal(str(rng.gauss(float(mean), float(sigma)))).quantize(step)
    low = (parameter.lower_limit, parameter.plausible_min, mean - 3 * sigma)
    high = (parameter.upper_limit, parameter.plausible_max, mean + 3 * sigma)
    floor = max(x for x in low if x is not None)
    return min(max(value, floor), min(x for x in high if x is not None))


def _readings(lot: LotInspection, spec: dict, rng: random.Random) -> list:
    """One reading per sample unit and parameter; the units found defective are drawn at
    random. An accepted lot now and then holds one nonconforming unit (within Ac)."""
    parameters = list(lot.standard.parameters.select_related("standard").order_by("position"))
    defects = dict(spec.get("defects", {}))
    if not defects and lot.accept_number and rng.random() < 0.25:
        defects = {rng.choice(parameters).code: 1}
    units = iter(rng.sample(range(1, lot.sample_size + 1), sum(defects.values())))
    bad: dict[int, set[str]] = {}
    for code, count in defects.items():
        for _unit in range(count):
            bad.setdefault(next(units), set()).add(code)
    rows = []
    for unit in range(1, min(lot.sample_size, spec.get("partial", lot.sample_size)) + 1):
        for parameter in parameters:
            defective = parameter.code in bad.get(unit, ())
            if parameter.kind == ParameterKind.ATTRIBUTE:
                value = "0" if defective else "1"
            else:
                side = spec.get("side", {}).get(parameter.code)
                value = str(_value(parameter, rng, defective, side))
            rows.append(inspection.ReadingRow(unit, parameter.code, value))
    return rows


def _lot_step(users, line: GoodsReceiptLine, seed: int, today: datetime.date):
    def step() -> None:
        quality = users["zhang.wei"]
        spec = LOTS.get((line.receipt.number, line.line_no), {})
        lot = LotInspection.objects.filter(receipt_line=line).first()
        received = line.receipt.received_on
        if lot is None:
            bags = line.order_line.unit == "kg"
            size = int(line.quantity_received / BAG_KG) if bags else None
            lot = inspection.lot_open(user=quality, receipt_line=line, lot_size=size)
            opened = aware(received, 10, 5 * line.line_no)
            LotInspection.objects.filter(pk=lot.pk).update(created_at=opened)
        if lot.status != LotStatus.OPEN or lot.readings.exists():
            return
        rng = random.Random(f"{seed}-{line.receipt.number}-{line.line_no}")
        rows = _readings(lot, spec, rng)
        lot = inspection.readings_record(user=quality, inspection=lot, rows=rows)
        if lot.status == LotStatus.OPEN:  # still being read
            return
        decided = aware(received + D, 14, 10 * line.line_no)
        LotInspection.objects.filter(pk=lot.pk).update(decided_at=decided)
        if lot.status == LotStatus.REJECTED:
            _rejected(users, lot, spec, decided, today)

    return step


def _rejected(users, lot, spec: dict, decided: datetime.datetime, today: datetime.date) -> None:
    """The nonconformance a rejected lot opened, dated to the decision; the disposition, a
    closure or a corrective action as ``LOTS`` says."""
    quality = users["zhang.wei"]
    day = timezone.localdate(decided)
    nc = Nonconformance.objects.get(lot_inspection=lot)
    Nonconformance.objects.filter(pk=nc.pk).update(detected_on=day, created_at=decided)
    if "repeat_note" in spec and nc.repeat_of_id:
        previous = nc.repeat_of
        action = CorrectiveAction.objects.filter(nonconformance=previous).first()
        note = spec["repeat_note"].format(
            previous=previous.number, action=action.number if action else "-"
        )
        ncs.nc_update(user=quality, nc=nc, data={"description": f"{nc.description}\n\n{note}"})
    if "dispose" in spec:
        disposition, days, note, extra = spec["dispose"]
        inspection.lot_dispose(
            user=quality, inspection=lot, disposition=disposition, note=note, **extra
        )
        at = aware(day + days * D, 11)
        LotInspection.objects.filter(pk=lot.pk).update(disposed_at=at)
        CostEvent.objects.filter(lot_inspection=lot).update(occurred_on=at.date(), recorded_at=at)
    if "close" in spec:
        days, note = spec["close"]
        ncs.nc_close(user=quality, nc=nc, note=note)
        Nonconformance.objects.filter(pk=nc.pk).update(closed_at=aware(day + days * D, 16))
    if "action" in spec:
        _story(users, nc, ACTIONS_8D[spec["action"]], day, today)


# --- 8D ----------------------------------------------------------------------------------------


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _story(users, nc, story: dict, detected: datetime.date, today: datetime.date) -> None:
    """Open the nonconformance's 8D and play its events, each dated to its day."""
    if CorrectiveAction.objects.filter(nonconformance=nc).exists():
        return
    quality, submitter = users["zhang.wei"], users[story["submitter"]]
    opened = aware(detected + story["opened_after"] * D, 10)
    action = ncs.action_open(user=quality, nc=nc)
    CorrectiveAction.objects.filter(pk=action.pk).update(opened_at=opened, created_at=opened)
    offsets = ncs.stage_offsets()
    for number, due in eightd.due_times(opened, offsets).items():
        EightDStage.objects.filter(action=action, stage=number).update(due_at=due)
    stages = EightDStage.objects.filter(action=action)
    for day, hour, kind, *rest in story["events"]:
        at = aware(timezone.localdate(opened) + day * D, hour)
        stage = stages.get(stage=rest[0]) if kind in ("submit", "accept", "back", "due") else None
        if kind == "submit":
            content = story["texts"][stage.stage]
            ncs.stage_submit(user=submitter, stage=stage, content=content)
            stages.filter(pk=stage.pk).update(submitted_at=at)
        elif kind in ("accept", "back"):
            if kind == "accept":
                ncs.stage_accept(user=quality, stage=stage)
            else:
                ncs.stage_send_back(user=quality, stage=stage, note=rest[1])
            stages.filter(pk=stage.pk).update(reviewed_at=at)
        elif kind == "due":
            days, reason = rest[1]
            due = _moment(today + days * D, 17)
            ncs.stage_set_due(user=quality, stage=stage, due_at=due, reason=reason)
        elif kind in ("effective", "not_effective"):
            ncs.effectiveness_record(user=quality, action=action, result=kind, note=rest[0])
            CorrectiveAction.objects.filter(pk=action.pk).update(effectiveness_checked_at=at)
            if kind == "not_effective":  # D4 to D8 sent back, due again from the check
                for number in eightd.REOPENED_ON_INEFFECTIVE:
                    due = at + offsets[number]
                    stages.filter(stage=number).update(reviewed_at=at, due_at=due)
        elif kind == "close":
            ncs.action_close(user=quality, action=action)
            on_time = at <= stages.get(stage=8).due_at
            CorrectiveAction.objects.filter(pk=action.pk).update(
                closed_at=at, closed_on_time=on_time
            )
            Nonconformance.objects.filter(pk=nc.pk).update(closed_at=at)


def _audit_step(users, step, today: datetime.date):
    """An audit step, followed by the 8D of its major finding where ``AUDIT_ACTIONS`` has
    one."""

    def run() -> None:
        audit: Audit = step()
        story = AUDIT_ACTIONS.get(audit.partner.code)
        if story and audit.status == AuditStatus.CLOSED:
            for nc in Nonconformance.objects.filter(audit_answer__audit=audit):
                _story(users, nc, ACTIONS_8D[story], audit.planned_date, today)

    return run


# --- nonconformances and costs recorded by hand ------------------------------------------------


def _hand_nc_step(users, spec: dict, today: datetime.date):
    def step() -> None:
        detected = today - spec["days_ago"] * D
        nc = Nonconformance.objects.filter(title=spec["title"]).first()
        if nc is None:
            partner = Partner.objects.get(code=spec["partner"]) if spec["partner"] else None
            data = {"partner": partner, "source": spec["source"], "title": spec["title"]}
            data |= {"defect_type": DefectType.objects.get(code=spec["defect"])}
            data |= {"description": spec["description"], "detected_on": detected}
            data |= {"reported_severity": spec["severity"], "unit": spec["unit"]}
            data |= {"quantity_affected": spec["quantity"], "cost_amount": spec["cost"]}
            data |= {"currency": "CNY", "customer_reference": spec["customer_reference"]}
            nc = ncs.nc_create(user=users[spec["user"]], data=data)
            Nonconformance.objects.filter(pk=nc.pk).update(created_at=aware(detected, 11))
        if "close" in spec and nc.status == NCStatus.OPEN:
            days, note = spec["close"]
            ncs.nc_close(user=users["zhang.wei"], nc=nc, note=note)
            closed = aware(detected + days * D, 16)
            Nonconformance.objects.filter(pk=nc.pk).update(closed_at=closed)
        if "action" in spec:
            _story(users, nc, ACTIONS_8D[spec["action"]], detected, today)

    return step


def _cost_step(users, row, today: datetime.date):
    _key, username, days_ago, spec, correction = row

    def step() -> None:
        day = today - days_ago * D
        event = CostEvent.objects.filter(description=spec["description"], corrects=None).first()
        if event is None:
            data = {k: spec[k] for k in ("kind", "amount", "quantity", "unit", "chargeback")}
            data |= {"description": spec["description"], "occurred_on": day, "currency": "CNY"}
            if spec.get("partner"):
                data["partner"] = Partner.objects.get(code=spec["partner"])
            if spec.get("team"):
                data["team"] = Team.objects.filter(name=spec["team"]).first()
            if spec.get("nc"):
                title = HAND_NCS[spec["nc"]]["title"]
                data["nonconformance"] = Nonconformance.objects.get(title=title)
            event = costs.cost_record(user=users[username], data=data)
            CostEvent.objects.filter(pk=event.pk).update(recorded_at=aware(day, 17))
        if correction and not event.corrections.exists():
            days, amount, reason = correction
            written = costs.cost_correct(
                user=users["zhang.wei"], event=event, amount=amount, reason=reason
            )
            at = aware(today - days * D, 10)
            CostEvent.objects.filter(pk__in=[e.pk for e in written]).update(recorded_at=at)

    return step


# --- the loader --------------------------------------------------------------------------------


def _lines():
    """The finance demo's receipt lines whose item has an inspection standard, by date.

    Order lines delivered in parts are left uninspected: recording an inspection matches the
    order line's invoices again, and the 3-way basis (everything received to date) would
    read the first delivery's invoice, matched when it came, as under-billed once the second
    delivery is in."""
    codes = [spec[0] for spec in FINANCE_PARTNERS]
    split = (
        GoodsReceiptLine.objects.values("order_line_id")
        .annotate(deliveries=Count("id"))
        .filter(deliveries__gt=1)
        .values("order_line_id")
    )
    lines = (
        GoodsReceiptLine.objects.filter(receipt__partner__code__in=codes)
        .exclude(order_line_id__in=split)
        .select_related("receipt", "order_line__order")
        .order_by("receipt__received_on", "receipt__number", "line_no")
    )
    return [line for line in lines if inspection.standard_for(line) is not None]


def _read_handled(people) -> None:
    """The services notify with now, also of the stories' past events. Notices of what was
    dealt with since (8Ds answered, submissions reviewed, nonconformances closed) have been
    read; the overdue stages, the audits planned, a stage sent back and what is still open
    stay unread."""
    waiting = EightDStage.objects.filter(status=StageStatus.SUBMITTED).values("action_id")
    actions = CorrectiveAction.objects.exclude(pk__in=waiting).values_list("pk", flat=True)
    closed = Nonconformance.objects.filter(status=NCStatus.CLOSED).values_list("pk", flat=True)
    links = [reverse("quality:action_detail", args=[pk]) for pk in actions]
    links += [reverse("quality:nc_detail", args=[pk]) for pk in closed]
    for user in people:
        handled = Notification.objects.filter(
            recipient=user, read_at=None, kind__in=("8d_opened", "8d_submitted", "nonconformance")
        ).filter(link__in=links)
        ids = list(handled.values_list("pk", flat=True))
        if ids:
            notification_mark_read(user=user, ids=ids)


def _run(steps) -> None:
    """Run (day, step) pairs in date order; on the same day audits, lots, then the rest."""
    for _day, _order, _seq, step in sorted(
        (day, order, seq, step) for seq, (day, order, step) in enumerate(steps)
    ):
        step()


def load_quality_demo(*, seed: int = 2026, today: datetime.date | None = None) -> dict:
    """The quality module's demo data (see the module docstring). Returns counts to print."""
    today = today or timezone.localdate()
    names = ["zhang.wei", "chen.jie", "tan.mei", "huang.lei"]
    users = {user.username: user for user in User.objects.filter(username__in=names)}
    _standards(users["zhang.wei"])
    steps = [
        (day, 0, _audit_step(users, step, today)) for day, step in audit_steps(users, today, seed)
    ]
    for line in _lines():
        steps.append((line.receipt.received_on, 1, _lot_step(users, line, seed, today)))
    for spec in HAND_NCS.values():
        steps.append((today - spec["days_ago"] * D, 2, _hand_nc_step(users, spec, today)))
    steps += [(today - row[2] * D, 3, _cost_step(users, row, today)) for row in COSTS]
    _run(steps)
    _read_handled(users.values())
    ncs.notify_overdue_stages()
    plan_due_audits(today)
    backdate_exceptions()  # the matches the inspections ran opened exceptions: date them too
    return {
        "lot_inspections": LotInspection.objects.count(),
        "audits": Audit.objects.count(),
        "nonconformances": Nonconformance.objects.count(),
        "corrective_actions": CorrectiveAction.objects.count(),
        "cost_events": CostEvent.objects.count(),
    }
