"""Importing measurements from CSV and XLSX files: parsing, row errors, all or nothing,
idempotence, and the import pages."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from partnerdesk.audit.models import AuditEntry
from partnerdesk.contracts.services.contracts import contract_create
from partnerdesk.core.errors import InvalidInput
from partnerdesk.performance.models import Measurement, Metric, PeriodClose
from partnerdesk.performance.services.import_files import parse_measurement_file
from partnerdesk.performance.services.imports import (
    ImportRefused,
    check_measurements,
    import_measurements,
)
from partnerdesk.performance.services.measurements import measurement_record
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

HEADER = "Contract,Metric,Measured_On,Value,Numerator,Denominator,Evidence\n"


@pytest.fixture
def world(make_user):
    user = make_user("outsourcing", username="importer")
    admin = make_user("administrator", username="boss")
    contract = contract_create(
        user=admin,
        partner=PartnerFactory(code="CMO-A"),
        data={
            "reference": "C-1",
            "title": "Moulding",
            "outsourced_scope": "Housings",
            "start_date": datetime.date(2026, 1, 1),
            "end_date": datetime.date(2027, 12, 31),
            "monthly_fee": Decimal("100000.00"),
        },
    )
    ratio = Metric.objects.create(
        code="t_otd", name="On-time test", unit="%", direction="higher", aggregation="ratio"
    )
    mean = Metric.objects.create(
        code="t_ppm", name="PPM test", unit="ppm", direction="lower", aggregation="mean"
    )
    return user, contract, ratio, mean


def csv_file(text: str, name: str = "values.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"))


def run(user, upload, mapping=None):
    return import_measurements(user=user, parsed=parse_measurement_file(upload, mapping))


def test_a_good_csv_is_imported_with_source_evidence_and_audit(world):
    user, _contract, ratio, mean = world
    upload = csv_file(
        HEADER + "C-1,t_otd,2026-09-30,,980,1000,ERP report 9\nC-1,t_ppm,2026-09-30,120.5,,,\n"
    )

    result = run(user, upload)

    assert (result.created, result.unchanged) == (2, 0)
    otd = Measurement.objects.get(metric=ratio)
    assert (otd.value, otd.numerator, otd.denominator, otd.period) == (
        Decimal("98.0000"),
        Decimal("980.0000"),
        Decimal("1000.0000"),
        datetime.date(2026, 9, 1),
    )
    assert (otd.source, otd.evidence, otd.author, otd.is_current) == (
        "import",
        "ERP report 9",
        user,
        True,
    )
    ppm = Measurement.objects.get(metric=mean)
    assert (ppm.value, ppm.numerator, ppm.evidence) == (
        Decimal("120.5000"),
        None,
        "values.csv, row 3",
    )
    audit = AuditEntry.objects.filter(content_type__model="measurement", action="create")
    assert sorted(audit.values_list("object_id", "actor")) == [
        (str(otd.pk), user.pk),
        (str(ppm.pk), user.pk),
    ]


def test_a_good_xlsx_made_with_openpyxl_is_imported(world):
    user, _contract, _ratio, _mean = world
    book = Workbook()
    sheet = book.active
    sheet.append(["CONTRACT", "metric", "Measured_on", "value", "numerator", "denominator"])
    sheet.append(["C-1", "t_otd", datetime.datetime(2026, 10, 31), None, 999, 1000])
    sheet.append(["C-1", "t_ppm", datetime.date(2026, 10, 15), 80.25, None, None])
    sheet.append([None, None, None, None, None, None])  # blank rows are skipped
    content = io.BytesIO()
    book.save(content)

    result = run(user, SimpleUploadedFile("values.xlsx", content.getvalue()))

    assert (result.created, result.unchanged) == (2, 0)
    assert sorted(Measurement.objects.values_list("metric__code", "measured_on", "value")) == [
        ("t_otd", datetime.date(2026, 10, 31), Decimal("99.9000")),
        ("t_ppm", datetime.date(2026, 10, 15), Decimal("80.2500")),
    ]


def test_every_bad_row_is_named_with_its_field_and_nothing_is_saved(world):
    user, contract, _ratio, mean = world
    measurement_record(
        user=user,
        contract=contract,
        metric=mean,
        measured_on=datetime.date(2026, 9, 30),
        value=Decimal("50"),
    )
    PeriodClose.objects.create(period=datetime.date(2026, 8, 1))
    upload = csv_file(
        HEADER
        + "C-404,t_ppm,2026-09-01,1,,,\n"  # row 2: unknown contract
        + "C-1,nope,2026-09-01,1,,,\n"  # row 3: unknown metric
        + "C-1,t_ppm,2026-09-02,abc,,,\n"  # row 4: bad number
        + "C-1,t_ppm,2026-13-01,1,,,\n"  # row 5: bad date
        + "C-1,t_otd,2026-09-03,,,100,\n"  # row 6: ratio without numerator
        + "C-1,t_ppm,2026-08-15,1,,,\n"  # row 7: closed period
        + "C-1,t_ppm,2026-09-04,1,,,\n"  # row 8: fine on its own
        + "C-1,t_ppm,2026-09-04,2,,,\n"  # row 9: duplicate of row 8
        + "C-1,t_ppm,2026-09-30,60,,,\n"  # row 10: a different value is already recorded
        + "C-1,t_ppm,2026-09-05,1,,,\n"  # row 11: fine
    )
    before = (Measurement.objects.count(), AuditEntry.objects.count())

    with pytest.raises(ImportRefused) as refused:
        run(user, upload)

    assert [str(e) for e in refused.value.row_errors] == [
        "Row 2, contract: Unknown contract “C-404”.",
        "Row 3, metric: Unknown metric “nope”.",
        "Row 4, value: “abc” is not a number.",
        "Row 5, measured_on: “2026-13-01” is not a date written YYYY-MM-DD.",
        "Row 6, numerator: On-time test is a ratio: give numerator and denominator.",
        "Row 7, measured_on: 2026-08 is closed; reopen it to change its measurements.",
        "Row 9, measured_on: The same contract, metric and date as row 8.",
        "Row 10, value: C-1 already has PPM test for 2026-09-30 (value 50.0000); "
        "correct that one instead.",
    ]
    assert refused.value.message == "8 rows have errors; nothing was imported."
    assert (Measurement.objects.count(), AuditEntry.objects.count()) == before


def test_one_bad_row_refuses_the_whole_file(world):
    user, _contract, _ratio, _mean = world
    upload = csv_file(
        HEADER + "C-1,t_ppm,2026-09-01,1,,,\nC-1,t_ppm,2026-09-02,2,,,\nC-1,t_ppm,someday,3,,,\n"
    )

    with pytest.raises(ImportRefused) as refused:
        run(user, upload)

    assert refused.value.message == "1 row has an error; nothing was imported."
    assert Measurement.objects.count() == 0


def test_importing_the_same_file_twice_changes_nothing(world):
    user, _contract, _ratio, _mean = world
    text = HEADER + "C-1,t_otd,2026-09-30,,980,1000,\nC-1,t_ppm,2026-09-30,120.5,,,\n"
    first = run(user, csv_file(text))
    rows = list(Measurement.objects.order_by("pk").values())
    audit_rows = AuditEntry.objects.count()

    second = run(user, csv_file(text))

    assert (first.created, first.unchanged) == (2, 0)
    assert (second.created, second.unchanged) == (0, 2)
    assert list(Measurement.objects.order_by("pk").values()) == rows
    assert AuditEntry.objects.count() == audit_rows


def test_an_identical_row_in_a_month_closed_since_is_unchanged(world):
    user, _contract, _ratio, _mean = world
    text = HEADER + "C-1,t_ppm,2026-09-30,120.5,,,\n"
    run(user, csv_file(text))
    PeriodClose.objects.create(period=datetime.date(2026, 9, 1))

    again = run(user, csv_file(text))

    assert (again.created, again.unchanged) == (0, 1)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "report.pdf",
            b"%PDF-1.4\n%%EOF\n",
            "“report.pdf” is not a spreadsheet: import a CSV or an Excel (.xlsx) file.",
        ),
        (
            "values.csv",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "The file is not a spreadsheet or CSV: it holds binary data.",
        ),
        (
            "values.xlsx",
            b"contract,metric\n",
            "The file is called .xlsx but is not an Excel workbook.",
        ),
        (
            "values.xlsx",
            b"PK\x03\x04 not really a zip",
            "The file is not a readable Excel workbook (.xlsx).",
        ),
        (
            "old.csv",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "Old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV.",
        ),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_with_a_reason(name, content, message):
    with pytest.raises(InvalidInput) as refused:
        parse_measurement_file(SimpleUploadedFile(name, content))

    assert refused.value.fields == {"file": [message]}


def test_headers_that_differ_are_mapped_to_the_fields(world):
    user, _contract, _ratio, _mean = world
    text = "Ref;KPI;Date;Amount\nC-1;t_ppm;2026-09-30;12,5\n"

    unmapped = parse_measurement_file(csv_file(text))
    mapped = parse_measurement_file(
        csv_file(text),
        {"contract": "ref", "metric": "KPI", "measured_on": "Date", "value": "Amount"},
    )

    assert unmapped.needs_mapping
    assert unmapped.headers == ["Ref", "KPI", "Date", "Amount"]
    assert [str(e) for e in unmapped.errors] == [
        "Row 1, contract: No column holds this field; map one.",
        "Row 1, metric: No column holds this field; map one.",
        "Row 1, measured_on: No column holds this field; map one.",
    ]
    assert not mapped.needs_mapping
    assert (mapped.errors, mapped.rows[0].value) == ([], Decimal("12.5"))
    assert run(user, csv_file(text), mapped.mapping).created == 1


def test_check_reports_what_an_import_would_do(world):
    user, _contract, _ratio, _mean = world
    run(user, csv_file(HEADER + "C-1,t_ppm,2026-09-30,1,,,\n"))
    parsed = parse_measurement_file(
        csv_file(HEADER + "C-1,t_ppm,2026-09-30,1,,,\nC-1,t_ppm,2026-10-31,2,,,\n")
    )

    plan = check_measurements(user=user, parsed=parsed)

    assert (len(plan.new), plan.unchanged, plan.errors) == (1, 1, [])
    assert Measurement.objects.count() == 1


def test_a_partner_user_cannot_import(world, make_user):
    _user, contract, _ratio, _mean = world
    partner_user = make_user("partner", partner=contract.partner)
    parsed = parse_measurement_file(csv_file(HEADER + "C-1,t_ppm,2026-09-30,1,,,\n"))

    with pytest.raises(Exception, match="not allowed"):
        import_measurements(user=partner_user, parsed=parsed)


def test_the_import_pages_upload_map_preview_and_commit(world, client):
    user, _contract, _ratio, _mean = world
    client.force_login(user)
    upload = csv_file("Ref,KPI,Date,Amount\nC-1,t_ppm,2026-09-30,7\n")

    mapping_page = client.post(
        "/performance/measurements/import/", {"step": "upload", "file": upload}
    )
    assert mapping_page.status_code == 200
    assert "Which column holds what?" in mapping_page.text
    stash = {k: mapping_page.context["stash"][k] for k in ("token", "extension", "name")}
    preview = client.post(
        "/performance/measurements/import/",
        {
            "step": "map",
            **stash,
            "contract": "Ref",
            "metric": "KPI",
            "measured_on": "Date",
            "value": "Amount",
        },
    )
    assert preview.status_code == 200
    assert preview.context["plan"].unchanged == 0
    assert len(preview.context["plan"].new) == 1
    assert Measurement.objects.count() == 0

    done = client.post(
        "/performance/measurements/import/",
        {"step": "commit", **stash, **preview.context["mapping"]},
    )

    assert done.status_code == 302
    assert list(Measurement.objects.values_list("value", flat=True)) == [Decimal("7.0000")]


def test_the_import_page_shows_row_errors_and_refuses_other_files(world, client):
    user, _contract, _ratio, _mean = world
    client.force_login(user)

    preview = client.post(
        "/performance/measurements/import/",
        {"step": "upload", "file": csv_file(HEADER + "C-9,t_ppm,2026-09-30,1,,,\n")},
    )
    refused = client.post(
        "/performance/measurements/import/",
        {"step": "upload", "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4")},
    )

    assert "Row 2, contract: Unknown contract “C-9”." in preview.text
    assert 'name="step" value="commit"' not in preview.text
    assert "“x.pdf” is not a spreadsheet" in refused.text
