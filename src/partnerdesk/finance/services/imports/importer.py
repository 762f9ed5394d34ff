"""The importer base: reads the file in chunks, checks the rows and writes the documents."""

import operator

import orjson
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction, AuditEntry
from partnerdesk.core.request_context import current_request_id
from partnerdesk.finance.services import imports as _package  # CHUNK is read from the package
from partnerdesk.finance.services.import_files import (
    ImportFile,
    RowError,
    fields_of,
)
from partnerdesk.finance.services.imports.common import (
    _NOTHING,
    AUDIT_COLUMNS,
    MAX_ERRORS,
    PREVIEW_ROWS,
    ImportReport,
    PreviewRow,
    _all_columns,
    _Doc,
    _insert,
    _max_id,
    _plain_rows,
    _shown,
)
from partnerdesk.finance.services.imports.parsing import _Bad, _parser


class _Importer:
    """The pass over the file shared by every kind; a subclass names its document key, its
    checks against the database and its tables."""

    key_fields: tuple[str, ...] = ()
    key_defaults: dict = {}
    key_columns: tuple[str, ...] = ()
    minimum: dict = {}  # number field -> "positive" (default: not negative)
    model = None

    def __init__(self, user, source: ImportFile, report: ImportReport, *, write: bool):
        self.user, self.source, self.report = user, source, report
        self.writing = write
        self.now = timezone.now()
        self.stamp = connection.ops.adapt_datetimefield_value(self.now)
        self.today = timezone.localdate()
        columns = source.columns
        fields = fields_of(source.kind)
        self.head_fields = [f for f in fields if f.head and f.name in columns]
        self.line_fields = [f for f in fields if not f.head and f.name in columns]
        self.width = len(source.headers)
        heads = [columns[f.name] for f in self.head_fields]
        self.head_get = operator.itemgetter(*heads)
        if len(heads) == 1:
            self.head_get = lambda cells, get=self.head_get: (get(cells),)
        self.head_parsers = [
            (f.name, _parser(f, minimum=self.minimum.get(f.name, ""))) for f in self.head_fields
        ]
        self.line_parsers = [
            (f.name, columns[f.name], _parser(f, minimum=self.minimum.get(f.name, "")))
            for f in self.line_fields
        ]
        self.preview_columns = [columns[name] for name in report.columns]
        self.docs: dict[tuple, _Doc] = {}
        self.partners: dict[str, int | None] = {}
        self.last: tuple | None = None
        self.last_doc: _Doc | None = None
        self.failed_rows: set[int] = set()
        self.preview_last = 1 << 62

    def mapped(self, name: str) -> bool:
        return name in self.source.columns

    # errors

    def fail(self, row: int, name: str, message: str, doc: _Doc | None = None) -> None:
        report = self.report
        report.error_count += 1
        self.writing = False
        if doc is not None:
            doc.failed = True
        if len(report.errors) < MAX_ERRORS:
            column, letter = self.source.column_of(name)
            report.errors.append(RowError(row, name, str(message), column, letter))
        if row <= self.preview_last:
            self.failed_rows.add(row)

    # the pass over the file

    def run(self) -> None:
        chunk = []
        for item in self.source.rows():
            chunk.append(item)
            if len(chunk) >= _package.CHUNK:
                self.step(chunk)
                chunk = []
        if chunk:
            self.step(chunk)
        self.finish()
        for row in self.report.preview:
            row.failed = row.row in self.failed_rows
        self.report.errors.sort(key=lambda e: e.row)

    def step(self, chunk) -> None:
        preview = self.report.preview
        width = self.width
        rows = []
        for number, cells in chunk:
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            if len(preview) < PREVIEW_ROWS:
                preview.append(PreviewRow(number, [cells[i] for i in self.preview_columns]))
                if len(preview) == PREVIEW_ROWS:
                    self.preview_last = number
            row = self.read(number, cells)
            if row is not None:
                rows.append(row)
        self.report.rows += len(chunk)
        self.resolve(rows)
        lines = []
        for row in rows:
            line = self.check(*row)
            if line is not None:
                lines.append(line)
        if self.writing:
            self.write(lines)

    def read(self, number: int, cells):
        """(row number, document, line values, failed): the row's document found or started,
        its line's values read; None when the row names no document."""
        raw = self.head_get(cells)
        if raw == self.last:
            doc = self.last_doc
        else:
            doc = self._document(number, raw)
            if doc is None:
                return None
            self.last, self.last_doc = raw, doc
        values = {}
        failed = _NOTHING
        for name, index, parse in self.line_parsers:
            try:
                values[name] = parse(cells[index])
            except _Bad as exc:
                self.fail(number, name, str(exc), doc)
                failed = failed | {name}
                values[name] = None
        doc.count += 1
        line_no = values.get("line_no")
        if line_no is None:
            line_no = values["line_no"] = doc.count
        if line_no in doc.line_nos and "line_no" not in failed:
            self.fail(
                number,
                "line_no",
                _("Line %(n)s of %(doc)s appears twice.") % {"n": line_no, "doc": self.label(doc)},
                doc,
            )
            failed = failed | {"line_no"}
        doc.line_nos.add(line_no)
        return number, doc, values, failed

    def _document(self, number: int, raw) -> _Doc | None:
        head, errors = {}, []
        for (name, parse), text in zip(self.head_parsers, raw, strict=True):
            try:
                head[name] = parse(text)
            except _Bad as exc:
                head[name] = None
                errors.append((name, str(exc)))
        for name, default in self.key_defaults.items():
            if head.get(name) is None:
                head[name] = default
        key_errors = [(n, m) for n, m in errors if n in self.key_fields]
        if key_errors:
            for name, message in key_errors:
                self.fail(number, name, message)
            return None
        key = tuple(head[name] for name in self.key_fields)
        doc = self.docs.get(key)
        if doc is None:
            doc = self.docs[key] = _Doc(key, number, raw, head)
            for name, message in errors:
                self.fail(number, name, message, doc)
            self.check_head(doc)
            return doc
        if raw != doc.raw:
            wrong = {name for name, _message in errors}
            for name, message in errors:
                self.fail(number, name, message, doc)
            for name, _parse in self.head_parsers:
                mine, first = head.get(name), doc.head.get(name)
                if name not in wrong and mine != first:
                    self.fail(
                        number,
                        name,
                        _(
                            "“%(value)s” differs from row %(row)s of the same document "
                            "(“%(first)s”)."
                        )
                        % {"value": _shown(mine), "row": doc.row, "first": _shown(first)},
                        doc,
                    )
        return doc

    def label(self, doc: _Doc) -> str:
        return str(doc.key[-1])

    def check_head(self, doc: _Doc) -> None:
        """Rules of the document's own fields (no database)."""

    # checks against the database, once per step

    def resolve(self, rows) -> None:
        fresh, seen = [], set()
        for _number, doc, _values, _failed in rows:
            if doc.partner_id is None and id(doc) not in seen:
                seen.add(id(doc))
                fresh.append(doc)
        self._partners(fresh)
        self.resolve_lines(rows)
        known = [doc for doc in fresh if doc.partner_id]
        if known:
            self.resolve_documents(known)

    def _partners(self, docs: list[_Doc]) -> None:
        from partnerdesk.partners.models import Partner

        codes = {doc.head["partner"] for doc in docs} - set(self.partners)
        if codes:
            found = dict(
                Partner.objects.restrict(self.user).filter(code__in=codes).values_list("code", "pk")
            )
            for code in codes:
                self.partners[code] = found.get(code)
        for doc in docs:
            code = doc.head["partner"]
            partner_id = self.partners.get(code)
            if partner_id is None:
                self.fail(
                    doc.row, "partner", _("Unknown partner “%(code)s”.") % {"code": code}, doc
                )
            doc.partner_id = partner_id or 0

    def resolve_lines(self, rows) -> None:
        """Read what the step's lines refer to (orders)."""

    def resolve_documents(self, docs: list[_Doc]) -> None:
        """Find the documents of the step already recorded; check the new ones."""

    # comparing with a recorded document

    def compare_head(self, doc: _Doc, pairs: dict) -> None:
        """(value in the file, recorded value) per field: the first difference is an error on
        the document's first row. A field the file does not give is not compared."""
        for name, (mine, theirs) in pairs.items():
            if mine is None or not self.mapped(name):
                continue
            if mine != theirs:
                self.fail(
                    doc.row,
                    name,
                    _("%(doc)s is recorded with “%(theirs)s”; the file says “%(mine)s”.")
                    % {"doc": self.label(doc), "theirs": _shown(theirs), "mine": _shown(mine)},
                    doc,
                )
                return

    def recorded_line(self, number: int, doc: _Doc, line_no: int) -> dict | None:
        recorded = doc.existing["lines"].get(line_no)
        if recorded is None:
            self.fail(
                number,
                "line_no",
                _("%(doc)s is recorded without a line %(n)s.")
                % {"doc": self.label(doc), "n": line_no},
                doc,
            )
        return recorded

    def compare_line(self, number: int, doc: _Doc, line_no: int, pairs: dict) -> None:
        for name, (mine, theirs) in pairs.items():
            if mine is None or not self.mapped(name):
                continue
            if mine != theirs:
                self.fail(
                    number,
                    name,
                    _("%(doc)s line %(n)s is recorded with “%(theirs)s”; the file says “%(mine)s”.")
                    % {
                        "doc": self.label(doc),
                        "n": line_no,
                        "theirs": _shown(theirs),
                        "mine": _shown(mine),
                    },
                    doc,
                )
                return

    def finish(self) -> None:
        report = self.report
        for doc in self.docs.values():
            if doc.existing is not None:
                recorded = len(doc.existing["lines"])
                if not doc.failed and recorded != doc.count:
                    self.fail(
                        doc.row,
                        self.key_fields[-1],
                        _("%(doc)s is recorded with %(recorded)s lines; the file has %(count)s.")
                        % {"doc": self.label(doc), "recorded": recorded, "count": doc.count},
                        doc,
                    )
                if not doc.failed:
                    report.unchanged += doc.count
                    report.documents_unchanged += 1
            elif not doc.failed:
                report.created += doc.count
                report.documents += 1

    # writing

    def write_documents(self, lines, header) -> list[_Doc]:
        """Insert the documents first met in this step (``header(doc)`` is the row), read
        their ids back, write their audit rows; then insert the step's lines."""
        docs, seen = [], set()
        for line in lines:
            doc = line[0]
            if doc.pk is None and id(doc) not in seen:
                seen.add(id(doc))
                docs.append(doc)
        model = self.model
        if docs:
            since = _max_id(model)
            _insert(model, _all_columns(model, self.columns), [header(d) for d in docs])
            ids = {
                row[1:]: row[0]
                for row in _plain_rows(
                    model.objects.filter(pk__gt=since, created_at=self.now).values_list(
                        "pk", *self.key_columns
                    )
                )
            }
            for doc in docs:
                doc.pk = ids[self.db_key(doc)]
            self.audit(docs)
        _insert(
            self.line_model,
            _all_columns(self.line_model, self.line_columns),
            [(line[0].pk, *line[1:]) for line in lines],
        )
        return docs

    def audit(self, docs: list[_Doc]) -> None:
        """One audit row per new document, as ``record_change`` writes them."""
        content_type_id = ContentType.objects.get_for_model(self.model).pk
        request_id = current_request_id.get()
        actor_repr = str(self.user)[:150]

        def dumps(value) -> str:
            return orjson.dumps(value).decode()

        rows = [
            (
                content_type_id,
                str(doc.pk),
                self.label(doc)[:200],
                AuditAction.CREATE,
                dumps({k: [None, v] for k, v in self.snapshot(doc).items() if v is not None}),
                self.user.pk,
                actor_repr,
                request_id,
                self.stamp,
                False,
            )
            for doc in docs
        ]
        _insert(AuditEntry, AUDIT_COLUMNS, rows)

    def after_write(self) -> None:
        """Work once every row is written (the invoices' reviews and matching)."""
