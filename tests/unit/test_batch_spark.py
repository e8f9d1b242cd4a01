"""The function Spark runs on each executor, run here on Arrow batches without a cluster.

The integration test runs it inside Spark; this one checks the executor code path itself
(numbering from partition offsets, JSON lines, CSV lines Spark marked corrupt), which coverage
cannot follow into Spark's workers, and the checks the driver makes before Spark starts.
"""

from __future__ import annotations

import json

import polars as pl
import pyarrow as pa
import pytest

pytest.importorskip("pyspark", reason="PySpark (the 'spark' extra) is not installed")

from oncospine.batch import kernel
from oncospine.batch.read import BatchInputError
from oncospine.batch.spark import (
    CORRUPT,
    ERROR_FIELDS,
    _count,
    _kernel,
    check_input,
    require_pandas,
    result_schema,
    run_spark,
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


def test_a_json_line_that_is_not_utf8_is_a_row_error_on_the_executor():
    good = json.dumps({**CASE, "id": "a"}).encode()
    batch = pa.RecordBatch.from_pylist([{"value": good}, {"value": b'{"id": "caf\xe9"}'}])
    out = results(list(_kernel("jsonl", {})(iter([batch]))))
    assert out.filter(pl.col("_error_message").is_null()).get_column("row").to_list() == [1]
    errors = out.filter(pl.col("_error_message").is_not_null())
    assert errors.select("row", "_error_field").rows() == [(2, "<line>")]
    assert "not UTF-8" in errors.get_column("_error_message")[0]


def test_csv_cells_spark_could_not_decode_are_row_errors_as_in_the_polars_engine():
    batch = pa.RecordBatch.from_pylist([
        {"case_id": "a", "cancer_histology": "ductal", CORRUPT: None},
        {"case_id": "b", "cancer_histology": "caf\ufffd", CORRUPT: None},
        {"case_id": None, "cancer_histology": None, CORRUPT: None}])
    out = results(list(_kernel("csv", {0: 10})(iter([batch]))))
    assert out.filter(pl.col("_error_message").is_null()).get_column("row").to_list() == [11, 13]
    errors = out.filter(pl.col("_error_message").is_not_null())
    assert errors.select("row", "_error_field", "_error_value").rows() == [
        (12, "cancer.histology", "caf\ufffd")]


def test_parquet_rows_are_not_checked_for_replaced_text():
    batch = pa.RecordBatch.from_pylist([{"case_id": "caf\ufffd"}])
    out = results(list(_kernel("parquet", {})(iter([batch]))))
    assert out.select("row", "case_id", "_error_message").rows() == [(1, "caf\ufffd", None)]


def test_the_driver_refuses_a_bad_file_before_spark_starts(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(BatchInputError, match="the file is empty"):
        check_input(empty)
    header = tmp_path / "bad.csv"
    header.write_text("case_id,ecog\n", encoding="utf-8")
    with pytest.raises(BatchInputError, match="did you mean 'status_ecog'"):
        check_input(header)
    damaged = tmp_path / "bad.parquet"
    damaged.write_bytes(b"PAR1 not really")
    with pytest.raises(BatchInputError, match="not a readable Parquet file"):
        check_input(damaged)
    with pytest.raises(BatchInputError, match="the file is empty"):
        run_spark(empty, tmp_path / "out.parquet", spark=object())
    assert not list(tmp_path.glob("*out*"))


def test_inputs_the_driver_accepts(tmp_path):
    csv_path = tmp_path / "cases.csv"
    csv_path.write_bytes("\ufeffcase_id,status_ecog\na,1\n".encode())
    assert check_input(csv_path) == ("csv", ["case_id", "status_ecog"])
    parquet_path = tmp_path / "cases.parquet"
    pl.DataFrame({"case_id": ["a"]}).write_parquet(parquet_path)
    assert check_input(parquet_path) == ("parquet", ["case_id"])
    jsonl_path = tmp_path / "cases.jsonl"
    jsonl_path.write_text(json.dumps(CASE) + "\n", encoding="utf-8")
    assert check_input(jsonl_path) == ("jsonl", [])


def test_without_pandas_the_spark_engine_says_how_to_get_it(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "pandas" else real(name, *a))
    with pytest.raises(BatchInputError, match=r"install the 'spark' extra"):
        require_pandas()
