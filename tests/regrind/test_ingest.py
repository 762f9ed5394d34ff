"""Ingesting readings: CSV files and machine posts, bad rows, resends, order, stamping."""

import io

import pytest

from partnerdesk.core.errors import InvalidInput
from partnerdesk.regrind.models import Reading, ReadingIngest, RejectedReading
from partnerdesk.regrind.services.ingest import readings_ingest_csv, readings_ingest_rows
from partnerdesk.regrind.services.ingest_messages import describe
from tests.regrind.conftest import DAY, local

NOW = local(DAY, 23)


def ingest(user, text, **kwargs):
    return readings_ingest_csv(
        user=user, stream=io.BytesIO(text.encode()), filename="x.csv", now=NOW, **kwargs
    )


@pytest.fixture
def user(make_user):
    return make_user("manufacturing")


GOOD = (
    "machine,timestamp,batch,regrind_kg,virgin_kg,ratio\n"
    "M1,2026-03-02 08:00:00,B1,10,40,\n"
    "M1,2026-03-02 08:10:00,B2,,,21.5\n"
    "M2,2026-03-02T08:00:00+08:00,B3,9,41,18\n"
    "M1,2026-03-02 15:00:00,B4,11,39,22\n"
)


def test_a_clean_file_is_stored_and_stamped(plant, user):
    result = ingest(user, GOOD)
    assert (result.status, result.rows, result.stored, result.refused) == ("done", 4, 4, 0)
    rows = list(
        Reading.objects.order_by("unit__code", "taken_at").values_list(
            "unit__code", "taken_at", "ratio", "team_id", "product_id", "moving_range"
        )
    )
    assert rows[0][:3] == ("M1", local(DAY, 8), 20.0)
    assert rows[0][3:] == (plant.red.pk, plant.product.pk, None)
    assert rows[1][2] == 21.5 and rows[1][5] == pytest.approx(1.5)
    # 15:00 is the late shift: another team, so no moving range across the hand-over.
    assert rows[2][3] == plant.blue.pk and rows[2][5] is None
    assert rows[3][:2] == ("M2", local(DAY, 8))
    assert result.first_at == local(DAY, 8) and result.last_at == local(DAY, 15)


def test_a_resend_changes_nothing(plant, user):
    ingest(user, GOOD)
    before = list(Reading.objects.order_by("id").values_list("id", "ratio", "moving_range"))
    again = ingest(user, GOOD)
    assert (again.stored, again.duplicates, again.refused) == (0, 4, 0)
    assert list(Reading.objects.order_by("id").values_list("id", "ratio", "moving_range")) == before


def test_bad_rows_are_refused_with_reasons_and_kept(plant, user):
    text = (
        "machine,timestamp,batch,regrind_kg,virgin_kg,ratio\n"
        "M1,2026-03-02 08:00:00,B1,-1,40,\n"  # negative mass
        "M1,2026-03-02 08:01:00,B2,,,101\n"  # ratio above 100
        "M9,2026-03-02 08:02:00,B3,,,20\n"  # unknown machine
        "M1,2026-03-03 08:00:00,B4,,,20\n"  # future (now is 2 March 23:00)
        "M1,yesterday,B5,,,20\n"  # not a time
        "M1,2026-03-02 08:03:00,B6,10,40,30\n"  # ratio does not match the masses
        "M1,2026-03-02 08:04:00\n"  # too few fields
        "OFF,2026-03-02 08:05:00,B7,,,20\n"  # inactive unit
        "M1,2026-03-02 08:06:00,B8,,,abc\n"  # not a number
        "M1,2026-03-02 08:07:00,B9,,,\n"  # nothing to take the ratio from
        "M2,2026-03-02 08:00:00,ok,,,20\n"
    )
    result = ingest(user, text)
    assert (result.rows, result.stored, result.refused) == (11, 1, 10)
    kept = {r.row: r for r in RejectedReading.objects.filter(ingest=result)}
    codes = {row: [e["code"] for e in r.errors] for row, r in kept.items()}
    assert codes == {
        2: ["negative"],
        3: ["ratio_range"],
        4: ["unknown_machine"],
        5: ["future"],
        6: ["not_a_time"],
        7: ["mismatch"],
        8: ["field_count"],
        9: ["inactive_machine"],
        10: ["not_a_number"],
        11: ["no_ratio"],
    }
    assert kept[2].raw == "M1,2026-03-02 08:00:00,B1,-1,40,"
    assert describe(kept[4].errors)[0]["message"] == "Unknown machine id “M9”."
    assert describe(kept[7].errors)[0]["message"] == (
        "The ratio 30.0 % does not match the masses (20.0 %)."
    )


