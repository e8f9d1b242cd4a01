"""Bulk validation: canonical values pass in bulk, everything else is judged by the case model.

The verdict on each row is `validate_case`'s own: rejected rows carry its messages, and rows it
accepts in a loose form ("yes" for true) are scored like canonical ones.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from oncospine.batch import schema as fs
from oncospine.batch.validate import parse_column, prepare


def raw(rows: list[dict[str, Any]], **types: Any) -> pl.DataFrame:
    columns = sorted({k for r in rows for k in r})
    frame = pl.DataFrame([{k: r.get(k) for k in columns} for r in rows],
                         schema={k: types.get(k, pl.String) for k in columns}, orient="row")
    return frame.with_row_index("row", offset=1).with_columns(pl.col("row").cast(pl.Int64))


def field(column: str) -> fs.Field:
    return next(f for f in fs.fields({"lesions": 1}) if f.column == column)


@pytest.mark.parametrize(("column", "text", "value"), [
    ("status_ecog", "3", 3), ("status_kps", "80", 80), ("labs_albumin_g_per_l", "35.5", 35.5),
    ("status_fit_for_surgery", "false", False), ("cancer_primary_site", "kidney", "kidney"),
])
def test_canonical_text_is_read_in_bulk(column, text, value):
    frame = pl.DataFrame({column: [text]})
    parsed, rejected = parse_column(field(column), pl.col(column), pl.String())
    out = frame.select(parsed.alias("v"), rejected.alias("r")).row(0)
    assert out == (value, False)


@pytest.mark.parametrize(("column", "text"), [
    ("status_ecog", "6"), ("status_ecog", "two"), ("status_kps", "85"),
    ("labs_albumin_g_per_l", "NaN"), ("status_fit_for_surgery", "yes"),
    ("cancer_primary_site", "Breast"), ("events_mri_done", "2026-11-20T09:30:00"),
    ("events_mri_done", "2026-02-30T09:30:00Z"), ("lesion1_wbb_sectors", "1|13"),
    ("presentation_neuro_features", "limb_weakness|weak"),
])
def test_anything_else_goes_to_the_case_model(column, text):
    frame = pl.DataFrame({column: [text]})
    _, rejected = parse_column(field(column), pl.col(column), pl.String())
    assert frame.select(rejected).item() is True


def test_an_unknown_cell_is_not_a_problem():
    frame = pl.DataFrame({"status_ecog": [None]}, schema={"status_ecog": pl.String})
    parsed, rejected = parse_column(field("status_ecog"), pl.col("status_ecog"), pl.String())
    assert frame.select(parsed, rejected.alias("r")).row(0) == (None, False)


def test_a_time_with_an_offset_is_stored_in_utc():
    frame = pl.DataFrame({"t": ["2026-11-20T10:30:00+01:00"]})
    parsed, _ = parse_column(field("events_mri_done"), pl.col("t"), pl.String())
    assert str(frame.select(parsed).item()) == "2026-11-20 09:30:00+00:00"


def test_the_model_rejects_with_its_own_messages():
    prepared = prepare(raw([{"status_ecog": "6", "cancer_primary_site": "brest"}]))
    assert prepared.cases.height == 0
    by_field = {e["field"]: e for e in prepared.errors}
    assert by_field["cancer.primary_site"]["did_you_mean"] == "breast"
    assert "less than or equal to 5" in by_field["status.ecog"]["message"]
    assert {e["row"] for e in prepared.errors} == {1}


def test_a_loose_value_the_model_accepts_is_scored():
    prepared = prepare(raw([{"status_fit_for_surgery": "yes", "status_ecog": " 2"}]))
    assert prepared.errors == []
    assert prepared.cases.select("status_fit_for_surgery", "status_ecog").row(0) == (True, 2)


@pytest.mark.parametrize("row", [
    {"disease_brain_metastases": "true", "disease_visceral_metastases": "none"},
    {"status_ambulatory": "independent", "status_non_ambulatory_hours": "5"},
    {"primary_tumour_grade": "high", "primary_tumour_benign_behaviour": "active"},
    {"primary_tumour_benign_behaviour": "latent", "primary_tumour_metastasis": "true"},
    {"presentation_spinal_pain": "false", "presentation_pain_sites": "lumbar"},
    {"presentation_neuro_features": "[]", "presentation_neuro_onset_hours": "4"},
    {"cancer_haematological": "confirmed", "cancer_history": "none"},
    {"labs_albumin_g_per_l": "3.5"},
    {"lesion1_level": "L2", "lesion1_extends_to": "T12"},
    {"lesion1_extends_to": "T12"},
])
def test_contradictions_are_rejected_as_the_model_rejects_them(row):
    prepared = prepare(raw([row]))
    assert prepared.cases.height == 0
    assert prepared.errors and prepared.errors[0]["row"] == 1


def test_lesion_count_says_how_many_lesions_even_when_all_unknown():
    prepared = prepare(raw([{"lesion_count": "2", "lesion1_level": "T5"}]))
    assert prepared.cases.get_column("lesion_count").to_list() == [2]


def test_a_value_beyond_lesion_count_is_a_shape_error():
    prepared = prepare(raw([{"lesion_count": "1", "lesion2_level": "T5"}]))
    assert prepared.cases.height == 0
    assert prepared.errors[0]["field"] == "lesion_count"


def test_without_lesion_count_the_highest_lesion_with_a_value_counts():
    prepared = prepare(raw([{"lesion2_escc": "1a"}, {"lesion1_level": None}]))
    assert prepared.cases.get_column("lesion_count").to_list() == [2, 0]


def test_typed_columns_are_checked_in_bulk_too():
    frame = raw([{"status_ecog": 2, "status_kps": 85}, {"status_ecog": 1, "status_kps": 70}],
                status_ecog=pl.Int64, status_kps=pl.Int64)
    prepared = prepare(frame)
    assert prepared.cases.get_column("row").to_list() == [2]
    assert prepared.errors[0]["field"] == "status.kps"


def test_a_whole_float_is_an_integer_and_a_fraction_is_not():
    frame = raw([{"status_ecog": 2.0}, {"status_ecog": 2.5}], status_ecog=pl.Float64)
    prepared = prepare(frame)
    assert prepared.cases.get_column("status_ecog").to_list() == [2]
    assert prepared.errors[0]["row"] == 2


def test_a_time_column_without_a_zone_is_refused_by_the_model():
    from datetime import datetime

    frame = raw([{"events_mri_done": datetime(2026, 11, 20, 9, 30)}],
                events_mri_done=pl.Datetime("us"))
    prepared = prepare(frame)
    assert prepared.errors[0]["field"] == "events.mri_done"
    assert "offset" in prepared.errors[0]["message"]


def test_rows_keep_their_input_order_when_some_are_rescued():
    prepared = prepare(raw([{"status_ecog": "1"}, {"status_fit_for_surgery": "yes"},
                            {"status_ecog": "0"}]))
    assert prepared.cases.get_column("row").to_list() == [1, 2, 3]
