"""Reading a measurements file (CSV or Excel .xlsx): columns, mapping, numbers and dates.

``parse_measurement_file`` checks the file's shape only (columns, numbers, dates, duplicates
within the file); ``performance.services.imports`` checks the rows against the database and
writes them.
"""

import csv
import datetime
import io
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _, gettext_lazy

from partnerdesk.core.errors import InvalidInput

# (field, label, required): the columns an import reads.
FIELDS = [
    ("contract", gettext_lazy("Contract reference"), True),
    ("metric", gettext_lazy("Metric code"), True),
    ("measured_on", gettext_lazy("Measured on (YYYY-MM-DD)"), True),
    ("value", gettext_lazy("Value"), False),
    ("numerator", gettext_lazy("Numerator"), False),
    ("denominator", gettext_lazy("Denominator"), False),
    ("evidence", gettext_lazy("Evidence"), False),
]
FIELD_NAMES = [name for name, _label, _required in FIELDS]
REQUIRED = [name for name, _label, required in FIELDS if required]
NUMBERS = ("value", "numerator", "denominator")
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
EVIDENCE_LENGTH = 300
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_XLSX = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0"  # the old binary .xls
EXTENSIONS = {".csv", ".txt", ".xlsx"}


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row (``row`` as numbered in the file, the header being row 1)."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)d, %(field)s: %(message)s") % {
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class ImportRow:
    """One data row: the text as in the file (``raw``) and the parsed values."""

    row: int
    raw: dict[str, str]
    contract: str = ""
    metric: str = ""
    measured_on: datetime.date | None = None
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    evidence: str = ""
    failed: set[str] = field(default_factory=set)

    @property
    def cells(self) -> list[str]:
        """The row's text in the order of ``FIELD_NAMES`` (for a preview table)."""
        return [self.raw.get(name, "") for name in FIELD_NAMES]

    @property
    def key(self) -> tuple[str, str, datetime.date | None]:
        return (self.contract, self.metric, self.measured_on)


@dataclass
class ParsedFile:
    rows: list[ImportRow]
    errors: list[RowError]
    headers: list[str]
    name: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    @property
    def needs_mapping(self) -> bool:
        """The file's headers do not name every required column: the user maps them."""
        return bool(self.missing)


def _refuse_file(message: str):
    raise InvalidInput(message, fields={"file": [message]})


def _normalise(header) -> str:
    return re.sub(r"[\s\-]+", "_", str(header or "").strip().lower())


# --- reading the file -------------------------------------------------------------------------


def _read_bytes(uploaded_file) -> tuple[str, bytes]:
    if uploaded_file is None:
        _refuse_file(_("Choose a file to import."))
    name = os.path.basename(getattr(uploaded_file, "name", "") or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in EXTENSIONS:
        _refuse_file(
            _("“%(name)s” is not a spreadsheet: import a CSV or an Excel (.xlsx) file.")
            % {"name": name or _("the file")}
        )
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(MAX_BYTES + 1)
    if not data:
        _refuse_file(_("The file is empty."))
    if len(data) > MAX_BYTES:
        _refuse_file(_("The file is larger than %(limit)s.") % {"limit": filesizeformat(MAX_BYTES)})
    return extension, data


def _table(extension: str, data: bytes):
    """The file's rows as lists of cells (text for CSV; numbers and dates as Excel has them)."""
    if data.startswith(_OLE2):
        _refuse_file(_("Old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV."))
    if extension == ".xlsx" or data.startswith(_XLSX):
        if not data.startswith(_XLSX):
            _refuse_file(_("The file is called .xlsx but is not an Excel workbook."))
        return _xlsx_rows(data)
    if b"\x00" in data[:65536]:
        _refuse_file(_("The file is not a spreadsheet or CSV: it holds binary data."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _refuse_file(_("The file is not UTF-8 text: save it as “CSV UTF-8”."))
    return _csv_rows(text)


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
        _refuse_file(_("The file is not a readable Excel workbook (.xlsx)."))
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        _refuse_file(_("The workbook has no sheet."))
    try:
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def _csv_rows(text: str):
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _is_blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat() if cell.time() == datetime.time(0) else cell.isoformat()
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _columns(headers: list[str], mapping: dict[str, str] | None):
    """Column index of each field, the errors in a given mapping, the required fields left
    without a column."""
    by_name = {}
    for index, header in enumerate(headers):
        by_name.setdefault(_normalise(header), index)
    columns, errors = {}, []
    if mapping:
        for name, header in mapping.items():
            if name not in FIELD_NAMES or not header:
                continue
            index = by_name.get(_normalise(header))
            if index is None:
                errors.append(
                    RowError(
                        1, name, _("The file has no column “%(header)s”.") % {"header": header}
                    )
                )
            else:
                columns[name] = index
    else:
        columns = {name: by_name[name] for name in FIELD_NAMES if name in by_name}
    missing = [name for name in REQUIRED if name not in columns]
    if not missing and "value" not in columns and "numerator" not in columns:
        missing = ["value"]
    return columns, errors, missing


def parse_measurement_file(uploaded_file, mapping: dict[str, str] | None = None) -> ParsedFile:
    """Read a CSV or XLSX file of measurements. Header names match the fields case-insensitively;
    ``mapping`` ({field: header}) names the columns when the file's headers differ. Refuses a
    file that is not a spreadsheet with ``InvalidInput``; everything wrong in a row is a
    ``RowError`` in the answer."""
    extension, data = _read_bytes(uploaded_file)
    name = os.path.basename(getattr(uploaded_file, "name", "") or "")
    table = iter(_table(extension, data))
    headers: list[str] = []
    line = 0
    for cells in table:
        line += 1
        if not _is_blank(cells):
            headers = [_text(c) for c in cells]
            break
    if not headers:
        _refuse_file(_("The file has no header row."))
    columns, errors, missing = _columns(headers, mapping)
    parsed = ParsedFile(
        rows=[],
        errors=errors,
        headers=headers,
        name=name,
        mapping={f: headers[i] for f, i in columns.items()},
        missing=missing,
    )
    if missing:
        for field_name in missing:
            parsed.errors.append(
                RowError(line, field_name, _("No column holds this field; map one."))
            )
        return parsed
    seen: dict[tuple, int] = {}
    for cells in table:
        line += 1
        if _is_blank(cells):
            continue
        if len(parsed.rows) >= MAX_ROWS:
            _refuse_file(
                _("The file has more than %(limit)d rows; split it.") % {"limit": MAX_ROWS}
            )
        row = _parse_row(line, cells, columns, parsed.errors)
        if None not in row.key and "contract" not in row.failed and "metric" not in row.failed:
            first = seen.setdefault(row.key, line)
            if first != line:
                fail_row(
                    row,
                    parsed.errors,
                    "measured_on",
                    _("The same contract, metric and date as row %(row)d.") % {"row": first},
                )
        parsed.rows.append(row)
    return parsed


def fail_row(row: ImportRow, errors: list[RowError], field_name: str, message: str) -> None:
    row.failed.add(field_name)
    errors.append(RowError(row.row, field_name, message))


def _cell(cells, columns, name):
    index = columns.get(name)
    if index is None or index >= len(cells):
        return None
    return cells[index]


def _parse_row(line: int, cells, columns, errors: list[RowError]) -> ImportRow:
    raw = {name: _text(_cell(cells, columns, name)) for name in columns}
    row = ImportRow(row=line, raw=raw)
    for name in ("contract", "metric"):
        text = raw.get(name, "")
        if not text:
            fail_row(row, errors, name, _("This field is required."))
        setattr(row, name, text)
    row.measured_on = _date(_cell(cells, columns, "measured_on"), row, errors)
    for name in NUMBERS:
        setattr(row, name, _number(_cell(cells, columns, name), name, row, errors))
    row.evidence = raw.get("evidence", "")
    if len(row.evidence) > EVIDENCE_LENGTH:
        fail_row(
            row,
            errors,
            "evidence",
            _("At most %(limit)d characters.") % {"limit": EVIDENCE_LENGTH},
        )
    return row


def _date(cell, row: ImportRow, errors) -> datetime.date | None:
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    text = _text(cell)
    if not text:
        fail_row(row, errors, "measured_on", _("This field is required."))
        return None
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        return datetime.date.fromisoformat(text)
    except ValueError:
        fail_row(
            row,
            errors,
            "measured_on",
            _("“%(value)s” is not a date written YYYY-MM-DD.") % {"value": text[:40]},
        )
    return None


def _number(cell, name: str, row: ImportRow, errors) -> Decimal | None:
    if cell is None or isinstance(cell, bool):
        return None
    if isinstance(cell, int | Decimal):
        return Decimal(cell)
    if isinstance(cell, float):
        return Decimal(repr(cell))
    text = _text(cell).replace(" ", "")
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # a decimal comma
    try:
        number = Decimal(text)
        if not number.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        fail_row(row, errors, name, _("“%(value)s” is not a number.") % {"value": _text(cell)[:40]})
        return None
    return number
