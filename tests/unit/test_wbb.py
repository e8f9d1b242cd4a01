"""Weinstein–Boriani–Biagini surgical staging record (scores.md §5.2)."""

from __future__ import annotations

from typing import Any

import pytest
from casekit import make_case

from oncospine.scores import wbb


def wbb_of(*lesions: dict[str, Any]) -> dict[str, Any]:
    return wbb(make_case(lesions=list(lesions)))


def record(**lesion: Any) -> dict[str, Any]:
    result = wbb_of(lesion)
    assert len(result["lesions"]) == 1
    return result["lesions"][0]


# ------------------------------------------------------------------ worked examples


def test_a_body_chordoma_in_sectors_5_to_8_reaching_layer_c_needs_a_vertebrectomy() -> None:
    rec = record(level="L2", wbb_sectors=[5, 6, 7, 8], wbb_layers=["B", "C"])
    assert rec["resection"] == "vertebrectomy"
    assert rec["en_bloc_feasible"] is True
    assert rec["sectors"] == [5, 6, 7, 8]
    assert rec["layers"] == ["B", "C"]
    assert rec["levels"] == ["L2"]


def test_a_lamina_and_spinous_process_tumour_in_sectors_10_to_12_needs_posterior_arch_resection(
) -> None:
    rec = record(level="T7", wbb_sectors=[10, 11, 12], wbb_layers=["A", "B"])
    assert rec["resection"] == "posterior_arch_resection"
    assert rec["en_bloc_feasible"] is True


def test_a_pedicle_and_body_tumour_in_sectors_3_to_5_needs_sagittal_resection() -> None:
    rec = record(level="L4", wbb_sectors=[3, 4, 5], wbb_layers=["A", "B", "C"])
    assert rec["resection"] == "sagittal_resection"


def test_a_tumour_confined_to_anterior_sectors_and_superficial_layers_allows_anterior_en_bloc(
) -> None:
    # Boriani 2018 Fig. 1: sectors 5–8, layers A/B, not C → single anterior approach (type 1)
    rec = record(level="L3", wbb_sectors=[5, 6, 7, 8], wbb_layers=["A", "B"])
    assert rec["resection"] == "anterior_en_bloc"
    assert rec["en_bloc_feasible"] is True


def test_the_mirror_sagittal_pattern_8_to_10_is_also_sagittal_resection() -> None:
    rec = record(level="T9", wbb_sectors=[8, 9, 10], wbb_layers=["A", "B"])
    assert rec["resection"] == "sagittal_resection"


@pytest.mark.parametrize("sectors", [[4, 5, 6, 7, 8], [5, 6, 7, 8, 9]])
def test_body_centred_tumours_in_4_to_8_or_5_to_9_need_a_vertebrectomy(
        sectors: list[int]) -> None:
    rec = record(level="L1", wbb_sectors=sectors, wbb_layers=["B", "C"])
    assert rec["resection"] == "vertebrectomy"


def test_posterior_arch_resection_covers_sectors_10_to_3() -> None:
    rec = record(level="T5", wbb_sectors=[10, 11, 12, 1, 2, 3], wbb_layers=["B"])
    assert rec["resection"] == "posterior_arch_resection"


def test_a_tumour_involving_every_sector_allows_no_classic_en_bloc_resection() -> None:
    rec = record(level="L1", wbb_sectors=list(range(1, 13)), wbb_layers=["A", "B", "C"])
    assert rec["resection"] is None
    assert rec["en_bloc_feasible"] is False


def test_a_tumour_in_both_pedicles_allows_no_classic_en_bloc_resection() -> None:
    # sectors 3–4 and 9–10 (both pedicles): no pedicle is free
    rec = record(level="L2", wbb_sectors=[3, 4, 5, 6, 7, 8, 9, 10], wbb_layers=["B", "C"])
    assert rec["resection"] is None
    assert rec["en_bloc_feasible"] is False


# ------------------------------------------------------------------ layers


def test_epidural_layer_d_is_noted_as_an_intralesional_margin() -> None:
    rec = record(level="T7", wbb_sectors=[10, 11, 12], wbb_layers=["B", "D"])
    assert any("intralesional" in note and "D" in note for note in rec["notes"])


def test_no_layer_note_without_extraosseous_extension() -> None:
    rec = record(level="T7", wbb_sectors=[10, 11, 12], wbb_layers=["A", "B"])
    assert rec["notes"] == []


def test_layer_d_rules_out_the_anterior_only_approach() -> None:
    rec = record(level="L3", wbb_sectors=[5, 6, 7, 8], wbb_layers=["B", "D"])
    assert rec["resection"] != "anterior_en_bloc"


# ------------------------------------------------------------------ record shape


def test_the_record_stores_the_numbering_convention() -> None:
    rec = record(level="L2", wbb_sectors=[5, 6], wbb_layers=["B"])
    assert "clockwise" in rec["numbering"]


def test_a_record_lists_every_level_of_a_spanning_lesion() -> None:
    rec = record(level="T11", extends_to="L1", wbb_sectors=[5, 6, 7], wbb_layers=["B"])
    assert rec["levels"] == ["T11", "T12", "L1"]


def test_sectors_without_layers_leave_the_record_incomplete() -> None:
    result = wbb_of({"level": "L2", "wbb_sectors": [5, 6, 7, 8]})
    assert result["status"] == "incomplete"
    assert result["lesions"][0]["missing"] == ["lesions.0.wbb_layers"]


def test_a_lesion_with_sectors_and_layers_is_complete() -> None:
    result = wbb_of({"level": "L2", "wbb_sectors": [5, 6, 7, 8], "wbb_layers": ["B"]})
    assert result["status"] == "complete"
    assert result["version"]


def test_wbb_is_not_applicable_without_sectors_or_layers() -> None:
    assert wbb_of({"level": "T8", "escc": "1a"})["status"] == "not_applicable"
    assert wbb(make_case())["status"] == "not_applicable"
