"""Reading `oncospine-case/1` documents from JSON Lines.

Lines are parsed by Arrow against the case format's own shape, strictly (an unexpected key, a
number where text belongs, bytes that are not UTF-8 stop the fast parse); a block that does not
fit is read line by line and each line judged by the case model, so the verdict never depends
on the reader.

References: docs/batch.md "How it works".
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from oncospine.batch import schema as fs
from oncospine.batch.inputs import Batch
from oncospine.batch.validate import ROW, Prepared, canonical_frame, error, judge_document
from oncospine.case import Case


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


def read_jsonl(path: Path, batch_rows: int) -> Iterator[Batch]:
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
            yield json_block(numbered, schema, len(lines))


def json_block(numbered: list[tuple[int, bytes]], schema: pa.Schema, read: int) -> Batch:
    """A block of numbered lines (blank ones already left out) as one batch."""
    import pyarrow.json as pj  # type: ignore[import-untyped]

    by_number = dict(numbered)

    def original(row: int) -> Any:
        return json.loads(by_number[row])

    if not numbered:
        return Batch(rows_read=read)
    block = b"".join(line if line.endswith(b"\n") else line + b"\n" for _, line in numbered)
    try:
        block.decode("utf-8")  # Arrow's JSON reader lets bytes that are not UTF-8 through
        table = pj.read_json(io.BytesIO(block), parse_options=pj.ParseOptions(
            explicit_schema=schema, unexpected_field_behavior="error"))
    except (pa.ArrowException, UnicodeDecodeError):
        return Batch(prepared=line_by_line(numbered), rows_read=read)
    if table.num_rows != len(numbered):
        return Batch(prepared=line_by_line(numbered), rows_read=read)
    frame = pl.DataFrame(pl.from_arrow(table)).with_columns(
        pl.Series(ROW, [n for n, _ in numbered], dtype=pl.Int64))
    return Batch(raw=flatten_nested(frame), original=original, rows_read=read)


def line_by_line(numbered: list[tuple[int, bytes]]) -> Prepared:
    """Each line judged on its own by the case model."""
    errors: list[dict[str, Any]] = []
    rows = []
    for number, line in numbered:
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            errors.append(error(number, None, "<line>", f"not UTF-8 text ({exc.reason} at "
                                f"byte {exc.start + 1}): save the file as UTF-8",
                                line[:200].decode("utf-8", "replace").rstrip()))
            continue
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            errors.append(error(number, None, "<line>", f"not valid JSON: {exc}",
                                text[:200].rstrip()))
            continue
        flat = judge_document(number, doc, errors)
        if flat is not None:
            rows.append(flat)
    return Prepared(canonical_frame(rows), errors)


__all__ = ["flatten_nested", "json_block", "line_by_line", "nested_schema", "read_jsonl"]
