"""Reading a file of purchasing document lines (CSV or Excel .xlsx) for the document import.

One row per document line; the document's own fields (partner, number, dates, currency,
totals…) are repeated on every row of the document. ``open_import_file`` checks that the file
is a spreadsheet, finds the header row and which column holds each field — guessed from the
headers (names, usual synonyms, the translated labels) or given as a mapping
``{field: header}`` — and then *streams* the rows: the ``csv`` module reads the file a line at
a time and openpyxl reads a workbook in read-only mode, so a large file is never held in
memory. ``finance.services.imports`` checks the rows and writes the documents.

Cells reach the importer as text (an Excel date becomes ``YYYY-MM-DD``, an Excel number its
decimal text), so CSV and XLSX files are checked by the same rules.

The uploaded file of the import pages is kept in the default storage until the import is
applied or abandoned (``stash_upload``); ``prune_stashed_uploads`` deletes what is older than
a day.
"""

import contextlib
import csv
import datetime
import hashlib
import io
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from partnerdesk.core.errors import InvalidInput
from partnerdesk.finance.services.import_fields import (
    EXTENSIONS,
    FIELDS,
    Field,
    field_names,
    fields_of,
    guess_mapping,
    normalise_header,
)
from partnerdesk.finance.services.import_stash import (
    STASH_DIR,
    StashedFile,
    discard_stash,
    prune_stashed_uploads,
    stash_upload,
    stashed_upload,
)

# Limits; settings may raise them (FINANCE_IMPORT_MAX_BYTES, FINANCE_IMPORT_MAX_ROWS).
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_ROWS = 1_000_000
_XLSX = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0"  # the old binary .xls
_SIGNATURES = {
    b"%PDF": "PDF",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"\x1f\x8b": "gzip",
    b"Rar!": "RAR",
    b"7z\xbc\xaf": "7-Zip",
}