def test_out_of_order_and_in_file_duplicates(plant, user):
    ingest(user, "machine,timestamp,ratio\nM1,2026-03-02 09:00,20\n")
    result = ingest(
        user,
        "machine,timestamp,ratio\n"
        "M1,2026-03-02 08:00,20\n"  # earlier than the stored 09:00, never stored: out of order
        "M1,2026-03-02 09:00,20\n"  # stored: a resend
        "M1,2026-03-02 10:00,20\n"
        "M1,2026-03-02 10:00,20\n"  # twice in the file
        "M1,2026-03-02 09:30,20\n",  # earlier than 10:00 in the same file
    )
    assert (result.stored, result.duplicates, result.refused) == (1, 2, 2)
    codes = sorted((r.row, r.errors[0]["code"]) for r in result.rejections.all())
    assert codes == [(2, "out_of_order"), (6, "out_of_order")]


def test_strict_ingest_stores_nothing_when_a_row_is_bad(plant, user):
    text = "machine,timestamp,ratio\nM1,2026-03-02 08:00,20\nM1,2026-03-02 08:10,-3\n"
    result = ingest(user, text, strict=True)
    assert result.status == "refused" and (result.stored, result.refused) == (0, 1)
    assert not Reading.objects.exists()
    assert result.rejections.count() == 1


def test_a_check_runs_everything_and_stores_nothing(plant, user):
    result = ingest(user, GOOD, check_only=True)
    assert result.status == "checked" and result.stored == 4
    assert not Reading.objects.exists()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ("time,ratio\nx,1\n", "no “machine” column"),
        ("machine,timestamp,regrind_kg\n", "ratio column"),
        ("\x00\x01binary", "not a CSV"),
    ],
)
def test_unusable_files_fail_whole(plant, user, text, needle):
    with pytest.raises(InvalidInput) as caught:
        ingest(user, text)
    assert needle in str(caught.value)
    assert ReadingIngest.objects.get().status == "failed"
    assert not Reading.objects.exists()


def test_small_chunks_give_the_same_result(plant, user):
    rows = "".join(
        f"M{1 + i % 2},2026-03-02 {6 + i // 120:02d}:{(i // 2) % 60:02d}:00,B{i},,,{18 + i % 5}\n"
        for i in range(400)
    )
    text = "machine;timestamp;batch;regrind_kg;virgin_kg;ratio\n" + rows.replace(",", ";")
    result = ingest(user, text, chunk_bytes=512)
    assert (result.rows, result.stored, result.refused) == (400, 400, 0)
    mr = list(
        Reading.objects.filter(unit=plant.m1)
        .order_by("taken_at")
        .values_list("moving_range", flat=True)
    )
    assert mr[0] is None and all(m is not None for m in mr[1:])


def test_machine_post(plant, user):
    rows = [
        {"machine": "M1", "timestamp": "2026-03-02T08:00:00+08:00", "ratio": 19.5, "batch": "S1"},
        {
            "machine": "M1",
            "timestamp": "2026-03-02T08:01:00+08:00",
            "regrind_kg": -2,
            "virgin_kg": 8,
        },
    ]
    result = readings_ingest_rows(user=user, rows=rows, now=NOW)
    assert (result.stored, result.refused) == (1, 1)
    rejected = result.rejections.get()
    assert rejected.row == 2 and rejected.errors[0]["code"] == "negative"
    again = readings_ingest_rows(user=user, rows=rows[:1], now=NOW)
    assert (again.stored, again.duplicates) == (0, 1)


def test_needs_permission(plant, make_user):
    from partnerdesk.core.errors import Forbidden

    with pytest.raises(Forbidden):
        ingest(make_user("finance"), GOOD)


def test_a_file_that_turns_bad_midway_fails_and_keeps_what_came_before(plant, user):
    # The header block reads 64 KB; 3,000 lines of about 36 bytes go past it.
    good = "".join(f"M1,2026-03-02 08:{k // 60:02d}:{k % 60:02d},,,,20\n" for k in range(3000))
    text = "machine,timestamp,batch,regrind_kg,virgin_kg,ratio\n" + good
    data = text.encode() + b"M1,2026-03-02 09:00:00,\xff\xfe,,,20\n"
    with pytest.raises(InvalidInput) as caught:
        readings_ingest_csv(
            user=user, stream=io.BytesIO(data), filename="x.csv", now=NOW, chunk_bytes=4096
        )
    assert "not UTF-8 text (line 3002)" in str(caught.value)
    failed = ReadingIngest.objects.get()
    assert failed.status == "failed" and "line 3002" in failed.message
    # The chunks before the bad line were committed (a resend stores the rest).
    assert 1000 < Reading.objects.count() < 3000


def test_an_unexpected_failure_marks_the_ingest_failed(plant, user, monkeypatch):
    from partnerdesk.regrind.services import ingest as service

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(service, "insert_rows", broken)
    with pytest.raises(OSError):
        ingest(user, GOOD)
    failed = ReadingIngest.objects.get()
    assert failed.status == "failed" and failed.message == "OSError: disk full"
