"""Ingest pages: uploading an equipment CSV export (stored, all or nothing, check only, a file
that is not one), an ingest's page with each refused row's number, raw text and reasons, a
resend counted as already stored, the list and its filters; who may; pinned query counts."""

import pytest

from partnerdesk.regrind.models import Reading, ReadingIngest
from tests.factories import PartnerFactory
from tests.support import upload

HEADER = "machine;timestamp;batch;regrind_kg;virgin_kg;ratio_pct\n"
GOOD = "M1;2026-03-02 08:00:00;B1;10;40;\nM1;2026-03-02 08:10:00;B2;;;21.5\n"
BAD = "M9;2026-03-02 08:20:00;B3;;;20\nM2;2026-03-02 08:30:00;B4;;;abc\n"


def csv(text: str):
    return upload("dosing.csv", (HEADER + text).encode(), "text/csv")


@pytest.fixture
def operator(make_user):
    return make_user("manufacturing", username="operator")


def test_the_upload_page_explains_the_columns(client, operator, plant):
    client.force_login(operator)
    page = client.get("/regrind/ingests/upload/").content.decode()
    assert "<code>machine</code>" in page and "<code>machine_id</code>" in page
    assert "<code>ratio_pct</code>" in page and "at most 0.5 percentage points" in page
    assert 'name="check"' in page and 'name="strict"' in page


def test_refused_rows_are_shown_with_their_row_raw_text_and_reason(client, operator, plant):
    client.force_login(operator)
    response = client.post("/regrind/ingests/upload/", {"file": csv(GOOD + BAD)}, follow=True)
    ingest = ReadingIngest.objects.get()
    assert response.redirect_chain[-1][0] == f"/regrind/ingests/{ingest.pk}/"
    page = response.content.decode()
    assert "4 rows read: 2 stored, 0 stored already, 2 refused." in page
    assert Reading.objects.count() == 2
    # Rows counted as in the file: the header is row 1.
    assert 'data-row="4"' in page and "M9;2026-03-02 08:20:00;B3;;;20" in page
    assert "Unknown machine id “M9”." in page
    assert 'data-row="5"' in page and "“abc” is not a number." in page
    # A resend: what was stored is counted as stored already, nothing twice.
    again = client.post("/regrind/ingests/upload/", {"file": csv(GOOD)}, follow=True)
    assert "2 rows read: 0 stored, 2 stored already, 0 refused." in again.content.decode()
    assert Reading.objects.count() == 2


def test_all_or_nothing_and_check_only_store_nothing(client, operator, plant):
    client.force_login(operator)
    strict = client.post(
        "/regrind/ingests/upload/", {"file": csv(GOOD + BAD), "strict": "on"}, follow=True
    )
    assert "Nothing stored (all or nothing): 2 of 4 rows were refused." in strict.content.decode()
    assert Reading.objects.count() == 0
    check = client.post(
        "/regrind/ingests/upload/", {"file": csv(GOOD + BAD), "check": "1"}, follow=True
    )
    page = check.content.decode()
    assert "Checked only, nothing stored: of 4 rows, 2 would be stored" in page
    assert "would be stored" in page and "Unknown machine id “M9”." in page
    assert Reading.objects.count() == 0
    assert list(ReadingIngest.objects.order_by("pk").values_list("status", flat=True)) == [
        "refused",
        "checked",
    ]


def test_a_file_that_is_not_an_export_is_refused_on_the_form(client, operator, plant):
    client.force_login(operator)
    response = client.post(
        "/regrind/ingests/upload/", {"file": upload("x.csv", b"when,what\n1,2\n", "text/csv")}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The header has no “machine” column" in page
    assert ReadingIngest.objects.get().status == "failed"


def test_the_list_filters_and_links(client, operator, plant):
    client.force_login(operator)
    client.post("/regrind/ingests/upload/", {"file": csv(GOOD)})
    client.post("/regrind/ingests/upload/", {"file": csv(BAD)})
    clean, refused = ReadingIngest.objects.order_by("pk")
    page = client.get("/regrind/ingests/?refused=true").content.decode()
    assert f'data-ingest="{refused.pk}"' in page and f'data-ingest="{clean.pk}"' not in page
    assert "dosing.csv" in page


def test_who_may_see_and_upload(client, make_user, operator, plant):
    client.force_login(operator)
    client.post("/regrind/ingests/upload/", {"file": csv(BAD)})
    ingest = ReadingIngest.objects.get()
    viewer = make_user("compliance")
    client.force_login(viewer)
    assert client.get("/regrind/ingests/upload/").status_code == 404
    assert "Unknown machine id" in client.get(f"/regrind/ingests/{ingest.pk}/").content.decode()
    client.force_login(make_user("partner", partner=PartnerFactory()))
    for url in ("/regrind/ingests/", f"/regrind/ingests/{ingest.pk}/", "/regrind/ingests/upload/"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("files", [1, 4])
def test_ingest_pages_query_counts(client, operator, plant, files, django_assert_num_queries):
    client.force_login(operator)
    for number in range(files):
        rows = f"M9;2026-03-02 08:{number:02d}:00;B;;;20\n" * (number + 1)
        client.post("/regrind/ingests/upload/", {"file": csv(GOOD + rows)})
    last = ReadingIngest.objects.order_by("pk").last()
    for url, queries in (("/regrind/ingests/", 7), (f"/regrind/ingests/{last.pk}/", 8)):
        client.get(url)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200
