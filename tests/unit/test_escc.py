"""Bilsky ESCC grade and group (scores.md §2, decision D-02)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from casekit import make_case

from oncospine.scores import escc, score_all

# scores.md §2.1 / §2.2: 0, 1a, 1b low; 1c borderline (never folded); 2, 3 high.
SPEC_GROUP = {"0": "low", "1a": "low", "1b": "low", "1c": "borderline", "2": "high",
              "3": "high"}
SPEC_ORDER = ["0", "1a", "1b", "1c", "2", "3"]


def escc_of(*lesions: dict[str, Any]) -> dict[str, Any]:
    return escc(make_case(lesions=list(lesions)))


@pytest.mark.parametrize(("grade", "group"), list(SPEC_GROUP.items()))
def test_each_escc_grade_falls_in_its_published_group(grade: str, group: str) -> None:
    result = escc_of({"level": "T8", "escc": grade})
    assert result["lesions"][0]["grade"] == grade
    assert result["lesions"][0]["group"] == group
    assert result["worst"] == {"level": "T8", "grade": grade, "group": group}
    assert result["status"] == "complete"
    assert result["missing"] == []


def test_grade_1c_is_borderline_and_neither_low_nor_high() -> None:
    group = escc_of({"level": "T8", "escc": "1c"})["worst"]["group"]
    assert group == "borderline"
    assert group not in ("low", "high")


@pytest.mark.parametrize(
    ("grades", "worst"),
    [
        (["1b", "3", "1c"], "3"),
        (["0", "1a"], "1a"),
        (["1a", "1b", "0"], "1b"),
        (["1c", "1b"], "1c"),
        (["2", "1c", "0"], "2"),
        (["2", "3"], "3"),
        (["0"], "0"),
    ],
)
def test_the_worst_grade_across_lesions_is_the_most_compressive(grades: list[str],
                                                                worst: str) -> None:
    levels = ["T4", "T9", "L2"]
    result = escc_of(*({"level": lvl, "escc": g} for lvl, g in zip(levels, grades,
                                                                    strict=False)))
    assert result["worst"]["grade"] == worst
    assert result["worst"]["group"] == SPEC_GROUP[worst]
    assert result["worst"]["level"] == levels[grades.index(worst)]


@pytest.mark.parametrize(("lower", "higher"), list(itertools.pairwise(SPEC_ORDER)))
def test_each_grade_is_worse_than_the_one_below_it(lower: str, higher: str) -> None:
    for order in ((lower, higher), (higher, lower)):
        result = escc_of(*({"level": "T5", "escc": g} for g in order))
        assert result["worst"]["grade"] == higher


def test_a_lesion_without_a_grade_is_listed_as_missing() -> None:
    result = escc_of({"level": "T4", "escc": "1a"}, {"level": "L1"})
    assert result["missing"] == ["lesions.1.escc"]
    assert result["status"] == "incomplete"
    assert result["lesions"][1]["grade"] is None
    assert result["lesions"][1]["group"] is None


def test_the_worst_known_grade_is_still_shown_when_another_lesion_is_ungraded() -> None:
    result = escc_of({"level": "T4"}, {"level": "L1", "escc": "2"})
    assert result["worst"]["grade"] == "2"
    assert result["missing"] == ["lesions.0.escc"]


def test_every_ungraded_lesion_is_listed() -> None:
    result = escc_of({"level": "T4"}, {"level": "T6"}, {"level": "T8", "escc": "0"})
    assert result["missing"] == ["lesions.0.escc", "lesions.1.escc"]


def test_grades_are_read_as_strings_so_1c_is_not_confused_with_1() -> None:
    result = escc_of({"level": "C5", "escc": "1c"}, {"level": "C6", "escc": "1b"})
    assert result["worst"]["grade"] == "1c"


def test_escc_records_its_version() -> None:
    assert escc_of({"level": "T8", "escc": "0"})["version"]


def test_the_escc_block_states_that_a_higher_grade_is_more_compression() -> None:
    # scores.md §0.2 rule 2: store the direction with each score and show it
    block = score_all(make_case(lesions=[{"level": "T8", "escc": "2"}]))["escc"]
    assert "compression" in block.get("higher_means", "")
