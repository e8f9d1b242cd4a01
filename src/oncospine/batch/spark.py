"""The same scoring kernel on PySpark: `oncospine batch --engine spark [--master URL]`.

The input is checked on the driver first (columns, types, an empty file), as the Polars engine
checks it. Spark then reads it, and each executor runs the batch pipeline on its Arrow batches
through `mapInArrow` (Arrow → Polars → validate and score → Arrow), so the rules are exactly
those of the Polars engine (`mapInArrow` needs pandas, which the `spark` extra installs). Row
numbers are the input's own: a first pass counts the rows of every partition, the second
numbers each row from its partition's offset.

`score_dataframe(df, kind)` returns the scored Spark DataFrame (results and error rows together)
for jobs that write where they like; `run_spark` collects it through the driver into the one
output file and errors file the command promises.

References: docs/batch.md "Spark".
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from oncospine.batch import kernel
from oncospine.batch.inputs import BatchInputError, check_columns, check_types
from oncospine.batch.read import open_input
from oncospine.batch.read_csv import NOT_UTF8, case_field, csv_header
from oncospine.batch.read_jsonl import json_block, nested_schema
from oncospine.batch.run import ERROR_COLUMNS, Summary, Writer, errors_path_for, write_errors
from oncospine.batch.validate import ROW, Prepared, error, prepare

ERROR_FIELDS = tuple(f"_error_{name}" for name in ERROR_COLUMNS if name not in ("row",
                                                                                "case_id"))
CORRUPT = "_corrupt_record"
REPLACED = "\ufffd"


def spark_session(master: str) -> Any:
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    session = (SparkSession.builder.master(master).appName("oncospine-batch")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "50000")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session


def result_schema() -> Any:
    """Spark schema of the kernel's output: the result columns, then the error columns."""
    from pyspark.sql import types as T

    def spark_type(dtype: pl.DataType) -> Any:
        if dtype == pl.Int64:
            return T.LongType()
        if isinstance(dtype, pl.Datetime):
            return T.TimestampType()
        return T.StringType()

    fields = [T.StructField(name, spark_type(dtype)) for name, dtype in
              kernel.OUTPUT_SCHEMA.items()]
    fields += [T.StructField(name, T.StringType()) for name in ERROR_FIELDS]
    return T.StructType(fields)


def _arrow_result_schema() -> pa.Schema:
    columns: dict[str, pl.DataType] = dict(kernel.OUTPUT_SCHEMA)
    columns.update({name: pl.String() for name in ERROR_FIELDS})
    return pl.DataFrame(schema=columns).to_arrow().schema


def _as_result(frame: pl.DataFrame | None, problems: list[dict[str, Any]]) -> pa.RecordBatch:
    columns: dict[str, pl.DataType] = dict(kernel.OUTPUT_SCHEMA)
    columns.update({name: pl.String() for name in ERROR_FIELDS})
    parts = [] if frame is None else [frame]
    if problems:
        errors = pl.DataFrame(problems, schema={name: pl.Int64 if name == "row" else pl.String
                                                for name in ERROR_COLUMNS}, orient="row")
        parts.append(errors.rename({name: f"_error_{name}" for name in ERROR_COLUMNS
                                    if name not in ("row", "case_id")}))
    merged = pl.concat(parts, how="diagonal_relaxed") if parts else pl.DataFrame(schema=columns)
    merged = merged.select([pl.col(n).cast(t) if n in merged.columns else pl.lit(None, t).alias(n)
                            for n, t in columns.items()])
    table = merged.to_arrow().cast(_arrow_result_schema())
    return table.combine_chunks().to_batches()[0] if table.num_rows else \
        pa.RecordBatch.from_pylist([], schema=_arrow_result_schema())


def _kernel(kind: str, offsets: dict[int, int]) -> Any:
    """The function each executor runs on its Arrow batches."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        context = TaskContext.get()
        partition = context.partitionId() if context is not None else 0
        number = offsets.get(partition, 0)
        kernel.warm()
        schema = nested_schema() if kind == "jsonl" else None
        for batch in batches:
            first = number + 1
            number += batch.num_rows
            if schema is not None:
                prepared, problems = _json_rows(batch, first, schema)
            else:
                prepared, problems = _flat_rows(batch, first)
            result = None
            if prepared is not None:
                problems += prepared.errors
                if prepared.cases.height:
                    result = kernel.score(prepared.cases)
            yield _as_result(result, problems)

    return run


def _json_rows(batch: pa.RecordBatch, first: int, schema: pa.Schema
               ) -> tuple[Prepared | None, list[dict[str, Any]]]:
    """Lines of a JSON Lines file as Spark's text reader hands them over: as bytes, so a line
    that is not UTF-8 is a row error here as in the Polars engine."""
    lines = batch.column(0).cast(pa.binary()).to_pylist()
    numbered = [(first + i, line) for i, line in enumerate(lines)
                if line is not None and line.strip()]
    block = json_block(numbered, schema, batch.num_rows)
    prepared = block.prepared or (prepare(block.raw, block.original)
                                  if block.raw is not None else None)
    return prepared, []


def _flat_rows(batch: pa.RecordBatch, first: int
               ) -> tuple[Prepared | None, list[dict[str, Any]]]:
    """Flat rows (Parquet, or CSV with the lines Spark found malformed marked)."""
    frame = pl.DataFrame(pl.from_arrow(batch)).with_columns(
        pl.Series(ROW, range(first, first + batch.num_rows), dtype=pl.Int64))
    problems: list[dict[str, Any]] = []
    if CORRUPT in frame.columns:  # read from CSV
        bad = frame.filter(pl.col(CORRUPT).is_not_null())
        problems += [error(r, None, "<row>", "wrong number of cells in this CSV line",
                           text[:200]) for r, text in bad.select(ROW, CORRUPT).iter_rows()]
        frame = frame.filter(pl.col(CORRUPT).is_null()).drop(CORRUPT)
        frame, undecodable = _replaced_text(frame)
        problems += undecodable
    return prepare(frame), problems


def _replaced_text(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """Spark decodes CSV itself, putting U+FFFD where bytes are not UTF-8; such rows are
    rejected as the Polars engine rejects them."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return frame, []
    marks = [pl.col(name).str.contains(REPLACED, literal=True).fill_null(False)
             for name in text]
    found = frame.filter(pl.any_horizontal(marks))
    problems = []
    for record in found.iter_rows(named=True):
        column = next(name for name in text if REPLACED in (record[name] or ""))
        problems.append(error(record[ROW], None, case_field(column), NOT_UTF8,
                              record[column][:200]))
    return frame.filter(~pl.any_horizontal(marks)), problems


