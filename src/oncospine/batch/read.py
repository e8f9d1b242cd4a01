"""Reading a registry file in batches: Parquet, CSV or JSON Lines, chosen by extension.

Problems with the file itself (unknown column, a column of the wrong type, an empty file, a file
that is not Parquet or is cut short) raise `BatchInputError`: nothing can be scored safely from
it. Problems with single rows (a CSV line with the wrong number of cells, a JSON line that does
not parse, text that is not UTF-8) become row errors and the rest of the file is read.

Readers: Parquet here; CSV in `read_csv`, JSON Lines in `read_jsonl`; the column checks they
share in `inputs`.

References: docs/batch.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from oncospine.batch.inputs import (
    Batch,
    BatchInputError,
    check_columns,
    check_not_empty,
    check_types,
)
from oncospine.batch.read_csv import read_csv
from oncospine.batch.read_jsonl import json_block, nested_schema, read_jsonl
from oncospine.batch.validate import ROW

SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl",
            ".ndjson": "jsonl", ".json": "jsonl"}
BATCH_ROWS = 100_000


def input_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise BatchInputError(f"{path}: unknown file type {suffix or '(none)'!r}; use "
                              ".parquet, .csv or .jsonl")
    return SUFFIXES[suffix]


def open_input(path: str | Path) -> str:
    """The input's kind, once the file is known to exist and not to be empty."""
    kind = input_format(path)
    if not Path(path).is_file():
        raise BatchInputError(f"{path}: no such file")
    check_not_empty(Path(path), text=kind != "parquet")
    return kind


def read_batches(path: str | Path, batch_rows: int = BATCH_ROWS) -> Iterator[Batch]:
    """The input in batches of about `batch_rows` rows."""
    kind = open_input(path)
    if kind == "parquet":
        return _parquet(Path(path), batch_rows)
    if kind == "csv":
        return read_csv(Path(path), batch_rows)
    return read_jsonl(Path(path), batch_rows)


def _parquet(path: Path, batch_rows: int) -> Iterator[Batch]:
    # Polars' own reader, a slice at a time: it reads straight into Polars memory and only the
    # row groups a slice needs, several times faster than converting Arrow batches.
    try:
        scan = pl.scan_parquet(path)
        schema = scan.collect_schema()
        total = int(scan.select(pl.len()).collect().item())
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise BatchInputError(f"{path}: not a readable Parquet file ({exc})") from None
    check_columns(schema.names())
    check_types(schema)
    for first in range(0, total, batch_rows):
        try:
            frame = scan.slice(first, batch_rows).collect()
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise BatchInputError(f"{path}: Parquet data is damaged or cut short after row "
                                  f"{first} ({exc})") from None
        yield Batch(raw=_numbered(frame, first + 1), rows_read=frame.height)


def _numbered(frame: pl.DataFrame, first: int) -> pl.DataFrame:
    return frame.with_row_index(ROW, offset=first).with_columns(pl.col(ROW).cast(pl.Int64))


__all__ = ["BATCH_ROWS", "Batch", "BatchInputError", "check_columns", "check_types",
           "input_format", "json_block", "nested_schema", "open_input", "read_batches"]
