"""Reading a registry file in batches: Parquet, CSV or JSON Lines, chosen by extension.

Problems with the file itself (unknown column, a column of the wrong type, a file that is not
Parquet or is cut short) raise `BatchInputError`: nothing can be scored safely from it. Problems
with single rows (a CSV line with the wrong number of cells, a JSON line that does not parse)
become row errors and the rest of the file is read.

JSON Lines are parsed by Arrow against the case model's own shape, strictly (an unexpected key
or a number where text belongs stops the fast parse); a block that does not fit is read line by
line and each line judged by the case model, so the verdict never depends on the reader.

References: docs/batch.md.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from oncospine.batch import schema as fs
from oncospine.batch.validate import ROW, Prepared, canonical_frame, error, judge_document
from oncospine.case import Case
from oncospine.errors import OncospineError, closest

SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl",
            ".ndjson": "jsonl", ".json": "jsonl"}
BATCH_ROWS = 100_000


class BatchInputError(OncospineError):
    """The input file cannot be read as a registry of cases (the whole file is refused)."""


@dataclass(slots=True)
class Batch:
    """Rows read from the input: raw flat columns to validate, or rows already judged."""

    raw: pl.DataFrame | None = None
    original: Callable[[int], Any] | None = None
    prepared: Prepared | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    rows_read: int = 0


def input_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise BatchInputError(f"{path}: unknown file type {suffix or '(none)'!r}; use "
                              ".parquet, .csv or .jsonl")
    return SUFFIXES[suffix]


def read_batches(path: str | Path, batch_rows: int = BATCH_ROWS) -> Iterator[Batch]:
    """The input in batches of about `batch_rows` rows."""
    kind = input_format(path)
    if not Path(path).is_file():
        raise BatchInputError(f"{path}: no such file")
    if kind == "parquet":
        return _parquet(Path(path), batch_rows)
    if kind == "csv":
        return _csv(Path(path), batch_rows)
    return _jsonl(Path(path), batch_rows)


# ---------------------------------------------------------------- columns


def known_column(name: str) -> bool:
    if name in {f.column for f in fs.SCALARS} or name in fs.COUNT_COLUMNS.values():
        return True
    parsed = fs.parse_slot_column(name)
    if parsed is None:
        return False
    section, n, sub = parsed
    return 1 <= n <= fs.REPEATED[section][1] and any(
        t.path[-1] == sub for t in fs.SLOT_TEMPLATES[section])


def check_columns(names: list[str]) -> None:
    """Refuse unknown or repeated column names, with a did-you-mean."""
    problems = []
    seen: set[str] = set()
    for name in names:
        if name in seen:
            problems.append(f"column {name!r} appears twice")
        seen.add(name)
        if known_column(name):
            continue
        parsed = fs.parse_slot_column(name)
        if parsed and parsed[1] > fs.REPEATED[parsed[0]][1]:
            limit = fs.REPEATED[parsed[0]][1]
            problems.append(f"column {name!r}: the flat form holds at most {limit} "
                            f"{parsed[0]} entries")
            continue
        candidates = [f.column for f in fs.fields({s: 1 for s in fs.REPEATED})]
        candidates += list(fs.COUNT_COLUMNS.values())
        hint = closest(name, candidates) or _by_field_name(name, candidates)
        problems.append(f"unknown column {name!r}" + (f"; did you mean {hint!r}?" if hint
                                                      else ""))
    if problems:
        raise BatchInputError("the input does not follow the flat case form "
                              "(docs/batch.md):\n  - " + "\n  - ".join(problems))


def _by_field_name(name: str, candidates: list[str]) -> str | None:
    """`ecog` → `status_ecog`: a bare field name matched against the part after the prefix."""
    tails = {c.split("_", 1)[1]: c for c in candidates if "_" in c and not c.startswith(
        ("lesion1_", "imaging1_"))}
    tails.update({c.split("_", 1)[1]: c.replace("1_", "{n}_", 1) for c in candidates
                  if c.startswith(("lesion1_", "imaging1_"))})
    hint = closest(name, tails)
    return tails[hint] if hint else None


ACCEPTED = {
    "int": ("integer", "float", "text"), "float": ("integer", "float", "text"),
    "bool": ("boolean", "text"), "text": ("text",), "choice": ("text",),
    "time": ("datetime", "text"), "choices": ("list of text", "text"),
    "ints": ("list of integer", "text"),
}


def _dtype_class(dtype: Any) -> str:
    if dtype == pl.Null:
        return "null"
    if dtype.is_integer():
        return "integer"
    if dtype.is_float():
        return "float"
    if dtype == pl.Boolean:
        return "boolean"
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        return "text"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    if isinstance(dtype, pl.List | pl.Array):
        inner = _dtype_class(dtype.inner) if dtype.inner is not None else "null"
        return "list of " + ("text" if inner == "null" else inner)
    return str(dtype)


def check_types(schema: pl.Schema) -> None:
    """Refuse columns whose type can never hold their field (a list where a number belongs)."""
    by_column = {f.column: f for f in fs.fields()}
    problems = []
    for name, dtype in schema.items():
        spec = by_column.get(name) or fs.Field(name, (name,), "int")
        found = _dtype_class(dtype)
        if found == "null":
            continue
        accepted = ACCEPTED[spec.kind]
        if found == "list of null" or (found.startswith("list of") and spec.is_list
                                       and found == "list of text"):
            continue
        if found not in accepted:
            problems.append(f"column {name!r} has type {dtype}; expected "
                            f"{' or '.join(accepted)}")
    if problems:
        raise BatchInputError("wrong column types:\n  - " + "\n  - ".join(problems))


# ---------------------------------------------------------------- Parquet


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


# ---------------------------------------------------------------- CSV


def _csv(path: Path, batch_rows: int) -> Iterator[Batch]:
    import pyarrow.csv as pc  # type: ignore[import-untyped]

    with path.open(newline="", encoding="utf-8") as handle:
        try:
            header = next(csv.reader(handle), None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise BatchInputError(f"{path}: cannot read the CSV header ({exc})") from None
    if not header:
        return
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
                column_types={name: pa.string() for name in header}, null_values=[""],
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
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        raise BatchInputError(f"{path}: not readable as CSV ({exc})") from None


def _csv_batch(pending: list[pa.RecordBatch], number: int, skipped: list[int],
               bad_rows: list[dict[str, Any]]) -> tuple[Batch, int]:
    frame = pl.DataFrame(pl.from_arrow(pa.Table.from_batches(pending))) if pending else None
    count = frame.height if frame is not None else 0
    gaps = set(skipped)
    numbers: list[int] = []
    while len(numbers) < count:
        if number not in gaps:
            numbers.append(number)
        number += 1
    errors = list(bad_rows)
    bad_rows.clear()
    raw = (frame.with_columns(pl.Series(ROW, numbers, dtype=pl.Int64))
           if frame is not None else None)
    return Batch(raw=raw, errors=errors, rows_read=count + len(errors)), number


# ---------------------------------------------------------------- JSON Lines


def _arrow_type(kind: str) -> pa.DataType:
    return {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "text": pa.string(),
            "choice": pa.string(), "time": pa.string(), "choices": pa.list_(pa.string()),
            "ints": pa.list_(pa.int64())}[kind]


def nested_schema() -> pa.Schema:
    """The case format's shape as an Arrow schema (times as text, checked later)."""
    by_name = {str(f.path[0]): f for f in fs.SCALARS if len(f.path) == 1}
    top: list[tuple[str, pa.DataType]] = []
    for name in Case.model_fields:
        if name in fs.REPEATED:
            top.append((name, pa.list_(pa.struct([(str(t.path[-1]), _arrow_type(t.kind))
                                                  for t in fs.SLOT_TEMPLATES[name]]))))
        elif name in by_name:
            top.append((name, _arrow_type(by_name[name].kind)))
        else:
            top.append((name, pa.struct([(str(f.path[1]), _arrow_type(f.kind))
                                         for f in fs.SCALARS if f.path[0] == name])))
    return pa.schema(top)


