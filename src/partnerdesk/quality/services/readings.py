"""The readings of a lot's sample: checked (unit, parameter, plausible range) and saved all or
nothing, entered or imported from CSV; a complete sample decides the lot."""

import csv
import io
import itertools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.quality.choices import (
    LotStatus,
    ParameterKind,
)
from partnerdesk.quality.models import (
    LotInspection,
    SampleReading,
)
from partnerdesk.quality.services.standards import (  # re-exported for callers
    PARAMETER_FIELDS as PARAMETER_FIELDS,
    STANDARD_FIELDS as STANDARD_FIELDS,
    STANDARD_UPDATE_FIELDS as STANDARD_UPDATE_FIELDS,
    parameter_add as parameter_add,
    parameter_delete as parameter_delete,
    parameter_update as parameter_update,
    standard_create as standard_create,
    standard_for as standard_for,
    standard_update as standard_update,
)

MAX_READING_ROWS = 200_000


@dataclass(frozen=True)
class ReadingRow:
    unit_no: object
    parameter: object  # a parameter code
    value: object
    row: int | None = None  # the row number in a file, for messages


def _where(row: ReadingRow, index: int) -> str:
    return _("row %(n)s") % {"n": row.row} if row.row else _("reading %(n)s") % {"n": index}


def _parse_reading(row: ReadingRow, index, parameters, sample_size, errors) -> tuple | None:
    where = _where(row, index)
    try:
        unit_no = int(str(row.unit_no).strip())
    except ValueError:
        unit_no = 0
    if not 1 <= unit_no <= sample_size:
        errors.append(
            _("%(where)s: unit “%(unit)s” is not a sample unit (1 to %(n)s).")
            % {"where": where, "unit": row.unit_no, "n": sample_size}
        )
        return None
    code = str(row.parameter or "").strip()
    parameter = parameters.get(code)
    if parameter is None:
        errors.append(
            _("%(where)s: unknown parameter “%(code)s” (the standard has %(codes)s).")
            % {"where": where, "code": code, "codes": ", ".join(parameters)}
        )
        return None
    raw = str(row.value if row.value is not None else "").strip()
    if parameter.kind == ParameterKind.ATTRIBUTE:
        mapped = {"pass": "1", "ok": "1", "fail": "0", "nok": "0"}.get(raw.lower(), raw)
        if mapped not in ("0", "1"):
            errors.append(
                _("%(where)s, unit %(unit)s, %(p)s: “%(raw)s” is not pass (1) or fail (0).")
                % {"where": where, "unit": unit_no, "p": code, "raw": raw}
            )
            return None
        value = Decimal(mapped)
        return unit_no, parameter, value, value == 1
    try:
        value = Decimal(raw.replace(",", "."))
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors.append(
            _("%(where)s, unit %(unit)s, %(p)s: “%(raw)s” is not a number.")
            % {"where": where, "unit": unit_no, "p": code, "raw": raw}
        )
        return None
    low, high = parameter.plausible_min, parameter.plausible_max
    if (
        (low is not None and value < low)
        or (high is not None and value > high)
        or (abs(value) > Decimal("9999999999.9999"))  # the largest the column holds
    ):
        errors.append(
            _(
                "%(where)s, unit %(unit)s, %(p)s: %(value)s %(u)s is outside the plausible "
                "range %(low)s to %(high)s; check the instrument or the typing."
            )
            % {
                "where": where,
                "unit": unit_no,
                "p": code,
                "value": value,
                "u": parameter.unit,
                "low": "-" if low is None else low,
                "high": "-" if high is None else high,
            }
        )
        return None
    conforming = (parameter.lower_limit is None or value >= parameter.lower_limit) and (
        parameter.upper_limit is None or value <= parameter.upper_limit
    )
    return unit_no, parameter, value, conforming


def _open_inspection(inspection: LotInspection) -> LotInspection:
    inspection = LotInspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.status != LotStatus.OPEN:
        raise Conflict(
            _("Inspection %(number)s is already decided (%(status)s).")
            % {"number": inspection.number, "status": inspection.get_status_display()}
        )
    return inspection


