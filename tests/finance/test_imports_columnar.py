"""The columnar path of the invoice import writes what the row importer writes, and leaves
every file it cannot decide exactly to the row importer (which names the rows at fault)."""

import datetime

import pytest
from django.db import transaction

from partnerdesk.audit.models import AuditEntry
from partnerdesk.core.errors import InvalidInput
from partnerdesk.finance.models import SupplierInvoice, SupplierInvoiceLine
from partnerdesk.finance.services.imports import ImportRefused, columnar, import_documents
from tests.factories import PartnerFactory
from tests.finance.test_imports import PO_HEADER, upload

pytestmark = pytest.mark.django_db

HEADER = (
    "partner,kind,invoice_number,invoice_date,received_on,due_date,currency,net_total,"
    "tax_total,gross_total,tax_id,bank_account,line_no,order_number,order_line,"
    "order_reference,item,description,quantity,unit_price,amount,tax_rate,tax_amount"
)
TODAY = datetime.date.today()
DAY = (TODAY - datetime.timedelta(days=3)).isoformat()
DUE = (TODAY + datetime.timedelta(days=30)).isoformat()


def invoice_rows(n_invoices: int = 6) -> list[list[str]]:
    """Three lines per invoice over two partners, on PO-A1 / PO-B1 lines 1-3; some lines
    without an order, some with a printed reference, a credit note without a reference."""
    rows = []
    for i in range(n_invoices):
        partner = "CMO-A" if i % 2 == 0 else "CMO-B"
        order = "PO-A1" if partner == "CMO-A" else "PO-B1"
        kind = "credit_note" if i == 5 else ("invoice" if i % 3 else "")
        for line in (1, 2, 3):
            no_order = i == 4 and line == 3
            rows.append(
                [
                    partner,
                    kind,
                    f"INV-{i:04d}",
                    DAY,
                    DAY if i % 2 else "",
                    DUE,
                    "CNY",
                    "300.00",
                    "39.00",
                    "339.00",
                    "TAX-" + partner,
                    "6222 0001" if i % 2 else "",
                    str(line),
                    "" if no_order else order,
                    "" if no_order else str(line),
                    "printed ref" if (i == 1 and line == 1) else "",
                    f"ITEM-{line}",
                    "freight" if no_order else "",
                    "10",
                    "10.0000",
                    "100.00",
                    "13" if line != 2 else "",
                    "13.00",
                ]
            )
    return rows


def csv_text(rows) -> str:
    return HEADER + "\n" + "\n".join(",".join(r) for r in rows) + "\n"


@pytest.fixture
def setup(make_user, monkeypatch):
    monkeypatch.setattr(columnar, "MIN_ROWS", 1)
    buyer = make_user("outsourcing", username="buyer")
    PartnerFactory(code="CMO-A", tax_id="TAX-CMO-A")
    PartnerFactory(code="CMO-B", tax_id="TAX-CMO-B")
    orders = "".join(
        f"{p},{o},2026-10-01,CNY,3way,{n},ITEM-{n},,1000,pcs,10,\n"
        for p, o in (("CMO-A", "PO-A1"), ("CMO-B", "PO-B1"))
        for n in (1, 2, 3)
    )
    import_documents(user=buyer, uploaded=upload(PO_HEADER + orders), kind="purchase_orders")
    return make_user("finance", username="accountant")


def tables() -> dict:
    """What an import wrote, without ids and times."""
    numbers = dict(SupplierInvoice.objects.values_list("pk", "number"))
    invoices = sorted(
        SupplierInvoice.objects.values_list(
            "partner__code", "kind", "number", "number_key", "invoice_date", "received_on",
            "due_date", "currency", "net_total", "tax_total", "gross_total", "tax_id",
            "bank_account", "credits_invoice", "status", "payment_status",
        )
    )  # fmt: skip
    lines = sorted(
        (numbers[invoice], *rest)
        for invoice, *rest in SupplierInvoiceLine.objects.values_list(
            "invoice_id", "line_no", "order_line__order__number", "order_line__line_no",
            "order_reference", "item", "description", "quantity", "unit_price", "amount",
            "tax_rate", "tax_amount",
        )
    )  # fmt: skip
    audit = sorted(
        (e.object_repr, e.action, {k: v for k, v in e.changes.items() if k != "id"})
        for e in AuditEntry.objects.filter(content_type__model="supplierinvoice")
    )
    order = [number for _pk, number in sorted(numbers.items())]
    return {"invoices": invoices, "lines": lines, "audit": audit, "order": order}


