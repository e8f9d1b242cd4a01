"""Enneking (MSTS) staging of primary spinal tumours (scores.md §5.1, decision D-26)."""

from __future__ import annotations

from typing import Any

import pytest
from casekit import make_case

from oncospine.scores import enneking


def stage_of(**primary: Any) -> dict[str, Any]:
    return enneking(make_case(primary_tumour={k: v for k, v in primary.items()
                                              if v is not None}))


@pytest.mark.parametrize(("behaviour", "stage"),
                         [("latent", "1"), ("active", "2"), ("aggressive", "3")])
def test_every_benign_behaviour_gives_its_arabic_stage(behaviour: str, stage: str) -> None:
    result = stage_of(grade="benign", benign_behaviour=behaviour)
    assert result["status"] == "complete"
    assert result["stage"] == stage
    assert result["possible_stages"] == [stage]
    assert result["missing"] == []


@pytest.mark.parametrize(
    ("grade", "extent", "stage"),
    [
        ("low", "intracompartmental", "IA"),
        ("low", "extracompartmental", "IB"),
        ("high", "intracompartmental", "IIA"),
        ("high", "extracompartmental", "IIB"),
    ],
)
def test_malignant_stage_is_grade_numeral_plus_extent_letter(grade: str, extent: str,
                                                             stage: str) -> None:
    result = stage_of(grade=grade, extent=extent, metastasis=False)
    assert result["status"] == "complete"
    assert result["stage"] == stage


@pytest.mark.parametrize("grade", ["low", "high"])
@pytest.mark.parametrize("extent", ["intracompartmental", "extracompartmental", None])
def test_metastasis_makes_any_malignant_tumour_stage_iii_regardless_of_extent(
        grade: str, extent: str | None) -> None:
    result = stage_of(grade=grade, extent=extent, metastasis=True)
    assert result["status"] == "complete"
    assert result["stage"] == "III"
    assert result["possible_stages"] == ["III"]


def test_an_unknown_extent_leaves_both_letters_possible() -> None:
    result = stage_of(grade="high", metastasis=False)
    assert result["status"] == "incomplete"
    assert result["stage"] is None
    assert set(result["possible_stages"]) == {"IIA", "IIB"}
    assert result["missing"] == ["primary_tumour.extent"]


def test_an_unknown_metastasis_status_leaves_stage_iii_possible() -> None:
    result = stage_of(grade="low", extent="intracompartmental")
    assert result["status"] == "incomplete"
    assert set(result["possible_stages"]) == {"IA", "III"}
    assert result["missing"] == ["primary_tumour.metastasis"]


def test_unknown_extent_and_metastasis_are_both_asked_for() -> None:
    result = stage_of(grade="high")
    assert set(result["possible_stages"]) == {"IIA", "IIB", "III"}
    assert set(result["missing"]) == {"primary_tumour.extent", "primary_tumour.metastasis"}


def test_a_benign_tumour_of_unknown_behaviour_may_be_any_benign_stage() -> None:
    result = stage_of(grade="benign", extent="intracompartmental")
    assert result["status"] == "incomplete"
    assert set(result["possible_stages"]) == {"1", "2", "3"}
    assert result["missing"] == ["primary_tumour.benign_behaviour"]


def test_an_unknown_grade_is_asked_for() -> None:
    result = stage_of(extent="extracompartmental", metastasis=False)
    assert result["status"] == "incomplete"
    assert result["stage"] is None
    assert "primary_tumour.grade" in result["missing"]
    assert {"IB", "IIB"} <= set(result["possible_stages"])


def test_a_metastasising_tumour_of_unknown_grade_is_stage_iii_or_aggressive_benign() -> None:
    # scores.md §5.1: benign stages 1 and 2 are M0, malignant I/II are M0; with M1 only
    # benign stage 3 (G0 T1–2 M0–1) or malignant III remain possible.
    result = stage_of(metastasis=True)
    assert result["status"] == "incomplete"
    assert set(result["possible_stages"]) == {"3", "III"}


def test_enneking_is_not_applicable_without_a_primary_tumour() -> None:
    result = enneking(make_case(cancer={"history": "current", "primary_site": "breast"}))
    assert result["status"] == "not_applicable"
    assert "stage" not in result or result["stage"] is None


@pytest.mark.parametrize(
    ("primary", "stage"),
    [
        ({"grade": "low", "extent": "intracompartmental", "metastasis": False}, "IA"),  # chordoma
        ({"grade": "low", "extent": "extracompartmental", "metastasis": False}, "IB"),
        ({"grade": "high", "extent": "extracompartmental", "metastasis": False}, "IIB"),
        ({"grade": "high", "extent": "extracompartmental", "metastasis": True}, "III"),
        ({"grade": "low", "extent": "intracompartmental", "metastasis": True}, "III"),
        ({"grade": "benign", "benign_behaviour": "aggressive",
          "extent": "extracompartmental"}, "3"),
    ],
    ids=["chordoma", "chondrosarcoma", "osteosarcoma", "sarcoma-mets-high", "sarcoma-mets-low",
         "osteoblastoma"],
)
def test_worked_examples_of_scores_md_5_1(primary: dict[str, Any], stage: str) -> None:
    result = stage_of(**primary)
    assert result["stage"] == stage
    assert result["status"] == "complete"


def test_enneking_records_its_version() -> None:
    assert stage_of(grade="benign", benign_behaviour="latent")["version"]
