"""The Spark engine runs the same kernel and gives the same results as the Polars engine.

One small local session (two cores) scores a synthetic registry written as Parquet, CSV and
JSON Lines through `mapInArrow`, with rejected rows mixed in (an unknown key, a line that is not
JSON, a CSV line with too few cells, text that is not UTF-8); results and errors must equal the
Polars engine's.
Skipped only when PySpark itself cannot be imported (it is the `spark` extra).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

pyspark = pytest.importorskip("pyspark", reason="PySpark (the 'spark' extra) is not installed")

from oncospine.batch.run import run_batch  # noqa: E402
from oncospine.batch.spark import run_spark, spark_session  # noqa: E402
from oncospine.synth import write_registry  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    session = spark_session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("spark")
    paths = {}
    for kind in ("parquet", "csv", "jsonl"):
        paths[kind] = folder / f"cases.{kind}"
        write_registry(paths[kind], 300, seed=11)
    with paths["jsonl"].open("ab") as handle:
        handle.write(json.dumps({"format": "oncospine-case/1", "status": {"ecgo": 1}}).encode()
                     + b"\n\n{not json\n")
        handle.write(b'{"format": "oncospine-case/1", "id": "caf\xe9"}\n')  # not UTF-8
    with paths["csv"].open("rb") as handle:
        cells = len(handle.readline().split(b","))
    with paths["csv"].open("ab") as handle:
        handle.write(b"only,three,cells\n")
        handle.write(b"caf\xe9" + b"," * (cells - 1) + b"\n")  # not UTF-8
    return paths


@pytest.mark.parametrize("kind", ["parquet", "csv", "jsonl"])
def test_spark_engine_gives_the_polars_engine_results(spark, registry, tmp_path, kind):
    source = registry[kind]
    polars_out, spark_out = tmp_path / "polars.parquet", tmp_path / "spark.parquet"
    expected = run_batch(source, polars_out)
    got = run_spark(source, spark_out, spark=spark)
    assert got.scored == expected.scored == 300
    assert pl.read_parquet(spark_out).equals(pl.read_parquet(polars_out))
    spark_errors = pl.read_csv(tmp_path / "spark.errors.csv", infer_schema=False)
    polars_errors = pl.read_csv(tmp_path / "polars.errors.csv", infer_schema=False)
    assert spark_errors.select("row", "field").equals(polars_errors.select("row", "field"))
    if kind == "jsonl":
        assert spark_errors.get_column("row").to_list() == ["301", "303", "304"]
    if kind == "csv":
        assert spark_errors.get_column("row").to_list() == ["301", "302"]
        assert spark_errors.get_column("field").to_list() == ["<row>", "id"]