def run(user, text: str, *, fast: bool, monkeypatch):
    """Import ``text`` (rolled back afterwards) with or without the columnar path: (columnar
    took it, report or refusal, tables)."""
    took = []
    original = columnar.import_invoices

    def spy(importer):
        took.append(original(importer) if fast else False)
        return took[-1]

    monkeypatch.setattr(columnar, "import_invoices", spy)
    with transaction.atomic():
        try:
            outcome = import_documents(user=user, uploaded=upload(text), kind="invoices")
            counts = (outcome.rows, outcome.created, outcome.documents, outcome.invoices_matched)
        except ImportRefused as exc:
            counts = [str(e) for e in exc.report.errors]
        written = tables()
        transaction.set_rollback(True)
    monkeypatch.setattr(columnar, "import_invoices", original)
    return bool(took and took[0]), counts, written


def test_a_clean_file_is_written_as_the_row_importer_writes_it(setup, monkeypatch):
    text = csv_text(invoice_rows())
    took, counts, written = run(setup, text, fast=True, monkeypatch=monkeypatch)
    assert took
    slow_took, slow_counts, slow_written = run(setup, text, fast=False, monkeypatch=monkeypatch)
    assert not slow_took
    assert counts == slow_counts == (18, 18, 6, 5)  # five invoices matched, one credit note
    assert written == slow_written
    assert len(written["lines"]) == 18 and written["audit"]
    # the reference printed, the order reference made up, none without an order
    refs = {(line[0], line[1]): line[4] for line in written["lines"]}
    assert refs[("INV-0001", 1)] == "printed ref"
    assert refs[("INV-0000", 2)] == "PO-A1/2"
    assert refs[("INV-0004", 3)] == ""


def test_rows_of_one_invoice_need_not_be_next_to_each_other(setup, monkeypatch):
    rows = invoice_rows()
    rows = rows[::2] + rows[1::2]
    text = csv_text(rows)
    took, counts, written = run(setup, text, fast=True, monkeypatch=monkeypatch)
    assert took
    assert (counts, written) == run(setup, text, fast=False, monkeypatch=monkeypatch)[1:]


def _set(row, name, value):
    row[HEADER.split(",").index(name)] = value


PERTURBATIONS = {
    # name: (change to the rows, the row importer refuses the file)
    "quoted cell": (lambda rows: _set(rows[0], "item", '"ITEM, one"'), False),
    "space around a value": (lambda rows: _set(rows[0], "quantity", " 10 "), False),
    "plus sign": (lambda rows: _set(rows[0], "quantity", "+10"), False),
    "unknown partner": (lambda rows: _set(rows[0], "partner", "NOPE"), True),
    "unknown order": (lambda rows: _set(rows[0], "order_number", "PO-X"), True),
    "order of another partner": (lambda rows: _set(rows[0], "order_number", "PO-B1"), True),
    "order line missing": (lambda rows: _set(rows[0], "order_line", "9"), True),
    "order without its line": (lambda rows: _set(rows[0], "order_line", ""), True),
    "letter in a number": (lambda rows: _set(rows[0], "unit_price", "1O.5"), True),
    "negative quantity": (lambda rows: _set(rows[0], "quantity", "-1"), True),
    "impossible date": (lambda rows: _set(rows[0], "due_date", "2026-02-30"), True),
    "head differs between rows": (lambda rows: _set(rows[1], "net_total", "301.00"), True),
    "head written two ways": (lambda rows: _set(rows[1], "net_total", "300.0"), True),
    "line number twice": (lambda rows: _set(rows[1], "line_no", "1"), True),
    "line number left out": (lambda rows: _set(rows[1], "line_no", ""), False),
    "non-ASCII number": (
        lambda rows: [_set(r, "invoice_number", "INV-Ü") for r in rows[:3]],
        False,
    ),
    "required cell empty": (lambda rows: _set(rows[0], "currency", ""), True),
    "unknown currency": (lambda rows: _set(rows[0], "currency", "XXX"), True),
    "invoice date in the future": (
        lambda rows: [
            _set(r, "invoice_date", (TODAY + datetime.timedelta(days=5)).isoformat())
            for r in rows[:3]
        ],
        True,
    ),
    "due before the invoice date": (
        lambda rows: [_set(r, "due_date", "2020-01-01") for r in rows[:3]],
        True,
    ),
    "too long": (lambda rows: _set(rows[0], "item", "X" * 81), True),
}


