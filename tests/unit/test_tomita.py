"""Tomita score (scores.md §3, decisions D-03, D-07, D-08, case-format primary-site table)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from casekit import make_case
from hypothesis import given, settings
from hypothesis import strategies as st

from oncospine.scores import score_all, tomita

# case-format.md "Primary site codes", Tomita growth column; None = "not classified: ask".
SPEC_GROWTH: dict[str, str | None] = {
    "breast": "slow", "prostate": "slow", "thyroid": "slow", "carcinoid": "slow",
    "kidney": "moderate", "uterus": "moderate",
    "rectum": "rapid", "colon": "rapid", "lung_nsclc": "rapid", "lung_sclc": "rapid",
    "stomach": "rapid", "oesophagus": "rapid", "pancreas": "rapid", "bladder": "rapid",
    "liver": "rapid", "gallbladder": "rapid", "osteosarcoma": "rapid", "sarcoma": "rapid",
    "melanoma": "rapid",
    "myeloma": None, "lymphoma": None, "germ_cell": None, "ovary": None, "head_neck": None,
    "other": None,
    "unknown": "rapid",
}  # fmt: skip
GROWTH_POINTS = {"slow": 1, "moderate": 2, "rapid": 4}  # D-03: rapid = 4
VISCERAL_POINTS = {"none": 0, "removable": 2, "unremovable": 4}
SOLITARY = {"vertebral_metastases": 1, "extraspinal_bone_metastases": 0}
MULTIPLE = {"vertebral_metastases": 2, "extraspinal_bone_metastases": 3}


def spec_band(total: int) -> str:
    """scores.md §3.2."""
    for low, high, name in ((2, 3, "long_term_control"), (4, 5, "middle_term_control"),
                            (6, 7, "short_term_palliation"), (8, 10, "terminal_care")):
        if low <= total <= high:
            return name
    raise AssertionError(total)


def tomita_of(site: str | None = "breast", visceral: str | None = "none",
              bones: dict[str, int] | None = None, growth: str | None = None,
              **disease: Any) -> dict[str, Any]:
    cancer: dict[str, Any] = {"history": "current"}
    if site is not None:
        cancer["primary_site"] = site
    if growth is not None:
        cancer["tomita_growth"] = growth
    dis: dict[str, Any] = dict(SOLITARY if bones is None else bones)
    if visceral is not None:
        dis["visceral_metastases"] = visceral
    dis.update(disease)
    return tomita(make_case(cancer=cancer, disease=dis)).to_dict()


# ------------------------------------------------------------------ growth by primary site


@pytest.mark.parametrize(("site", "growth"),
                         [(s, g) for s, g in SPEC_GROWTH.items() if g is not None])
def test_each_classified_primary_site_scores_its_growth_points(site: str, growth: str) -> None:
    result = tomita_of(site)  # no visceral, solitary
    points = GROWTH_POINTS[growth]
    assert result["status"] == "complete"
    assert result["components"]["growth"] == points
    assert result["total"] == points + 0 + 1
    assert result["band"] == spec_band(points + 1)


@pytest.mark.parametrize("site", [s for s, g in SPEC_GROWTH.items() if g is None])
def test_an_unclassified_primary_site_stays_incomplete_until_growth_is_given(site: str) -> None:
    result = tomita_of(site)
    assert result["status"] == "incomplete"
    assert result["total"] is None
    assert result["components"]["growth"] is None
    assert result["missing"] == ["cancer.tomita_growth"]
    assert result["range"] == [1 + 0 + 1, 4 + 0 + 1]


@pytest.mark.parametrize("site", [s for s, g in SPEC_GROWTH.items() if g is None])
@pytest.mark.parametrize("growth", ["slow", "moderate", "rapid"])
def test_the_clinicians_growth_class_completes_an_unclassified_site(site: str,
                                                                   growth: str) -> None:
    result = tomita_of(site, growth=growth)
    assert result["status"] == "complete"
    assert result["components"]["growth"] == GROWTH_POINTS[growth]
    assert result["total"] == GROWTH_POINTS[growth] + 1
    assert result["missing"] == []


def test_slow_growth_scores_one() -> None:
    assert tomita_of("thyroid")["components"]["growth"] == 1


def test_moderate_growth_scores_two() -> None:
    assert tomita_of("uterus")["components"]["growth"] == 2


def test_rapid_growth_scores_four_not_three() -> None:
    assert tomita_of("lung_nsclc")["components"]["growth"] == 4


def test_an_unknown_primary_is_scored_as_rapid_growth() -> None:
    result = tomita_of("unknown")
    assert result["status"] == "complete"
    assert result["components"]["growth"] == 4


def test_a_missing_primary_site_leaves_tomita_incomplete_and_asks_for_the_site() -> None:
    result = tomita_of(None)
    assert result["status"] == "incomplete"
    assert result["total"] is None
    assert "cancer.primary_site" in result["missing"]
    assert result["range"] == [1 + 0 + 1, 4 + 0 + 1]


# ------------------------------------------------------------------ visceral and bone


@pytest.mark.parametrize(("visceral", "points"), list(VISCERAL_POINTS.items()))
def test_visceral_metastases_none_removable_unremovable_score_0_2_4(visceral: str,
                                                                    points: int) -> None:
    result = tomita_of("breast", visceral)
    assert result["components"]["visceral"] == points
    assert result["total"] == 1 + points + 1


def test_unknown_visceral_status_is_missing_and_spans_zero_to_four() -> None:
    result = tomita_of("breast", None)
    assert result["status"] == "incomplete"
    assert result["missing"] == ["disease.visceral_metastases"]
    assert result["range"] == [2, 6]


def test_brain_metastases_with_unknown_visceral_extent_cannot_score_visceral_none() -> None:
    # D-07: brain metastases are visceral disease, and visceral "none" with brain metastases is
    # invalid input; the unknown input can only be removable (2) or unremovable (4).
    # lung (4) + multiple bone (2) + 2..4 = 8..10, all terminal care.
    result = tomita_of("lung_nsclc", None, MULTIPLE, brain_metastases=True)
    assert result["status"] == "incomplete"
    assert result["range"] == [8, 10]
    assert result["band"] == "terminal_care"


@pytest.mark.parametrize(
    ("vertebral", "extraspinal", "points"),
    [(1, 0, 1), (0, 1, 1), (1, 1, 2), (2, 0, 2), (0, 2, 2), (3, 5, 2), (1, 4, 2)],
)
def test_a_single_skeletal_metastasis_scores_one_and_more_score_two(vertebral: int,
                                                                    extraspinal: int,
                                                                    points: int) -> None:
    result = tomita_of("breast", "none", {"vertebral_metastases": vertebral,
                                          "extraspinal_bone_metastases": extraspinal})
    assert result["components"]["bone"] == points
    assert result["total"] == 1 + points


def test_one_vertebra_and_unknown_extraspinal_count_leaves_bone_open() -> None:
    result = tomita_of("breast", "none", {"vertebral_metastases": 1})
    assert result["status"] == "incomplete"
    assert result["range"] == [2, 3]
    assert result["band"] == "long_term_control"
    assert result["missing"] == ["disease.extraspinal_bone_metastases"]


def test_two_vertebrae_are_multiple_whatever_the_extraspinal_count() -> None:
    # D-08: 2 + any extraspinal count ≥ 2, so the bone item is "multiple" (2 points)
    result = tomita_of("breast", "none", {"vertebral_metastases": 2})
    assert result["components"]["bone"] == 2
    assert result["range"] == [3, 3]
    assert result["band"] == "long_term_control"


def test_unknown_bone_counts_are_both_asked_for() -> None:
    result = tomita_of("breast", "none", {})
    assert result["status"] == "incomplete"
    assert sorted(result["missing"]) == ["disease.extraspinal_bone_metastases",
                                         "disease.vertebral_metastases"]
    assert result["range"] == [2, 3]


def test_nothing_known_spans_the_whole_tomita_range_two_to_ten() -> None:
    result = tomita(make_case(cancer={"history": "current"})).to_dict()
    assert result["status"] == "incomplete"
    assert result["range"] == [2, 10]
    assert result["band"] is None
    assert set(result["missing"]) >= {"cancer.primary_site", "disease.visceral_metastases"}


# ------------------------------------------------------------------ worked examples, bands


@pytest.mark.parametrize(
    ("site", "visceral", "bones", "total"),
    [
        ("breast", "none", SOLITARY, 2),  # T1
        ("kidney", "none", MULTIPLE, 4),  # T2
        ("prostate", "removable", MULTIPLE, 5),  # T3
        ("lung_nsclc", "unremovable", MULTIPLE, 10),  # T4
        ("kidney", "unremovable", SOLITARY, 7),  # T5
    ],
    ids=["T1", "T2", "T3", "T4", "T5"],
)
def test_worked_examples_of_scores_md_3_4(site: str, visceral: str, bones: dict[str, int],
                                          total: int) -> None:
    result = tomita_of(site, visceral, bones)
    assert result["total"] == total
    assert result["range"] == [total, total]
    assert result["band"] == spec_band(total)


@pytest.mark.parametrize(
    ("site", "visceral", "bones", "total", "band"),
    [
        ("breast", "none", SOLITARY, 2, "long_term_control"),
        ("breast", "none", MULTIPLE, 3, "long_term_control"),
        ("kidney", "none", MULTIPLE, 4, "middle_term_control"),
        ("breast", "removable", MULTIPLE, 5, "middle_term_control"),
        ("colon", "none", MULTIPLE, 6, "short_term_palliation"),
        ("kidney", "unremovable", SOLITARY, 7, "short_term_palliation"),
        ("colon", "removable", MULTIPLE, 8, "terminal_care"),
        ("colon", "unremovable", MULTIPLE, 10, "terminal_care"),
    ],
)
def test_band_edges_3_4_5_6_7_8(site: str, visceral: str, bones: dict[str, int], total: int,
                                band: str) -> None:
    result = tomita_of(site, visceral, bones)
    assert result["total"] == total
    assert result["band"] == band


def test_every_total_from_two_to_ten_can_occur() -> None:
    totals = {
        tomita_of(site, visceral, bones)["total"]
        for site in ("breast", "kidney", "colon")
        for visceral in VISCERAL_POINTS
        for bones in (SOLITARY, MULTIPLE)
    }
    assert totals == set(range(2, 11))


def test_tomita_is_not_applicable_without_a_cancer_history() -> None:
    result = tomita(make_case(cancer={"history": "none"},
                              disease={"vertebral_metastases": 1})).to_dict()
    assert result["status"] == "not_applicable"


def test_tomita_records_its_version_and_the_site_row_used() -> None:
    result = tomita_of("kidney")
    assert result["version"]
    assert "kidney" in result["rows"].values()


def test_tomita_states_that_a_higher_total_is_a_worse_prognosis() -> None:
    block = score_all(make_case(cancer={"history": "current", "primary_site": "breast"}))
    assert "worse" in block["tomita"]["higher_means"]


# ------------------------------------------------------------------ property: exact ranges

SITES = sorted(SPEC_GROWTH)


def spec_totals(site: str | None, growth: str | None, visceral: str | None,
                vertebral: int | None, extraspinal: int | None) -> set[int]:
    if growth is not None:
        growth_pts = {GROWTH_POINTS[growth]}
    else:
        sites = [site] if site is not None else SITES
        growth_pts = set()
        for s in sites:
            cls = SPEC_GROWTH[s]
            growth_pts |= set(GROWTH_POINTS.values()) if cls is None else {GROWTH_POINTS[cls]}
    visc = {VISCERAL_POINTS[visceral]} if visceral else set(VISCERAL_POINTS.values())
    vs = [vertebral] if vertebral is not None else range(0, 5)
    es = [extraspinal] if extraspinal is not None else range(0, 5)
    # at least one bone metastasis (the score describes people who have one)
    bone = {1 if v + e == 1 else 2 for v, e in itertools.product(vs, es) if v + e >= 1}
    return {g + v + b for g in growth_pts for v in visc for b in bone}


@settings(max_examples=300, deadline=None)
@given(
    site=st.one_of(st.none(), st.sampled_from(SITES)),
    growth=st.one_of(st.none(), st.sampled_from(sorted(GROWTH_POINTS))),
    visceral=st.one_of(st.none(), st.sampled_from(sorted(VISCERAL_POINTS))),
    vertebral=st.one_of(st.none(), st.integers(0, 4)),
    extraspinal=st.one_of(st.none(), st.integers(0, 4)),
)
def test_the_tomita_range_is_exactly_what_the_unknowns_can_reach(
        site: str | None, growth: str | None, visceral: str | None, vertebral: int | None,
        extraspinal: int | None) -> None:
    if vertebral == 0 and extraspinal == 0:
        return  # no bone metastasis: out of scope
    if growth is not None and (site is None or SPEC_GROWTH[site] is not None):
        growth = None  # the override is for "ask" rows only
    bones = {k: v for k, v in (("vertebral_metastases", vertebral),
                               ("extraspinal_bone_metastases", extraspinal)) if v is not None}
    result = tomita_of(site, visceral, bones, growth=growth)
    totals = spec_totals(site, growth, visceral, vertebral, extraspinal)
    assert result["range"] == [min(totals), max(totals)]
    bands = {spec_band(t) for t in totals}
    assert result["band"] == (bands.pop() if len(bands) == 1 else None)
    if result["status"] == "complete":
        assert result["total"] == min(totals) == max(totals)
    else:
        assert result["total"] is None
