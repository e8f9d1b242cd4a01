"""Derived facts shared by scores: ECOG ↔ KPS, Frankel from ASIA, solitary metastasis.

References: scores.md §8.3 table A; decisions D-05, D-06, D-07, D-08.
"""

from __future__ import annotations

from typing import Any

import pytest
from casekit import make_case

from oncospine import derive

# scores.md §8.3, table A (conventional).
TABLE_A: dict[int, set[int]] = {0: {90, 100}, 1: {70, 80}, 2: {50, 60}, 3: {30, 40},
                                4: {10, 20}, 5: {0}}
KPS_TO_ECOG_A = {kps: ecog for ecog, kpss in TABLE_A.items() for kps in kpss}


def status(**values: Any) -> Any:
    return make_case(status=values)


# ------------------------------------------------------------------ ECOG → KPS


@pytest.mark.parametrize("ecog", sorted(TABLE_A))
def test_ecog_converts_to_the_kps_range_of_table_a(ecog: int) -> None:
    values, converted = derive.kps_values(status(ecog=ecog))
    assert set(values) == TABLE_A[ecog]
    assert converted is True


def test_ecog_1_converts_to_kps_70_to_80() -> None:
    values, _ = derive.kps_values(status(ecog=1))
    assert sorted(values) == [70, 80]


def test_a_given_kps_is_used_as_is_and_not_converted() -> None:
    assert derive.kps_values(status(kps=60, ecog=0)) == ((60,), False)


def test_with_neither_scale_every_kps_value_is_possible() -> None:
    values, converted = derive.kps_values(make_case())
    assert set(values) == set(range(0, 101, 10))
    assert converted is False


# ------------------------------------------------------------------ KPS → ECOG


@pytest.mark.parametrize(("kps", "ecog"), sorted(KPS_TO_ECOG_A.items()))
def test_kps_converts_to_the_ecog_grade_of_table_a(kps: int, ecog: int) -> None:
    assert derive.ecog_values(status(kps=kps)) == ((ecog,), True)


@pytest.mark.parametrize(("kps", "ecog"), [(100, 0), (70, 1), (40, 3)])
def test_worked_lookups_of_scores_md_8_3_table_a(kps: int, ecog: int) -> None:
    assert derive.ecog_values(status(kps=kps))[0] == (ecog,)


def test_a_given_ecog_is_used_as_is_and_not_converted() -> None:
    assert derive.ecog_values(status(ecog=3, kps=90)) == ((3,), False)


def test_with_neither_scale_every_ecog_grade_is_possible() -> None:
    values, converted = derive.ecog_values(make_case())
    assert set(values) == set(range(6))
    assert converted is False


@pytest.mark.parametrize("ecog", sorted(TABLE_A))
def test_the_two_directions_of_table_a_agree(ecog: int) -> None:
    for kps in TABLE_A[ecog]:
        assert derive.ecog_values(status(kps=kps))[0] == (ecog,)


# ------------------------------------------------------------------ warnings


def test_converting_ecog_to_kps_warns_and_names_table_a_and_the_range() -> None:
    warnings = [w.to_dict() for w in derive.conversion_warnings(status(ecog=1))]
    assert [w["id"] for w in warnings] == ["kps_from_ecog"]
    assert "table A" in warnings[0]["text"]
    assert "70" in warnings[0]["text"] and "80" in warnings[0]["text"]


def test_converting_kps_to_ecog_warns() -> None:
    ids = [w.id for w in derive.conversion_warnings(status(kps=70))]
    assert ids == ["ecog_from_kps"]


def test_no_conversion_warning_when_both_scales_are_given() -> None:
    assert derive.conversion_warnings(status(kps=70, ecog=1, frankel="D")) == []


def test_no_conversion_warning_when_neither_scale_is_given() -> None:
    assert derive.conversion_warnings(make_case()) == []


def test_asia_standing_in_for_frankel_warns_that_it_is_approximate() -> None:
    warnings = derive.conversion_warnings(status(asia="B"))
    assert [w.id for w in warnings] == ["frankel_from_asia"]
    assert "approximate" in warnings[0].text


# ------------------------------------------------------------------ Frankel


def test_frankel_is_used_when_given() -> None:
    assert derive.frankel_values(status(frankel="C", asia="E")) == (("C",), False)


@pytest.mark.parametrize("grade", ["A", "B", "C", "D", "E"])
def test_asia_gives_the_same_frankel_letter(grade: str) -> None:
    assert derive.frankel_values(status(asia=grade)) == ((grade,), True)


def test_without_frankel_or_asia_every_grade_is_possible() -> None:
    values, converted = derive.frankel_values(make_case())
    assert set(values) == {"A", "B", "C", "D", "E"}
    assert converted is False


# ------------------------------------------------------------------ solitary metastasis (D-08)


def bones(vertebral: int | None, extraspinal: int | None) -> Any:
    disease = {k: v for k, v in (("vertebral_metastases", vertebral),
                                 ("extraspinal_bone_metastases", extraspinal)) if v is not None}
    return make_case(disease=disease)


@pytest.mark.parametrize(
    ("vertebral", "extraspinal", "expected"),
    [
        # both known: solitary exactly when the sum is 1
        (1, 0, {True}),
        (0, 1, {True}),
        (1, 1, {False}),
        (2, 0, {False}),
        (0, 2, {False}),
        (3, 4, {False}),
        # one known, the other unknown
        (1, None, {True, False}),  # 1 + 0 solitary, 1 + 1 multiple
        (0, None, {True, False}),  # 0 + 1 solitary, 0 + 2 multiple
        (2, None, {False}),  # 2 + anything ≥ 2
        (5, None, {False}),
        (None, 1, {True, False}),
        (None, 0, {True, False}),
        (None, 2, {False}),
        (None, 7, {False}),
        # both unknown
        (None, None, {True, False}),
    ],
)
def test_solitary_means_exactly_one_skeletal_metastasis_over_the_counts_still_possible(
        vertebral: int | None, extraspinal: int | None, expected: set[bool]) -> None:
    assert set(derive.solitary_values(bones(vertebral, extraspinal))) == expected


def test_no_bone_metastasis_at_all_is_never_solitary() -> None:
    assert True not in derive.solitary_values(bones(0, 0))
    assert derive.no_bone_metastasis(bones(0, 0)) is True


@pytest.mark.parametrize(("vertebral", "extraspinal"), [(0, 1), (1, 0), (None, 0), (0, None),
                                                        (None, None)])
def test_bone_metastasis_is_not_ruled_out_unless_both_counts_are_zero(
        vertebral: int | None, extraspinal: int | None) -> None:
    assert derive.no_bone_metastasis(bones(vertebral, extraspinal)) is False


# ------------------------------------------------------------------ other sets


def test_an_unknown_primary_site_could_be_any_site_code() -> None:
    sites = derive.primary_sites(make_case())
    assert "breast" in sites and "lung_nsclc" in sites and "unknown" in sites
    assert derive.primary_sites(make_case(cancer={"primary_site": "kidney"})) == ("kidney",)


def test_unknown_visceral_status_could_be_any_of_the_three() -> None:
    assert set(derive.visceral_values(make_case())) == {"none", "removable", "unremovable"}
    case = make_case(disease={"visceral_metastases": "removable"})
    assert derive.visceral_values(case) == ("removable",)
