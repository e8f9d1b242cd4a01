"""Reading the flat form from CSV: Arrow's streaming reader, every cell as bytes.

Cells are read as bytes and turned into text batch by batch, so a row holding bytes that are
not UTF-8 (a file saved in another encoding, or damaged) becomes a row error like a line with
the wrong number of cells, and the rest of the file is read. A UTF-8 byte-order mark, as
spreadsheet programs write, is accepted.

References: docs/batch.md "Input".
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from oncospine.batch import schema as fs
from oncospine.batch.inputs import Batch, BatchInputError, check_columns
from oncospine.batch.validate import ROW, error

NOT_UTF8 = "not UTF-8 text: save the file as UTF-8"


def csv_header(path: Path) -> list[str]:
    """The column names on the first line (a byte-order mark is dropped)."""
    with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
        try:
            header = next(csv.reader(handle), None)
        except csv.Error as exc:
            raise BatchInputError(f"{path}: cannot read the CSV header ({exc})") from None
    if not header:
        raise BatchInputError(f"{path}: the first line must name the columns (docs/batch.md)")
    if any(_has_undecodable(name) for name in header):
        raise BatchInputError(f"{path}: the header line is {NOT_UTF8}")
    return header


def _has_undecodable(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def read_csv(path: Path, batch_rows: int) -> Iterator[Batch]:
    import pyarrow.csv as pc  # type: ignore[import-untyped]

    header = csv_header(path)
    check_columns(header)
    skipped: list[int] = []
    bad_rows: list[dict[str, Any]] = []

    def invalid(row: Any) -> str:
        number = (row.number or 0) - 1
        skipped.append(number)
        bad_rows.append(error(number, None, "<row>", f"expected {row.expected_columns} cells, "
                              f"found {row.actual_columns}", row.text[:200]))
        return "skip"

    try:
        reader = pc.open_csv(
            path,
            read_options=pc.ReadOptions(use_threads=False, block_size=1 << 24),
            parse_options=pc.ParseOptions(invalid_row_handler=invalid),
            convert_options=pc.ConvertOptions(
                column_types={name: pa.binary() for name in header}, null_values=[""],
                strings_can_be_null=True, quoted_strings_can_be_null=True))
        number = 1
        pending: list[pa.RecordBatch] = []
        size = 0
        for record_batch in reader:
            pending.append(record_batch)
            size += record_batch.num_rows
            if size >= batch_rows:
                batch, number = _csv_batch(pending, number, skipped, bad_rows)
                yield batch
                pending, size = [], 0
        if pending or bad_rows:
            batch, number = _csv_batch(pending, number, skipped, bad_rows)
            yield batch
    except (pa.ArrowException, OSError) as exc:
        raise BatchInputError(f"{path}: not readable as CSV ({exc})") from None


@cache
def _case_fields() -> dict[str, str]:
    out = {f.column: f.dotted for f in fs.fields()}
    out.update({column: section for section, column in fs.COUNT_COLUMNS.items()})
    return out


def case_field(column: str) -> str:
    """The case field a flat column carries (`status_ecog` → `status.ecog`)."""
    return _case_fields().get(column, column)


def as_text(table: pa.Table) -> tuple[pa.Table, dict[int, tuple[str, bytes]]]:
    """Byte columns as UTF-8 text, and the rows holding bytes that are not UTF-8 (the first
    such column of each), which are left empty here and rejected by the caller."""
    columns: list[pa.Array] = []
    bad: dict[int, tuple[str, bytes]] = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        try:
            columns.append(column.cast(pa.string()))
            continue
        except pa.ArrowInvalid:
            pass
        clean: list[str | None] = []
        for i, value in enumerate(column.to_pylist()):
            try:
                clean.append(None if value is None else value.decode("utf-8"))
            except UnicodeDecodeError:
                bad.setdefault(i, (name, value))
                clean.append(None)
        columns.append(pa.array(clean, pa.string()))
    return pa.table(columns, names=table.column_names), bad


def _csv_batch(pending: list[pa.RecordBatch], number: int, skipped: list[int],
               bad_rows: list[dict[str, Any]]) -> tuple[Batch, int]:
    table, undecodable = as_text(pa.Table.from_batches(pending)) if pending else (None, {})
    frame = pl.DataFrame(pl.from_arrow(table)) if table is not None else None
    count = frame.height if frame is not None else 0
    gaps = set(skipped)
    numbers: list[int] = []
    while len(numbers) < count:
        if number not in gaps:
            numbers.append(number)
        number += 1
    errors = list(bad_rows)  # lines with the wrong number of cells, not in the table
    ragged = len(errors)
    bad_rows.clear()
    for index, (column, value) in sorted(undecodable.items()):
        errors.append(error(numbers[index], None, case_field(column), NOT_UTF8,
                            value[:200].decode("utf-8", "replace")))
    raw = None
    if frame is not None:
        raw = frame.with_columns(pl.Series(ROW, numbers, dtype=pl.Int64))
        if undecodable:
            raw = raw.filter(~pl.Series(range(count)).is_in(list(undecodable)))
    return Batch(raw=raw, errors=errors, rows_read=count + ragged), number
