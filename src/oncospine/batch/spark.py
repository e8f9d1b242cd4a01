"""The same scoring kernel on PySpark: `oncospine batch --engine spark [--master URL]`.

Spark reads the input, and each executor runs the batch pipeline on its Arrow batches through
`mapInArrow` (Arrow → Polars → validate and score → Arrow), so the rules are exactly those of
the Polars engine. Row numbers are the input's own: a first pass counts the rows of every
partition, the second numbers each row from its partition's offset.

`score_dataframe(df, kind)` returns the scored Spark DataFrame (results and error rows together)
for jobs that write where they like; `run_spark` collects it through the driver into the one
output file and errors file the command promises.

References: docs/batch.md "Spark".
"""

from __future__ import annotations

import csv
import itertools
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from oncospine.batch import kernel
from oncospine.batch.read import (
    BatchInputError,
    _json_block,
    check_columns,
    check_types,
    input_format,
    nested_schema,
)
from oncospine.batch.run import ERROR_COLUMNS, Summary, Writer, errors_path_for, write_errors
from oncospine.batch.validate import ROW, prepare

ERROR_FIELDS = tuple(f"_error_{name}" for name in ERROR_COLUMNS if name not in ("row",
                                                                                "case_id"))
CORRUPT = "_corrupt_record"


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
            frame = pl.DataFrame(pl.from_arrow(batch))
            rows = pl.Series(ROW, range(number + 1, number + frame.height + 1), dtype=pl.Int64)
            number += frame.height
            problems: list[dict[str, Any]] = []
            if kind == "jsonl":
                lines = frame.get_column("value").to_list()
                numbered = [(n, line.encode()) for n, line in zip(rows, lines, strict=True)
                            if line is not None and line.strip()]
                block = _json_block(numbered, schema, frame.height)
                prepared = block.prepared or (prepare(block.raw, block.original)
                                              if block.raw is not None else None)
            else:
                frame = frame.with_columns(rows)
                if CORRUPT in frame.columns:
                    bad = frame.filter(pl.col(CORRUPT).is_not_null())
                    problems += [{"row": r, "case_id": None, "field": "<row>",
                                  "message": "wrong number of cells in this CSV line",
                                  "value": text[:200], "allowed": None, "did_you_mean": None}
                                 for r, text in bad.select(ROW, CORRUPT).iter_rows()]
                    frame = frame.filter(pl.col(CORRUPT).is_null()).drop(CORRUPT)
                prepared = prepare(frame)
            result = None
            if prepared is not None:
                problems += prepared.errors
                if prepared.cases.height:
                    result = kernel.score(prepared.cases)
            yield _as_result(result, problems)

    return run


def _count(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    from pyspark import TaskContext

    context = TaskContext.get()
    total = sum(batch.num_rows for batch in batches)
    yield pa.RecordBatch.from_pylist(
        [{"partition": context.partitionId() if context else 0, "rows": total}],
        schema=pa.schema([("partition", pa.int64()), ("rows", pa.int64())]))


def read_input(spark: Any, source: Path) -> tuple[Any, str]:
    """The input as a Spark DataFrame, checked on the driver like the Polars engine does."""
    kind = input_format(source)
    if not source.is_file():
        raise BatchInputError(f"{source}: no such file")
    path = str(source.resolve())
    if kind == "parquet":
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        try:
            arrow_schema = pq.ParquetFile(path).schema_arrow
        except (pa.ArrowException, OSError) as exc:
            raise BatchInputError(f"{source}: not a readable Parquet file ({exc})") from None
        check_columns(arrow_schema.names)
        check_types(pl.DataFrame(arrow_schema.empty_table()).schema)
        return spark.read.parquet(path), kind
    if kind == "csv":
        from pyspark.sql import types as T

        with source.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
        check_columns(header)
        schema = T.StructType([T.StructField(name, T.StringType()) for name in header]
                              + [T.StructField(CORRUPT, T.StringType())])
        return (spark.read.schema(schema).option("header", True).option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", CORRUPT).option("nullValue", "")
                .option("emptyValue", "").csv(path)), kind
    return spark.read.text(path), kind


def has_pandas() -> bool:
    """PySpark's `mapInArrow` insists on pandas (2.2 or newer) although it passes Arrow."""
    import importlib.util

    return importlib.util.find_spec("pandas") is not None


def score_dataframe(df: Any, kind: str) -> Any:
    """Scored rows and error rows of a Spark DataFrame read by `read_input`.

    Through `mapInArrow` when pandas is installed; otherwise the same kernel runs on each
    partition's rows gathered into Arrow batches (slower, same results).
    """
    arrow = has_pandas()
    if arrow:
        counts = [(int(r["partition"]), int(r["rows"])) for r in
                  df.mapInArrow(_count, "partition long, rows long").collect()]
    else:
        counts = df.rdd.mapPartitionsWithIndex(
            lambda index, rows: [(index, sum(1 for _ in rows))]).collect()
    offsets, running = {}, 0
    for partition, rows in sorted(counts):
        offsets[partition] = running
        running += rows
    run = _kernel(kind, offsets)
    if arrow:
        return df.mapInArrow(run, result_schema())
    names = df.columns
    scored = df.rdd.mapPartitions(lambda rows: _through_arrow(rows, names, run))
    return df.sparkSession.createDataFrame(scored, result_schema())


def _through_arrow(rows: Iterator[Any], names: list[str], run: Any,
                   size: int = 20_000) -> Iterator[tuple[Any, ...]]:
    """Rows → Arrow batches → the kernel → rows (the path without pandas)."""
    from datetime import UTC, datetime

    def value(item: Any) -> Any:
        if isinstance(item, datetime):  # Spark hands timestamps over as naive local times
            return item.astimezone(UTC)
        return item

    def batches() -> Iterator[pa.RecordBatch]:
        while True:
            chunk = [dict(zip(names, (value(v) for v in row), strict=True))
                     for row in itertools.islice(rows, size)]
            if not chunk:
                return
            yield pa.RecordBatch.from_pylist(chunk)

    for out in run(batches()):
        yield from (tuple(record.values()) for record in out.to_pylist())


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
    spark = spark or spark_session(master)
    df, kind = read_input(spark, Path(source))
    scored = pl.DataFrame(pl.from_arrow(score_dataframe(df, kind).toArrow()))
    is_error = pl.col("_error_message").is_not_null()
    results = scored.filter(~is_error).sort(ROW)
    problems = scored.filter(is_error).select(
        "row", "case_id", *[pl.col(f"_error_{n}").alias(n) for n in ERROR_COLUMNS
                            if n not in ("row", "case_id")]).to_dicts()
    writer.write(results)
    writer.close()
    writer.path.replace(output)
    write_errors(errors_path, problems)
    rejected = {p["row"] for p in problems}
    return Summary(rows_read=results.height + len(rejected), scored=results.height,
                   rejected=rejected, problems=len(problems), output=output,
                   errors=errors_path, seconds=time.perf_counter() - started)
