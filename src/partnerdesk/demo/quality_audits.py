"""Demo audit programme: recurring schedules for the regrind suppliers (monthly regrind
inspection) and the main contract manufacturers (quarterly on-site audit), their closed
audits of the last months with evidence files, one audit in progress today; the audits due
soon are planned by ``plan_scheduled_audits`` like the daily job does.

A schedule is the natural key: when it exists, its history was loaded with it. Audits are
written through the services (plan, start, answer, evidence, close) and then dated back to
their planned day.
"""

import datetime
import random
import struct
import zlib
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from partnerdesk.quality.choices import AuditStatus, QuestionKind
from partnerdesk.quality.models import (
    Audit,
    AuditAnswer,
    AuditEvidence,
    AuditSchedule,
    AuditTemplate,
    Nonconformance,
)
from partnerdesk.quality.services import audits as audit_services
from partnerdesk.quality.services.audits import add_months

FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3}

# Good readings of the numeric questions: (template, position) -> (low, high, decimals).
# Positions count the template's questions in order (see ``quality/shipped.py``).
NUMERIC = {
    ("ONSITE", 4): ("96", "100", 1),  # gauges with a valid calibration, %
    ("ONSITE", 14): ("-2.5", "2.5", 1),  # mould temperature deviation, °C
    ("ONSITE", 17): ("46", "61", 0),  # humidity in the material store, %RH
    ("REGRIND-MONTHLY", 4): ("-42", "-31", 0),  # dryer dew point, °C
    ("REGRIND-MONTHLY", 5): ("0.06", "0.15", 2),  # moisture, %
    ("REGRIND-MONTHLY", 6): ("15", "70", 0),  # contamination, ppm
    ("REGRIND-MONTHLY", 7): ("9.5", "12.5", 1),  # MFI, g/10 min
    ("REGRIND-MONTHLY", 8): ("0.4", "1.6", 2),  # fines, %
    ("REGRIND-MONTHLY", 9): ("0.2", "1.1", 2),  # colour difference, ΔE
}
# Evidence for the questions that require it: (template, position) -> (file type, caption).
EVIDENCE = {
    ("ONSITE", 1): ("pdf", "Preventive maintenance plan"),
    ("ONSITE", 3): ("pdf", "Calibration register"),
    ("ONSITE", 6): ("pdf", "Training matrix"),
    ("ONSITE", 19): ("png", "Shop floor photo"),
    ("REGRIND-MONTHLY", 2): ("png", "Metal detector test with the test pieces"),
    ("REGRIND-MONTHLY", 11): ("pdf", "Batch records and certificates of analysis"),
}
# partner, template, frequency, plan days ahead, next due (days from today), history:
# (periods before the next due, answers differing from full marks, summary); answers are
# position -> (yes/no, scale score, reading or "na", the auditor's comment). Periods 0 is
# the audit in progress today (its answers so far).
SCHEDULES = [
    ("RG-GREENLOOP", "REGRIND-MONTHLY", "monthly", 14, 6, [
        (5, {11: (4, "One certificate of analysis copy missing; sent the same day.")},
         "Well-run site; records nearly complete."),
        (4, {}, "No findings."),
        (3, {5: ("0.27", "The current batch read 0.27 % moisture: the dryer was loaded above "
                 "its rating during a rush order."),
             11: (4, "Dryer log sheets of two nights not signed.")},
         "Moisture above the limit on the current batch (minor finding): dryer loading to be "
         "kept within its rating."),
        (2, {9: ("1.3", "Colour close to the limit; the master plaque is faded and will be "
                 "replaced.")},
         "Dryer loading back within its rating; no findings."),
        (1, {11: (4, "MFI missing on two certificates of analysis.")},
         "Dew point alarm and new desiccant of dryer 1 seen working (8D follow-up)."),
    ]),
    ("RG-HUIZHOU", "REGRIND-MONTHLY", "monthly", 14, 13, [
        (2, {4: ("-12", "Dryer dew point at -12 °C: the regeneration heater is undersized."),
             6: ("240", "Paper labels and aluminium flakes in the current batch."),
             8: ("3.1", "Fines at 3.1 %: the screen of grinder 2 is worn."),
             11: (3, "Batch records incomplete; no certificate of analysis issued yet.")},
         "Qualification audit: drying, cleanliness and records are not ready for series "
         "supply (grade C). Re-audit next month."),
        (1, {8: ("2.4", "Fines still above 2 %; the new screen is on order."),
             9: ("1.9", "Colour difference 1.9 ΔE on the current batch."),
             11: (3, "Certificates of analysis now issued, without the MFI.")},
         "Clear progress since the last visit: dryer upgraded, cleaner feedstock (grade B)."),
    ]),
    ("CMO-SZP", "ONSITE", "quarterly", 21, 66, [
        (2, {2: (4, "Two work orders without the technician's sign-off.")},
         "Solid site; maintenance paperwork to tighten."),
        (1, {3: (False, "4 of 38 gauges (2 calipers, 2 height gauges) past their calibration "
                 "due date and in use on line 3."),
             8: (4, "One operator's record misses the last refresher training.")},
         "Good process control, but overdue gauges in use: major finding, corrective action "
         "requested."),
    ]),
    ("CMO-DGH", "ONSITE", "quarterly", 21, 17, [
        (2, {2: (4, "Maintenance records of press 9 incomplete for a month."),
             12: (3, "Charts kept, but no reaction recorded to two out-of-control points."),
             17: ("68", "68 %RH in the resin store: the dehumidifier was switched off.")},
         "Grade A with observations on SPC reactions and storage humidity."),
        (1, {2: (3, "Preventive maintenance of three presses postponed twice."),
             12: (3, "SPC reactions still not recorded."),
             14: ("6.5", "Mould temperature 6.5 °C above the set point on press 12; loose "
                  "sensor."),
             15: (False, "Two older pallets of PC/ABS used after newer ones; FIFO labels "
                  "missing.")},
         "Slipped to grade B: maintenance backlog, FIFO and SPC reactions."),
    ]),
    ("CMO-XMN", "ONSITE", "quarterly", 21, 0, [
        (2, {8: (3, "Training records of two operators incomplete."),
             12: (3, "SPC on the neck diameter only once a shift."),
             15: (False, "Preforms of three lots mixed on one pallet without labels."),
             17: ("69", "69 %RH in the preform store."),
             19: (3, "Regrind bins open next to the blow-moulding machines.")},
         "Grade B; storage and labelling to improve."),
        (1, {4: ("88", "Gauges with a valid calibration: 30 of 34."),
             8: (2, "Records of new operators missing after the hiring wave."),
             10: (False, "Work instructions at blow-moulder 4 two revisions old."),
             12: (2, "SPC charts not filled in on the night shift."),
             15: (False, "No first-in, first-out in the preform store."),
             19: (2, "Oil leaks and loose preforms on the floor.")},
         "Grade C: process control and housekeeping have slipped; improvement plan asked for "
         "within 30 days."),
        (0, {1: (True, ""), 2: (3, "Maintenance plan followed, records of two machines late."),
             3: (True, ""), 4: ("97", ""), 5: (4, ""), 6: (True, ""), 7: (True, ""),
             8: (4, "Records of the new operators now complete."), 9: (True, "")},
         ""),
    ]),
    ("CMO-SUZ", "ONSITE", "quarterly", 21, 41, [
        (1, {5: (4, "Repeat failures of the reflow oven's conveyor analysed late."),
             14: ("na", "No moulding at this plant: SMT and assembly only."),
             18: ("na", "No regrind used.")},
         "Very good site; grade A."),
    ]),
]  # fmt: skip


