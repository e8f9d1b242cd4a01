"""`oncospine batch`: read a registry in batches, validate, score, write results and errors.

The output is written to a temporary file beside the target and renamed at the end, so a run
that stops on a damaged input leaves no half-written results behind. Rejected rows go to a CSV
errors file (row, case_id, field, message, value, allowed, did_you_mean), one line per problem.

References: docs/batch.md.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from oncospine.batch import kernel
from oncospine.batch.read import BATCH_ROWS, Batch, BatchInputError, read_batches
from oncospine.batch.validate import Prepared, prepare

ERROR_COLUMNS = ("row", "case_id", "field", "message", "value", "allowed", "did_you_mean")
WORKERS = 2
# Column statistics (min/max per page) only where readers filter; on every column they cost
# a fifth of the writing time.
STATISTICS = ("row", "assessed_at", "triage_level", "triage_pathway", "lesion_count")
OUTPUT_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


@dataclass(slots=True)
class Summary:
    """What a batch run did."""

    rows_read: int = 0
    scored: int = 0
    rejected: set[int] = field(default_factory=set)
    problems: int = 0
    output: Path | None = None
    errors: Path | None = None
    seconds: float = 0.0

    def text(self) -> str:
        rate = self.scored / self.seconds if self.seconds else 0.0
        line = (f"{self.scored:,} cases scored from {self.rows_read:,} rows in "
                f"{self.seconds:.1f} s ({rate:,.0f} cases/s) → {self.output}")
        if self.rejected:
            rows, problems = len(self.rejected), self.problems
            line += (f"\n{rows:,} row{'s' if rows != 1 else ''} rejected ({problems:,} "
                     f"problem{'s' if problems != 1 else ''}) → {self.errors}")
        return line


def output_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise BatchInputError(f"{path}: write results as .parquet or .csv")
    return OUTPUT_SUFFIXES[suffix]


def errors_path_for(output: Path) -> Path:
    return output.with_name(output.stem + ".errors.csv")


class Writer:
    """Streams frames of one fixed schema to a Parquet or CSV file.

    Parquet goes through Arrow without copying (Polars' own string layout, which Arrow's
    Parquet writer reads as it is); CSV is written by Polars, appended batch by batch.
    """

    def __init__(self, path: Path, columns: dict[str, pl.DataType]) -> None:
        self.path, self.kind = path, output_format(path)
        self.columns = columns
        self._writer: Any = None
        self._handle: Any = None

    def write(self, frame: pl.DataFrame) -> None:
        frame = frame.select([pl.col(n).cast(t) for n, t in self.columns.items()])
        if self.kind == "csv":
            if self._handle is None:
                self._handle = self.path.open("wb")
                frame.write_csv(self._handle, include_header=True)
            else:
                frame.write_csv(self._handle, include_header=False)
            return
        table = frame.to_arrow(compat_level=pl.CompatLevel.newest())
        if self._writer is None:
            import pyarrow.parquet as pq  # type: ignore[import-untyped]

            self._writer = pq.ParquetWriter(self.path, table.schema, compression="zstd",
                                            store_schema=False,
                                            write_statistics=list(STATISTICS))
        self._writer.write_table(table)

    def close(self) -> None:
        if self._writer is None and self._handle is None:
            self.write(pl.DataFrame(schema=self.columns))
        if self._writer is not None:
            self._writer.close()
        if self._handle is not None:
            self._handle.close()


def _process(batch: Batch) -> tuple[Batch, Prepared | None, pl.DataFrame | None]:
    prepared = batch.prepared
    if prepared is None and batch.raw is not None:
        prepared = prepare(batch.raw, batch.original)
    result = kernel.score(prepared.cases) if prepared is not None and prepared.cases.height \
        else None
    return batch, prepared, result


def scored_batches(batches: Iterator[Batch], summary: Summary,
                   errors: list[dict[str, Any]], workers: int = WORKERS
                   ) -> Iterator[pl.DataFrame]:
    """Validate and score each batch, two at a time (Polars and Arrow release the GIL while
    they work, so a second batch keeps the second core busy); results come out in order and
    row errors are appended to `errors`."""
    kernel.warm()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[tuple[Batch, Prepared | None, pl.DataFrame | None]]] = deque()

        def drain() -> Iterator[pl.DataFrame]:
            batch, prepared, result = pending.popleft().result()
            summary.rows_read += batch.rows_read
            errors.extend(batch.errors)
            if prepared is not None:
                errors.extend(prepared.errors)
            if result is not None:
                summary.scored += result.height
                yield result

        for batch in batches:
            pending.append(pool.submit(_process, batch))
            if len(pending) >= workers:
                yield from drain()
        while pending:
            yield from drain()


def run_batch(source: str | Path, output: str | Path, errors: str | Path | None = None, *,
              batch_rows: int = BATCH_ROWS,
              on_progress: Callable[[int], None] | None = None) -> Summary:
    """Score every valid row of `source` into `output`; rejected rows into the errors file."""
    started = time.perf_counter()
    output = Path(output)
    output_format(output)
    errors_path = Path(errors) if errors else errors_path_for(output)
    summary = Summary(output=output, errors=errors_path)
    problems: list[dict[str, Any]] = []
    temporary = output.with_name(f".{output.stem}.partial{output.suffix}")
    writer = Writer(temporary, kernel.OUTPUT_SCHEMA)
    try:
        for frame in scored_batches(read_batches(source, batch_rows), summary, problems):
            writer.write(frame)
            if on_progress:
                on_progress(summary.rows_read)
        writer.close()
        temporary.replace(output)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    write_errors(errors_path, problems)
    summary.rejected = {p["row"] for p in problems}
    summary.problems = len(problems)
    summary.seconds = time.perf_counter() - started
    return summary


def write_errors(path: Path, problems: list[dict[str, Any]]) -> None:
    frame = pl.DataFrame(problems, schema={name: pl.Int64 if name == "row" else pl.String
                                           for name in ERROR_COLUMNS}, orient="row")
    frame.sort("row", maintain_order=True).write_csv(path)


def count_rows(source: str | Path) -> int | None:
    """Rows in a Parquet file from its footer (for a progress bar); None for other formats."""
    if Path(source).suffix.lower() not in (".parquet", ".pq"):
        return None
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(source).metadata.num_rows)
    except (pa.ArrowException, OSError):
        return None