def _count(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    from pyspark import TaskContext

    context = TaskContext.get()
    total = sum(batch.num_rows for batch in batches)
    yield pa.RecordBatch.from_pylist(
        [{"partition": context.partitionId() if context else 0, "rows": total}],
        schema=pa.schema([("partition", pa.int64()), ("rows", pa.int64())]))


def check_input(source: Path) -> tuple[str, list[str]]:
    """The input's kind and column names, checked on the driver as the Polars engine checks
    them, before any Spark work starts."""
    kind = open_input(source)
    if kind == "parquet":
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        try:
            arrow_schema = pq.ParquetFile(source).schema_arrow
        except (pa.ArrowException, OSError) as exc:
            raise BatchInputError(f"{source}: not a readable Parquet file ({exc})") from None
        check_columns(arrow_schema.names)
        check_types(pl.DataFrame(arrow_schema.empty_table()).schema)
        return kind, list(arrow_schema.names)
    if kind == "csv":
        header = csv_header(source)
        check_columns(header)
        return kind, header
    return kind, []


def read_input(spark: Any, source: Path) -> tuple[Any, str]:
    """The input as a Spark DataFrame, checked on the driver like the Polars engine does."""
    kind, header = check_input(source)
    path = source.resolve().as_uri()  # the local file system, whatever the default one is
    if kind == "parquet":
        return spark.read.parquet(path), kind
    if kind == "csv":
        from pyspark.sql import types as T

        schema = T.StructType([T.StructField(name, T.StringType()) for name in header]
                              + [T.StructField(CORRUPT, T.StringType())])
        return (spark.read.schema(schema).option("header", True).option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", CORRUPT).option("nullValue", "")
                .option("emptyValue", "").csv(path)), kind
    return spark.read.text(path), kind


def require_pandas() -> None:
    """PySpark's `mapInArrow` insists on pandas (2.2 or newer) although it passes Arrow data;
    the `spark` extra installs it."""
    import importlib.util

    if importlib.util.find_spec("pandas") is None:
        raise BatchInputError("the Spark engine needs pandas, which PySpark's mapInArrow "
                              "imports: install the 'spark' extra (pip install "
                              "'oncospine[spark]')")


def score_dataframe(df: Any, kind: str) -> Any:
    """Scored rows and error rows of a Spark DataFrame read by `read_input`, through
    `mapInArrow`: a first pass counts each partition's rows, the second scores them."""
    require_pandas()
    counts = [(int(r["partition"]), int(r["rows"])) for r in
              df.mapInArrow(_count, "partition long, rows long").collect()]
    offsets, running = {}, 0
    for partition, rows in sorted(counts):
        offsets[partition] = running
        running += rows
    return df.mapInArrow(_kernel(kind, offsets), result_schema())


def run_spark(source: str | Path, output: str | Path, errors: str | Path | None = None, *,
              master: str = "local[*]", spark: Any = None) -> Summary:
    """Score `source` on Spark into one output file and one errors file, like `run_batch`.

    `spark` is an existing session to use; by default one is started on `master`.
    """
    started = time.perf_counter()
    output = Path(output)
    errors_path = Path(errors) if errors else errors_path_for(output)
    writer = Writer(output.with_name(f".{output.stem}.partial{output.suffix}"),
                    kernel.OUTPUT_SCHEMA)
    require_pandas()
    check_input(Path(source))
    spark = spark or spark_session(master)
    df, kind = read_input(spark, Path(source))
    scored = pl.DataFrame(pl.from_arrow(score_dataframe(df, kind).toArrow()))
    is_error = pl.col("_error_message").is_not_null()
    results = scored.filter(~is_error).sort(ROW)
    problems = scored.filter(is_error).select(
        "row", "case_id", *[pl.col(f"_error_{n}").alias(n) for n in ERROR_COLUMNS
                            if n not in ("row", "case_id")]).to_dicts()
    try:
        writer.write(results)
        writer.close()
        writer.path.replace(output)
    except BaseException:
        writer.path.unlink(missing_ok=True)
        raise
    write_errors(errors_path, problems)
    rejected = {p["row"] for p in problems}
    return Summary(rows_read=results.height + len(rejected), scored=results.height,
                   rejected=rejected, problems=len(problems), output=output,
                   errors=errors_path, seconds=time.perf_counter() - started)