def png_bytes(seed: str, width: int = 96, height: int = 64) -> bytes:
    """A small valid PNG (a few coloured blocks), different for each seed."""
    rng = random.Random(seed)
    background = bytes(rng.randint(150, 230) for _ in range(3))
    blocks = []
    for _ in range(4):
        x, y = rng.randint(0, width - 20), rng.randint(0, height - 16)
        colour = bytes(rng.randint(20, 200) for _ in range(3))
        blocks.append((x, y, x + rng.randint(10, 30), y + rng.randint(8, 20), colour))
    raw = bytearray()
    for row in range(height):
        raw.append(0)  # filter: none
        for column in range(width):
            pixel = background
            for x0, y0, x1, y1, colour in blocks:
                if x0 <= column < x1 and y0 <= row < y1:
                    pixel = colour
            raw += pixel

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


def aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """``day`` at ``hour:minute`` local time, never after now."""
    moment = datetime.datetime.combine(day, datetime.time(hour)) + datetime.timedelta(
        minutes=minute
    )
    return min(timezone.make_aware(moment), timezone.now())


def _weekday(day: datetime.date) -> datetime.date:
    """Audits happen on working days: a Saturday or Sunday moves back to the Friday."""
    return day - datetime.timedelta(days=max(0, day.weekday() - 4))


