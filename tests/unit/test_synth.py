"""The synthetic registry: deterministic, valid, and shaped like the cited figures."""

from __future__ import annotations

import json

import polars as pl
import pytest

from oncospine import synth
from oncospine.batch.read import read_batches
from oncospine.batch.validate import prepare
from oncospine.errors import OncospineError


@pytest.fixture(scope="module")
def registry() -> pl.DataFrame:
    return synth.registry(20_000, seed=3)


def test_the_same_seed_gives_the_same_registry_and_another_seed_does_not():
    assert synth.registry(500, seed=9).equals(synth.registry(500, seed=9))
    assert not synth.registry(500, seed=9).equals(synth.registry(500, seed=10))


def test_every_synthetic_case_is_valid(registry, tmp_path):
    path = tmp_path / "reg.parquet"
    registry.write_parquet(path)
    rejected = []
    for batch in read_batches(path):
        assert batch.raw is not None
        rejected += prepare(batch.raw).errors
    assert rejected == []


def test_site_shares_follow_the_cited_cohort(registry):
    shares = synth.site_shares()
    assert abs(sum(shares.values()) - 1) < 1e-9
    assert shares["breast"] == pytest.approx(0.87 * 388 / 1379)
    known = registry.filter(pl.col("cancer_history") != "suspected")
    observed = known.get_column("cancer_primary_site").value_counts(normalize=True)
    breast = observed.filter(pl.col("cancer_primary_site") == "breast").item(0, 1)
    assert breast == pytest.approx(shares["breast"], abs=0.02)


def test_worse_performance_status_means_less_walking(registry):
    walking = registry.drop_nulls(["status_ecog", "status_ambulatory"]).group_by(
        "status_ecog").agg((pl.col("status_ambulatory") == "independent").mean().alias("w"))
    by_ecog = dict(walking.iter_rows())
    assert by_ecog[0] > by_ecog[2] > by_ecog[4]
    assert by_ecog[4] == 0


def test_higher_compression_grade_means_more_neurological_deficit(registry):
    neuro = (pl.col("presentation_neuro_features").list.len() > 0)
    rates = registry.drop_nulls("lesion1_escc").filter(pl.col("lesion_count") == 1).group_by(
        "lesion1_escc").agg(neuro.mean().alias("rate"))
    by_grade = dict(rates.iter_rows())
    assert by_grade["3"] > by_grade["1c"] > by_grade["0"]


def test_some_inputs_are_left_unknown_as_in_real_registries(registry):
    share = registry.get_column("status_ecog").null_count() / registry.height
    assert 0.05 < share < 0.15


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "parquet"])
def test_the_file_type_follows_the_extension(tmp_path, suffix):
    path = tmp_path / f"reg.{suffix}"
    synth.write_registry(path, 50, seed=1)
    if suffix == "jsonl":
        first = json.loads(path.read_text("utf-8").splitlines()[0])
        assert first["format"] == "oncospine-case/1" and "id" in first
        assert all(v is not None for v in first["status"].values())
    elif suffix == "csv":
        assert path.read_text("utf-8").startswith("case_id,")
    else:
        assert pl.read_parquet(path).height == 50


def test_an_empty_registry_and_an_unknown_extension(tmp_path):
    path = tmp_path / "none.parquet"
    synth.write_registry(path, 0)
    assert pl.read_parquet(path).height == 0
    with pytest.raises(OncospineError, match="jsonl"):
        synth.write_registry(tmp_path / "reg.txt", 5)


def test_chunks_are_numbered_across_chunk_boundaries():
    parts = list(synth.chunks(25, seed=2, size=10))
    assert [p.height for p in parts] == [10, 10, 5]
    ids = pl.concat(parts).get_column("case_id").to_list()
    assert ids[0] == "synth-2-00000000" and ids[-1] == "synth-2-00000024"
