"""The function Spark runs on each executor, run here on Arrow batches without a cluster.

The integration test runs it inside Spark; this one checks the executor code path itself
(numbering from partition offsets, JSON lines, CSV lines Spark marked corrupt, the way back from
rows to Arrow when pandas is missing), which coverage cannot follow into Spark's workers.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

pytest.importorskip("pyspark", reason="PySpark (the 'spark' extra) is not installed")

from oncospine.batch import kernel
from oncospine.batch.spark import (
    CORRUPT,
    ERROR_FIELDS,
    _count,
    _kernel,
    _through_arrow,
    result_schema,
)

CASE = {"format": "oncospine-case/1", "cancer": {"history": "current"}}


def results(batches: list[pa.RecordBatch]) -> pl.DataFrame:
    return pl.concat([pl.DataFrame(pl.from_arrow(b)) for b in batches])


def test_json_lines_are_numbered_from_the_partition_offset():
    lines = [json.dumps({**CASE, "id": "a"}), "", json.dumps({**CASE, "status": {"ecog": 7}})]
    batch = pa.RecordBatch.from_pylist([{"value": line} for line in lines])
    out = results(list(_kernel("jsonl", {0: 100})(iter([batch]))))
    scored = out.filter(pl.col("_error_message").is_null())
    assert scored.select("row", "case_id").rows() == [(101, "a")]
    errors = out.filter(pl.col("_error_message").is_not_null())
    assert errors.select("row", "_error_field").rows() == [(103, "status.ecog")]


def test_flat_rows_and_corrupt_csv_lines():
    batch = pa.RecordBatch.from_pylist([
        {"case_id": "a", "status_ecog": "1", CORRUPT: None},
        {"case_id": None, "status_ecog": None, CORRUPT: "x,y,z"},
        {"case_id": "c", "status_ecog": "9", CORRUPT: None}])
    out = results(list(_kernel("csv", {})(iter([batch]))))
    assert out.filter(pl.col("_error_message").is_null()).get_column("row").to_list() == [1]
    errors = out.filter(pl.col("_error_message").is_not_null()).sort("row")
    assert errors.select("row", "_error_field").rows() == [(2, "<row>"), (3, "status.ecog")]


def test_the_result_schema_holds_every_output_and_error_column():
    names = [f.name for f in result_schema().fields]
    assert names == [*kernel.OUTPUT_COLUMNS, *ERROR_FIELDS]


def test_counting_a_partition():
    batch = pa.RecordBatch.from_pylist([{"x": 1}, {"x": 2}])
    counted = list(_count(iter([batch, batch])))
    assert counted[0].to_pylist() == [{"partition": 0, "rows": 4}]


def test_rows_go_through_arrow_with_their_times_made_aware(tmp_path: Path):
    names = ["case_id", "events_presentation"]
    rows = iter([("a", datetime(2026, 1, 2, 3, 4)), ("b", datetime(2026, 1, 2, 5, 6, tzinfo=UTC))])
    out = list(_through_arrow(rows, names, _kernel("parquet", {}), size=1))
    columns = [*kernel.OUTPUT_COLUMNS, *ERROR_FIELDS]
    assert [dict(zip(columns, r, strict=True))["case_id"] for r in out] == ["a", "b"]
