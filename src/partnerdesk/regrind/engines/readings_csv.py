"""Reading an equipment CSV export as a stream of raw row batches (Polars; no Django).

The file is read in blocks of about ``CHUNK_BYTES``, cut at line ends, so a file of any size
needs constant memory. Each block becomes a frame of text fields with the line number of every
row (the header is line 1), so a message can name the row. Blank lines are skipped. A row
with more or fewer fields than the header is refused as a whole. Quoted fields are honoured
(the blocks that contain a quote go through Python's csv reader; the rest are split by Polars).
"""

import csv
import io
from collections.abc import Iterator

import polars as pl

from partnerdesk.regrind.engines.readings import HeaderError, map_header

CHUNK_BYTES = 16 << 20
SEPARATORS = (",", ";", "\t")


def _decode(block: bytes, line: int) -> str:
    try:
        return block.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HeaderError("not_utf8", line=line + block[: exc.start].count(b"\n")) from exc


def open_csv(stream) -> tuple[list[str | None], str, bytes]:
    """Read the header. Returns the canonical field of each column, the separator and what was
    read past the header (the caller hands it to :func:`chunks`)."""
    head = stream.read(64 << 10)
    if not head:
        raise HeaderError("empty")
    if b"\x00" in head[:4096]:
        raise HeaderError("not_csv")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    while b"\n" not in head:
        more = stream.read(64 << 10)
        if not more:
            head += b"\n"
            break
        head += more
    first, rest = head.split(b"\n", 1)
    text = _decode(first, 1).rstrip("\r")
    separator = max(SEPARATORS, key=text.count)
    if text.count(separator) == 0 and "," not in text:
        separator = ","
    names = next(csv.reader([text], delimiter=separator))
    return map_header(names), separator, rest


def chunks(stream, rest: bytes, mapping: list[str | None], separator: str, *, chunk_bytes=None):
    """Yield frames of raw rows: ``row``, ``raw`` (the line as read), ``bad_fields`` and one
    text column per mapped field."""
    size = chunk_bytes or CHUNK_BYTES
    line = 2
    pending = rest
    while True:
        block = stream.read(size)
        data = pending + block if block else pending
        if block:
            cut = data.rfind(b"\n")
            if cut < 0:
                pending = data
                continue
            data, pending = data[: cut + 1], data[cut + 1 :]
        else:
            pending = b""
        if data:
            frame, count = _frame(data, line, mapping, separator)
            line += count
            if frame.height:
                yield frame
        if not block:
            return


def _frame(data: bytes, line: int, mapping, separator: str) -> tuple[pl.DataFrame, int]:
    text = _decode(data, line)
    if text.endswith("\n"):
        text = text[:-1]
    lines = pl.Series("raw", text.split("\n"), dtype=pl.String).str.strip_suffix("\r")
    count = lines.len()
    frame = pl.DataFrame({"raw": lines}).with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + line).alias("row")
    )
    frame = frame.filter(pl.col("raw").str.strip_chars() != "")
    width = len(mapping)
    wanted = [(i, name) for i, name in enumerate(mapping) if name]
    if '"' in text:
        fields = list(
            csv.reader(io.StringIO("\n".join(frame["raw"].to_list())), delimiter=separator)
        )
        if len(fields) != frame.height:
            raise HeaderError("quoted_newline", line=line)
        lengths = pl.Series([len(f) for f in fields], dtype=pl.Int64)
        columns = {
            name: pl.Series([f[i] if i < len(f) else None for f in fields], dtype=pl.String)
            for i, name in wanted
        }
        frame = frame.with_columns(
            (lengths != width).alias("bad_fields"),
            *[series.alias(name) for name, series in columns.items()],
        )
    else:
        parts = pl.col("raw").str.split(separator)
        frame = frame.with_columns(parts.alias("_parts"))
        frame = frame.with_columns(
            (pl.col("_parts").list.len() != width).alias("bad_fields"),
            *[pl.col("_parts").list.get(i, null_on_oob=True).alias(name) for i, name in wanted],
        ).drop("_parts")
    return frame.with_columns(pl.lit(width).alias("expected")), count


def iter_csv(stream, *, chunk_bytes=None) -> Iterator[pl.DataFrame]:
    mapping, separator, rest = open_csv(stream)
    yield from chunks(stream, rest, mapping, separator, chunk_bytes=chunk_bytes)