def flatten_nested(frame: pl.DataFrame) -> pl.DataFrame:
    """Nested cases (one struct per section, lists of lesions) as flat columns."""
    exprs: list[pl.Expr] = [pl.col(ROW)]
    for f in fs.SCALARS:
        head = str(f.path[0])
        expr = pl.col(head) if len(f.path) == 1 else pl.col(head).struct.field(str(f.path[1]))
        exprs.append(expr.alias(f.column))
    for section, (_, limit) in fs.REPEATED.items():
        entries = pl.col(section)
        longest = frame.select(entries.list.len().max()).item() or 0
        exprs.append(entries.list.len().clip(upper_bound=limit).cast(pl.Int64)
                     .alias(fs.COUNT_COLUMNS[section]))
        exprs.append(entries.list.len().cast(pl.Int64).alias("^" + section))
        exprs.append(entries.list.eval(pl.element().is_null()).list.any().fill_null(False)
                     .alias("!" + section))
        for n in range(1, min(longest, limit) + 1):
            entry = entries.list.get(n - 1, null_on_oob=True)
            exprs.extend(entry.struct.field(str(t.path[-1])).alias(t.column.format(n=n))
                         for t in fs.SLOT_TEMPLATES[section])
    return frame.select(exprs)


def _jsonl(path: Path, batch_rows: int) -> Iterator[Batch]:
    schema = nested_schema()
    with path.open("rb") as handle:
        number = 0
        while True:
            lines = list(itertools.islice(handle, batch_rows))
            if not lines:
                return
            numbered = [(number + i + 1, line) for i, line in enumerate(lines)
                        if line.strip()]
            number += len(lines)
            yield _json_block(numbered, schema, len(lines))


def _json_block(numbered: list[tuple[int, bytes]], schema: pa.Schema, read: int) -> Batch:
    import pyarrow.json as pj  # type: ignore[import-untyped]

    by_number = dict(numbered)

    def original(row: int) -> Any:
        return json.loads(by_number[row])

    if not numbered:
        return Batch(rows_read=read)
    try:
        table = pj.read_json(
            io.BytesIO(b"".join(line if line.endswith(b"\n") else line + b"\n"
                                for _, line in numbered)),
            parse_options=pj.ParseOptions(explicit_schema=schema,
                                          unexpected_field_behavior="error"))
    except pa.ArrowException:
        return Batch(prepared=_line_by_line(numbered), rows_read=read)
    if table.num_rows != len(numbered):
        return Batch(prepared=_line_by_line(numbered), rows_read=read)
    frame = pl.DataFrame(pl.from_arrow(table)).with_columns(
        pl.Series(ROW, [n for n, _ in numbered], dtype=pl.Int64))
    return Batch(raw=flatten_nested(frame), original=original, rows_read=read)


def _line_by_line(numbered: list[tuple[int, bytes]]) -> Prepared:
    errors: list[dict[str, Any]] = []
    rows = []
    for number, line in numbered:
        try:
            doc = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            errors.append(error(number, None, "<line>", f"not valid JSON: {exc}",
                                line[:200].decode("utf-8", "replace").rstrip()))
            continue
        flat = judge_document(number, doc, errors)
        if flat is not None:
            rows.append(flat)
    return Prepared(canonical_frame(rows), errors)