def _answer_data(template_code, answer, spec, rng) -> dict:
    value, comment = spec if spec else (None, "")
    if value == "na":
        return {"not_applicable": True, "comment": comment}
    if answer.kind == QuestionKind.YES_NO:
        return {"yes": True if value is None else value, "comment": comment}
    if answer.kind == QuestionKind.SCALE:
        return {"value": answer.scale_max if value is None else value, "comment": comment}
    if value is None:
        low, high, places = NUMERIC[(template_code, answer.position)]
        exponent = Decimal(1).scaleb(-places)
        value = Decimal(str(rng.uniform(float(low), float(high)))).quantize(exponent)
    return {"value": str(value), "comment": comment}


def _evidence(user, audit, answer, template_code) -> None:
    if answer.evidence.exists():
        return
    kind, caption = EVIDENCE[(template_code, answer.position)]
    title = f"{caption} {audit.partner.code} {audit.planned_date:%Y-%m-%d}"
    if kind == "png":
        content = png_bytes(f"{audit.number}-{answer.position}")
    else:
        from partnerdesk.demo.company import _pdf_bytes  # company imports this module

        content = _pdf_bytes(title)
    name = f"{caption.lower().replace(' ', '-')}-{audit.number}.{kind}"
    audit_services.evidence_add(
        user=user,
        audit=audit,
        answer=answer,
        uploaded_file=ContentFile(content, name=name),
        caption=title,
    )


def _conduct(user, audit, answers: dict, rng, *, close: bool, summary: str) -> Audit:
    code = audit.template.code
    if audit.status == AuditStatus.PLANNED:
        audit = audit_services.audit_start(user=user, audit=audit)
    for answer in audit.answers.order_by("position"):
        if not close and answer.position not in answers:
            continue
        if not answer.answered:
            data = _answer_data(code, answer, answers.get(answer.position), rng)
            answer = audit_services.answer_record(user=user, answer=answer, data=data)
        if answer.evidence_required and not answer.not_applicable:
            _evidence(user, audit, answer, code)
    if close:
        audit = audit_services.audit_close(user=user, audit=audit, summary=summary)
    return audit


def _backdate(audit: Audit, closed: bool) -> None:
    day = audit.planned_date
    started = aware(day, 9)
    Audit.objects.filter(pk=audit.pk).update(
        started_at=started, closed_at=aware(day, 16, 30) if closed else None
    )
    for answer in audit.answers.exclude(answered_at=None):
        at = aware(day, 9, 15 + 12 * answer.position)
        AuditAnswer.objects.filter(pk=answer.pk).update(answered_at=at)
        AuditEvidence.objects.filter(answer=answer).update(uploaded_at=at)
    if closed:  # a major finding's nonconformance was detected at the audit
        Nonconformance.objects.filter(audit_answer__audit=audit).update(
            detected_on=day, created_at=aware(day, 16, 30)
        )


def _audit_step(user, schedule, day, today, answers, summary, seed):
    def step() -> Audit:
        audit = schedule.audits.filter(planned_date=day).first()
        if audit is None:
            audit = audit_services.audit_plan(
                user=user,
                partner=schedule.partner,
                template=schedule.template,
                planned_date=day,
                schedule=schedule,
            )
        closed = day < today
        if audit.status in (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS):
            rng = random.Random(f"{seed}-{schedule.partner.code}-{day}")
            audit = _conduct(user, audit, answers, rng, close=closed, summary=summary)
            _backdate(audit, closed)
        return audit

    return step


def audit_steps(users, today: datetime.date, seed: int) -> list[tuple[datetime.date, object]]:
    """Create the schedules that do not exist yet; return (day, step) for their audits, to
    be run in date order with the other quality steps. Each step returns its audit."""
    from partnerdesk.partners.models import Partner

    quality = users["zhang.wei"]
    steps = []
    for code, template_code, frequency, lead, due_in, history in SCHEDULES:
        partner = Partner.objects.get(code=code)
        template = AuditTemplate.objects.get(code=template_code)
        if AuditSchedule.objects.filter(partner=partner, template=template).exists():
            continue
        months = FREQUENCY_MONTHS[frequency]
        anchor = _weekday(today + datetime.timedelta(days=due_in)) if due_in else today
        # Today's audit is in progress: the schedule moves on from it.
        next_due = anchor if due_in else add_months(today, months)
        schedule = audit_services.schedule_create(
            user=quality,
            data={
                "partner": partner,
                "template": template,
                "frequency": frequency,
                "auditor": quality,
                "next_due": next_due,
                "lead_days": lead,
            },
        )
        for periods, answers, summary in history:
            day = _weekday(add_months(anchor, -periods * months)) if periods else today
            steps.append((day, _audit_step(quality, schedule, day, today, answers, summary, seed)))
    return steps


def plan_due_audits(today: datetime.date) -> int:
    """Plan the audits falling due within their lead time, as the daily job does."""
    return len(audit_services.plan_scheduled_audits(today))
