"""New England Spinal Metastasis Score (scores.md §7.2, decision D-09)."""

from __future__ import annotations

from typing import Any

import pytest
from casekit import make_case
from hypothesis import given, settings
from hypothesis import strategies as st

from oncospine.scores import modified_bauer, nesms, score_all

SOLITARY = {"vertebral_metastases": 1, "extraspinal_bone_metastases": 0}
MULTIPLE = {"vertebral_metastases": 3, "extraspinal_bone_metastases": 2}

# Parts giving each modified Bauer total (scores.md §7.1).
MBAUER: dict[int, dict[str, Any]] = {
    4: {"site": "breast", "visceral": "none", "bones": SOLITARY},
    3: {"site": "breast", "visceral": "none", "bones": MULTIPLE},
    2: {"site": "colon", "visceral": "none", "bones": MULTIPLE},
    1: {"site": "colon", "visceral": "removable", "bones": MULTIPLE},
    0: {"site": "lung_nsclc", "visceral": "removable", "bones": MULTIPLE},
}


def case_of(mbauer: int | None = 4, ambulatory: str | None = "independent",
            albumin: float | None = 40.0, site: str | None = None,
            visceral: str | None = None, bones: dict[str, int] | None = None) -> Any:
    parts = dict(MBAUER[mbauer]) if mbauer is not None else {}
    if site is not None or mbauer is None:
        parts["site"] = site
    if visceral is not None:
        parts["visceral"] = visceral
    if bones is not None:
        parts["bones"] = bones
    cancer: dict[str, Any] = {"history": "current"}
    if parts.get("site"):
        cancer["primary_site"] = parts["site"]
    disease: dict[str, Any] = dict(parts.get("bones", SOLITARY))
    if parts.get("visceral"):
        disease["visceral_metastases"] = parts["visceral"]
    status = {"ambulatory": ambulatory} if ambulatory else {}
    labs = {"albumin_g_per_l": albumin} if albumin is not None else {}
    return make_case(cancer=cancer, disease=disease, status=status, labs=labs)


def nesms_of(**kw: Any) -> dict[str, Any]:
    return nesms(case_of(**kw)).to_dict()


@pytest.mark.parametrize("total", sorted(MBAUER))
def test_the_helper_builds_the_intended_modified_bauer_total(total: int) -> None:
    assert modified_bauer(case_of(total)).total == total


# ------------------------------------------------------------------ worked examples


@pytest.mark.parametrize(
    ("mbauer", "ambulatory", "albumin", "expected"),
    [
        (4, "independent", 40, 3),  # E1: 2+1+1 = 4, capped at 3
        (3, "non_ambulatory", 30, 2),  # E2
        (2, "independent", 38, 2),  # E3
        (1, "non_ambulatory", 29, 0),  # E4
        (2, "independent", 32, 1),  # E5
    ],
    ids=["E1", "E2", "E3", "E4", "E5"],
)
def test_worked_examples_of_scores_md_7_2(mbauer: int, ambulatory: str, albumin: float,
                                          expected: int) -> None:
    result = nesms_of(mbauer=mbauer, ambulatory=ambulatory, albumin=albumin)
    assert result["status"] == "complete"
    assert result["total"] == expected
    assert result["range"] == [expected, expected]
    assert result["band"] == f"nesms_{expected}"


def test_the_total_is_capped_at_three() -> None:
    result = nesms_of(mbauer=4, ambulatory="independent", albumin=45)
    assert result["total"] == 3
    assert result["components"] == {"modified_bauer_high": 2, "ambulatory": 1, "albumin": 1}


@pytest.mark.parametrize(("mbauer", "points"), [(0, 0), (1, 0), (2, 0), (3, 2), (4, 2)])
def test_a_modified_bauer_of_three_or_more_scores_two(mbauer: int, points: int) -> None:
    result = nesms_of(mbauer=mbauer, ambulatory="non_ambulatory", albumin=20)
    assert result["components"]["modified_bauer_high"] == points
    assert result["total"] == points


@pytest.mark.parametrize(("ambulatory", "points"),
                         [("independent", 1), ("with_aid", 0), ("non_ambulatory", 0)])
def test_only_independent_walking_scores_a_point(ambulatory: str, points: int) -> None:
    result = nesms_of(mbauer=0, ambulatory=ambulatory, albumin=20)
    assert result["components"]["ambulatory"] == points
    assert result["total"] == points


@pytest.mark.parametrize(("albumin", "points"),
                         [(35.0, 1), (34.9, 0), (35.1, 1), (50.0, 1), (20.0, 0)])
