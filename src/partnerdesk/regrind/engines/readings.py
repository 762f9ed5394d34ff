"""Checking dosing readings in bulk (Polars; no Django).

A batch of raw rows (every field still text, as read from a CSV file or a machine's post) is
parsed and checked column-wise; only the rows that fail are looked at one by one, to say what
is wrong with them. Problems come back as :class:`Issue` codes with parameters; the service
turns them into translated messages.

Rules:

* ``machine`` must name a known, active dosing unit (its machine id).
* ``timestamp`` is ``YYYY-MM-DD HH:MM[:SS[.ffffff]]`` (a ``T`` may separate date and time),
  optionally followed by ``Z`` or an offset such as ``+08:00``. Without an offset it is the
  company's local time. It may not lie more than ``FUTURE_SLACK`` in the future.
* Masses may not be negative; a ratio lies between 0 and 100 %. A row gives the ratio, or both
  masses (then ratio = regrind / (regrind + virgin) * 100), or all three, in which case the ratio
  may differ from the masses' ratio by at most ``RATIO_SLACK`` percentage points.
* ``batch`` (the batch or shot id) is at most ``BATCH_MAX`` characters.
"""

import datetime
from dataclasses import dataclass, field

import polars as pl

FIELDS = ("machine", "timestamp", "batch", "regrind_kg", "virgin_kg", "ratio")
ALIASES = {
    "machine": "machine",
    "machine_id": "machine",
    "unit": "machine",
    "dosing_unit": "machine",
    "timestamp": "timestamp",
    "time": "timestamp",
    "taken_at": "timestamp",
    "datetime": "timestamp",
    "batch": "batch",
    "shot": "batch",
    "batch_id": "batch",
    "regrind_kg": "regrind_kg",
    "regrind": "regrind_kg",
    "regrind_mass": "regrind_kg",
    "virgin_kg": "virgin_kg",
    "virgin": "virgin_kg",
    "virgin_mass": "virgin_kg",
    "ratio": "ratio",
    "ratio_pct": "ratio",
    "regrind_ratio": "ratio",
    "regrind_pct": "ratio",
}
BATCH_MAX = 40
RATIO_SLACK = 0.5
FUTURE_SLACK = datetime.timedelta(minutes=5)
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M")
OFFSET = r"(Z|[+-]\d\d:?\d\d)$"
US = pl.Datetime("us", "UTC")


@dataclass(frozen=True)
class Issue:
    row: int
    field: str
    code: str
    params: dict = field(default_factory=dict)