def max_bytes() -> int:
    return int(getattr(settings, "FINANCE_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "FINANCE_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


# --- errors -----------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class RowError:
    """What is wrong in one row: ``row`` as numbered in the file (the header is row 1 in a
    file that starts with it), ``column`` the file's header of the cell (or the field's name
    when no column holds it), ``letter`` its spreadsheet column."""

    row: int
    field: str
    message: str
    column: str = ""
    letter: str = ""

    def __str__(self) -> str:
        column = self.column or self.field
        column = f"{self.letter} “{column}”" if self.letter else f"“{column}”"
        return _("Row %(row)d, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": column,
            "message": self.message,
        }

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column or self.field,
            "field": self.field,
            "message": self.message,
            "text": str(self),
        }


def refuse_file(message: str):
    raise InvalidInput(message, fields={"file": [message]})


# --- the file ---------------------------------------------------------------------------------


@dataclass
class ImportFile:
    """An opened import file: its headers, the column of each field, and ``rows()``, which
    streams the data rows as ``(row number, cells as text)``."""

    kind: str
    name: str
    size: int
    sha256: str
    headers: list[str]
    header_row: int
    columns: dict[str, int]
    errors: list[RowError] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # A CSV file's binary handle and delimiter (None for a workbook), for the columnar path.
    binary: object = None
    delimiter: str | None = None
    _reader: Iterator | None = None
    _close: object = None

    @property
    def mapping(self) -> dict[str, str]:
        return {name: self.headers[index] for name, index in self.columns.items()}

    @property
    def needs_mapping(self) -> bool:
        """The headers name not every required field: the user maps the columns."""
        return bool(self.missing or self.errors)

    def column_of(self, name: str) -> tuple[str, str]:
        """(header, letter) of a field's column, or the field name when none holds it."""
        index = self.columns.get(name)
        if index is None:
            return name, ""
        return self.headers[index], column_letter(index)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """The data rows, blank rows skipped; refuses the file past the row limit."""
        if self._reader is None:
            return
        reader, self._reader = self._reader, None
        limit = max_rows()
        count = 0
        line = self.header_row
        try:
            for cells in reader:
                line += 1
                if not cells or not any(cells):
                    continue
                count += 1
                if count > limit:
                    refuse_file(
                        _("The file has more than %(limit)s rows; split it.")
                        % {"limit": f"{limit:,}"}
                    )
                yield line, cells
        except UnicodeDecodeError:
            refuse_file(
                _("Row %(row)d is not UTF-8 text: save the file as “CSV UTF-8”.") % {"row": line}
            )
        except csv.Error as exc:
            refuse_file(_("Row %(row)d cannot be read: %(why)s") % {"row": line, "why": exc})
        finally:
            self.close()

    def __enter__(self) -> "ImportFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the upload (left open for the caller)."""
        if self._close is not None:
            close, self._close = self._close, None
            close()


def _binary(uploaded):
    """The underlying binary file of an upload (Django's File and temporary files wrap it)."""
    for _level in range(4):
        inner = getattr(uploaded, "file", None)
        if inner is None or not hasattr(inner, "read"):
            break
        uploaded = inner
    return uploaded


def _digest(handle) -> str:
    sha = hashlib.sha256()
    handle.seek(0)
    while block := handle.read(1 << 20):
        sha.update(block)
    handle.seek(0)
    return sha.hexdigest()


def open_import_file(uploaded, kind: str, mapping: dict[str, str] | None = None) -> ImportFile:
    """Open an uploaded CSV or XLSX file of ``kind`` rows. Refuses (``InvalidInput`` on
    ``file``) what is not a spreadsheet, too large or unreadable; problems with the columns
    are in ``errors``/``missing`` (the header row's number, the field)."""
    fields_of(kind)
    if uploaded is None:
        refuse_file(_("Choose a file to import."))
    name = os.path.basename(getattr(uploaded, "name", "") or "")[:200]
    extension = os.path.splitext(name)[1].lower()
    if extension not in EXTENSIONS:
        refuse_file(
            _("“%(name)s” is not a spreadsheet: import a CSV or an Excel (.xlsx) file.")
            % {"name": name or _("the file")}
        )
    handle = _binary(uploaded)
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    if size == 0:
        refuse_file(_("The file is empty."))
    if size > max_bytes():
        refuse_file(
            _("The file is larger than %(limit)s; split it.")
            % {"limit": filesizeformat(max_bytes())}
        )
    head = handle.read(65536)
    handle.seek(0)
    if head.startswith(_OLE2):
        refuse_file(_("Old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV."))
    for signature, what in _SIGNATURES.items():
        if head.startswith(signature):
            refuse_file(
                _("The file is a %(what)s file, not a spreadsheet: import a CSV or .xlsx file.")
                % {"what": what}
            )
    sha256 = _digest(handle)
    if extension == ".xlsx" or head.startswith(_XLSX):
        if not head.startswith(_XLSX):
            refuse_file(_("The file is called .xlsx but is not an Excel workbook."))
        reader, close = _xlsx_reader(handle)
        delimiter = None
    else:
        if b"\x00" in head:
            refuse_file(_("The file is not a spreadsheet or CSV: it holds binary data."))
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not just a character cut at the block's end
                refuse_file(_("The file is not UTF-8 text: save it as “CSV UTF-8”."))
        reader, close, delimiter = _csv_reader(handle)
    headers, header_row = [], 0
    try:
        for cells in reader:
            header_row += 1
            if cells and any(cells):
                headers = [str(c or "").strip() for c in cells]
                break
            if header_row > 100:
                break
    except (UnicodeDecodeError, csv.Error):
        close()
        refuse_file(_("The file is not readable text: save it as “CSV UTF-8”."))
    if not headers:
        close()
        refuse_file(_("The file has no header row."))
    columns, errors, missing = _columns(kind, headers, header_row, mapping)
    return ImportFile(
        kind=kind,
        name=name,
        size=size,
        sha256=sha256,
        headers=headers,
        header_row=header_row,
        columns=columns,
        errors=errors,
        missing=missing,
        binary=handle if delimiter else None,
        delimiter=delimiter,
        _reader=reader,
        _close=close,
    )


def _columns(kind, headers, header_row, mapping):
    """Column index of each field; errors in a given mapping; required fields left without a
    column. A mapping names headers per field; a field it leaves out is guessed, a field it
    maps to "" is not read."""
    index_of = {}
    for index, header in enumerate(headers):
        if header:
            index_of.setdefault(header, index)
            index_of.setdefault(normalise_header(header), index)
    chosen = guess_mapping(kind, headers)
    errors = []
    known = {f.name: f for f in fields_of(kind)}
    for name, header in (mapping or {}).items():
        if name not in known:
            errors.append(
                RowError(header_row, name, _("There is no field “%(name)s”.") % {"name": name})
            )
            continue
        header = str(header or "").strip()
        if not header:
            chosen.pop(name, None)
            continue
        if header not in index_of and normalise_header(header) not in index_of:
            errors.append(
                RowError(
                    header_row,
                    name,
                    _("The file has no column “%(header)s”.") % {"header": header},
                    column=header,
                )
            )
            chosen.pop(name, None)
            continue
        chosen[name] = header
    columns = {}
    for name in known:
        header = chosen.get(name)
        if header is not None:
            columns[name] = index_of.get(header, index_of.get(normalise_header(header)))
    missing = [f.name for f in known.values() if f.required and f.name not in columns]
    for name in missing:
        errors.append(
            RowError(
                header_row,
                name,
                _("No column holds “%(field)s” (%(label)s); name or map one.")
                % {"field": name, "label": known[name].label},
            )
        )
    return columns, errors, missing


def _csv_reader(handle):
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="", errors="strict")
    first = ""
    try:
        skipped = []
        for _tries in range(100):
            first = text.readline()
            if not first or first.strip():
                break
            skipped.append(first)
    except UnicodeDecodeError:
        text.detach()
        refuse_file(_("The file is not UTF-8 text: save it as “CSV UTF-8”."))
    delimiter = max(",;\t|", key=first.count) if first else ","
    if first and first.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(itertools.chain(skipped, [first], text), delimiter=delimiter)

    def close():
        with contextlib.suppress(ValueError):
            text.detach()

    return reader, close, delimiter


def _xlsx_reader(handle):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
        refuse_file(_("The file is not a readable Excel workbook (.xlsx)."))
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        workbook.close()
        refuse_file(_("The workbook has no sheet."))
    rows = ([_cell_text(c) for c in cells] for cells in sheet.iter_rows(values_only=True))
    return rows, workbook.close


def _cell_text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat() if cell.time() == datetime.time(0) else cell.isoformat()
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        if cell.is_integer() and abs(cell) < 1e15:
            return str(int(cell))
        return format(cell, ".15g")  # Excel's own precision
    return str(cell)


__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "EXTENSIONS",
    "FIELDS",
    "STASH_DIR",
    "Field",
    "ImportFile",
    "RowError",
    "StashedFile",
    "column_letter",
    "discard_stash",
    "field_names",
    "fields_of",
    "guess_mapping",
    "max_bytes",
    "max_rows",
    "normalise_header",
    "open_import_file",
    "prune_stashed_uploads",
    "refuse_file",
    "stash_upload",
    "stashed_upload",
]