@pytest.mark.parametrize("name", sorted(PERTURBATIONS))
def test_what_the_columnar_path_cannot_decide_goes_row_by_row(setup, monkeypatch, name):
    change, refused = PERTURBATIONS[name]
    rows = invoice_rows()
    change(rows)
    text = csv_text(rows)
    took, counts, written = run(setup, text, fast=True, monkeypatch=monkeypatch)
    assert not took
    assert (counts, written) == run(setup, text, fast=False, monkeypatch=monkeypatch)[1:]
    assert isinstance(counts, list) == refused, counts
    if refused:
        assert written["invoices"] == []


def test_credit_notes_naming_an_invoice_go_row_by_row(setup, monkeypatch):
    lines = csv_text(invoice_rows()).splitlines()
    # The credit note (rows 16-18 of the file) credits INV-0001, recorded by an earlier file.
    text = "\n".join(
        [lines[0] + ",credits_invoice"]
        + [line + (",INV-0001" if 16 <= i <= 18 else ",") for i, line in enumerate(lines) if i]
    )
    import_documents(user=setup, uploaded=upload(csv_text(invoice_rows()[3:6])), kind="invoices")
    took, counts, written = run(setup, text, fast=True, monkeypatch=monkeypatch)
    assert not took
    assert counts == (18, 15, 5, 4)
    note = next(row for row in written["invoices"] if row[2] == "INV-0005")
    assert note[13] is not None  # the credited invoice is recorded


def test_windows_line_endings_are_read_the_same(setup, monkeypatch):
    text = csv_text(invoice_rows())
    took, counts, written = run(
        setup, text.replace("\n", "\r\n"), fast=True, monkeypatch=monkeypatch
    )
    assert took
    assert (counts, written) == run(setup, text, fast=False, monkeypatch=monkeypatch)[1:]


def test_a_file_repeating_recorded_invoices_goes_row_by_row(setup, monkeypatch):
    rows = invoice_rows()
    import_documents(user=setup, uploaded=upload(csv_text(rows[:6])), kind="invoices")
    text = csv_text(rows)  # two recorded invoices, unchanged, and four new ones
    took, counts, _written = run(setup, text, fast=True, monkeypatch=monkeypatch)
    assert not took
    assert counts == (18, 12, 4, 3)  # the new credit note is not matched


def test_small_files_go_row_by_row(setup, monkeypatch):
    monkeypatch.setattr(columnar, "MIN_ROWS", 19)
    took, counts, _written = run(
        setup, csv_text(invoice_rows()), fast=True, monkeypatch=monkeypatch
    )
    assert not took and counts[1] == 18


def test_a_file_that_is_not_utf8_past_its_first_block_is_refused_row_by_row(setup, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = csv_text(invoice_rows(200)).encode("utf-8")  # past the 64 kB checked on upload
    assert len(data) > 65536
    data = data[:-20] + b"\xff\xfe" + data[-18:]  # a Latin-1 byte near the end
    took = []
    original = columnar.import_invoices
    monkeypatch.setattr(
        columnar, "import_invoices", lambda imp: took.append(original(imp)) or took[-1]
    )
    with pytest.raises(InvalidInput) as refused:
        import_documents(user=setup, uploaded=SimpleUploadedFile("x.csv", data), kind="invoices")
    assert took == [False]
    assert "UTF-8" in str(refused.value)
    assert not SupplierInvoice.objects.exists()