class HeaderError(ValueError):
    """The header itself is unusable: nothing in the file can be read."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def map_header(names: list[str]) -> list[str | None]:
    """The canonical field of each column (``None`` for columns we do not read)."""
    mapped: list[str | None] = []
    for name in names:
        key = name.strip().strip('"').strip().lower().replace(" ", "_").replace("-", "_")
        mapped.append(ALIASES.get(key))
    seen = [m for m in mapped if m]
    for name in set(seen):
        if seen.count(name) > 1:
            raise HeaderError("duplicate_column", field=name)
    for required in ("machine", "timestamp"):
        if required not in seen:
            raise HeaderError("missing_column", field=required, found=", ".join(names))
    if "ratio" not in seen and not {"regrind_kg", "virgin_kg"} <= set(seen):
        raise HeaderError("no_ratio_columns", found=", ".join(names))
    return mapped


def _number(name: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """The parsed value, whether the text was given, and whether it failed to parse."""
    text = pl.col(name).str.strip_chars()
    given = text.is_not_null() & (text != "")
    value = pl.when(given).then(text).cast(pl.Float64, strict=False)
    bad = given & (value.is_null() | ~value.is_finite())
    return value, given, bad


def _timestamp(tz: str) -> pl.Expr:
    text = pl.col("timestamp").str.strip_chars()
    offset = text.str.extract(OFFSET)
    naive_text = text.str.replace(OFFSET, "").str.replace("T", " ", literal=True)
    parsed = pl.coalesce(
        [naive_text.str.strptime(pl.Datetime("us"), f, strict=False) for f in TIME_FORMATS]
    )
    sign = pl.when(offset.str.starts_with("-")).then(-1).otherwise(1)
    digits = offset.str.replace_all(r"[^0-9]", "")
    minutes = sign * (
        digits.str.slice(0, 2).cast(pl.Int64, strict=False) * 60
        + digits.str.slice(2, 2).cast(pl.Int64, strict=False)
    )
    local = parsed.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
    return (
        pl.when(offset.is_null())
        .then(local.dt.convert_time_zone("UTC"))
        .when(offset == "Z")
        .then(parsed.dt.replace_time_zone("UTC"))
        .otherwise((parsed - pl.duration(minutes=minutes)).dt.replace_time_zone("UTC"))
        .cast(US)
    )


def check(raw: pl.DataFrame, *, units: pl.DataFrame, tz: str, now: datetime.datetime):
    """Parse and check a batch of raw rows.

    ``raw`` has the columns ``row`` (its number for messages) and the text fields of
    ``FIELDS`` it carries (missing ones are treated as empty), plus ``bad_fields`` (true for a
    row whose number of fields did not match the header). ``units`` has ``code``,
    ``unit_id``, ``line_id`` and ``active``. Returns the good rows (``row``, ``unit_id``,
    ``line_id``, ``t`` (UTC), ``batch``, ``regrind_kg``, ``virgin_kg``, ``ratio``) in input order,
    and the issues of the refused rows.
    """
    for name in FIELDS:
        if name not in raw.columns:
            raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    if "bad_fields" not in raw.columns:
        raw = raw.with_columns(pl.lit(False).alias("bad_fields"))
    regrind, regrind_given, regrind_bad = _number("regrind_kg")
    virgin, virgin_given, virgin_bad = _number("virgin_kg")
    ratio_in, ratio_given, ratio_bad = _number("ratio")
    machine = pl.col("machine").str.strip_chars()
    frame = raw.with_columns(
        machine.alias("code"),
        _timestamp(tz).alias("t"),
        regrind.alias("regrind_kg_v"),
        virgin.alias("virgin_kg_v"),
        ratio_in.alias("ratio_v"),
        regrind_bad.alias("e_regrind_nan"),
        virgin_bad.alias("e_virgin_nan"),
        ratio_bad.alias("e_ratio_nan"),
        regrind_given.alias("g_regrind"),
        virgin_given.alias("g_virgin"),
        ratio_given.alias("g_ratio"),
        pl.col("batch").fill_null("").str.strip_chars().alias("batch_v"),
    ).join(units, on="code", how="left", coalesce=True)
    masses = pl.col("g_regrind") & pl.col("g_virgin")
    total = pl.col("regrind_kg_v") + pl.col("virgin_kg_v")
    computed = pl.when(total > 0).then(pl.col("regrind_kg_v") / total * 100.0)
    ts_given = pl.col("timestamp").str.strip_chars().fill_null("") != ""
    limit = now.astimezone(datetime.UTC) + FUTURE_SLACK
    frame = frame.with_columns(
        computed.alias("computed"),
        (pl.col("code").fill_null("") == "").alias("e_machine_missing"),
        ((pl.col("code").fill_null("") != "") & pl.col("unit_id").is_null()).alias(
            "e_machine_unknown"
        ),
        (pl.col("unit_id").is_not_null() & ~pl.col("active").fill_null(True)).alias(
            "e_machine_inactive"
        ),
        (~ts_given).alias("e_time_missing"),
        (ts_given & pl.col("t").is_null()).alias("e_time_bad"),
        (pl.col("t") > pl.lit(limit).cast(US)).fill_null(False).alias("e_time_future"),
        (pl.col("regrind_kg_v") < 0).fill_null(False).alias("e_regrind_negative"),
        (pl.col("virgin_kg_v") < 0).fill_null(False).alias("e_virgin_negative"),
        ((pl.col("ratio_v") < 0) | (pl.col("ratio_v") > 100))
        .fill_null(False)
        .alias("e_ratio_range"),
        (pl.col("batch_v").str.len_chars() > BATCH_MAX).alias("e_batch_long"),
    )
    masses_ok = (
        masses
        & ~pl.col("e_regrind_nan")
        & ~pl.col("e_virgin_nan")
        & ~pl.col("e_regrind_negative")
        & ~pl.col("e_virgin_negative")
    )
    frame = frame.with_columns(
        (~pl.col("g_ratio") & ~masses).alias("e_no_ratio"),
        (masses_ok & (total == 0)).fill_null(False).alias("e_zero_mass"),
        (
            pl.col("g_ratio")
            & ~pl.col("e_ratio_nan")
            & masses_ok
            & ((pl.col("ratio_v") - pl.col("computed")).abs() > RATIO_SLACK)
        )
        .fill_null(False)
        .alias("e_mismatch"),
    )
    flags = [c for c in frame.columns if c.startswith("e_")]
    frame = frame.with_columns(
        (pl.any_horizontal(flags) | pl.col("bad_fields")).alias("refused"),
        pl.coalesce("ratio_v", "computed").alias("ratio_final"),
    )
    good = frame.filter(~pl.col("refused")).select(
        "row",
        pl.col("unit_id").cast(pl.Int64),
        pl.col("line_id").cast(pl.Int64),
        "t",
        pl.col("batch_v").alias("batch"),
        pl.col("regrind_kg_v").alias("regrind_kg"),
        pl.col("virgin_kg_v").alias("virgin_kg"),
        pl.col("ratio_final").alias("ratio"),
    )
    bad = frame.filter(pl.col("refused"))
    return good, _issues(bad, flags)


_FLAG_FIELDS = {
    "e_machine_missing": ("machine", "missing"),
    "e_machine_unknown": ("machine", "unknown_machine"),
    "e_machine_inactive": ("machine", "inactive_machine"),
    "e_time_missing": ("timestamp", "missing"),
    "e_time_bad": ("timestamp", "not_a_time"),
    "e_time_future": ("timestamp", "future"),
    "e_regrind_nan": ("regrind_kg", "not_a_number"),
    "e_virgin_nan": ("virgin_kg", "not_a_number"),
    "e_ratio_nan": ("ratio", "not_a_number"),
    "e_regrind_negative": ("regrind_kg", "negative"),
    "e_virgin_negative": ("virgin_kg", "negative"),
    "e_ratio_range": ("ratio", "ratio_range"),
    "e_batch_long": ("batch", "too_long"),
    "e_no_ratio": ("ratio", "no_ratio"),
    "e_zero_mass": ("regrind_kg", "zero_mass"),
    "e_mismatch": ("ratio", "mismatch"),
}
_RAW = {"machine", "timestamp", "batch", "regrind_kg", "virgin_kg", "ratio"}


def _issues(bad: pl.DataFrame, flags: list[str]) -> list[Issue]:
    issues = []
    for rec in bad.iter_rows(named=True):
        row = rec["row"]
        if rec["bad_fields"]:
            issues.append(Issue(row, "", "field_count", {"expected": rec.get("expected", 0)}))
            continue
        for flag in flags:
            if not rec[flag]:
                continue
            field_name, code = _FLAG_FIELDS[flag]
            params = {"value": (rec.get(field_name) or "").strip()[:60]}
            if code == "mismatch":
                params = {"ratio": rec["ratio_v"], "computed": round(rec["computed"], 2)}
            elif code == "too_long":
                params = {"max": BATCH_MAX}
            issues.append(Issue(row, field_name, code, params))
    return issues


def order(frame: pl.DataFrame, carry: pl.DataFrame) -> pl.DataFrame:
    """Place each good row against what came before it on its unit.

    ``carry`` has ``unit_id`` and ``last_t``: the latest reading of the unit stored (or taken
    from earlier rows of the same file). Adds ``prior`` (the latest earlier time on the unit:
    the carry or an earlier row of this batch) and ``place``: ``"new"`` when later than
    ``prior``, ``"same"`` when equal to it (a resend), ``"earlier"`` when before it (stored
    already, or out of order: the caller looks it up).
    """
    frame = frame.with_row_index("_i").join(carry, on="unit_id", how="left")
    running = pl.col("t").cum_max().shift(1).over("unit_id", order_by="_i").alias("_running")
    frame = frame.with_columns(running)
    prior = pl.max_horizontal("last_t", "_running")
    frame = frame.with_columns(prior.alias("prior"))
    place = (
        pl.when(pl.col("prior").is_null() | (pl.col("t") > pl.col("prior")))
        .then(pl.lit("new"))
        .when(pl.col("t") == pl.col("prior"))
        .then(pl.lit("same"))
        .otherwise(pl.lit("earlier"))
    )
    return frame.with_columns(place.alias("place")).sort("_i").drop("_i", "_running", "last_t")


def stamp(frame: pl.DataFrame, runs: pl.DataFrame, shifts: pl.DataFrame) -> pl.DataFrame:
    """Add the product running and the team on shift on the row's line at its time.

    ``runs``: ``line_id``, ``starts_at``, ``ends_at`` (null: open), ``product_id``;
    ``shifts``: ``line_id``, ``starts_at``, ``ends_at``, ``team_id``. Both in UTC.
    """
    frame = frame.sort("t")
    for table, key in ((runs, "product_id"), (shifts, "team_id")):
        right = table.select(
            pl.col("line_id").cast(pl.Int64),
            pl.col("starts_at").cast(US).alias("_from"),
            pl.col("ends_at").cast(US).alias("_to"),
            pl.col(key).cast(pl.Int64),
        ).sort("_from")
        frame = frame.join_asof(
            right,
            left_on="t",
            right_on="_from",
            by="line_id",
            strategy="backward",
            check_sortedness=False,
        )
        inside = pl.col("_to").is_null() | (pl.col("t") < pl.col("_to"))
        frame = frame.with_columns(
            pl.when(pl.col("_from").is_not_null() & inside).then(pl.col(key)).alias(key)
        ).drop("_from", "_to")
    return frame


def moving_ranges(frame: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    """Sort new rows by unit and time and add ``moving_range``: the absolute change from the
    unit's previous reading (``previous`` gives the last one before this batch: ``unit_id``,
    ``prev_ratio``, ``prev_team``, ``prev_product``), empty when there is none or when the team
    or the product changed in between."""
    frame = frame.sort("unit_id", "t").join(previous, on="unit_id", how="left")
    first = pl.int_range(pl.len()).over("unit_id") == 0
    prev_ratio = (
        pl.when(first)
        .then(pl.col("prev_ratio"))
        .otherwise(pl.col("ratio").shift(1).over("unit_id"))
    )
    prev_team = (
        pl.when(first)
        .then(pl.col("prev_team"))
        .otherwise(pl.col("team_id").shift(1).over("unit_id"))
    )
    prev_product = (
        pl.when(first)
        .then(pl.col("prev_product"))
        .otherwise(pl.col("product_id").shift(1).over("unit_id"))
    )
    same = (
        pl.col("team_id").is_not_null()
        & (prev_team == pl.col("team_id"))
        & (prev_product == pl.col("product_id"))
    )
    mr = pl.when(same.fill_null(False)).then((pl.col("ratio") - prev_ratio).abs())
    return frame.with_columns(mr.alias("moving_range")).drop(
        "prev_ratio", "prev_team", "prev_product"
    )