def test_albumin_of_35_g_per_l_or_more_scores_a_point(albumin: float, points: int) -> None:
    result = nesms_of(mbauer=0, ambulatory="non_ambulatory", albumin=albumin)
    assert result["components"]["albumin"] == points
    assert result["total"] == points


def test_albumin_exactly_35_scores_one_and_34_9_scores_zero() -> None:
    assert nesms_of(mbauer=0, ambulatory="with_aid", albumin=35)["total"] == 1
    assert nesms_of(mbauer=0, ambulatory="with_aid", albumin=34.9)["total"] == 0


# ------------------------------------------------------------------ incomplete


def test_unknown_albumin_with_high_bauer_and_walking_is_already_three() -> None:
    result = nesms_of(mbauer=4, ambulatory="independent", albumin=None)
    assert result["status"] == "incomplete"
    assert result["total"] is None
    assert result["range"] == [3, 3]
    assert result["band"] == "nesms_3"
    assert result["missing"] == ["labs.albumin_g_per_l"]


def test_unknown_albumin_otherwise_leaves_one_point_open() -> None:
    result = nesms_of(mbauer=3, ambulatory="with_aid", albumin=None)
    assert result["status"] == "incomplete"
    assert result["range"] == [2, 3]
    assert result["band"] is None


def test_unknown_walking_status_is_asked_for() -> None:
    result = nesms_of(mbauer=1, ambulatory=None, albumin=40)
    assert result["range"] == [1, 2]
    assert result["missing"] == ["status.ambulatory"]


def test_everything_unknown_spans_zero_to_three() -> None:
    result = nesms(make_case(cancer={"history": "current"})).to_dict()
    assert result["status"] == "incomplete"
    assert result["range"] == [0, 3]
    assert result["band"] is None
    assert {"status.ambulatory", "labs.albumin_g_per_l",
            "cancer.primary_site"} <= set(result["missing"])


def test_an_unknown_site_that_may_or_may_not_reach_bauer_three_leaves_nesms_open() -> None:
    # mBauer: none visceral (1) + solitary (1) + site unknown (0..2) = 2..4 → high 0 or 2
    result = nesms_of(mbauer=None, site=None, visceral="none", bones=SOLITARY,
                      ambulatory="independent", albumin=40)
    assert result["status"] == "incomplete"
    assert result["range"] == [2, 3]
    assert result["components"]["modified_bauer_high"] is None
    assert "cancer.primary_site" in result["missing"]


def test_an_unknown_site_that_cannot_lift_bauer_to_three_scores_no_bauer_points() -> None:
    # mBauer: visceral (0) + multiple (0) + site 0..2 → never ≥ 3 → high = 0 for sure
    result = nesms_of(mbauer=None, site=None, visceral="removable", bones=MULTIPLE,
                      ambulatory="independent", albumin=40)
    assert result["range"] == [2, 2]
    assert result["components"]["modified_bauer_high"] == 0
    assert result["band"] == "nesms_2"


def test_nesms_is_not_applicable_without_a_cancer_history() -> None:
    case = make_case(cancer={"history": "none"}, disease=SOLITARY)
    assert nesms(case).status == "not_applicable"


def test_nesms_states_that_a_higher_total_is_a_better_prognosis() -> None:
    assert "better" in score_all(case_of())["nesms"]["higher_means"]


# ------------------------------------------------------------------ property


@settings(max_examples=200, deadline=None)
@given(
    mbauer=st.sampled_from(sorted(MBAUER)),
    ambulatory=st.one_of(st.none(), st.sampled_from(["independent", "with_aid",
                                                     "non_ambulatory"])),
    albumin=st.one_of(st.none(), st.floats(10, 60, allow_nan=False)),
)
def test_nesms_is_the_capped_sum_and_its_range_covers_every_filling(
        mbauer: int, ambulatory: str | None, albumin: float | None) -> None:
    result = nesms_of(mbauer=mbauer, ambulatory=ambulatory, albumin=albumin)
    walks = [int(ambulatory == "independent")] if ambulatory else [0, 1]
    alb = [int(albumin >= 35)] if albumin is not None else [0, 1]
    totals = {min(3, 2 * (mbauer >= 3) + w + a) for w in walks for a in alb}
    assert result["range"] == [min(totals), max(totals)]
    complete = ambulatory is not None and albumin is not None
    assert result["status"] == ("complete" if complete else "incomplete")
    assert result["total"] == (min(totals) if complete else None)
    assert result["band"] == (f"nesms_{min(totals)}" if len(totals) == 1 else None)