def readings_record(*, user, inspection: LotInspection, rows: list[ReadingRow]) -> LotInspection:
    """Record readings (a new reading of the same unit and parameter replaces the old one).
    Every row is checked first; one bad row saves none. Once every unit of the sample has a
    reading of every parameter, the lot is decided."""
    require_perm(user, "quality.change_lotinspection")
    if not rows:
        raise InvalidInput(_("No readings given."), fields={"readings": [_("No readings given.")]})
    if len(rows) > MAX_READING_ROWS:
        raise InvalidInput(
            _("At most %(n)s readings at once.") % {"n": MAX_READING_ROWS},
            fields={"readings": [_("Too many readings.")]},
        )
    with transaction.atomic():
        inspection = _open_inspection(inspection)
        parameters = {p.code: p for p in inspection.standard.parameters.all()}
        errors: list[str] = []
        parsed = {}
        for index, row in enumerate(rows, start=1):
            reading = _parse_reading(row, index, parameters, inspection.sample_size, errors)
            if reading is None:
                continue
            key = (reading[0], reading[1].pk)
            if key in parsed:
                errors.append(
                    _("%(where)s: unit %(unit)s, %(p)s is given twice.")
                    % {"where": _where(row, index), "unit": reading[0], "p": reading[1].code}
                )
            parsed[key] = reading
        if errors:
            shown = errors[:50]
            raise InvalidInput(
                _("%(n)s reading(s) are wrong; nothing was saved. First: %(first)s")
                % {"n": len(errors), "first": errors[0]},
                fields={"readings": shown},
            )
        # Replace only the (unit, parameter) readings given: the units and parameters narrow
        # the query, the exact pairs are picked here (not every unit x parameter combination).
        replaced = [
            pk
            for pk, unit_no, parameter_id in SampleReading.objects.filter(
                inspection=inspection,
                unit_no__in={u for u, _p in parsed},
                parameter_id__in={p for _u, p in parsed},
            ).values_list("pk", "unit_no", "parameter_id")
            if (unit_no, parameter_id) in parsed
        ]
        for start in range(0, len(replaced), 500):
            SampleReading.objects.filter(pk__in=replaced[start : start + 500]).delete()
        SampleReading.objects.bulk_create(
            [
                SampleReading(
                    inspection=inspection,
                    unit_no=unit_no,
                    parameter=parameter,
                    value=value,
                    conforming=conforming,
                )
                for unit_no, parameter, value, conforming in parsed.values()
            ],
            batch_size=2000,
        )
        record_change(
            actor=user,
            instance=inspection,
            action=AuditAction.UPDATE,
            before={"readings": None},
            after={"readings": len(parsed)},
        )
        if _missing(inspection, len(parameters)) == 0:
            from partnerdesk.quality.services.inspection import lot_decide

            return lot_decide(user=user, inspection=inspection)
    return inspection


def _missing(inspection: LotInspection, parameter_count: int) -> int:
    return inspection.sample_size * parameter_count - inspection.readings.count()


def readings_import(*, user, inspection: LotInspection, uploaded_file) -> LotInspection:
    """Import readings from a CSV file with the columns unit, parameter, value (header row
    first; comma or semicolon). Errors name the file's row."""
    raw = uploaded_file.read()
    if isinstance(raw, str):
        raw = raw.encode()
    if b"\x00" in raw[:4096]:
        raise InvalidInput(
            _("The file is not a CSV text file."), fields={"file": [_("Upload a CSV file.")]}
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            _("The file is not UTF-8 text."), fields={"file": [_("Save the file as UTF-8 CSV.")]}
        ) from None
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        # Read at most the rows taken (and one more, to say there are too many).
        records = list(
            itertools.islice(
                csv.reader(io.StringIO(text), delimiter=delimiter), MAX_READING_ROWS + 2
            )
        )
    except csv.Error as exc:  # a NUL character, a field over the csv module's size limit
        raise InvalidInput(
            _("The file is not a readable CSV file: %(error)s") % {"error": exc},
            fields={"file": [_("Upload a CSV file.")]},
        ) from None
    reader = iter(records)
    header = [h.strip().lower() for h in next(reader, [])]
    wanted = ("unit", "parameter", "value")
    missing = [name for name in wanted if name not in header]
    if missing:
        raise InvalidInput(
            _("The file has no column %(names)s (found: %(found)s).")
            % {"names": ", ".join(missing), "found": ", ".join(header) or _("nothing")},
            fields={"file": [_("Columns needed: unit, parameter, value.")]},
        )
    at = [header.index(name) for name in wanted]
    rows = []
    for number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = [record[i] if i < len(record) else "" for i in at]
        rows.append(ReadingRow(cells[0], cells[1], cells[2], row=number))
        if len(rows) > MAX_READING_ROWS:
            break
    return readings_record(user=user, inspection=inspection, rows=rows)
