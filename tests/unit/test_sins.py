"""SINS (scores.md §1, decision D-01), computed from the spec tables, not from the code."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from casekit import make_case
from hypothesis import given, settings
from hypothesis import strategies as st

from oncospine.scores import score_all, sins

# scores.md §1.1, per-level lookup for component 1 (written out here, independently of the code).
SPEC_LOCATION: dict[str, int] = {
    "C0": 3, "C1": 3, "C2": 3,
    "C3": 2, "C4": 2, "C5": 2, "C6": 2,
    "C7": 3, "T1": 3, "T2": 3,
    "T3": 1, "T4": 1, "T5": 1, "T6": 1, "T7": 1, "T8": 1, "T9": 1, "T10": 1,
    "T11": 3, "T12": 3, "L1": 3,
    "L2": 2, "L3": 2, "L4": 2,
    "L5": 3, "S1": 3,
    "S2": 0, "S3": 0, "S4": 0, "S5": 0,
}  # fmt: skip

# scores.md §1.1 components 2–6, in case-format vocabulary.
SPEC_ITEMS: dict[str, dict[str, int]] = {
    "pain": {"mechanical": 3, "occasional": 1, "none": 0},
    "bone_lesion": {"lytic": 2, "mixed": 1, "blastic": 0},
    "alignment": {"subluxation": 4, "deformity": 2, "normal": 0},
    "collapse": {"over_50": 3, "under_50": 2, "none_over_50_involved": 1, "none": 0},
    "posterolateral": {"bilateral": 3, "unilateral": 1, "none": 0},
}

ZERO = {"pain": "none", "bone_lesion": "blastic", "alignment": "normal", "collapse": "none",
        "posterolateral": "none"}


def spec_band(total: int) -> str:
    """scores.md §1.2: 0–6 stable, 7–12 indeterminate, 13–18 unstable."""
    if 0 <= total <= 6:
        return "stable"
    if 7 <= total <= 12:
        return "indeterminate"
    assert 13 <= total <= 18
    return "unstable"


def lesion(level: str | None = "S3", **parts: Any) -> dict[str, Any]:
    data: dict[str, Any] = dict(ZERO)
    if level is not None:
        data["level"] = level
    data.update(parts)
    return {k: v for k, v in data.items() if v is not None}


def sins_of(*lesions: dict[str, Any]) -> dict[str, Any]:
    return sins(make_case(lesions=list(lesions)))


def only(*lesions: dict[str, Any]) -> dict[str, Any]:
    result = sins_of(*lesions)
    assert len(result["lesions"]) == len(lesions)
    return result["lesions"][0]


# ------------------------------------------------------------------ location, level by level


@pytest.mark.parametrize(("level", "points"), sorted(SPEC_LOCATION.items()))
def test_each_spinal_level_scores_the_location_points_of_its_zone(level: str, points: int) -> None:
    result = only(lesion(level))
    assert result["status"] == "complete"
    assert result["components"]["location"] == points
    assert result["total"] == points
    assert result["range"] == [points, points]


def test_the_level_table_covers_every_level_from_occiput_to_s5() -> None:
    assert len(SPEC_LOCATION) == 1 + 7 + 12 + 5 + 5


def test_a_coccygeal_lesion_is_outside_sins() -> None:
    result = only(lesion("Co", pain="mechanical", bone_lesion="lytic"))
    assert result["status"] == "not_applicable"
    assert result.get("total") is None


def test_a_coccygeal_lesion_is_never_the_worst_lesion() -> None:
    result = sins_of(lesion("Co", pain="mechanical"), lesion("T6"))
    assert result["worst"]["level"] == "T6"
    assert result["worst"]["total"] == 1


def test_a_case_with_only_a_coccygeal_lesion_has_no_worst_sins() -> None:
    assert sins_of(lesion("Co"))["worst"] is None


@pytest.mark.parametrize(
    ("first", "last", "points"),
    [
        ("T10", "T12", 3),  # D-01: semi-rigid T10 + junctional T11–T12 → 3
        ("T3", "T10", 1),
        ("C3", "C7", 3),  # mobile C3–C6 + junctional C7
        ("C4", "C6", 2),
        ("L2", "L4", 2),
        ("L4", "L5", 3),
        ("S2", "S5", 0),
        ("T9", "L3", 3),
        ("S1", "S3", 3),
    ],
)
def test_a_lesion_spanning_zones_takes_the_highest_location_points(first: str, last: str,
                                                                   points: int) -> None:
    result = only(lesion(first, extends_to=last))
    assert result["status"] == "complete"
    assert result["components"]["location"] == points
    assert result["total"] == points


def test_a_lesion_spanning_t10_to_t12_takes_three_location_points() -> None:
    result = only(lesion("T10", extends_to="T12", pain="mechanical"))
    assert result["total"] == 3 + 3


# ------------------------------------------------------------------ every category of every item


@pytest.mark.parametrize(
    ("item", "category", "points"),
    [(item, cat, pts) for item, table in SPEC_ITEMS.items() for cat, pts in table.items()],
)
def test_every_category_of_every_component_scores_its_published_points(
        item: str, category: str, points: int) -> None:
    result = only(lesion("S3", **{item: category}))  # S3: rigid, 0 location points
    assert result["status"] == "complete"
    assert result["components"][item] == points
    assert result["total"] == points


def test_mechanical_pain_scores_three() -> None:
    assert only(lesion("S3", pain="mechanical"))["total"] == 3


def test_occasional_non_mechanical_pain_scores_one_not_two() -> None:
    # scores.md §1.3: "Yes 3 / No 2 / Pain-free 1" is a transcription error.
    assert only(lesion("S3", pain="occasional"))["total"] == 1


def test_a_lytic_lesion_scores_two_on_bone_quality() -> None:
    assert only(lesion("S3", bone_lesion="lytic"))["components"]["bone_lesion"] == 2


def test_subluxation_scores_four_on_alignment() -> None:
    assert only(lesion("S3", alignment="subluxation"))["components"]["alignment"] == 4


def test_no_collapse_with_more_than_half_the_body_involved_scores_one() -> None:
    assert only(lesion("S3", collapse="none_over_50_involved"))["components"]["collapse"] == 1


def test_bilateral_posterolateral_involvement_scores_three() -> None:
    assert only(lesion("S3", posterolateral="bilateral"))["components"]["posterolateral"] == 3


def test_a_complete_lesion_reports_all_six_components() -> None:
    result = only(lesion("T12", pain="mechanical", bone_lesion="lytic", alignment="normal",
                         collapse="under_50", posterolateral="unilateral"))
    assert result["components"] == {"location": 3, "pain": 3, "bone_lesion": 2, "alignment": 0,
                                    "collapse": 2, "posterolateral": 1}
    assert result["missing"] == []
    assert result["level"] == "T12"


def test_the_sins_block_states_that_a_higher_total_is_more_unstable() -> None:
    # scores.md §0.2 rule 2: store the direction with each score and show it
    block = score_all(make_case(lesions=[lesion("T6")]))["sins"]
    assert "unstable" in block.get("higher_means", "")


# ------------------------------------------------------------------ worked examples and bands


@pytest.mark.parametrize(
    ("parts", "total", "band"),
    [
        # S1: T12 lytic, mechanical pain, normal alignment, <50 % collapse, unilateral
        ({"level": "T12", "pain": "mechanical", "bone_lesion": "lytic", "alignment": "normal",
          "collapse": "under_50", "posterolateral": "unilateral"}, 11, "indeterminate"),
        # S2: T6 blastic, pain-free, normal, no collapse, <50 % involved, none
        ({"level": "T6", "pain": "none", "bone_lesion": "blastic", "alignment": "normal",
          "collapse": "none", "posterolateral": "none"}, 1, "stable"),
        # S3: L1 lytic, mechanical, de novo kyphosis, >50 % collapse, bilateral
        ({"level": "L1", "pain": "mechanical", "bone_lesion": "lytic", "alignment": "deformity",
          "collapse": "over_50", "posterolateral": "bilateral"}, 16, "unstable"),
        # S4: C5 mixed, occasional pain, subluxation, >50 % involved without collapse, unilateral
        ({"level": "C5", "pain": "occasional", "bone_lesion": "mixed",
          "alignment": "subluxation", "collapse": "none_over_50_involved",
          "posterolateral": "unilateral"}, 10, "indeterminate"),
        # S6: maximum
        ({"level": "C1", "pain": "mechanical", "bone_lesion": "lytic",
          "alignment": "subluxation", "collapse": "over_50", "posterolateral": "bilateral"},
         18, "unstable"),
    ],
    ids=["S1", "S2", "S3", "S4", "S6"],
)
def test_worked_examples_of_scores_md_1_5(parts: dict[str, Any], total: int, band: str) -> None:
    result = only(parts)
    assert result["status"] == "complete"
    assert result["total"] == total
    assert result["range"] == [total, total]
    assert result["band"] == band


@pytest.mark.parametrize(
    ("parts", "total", "band"),
    [
        ({"level": "S4"}, 0, "stable"),
        ({"level": "T12", "pain": "mechanical"}, 6, "stable"),
        ({"level": "T12", "pain": "mechanical", "bone_lesion": "mixed"}, 7, "indeterminate"),
        ({"level": "T12", "pain": "mechanical", "bone_lesion": "lytic",
          "alignment": "subluxation"}, 12, "indeterminate"),
        ({"level": "T12", "pain": "mechanical", "bone_lesion": "lytic",
          "alignment": "subluxation", "collapse": "none_over_50_involved"}, 13, "unstable"),
        ({"level": "L5", "pain": "mechanical", "bone_lesion": "lytic",
          "alignment": "subluxation", "collapse": "over_50", "posterolateral": "bilateral"},
         18, "unstable"),
    ],
    ids=["0", "6", "7", "12", "13", "18"],
)
def test_band_edges_are_closed_ranges(parts: dict[str, Any], total: int, band: str) -> None:
    result = only(lesion(**parts))
    assert result["total"] == total
    assert result["band"] == band
    assert spec_band(total) == band


def test_a_six_is_stable_and_a_seven_needs_surgical_consultation() -> None:
    six = only(lesion("C3", pain="mechanical", bone_lesion="mixed"))  # 2+3+1
    seven = only(lesion("C3", pain="mechanical", bone_lesion="lytic"))  # 2+3+2
    assert (six["total"], six["band"]) == (6, "stable")
    assert (seven["total"], seven["band"]) == (7, "indeterminate")


# ------------------------------------------------------------------ incomplete lesions


def test_a_lesion_with_only_its_level_known_ranges_from_location_to_eighteen() -> None:
    result = only({"level": "T12"})
    assert result["status"] == "incomplete"
    assert result["total"] is None
    assert result["range"] == [3, 18]
    assert result["band"] is None
    assert sorted(result["missing"]) == sorted(
        f"lesions.0.{item}" for item in SPEC_ITEMS)
    assert result["components"]["location"] == 3
    assert all(result["components"][item] is None for item in SPEC_ITEMS)


def test_a_lesion_with_only_a_semirigid_level_known_ranges_from_one_to_sixteen() -> None:
    result = only({"level": "T6"})
    assert result["range"] == [1, 16]


def test_a_lesion_with_nothing_known_ranges_over_all_of_sins() -> None:
    result = only({"compartment": "extradural"})
    assert result["status"] == "incomplete"
    assert result["range"] == [0, 18]
    assert result["band"] is None
    assert "lesions.0.level" in result["missing"]


def test_an_unknown_level_leaves_location_open_from_zero_to_three() -> None:
    result = only(lesion(None))
    assert result["status"] == "incomplete"
    assert result["range"] == [0, 3]
    assert result["band"] == "stable"  # the whole range lies in 0–6
    assert result["missing"] == ["lesions.0.level"]
    assert result["components"]["location"] is None


def test_missing_pain_is_reported_by_its_dotted_path() -> None:
    result = only(lesion("T12", pain=None))
    assert result["missing"] == ["lesions.0.pain"]
    assert result["range"] == [3, 6]


def test_missing_paths_name_the_lesion_index() -> None:
    result = sins_of(lesion("T6"), lesion("L3", collapse=None))
    second = result["lesions"][1]
    assert second["missing"] == ["lesions.1.collapse"]
    assert result["lesions"][0]["missing"] == []


def test_band_is_given_when_the_whole_range_lies_in_unstable() -> None:
    # 3 + 3 + 2 + 4 + 3 = 15, posterolateral unknown → 15..18, all unstable
    result = only(lesion("T12", pain="mechanical", bone_lesion="lytic", alignment="subluxation",
                         collapse="over_50", posterolateral=None))
    assert result["status"] == "incomplete"
    assert result["total"] is None
    assert result["range"] == [15, 18]
    assert result["band"] == "unstable"


def test_band_is_withheld_when_the_range_crosses_the_six_seven_edge() -> None:
    # 3 + 3 + unknown bone (0..2) = 6..8
    result = only(lesion("T12", pain="mechanical", bone_lesion=None))
    assert result["range"] == [6, 8]
    assert result["band"] is None


def test_band_is_withheld_when_the_range_crosses_the_twelve_thirteen_edge() -> None:
    # 3 + 3 + 2 + 4 + unknown collapse (0..3) = 12..15
    result = only(lesion("T12", pain="mechanical", bone_lesion="lytic",
                         alignment="subluxation", collapse=None))
    assert result["range"] == [12, 15]
    assert result["band"] is None


def test_band_is_given_when_the_whole_range_lies_in_indeterminate() -> None:
    # T6 1 + mechanical 3 + lytic 2 + deformity 2 = 8, unknown collapse adds 0..3
    result = only(lesion("T6", pain="mechanical", bone_lesion="lytic", alignment="deformity",
                         collapse=None))
    assert result["range"] == [8, 11]
    assert result["band"] == "indeterminate"
    assert result["status"] == "incomplete"


# ------------------------------------------------------------------ worst lesion


def test_the_worst_lesion_is_the_one_with_the_highest_total() -> None:
    result = sins_of(lesion("T6"), lesion("L1", pain="mechanical", bone_lesion="lytic"),
                     lesion("C4", pain="occasional"))
    assert result["worst"]["level"] == "L1"
    assert result["worst"]["total"] == 8
    assert result["worst"]["band"] == "indeterminate"
    assert result["worst"]["status"] == "complete"


def test_an_incomplete_lesion_that_could_be_higher_is_the_worst() -> None:
    complete = lesion("T12", pain="mechanical", bone_lesion="lytic", collapse="under_50",
                      posterolateral="unilateral")  # S1: 11
    open_ = {"level": "T6"}  # 1..16
    result = sins_of(complete, open_)
    assert result["worst"]["level"] == "T6"
    assert result["worst"]["status"] == "incomplete"
    assert result["worst"]["total"] is None
    assert result["worst"]["range"] == [1, 16]
    assert result["worst"]["band"] is None


def test_a_complete_lesion_beats_an_incomplete_one_that_cannot_reach_it() -> None:
    high = lesion("L1", pain="mechanical", bone_lesion="lytic", alignment="deformity",
                  collapse="over_50", posterolateral="bilateral")  # S3: 16
    open_ = lesion("T6", pain=None, bone_lesion=None)  # 1 + 0..3 + 0..2 = 1..6
    result = sins_of(open_, high)
    assert result["worst"]["level"] == "L1"
    assert result["worst"]["total"] == 16
    assert result["worst"]["band"] == "unstable"


def test_a_spanning_lesion_is_labelled_with_both_levels() -> None:
    result = sins_of(lesion("T10", extends_to="T12"))
    assert result["worst"]["level"] == "T10–T12"


def test_no_lesions_means_no_worst_sins() -> None:
    assert sins(make_case())["worst"] is None
    assert sins(make_case())["lesions"] == []


def test_sins_records_its_version() -> None:
    assert sins_of(lesion("T6"))["version"]


# ------------------------------------------------------------------ property: exact ranges

LEVELS = sorted(SPEC_LOCATION)


@st.composite
def sins_lesions(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    level = draw(st.one_of(st.none(), st.sampled_from(LEVELS)))
    if level is not None:
        out["level"] = level
    for item, table in SPEC_ITEMS.items():
        value = draw(st.one_of(st.none(), st.sampled_from(sorted(table))))
        if value is not None:
            out[item] = value
    return out


def spec_totals(parts: dict[str, Any]) -> set[int]:
    """Every total the unknown components could still produce, by brute force over the spec."""
    location = ({SPEC_LOCATION[parts["level"]]} if "level" in parts
                else set(SPEC_LOCATION.values()))
    choices = [location] + [
        {table[parts[item]]} if item in parts else set(table.values())
        for item, table in SPEC_ITEMS.items()
    ]
    return {sum(combo) for combo in itertools.product(*choices)}


@settings(max_examples=300, deadline=None)
@given(sins_lesions())
def test_the_range_is_exactly_what_filling_the_unknowns_can_reach(parts: dict[str, Any]) -> None:
    result = only(parts)
    totals = spec_totals(parts)
    assert result["range"] == [min(totals), max(totals)]
    known_everything = "level" in parts and all(item in parts for item in SPEC_ITEMS)
    if known_everything:
        assert result["status"] == "complete"
        assert result["total"] == min(totals) == max(totals)
        assert result["band"] == spec_band(result["total"])
    else:
        assert result["status"] == "incomplete"
        assert result["total"] is None
        bands = {spec_band(t) for t in totals}
        assert result["band"] == (bands.pop() if len(bands) == 1 else None)


@settings(max_examples=200, deadline=None)
@given(sins_lesions(), st.data())
def test_filling_the_unknowns_always_lands_inside_the_range(parts: dict[str, Any],
                                                           data: st.DataObject) -> None:
    low, high = only(parts)["range"]
    filled = dict(parts)
    if "level" not in filled:
        filled["level"] = data.draw(st.sampled_from(LEVELS))
    for item, table in SPEC_ITEMS.items():
        if item not in filled:
            filled[item] = data.draw(st.sampled_from(sorted(table)))
    total = only(filled)["total"]
    assert low <= total <= high
