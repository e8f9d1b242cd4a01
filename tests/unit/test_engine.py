"""The shared score engine: exact ranges over unknown inputs.

Reference: assessment-format.md "Status and range".
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncospine.scores._engine import (
    Band,
    Group,
    ScoreResult,
    achievable_totals,
    band_of,
    evaluate,
)

BANDS: tuple[Band, ...] = ((0, 6, "stable"), (7, 12, "indeterminate"), (13, 18, "unstable"))


def run(groups: list[Group], bands: tuple[Band, ...] = BANDS, **kw: Any) -> ScoreResult:
    return evaluate("demo", groups, bands, version="v1", sources=("S",), rules=("R",), **kw)


# ------------------------------------------------------------------ achievable_totals


def test_totals_of_zero_or_two_plus_zero_or_one_are_zero_to_three() -> None:
    groups = [Group.one("a", {0, 2}), Group.one("b", {0, 1})]
    assert achievable_totals(groups) == {0, 1, 2, 3}


def test_totals_are_exact_and_skip_sums_no_filling_can_reach() -> None:
    groups = [Group.one("a", {0, 2}), Group.one("b", {0, 2})]
    assert achievable_totals(groups) == {0, 2, 4}
    assert 1 not in achievable_totals(groups) and 3 not in achievable_totals(groups)


def test_items_sharing_an_input_move_together() -> None:
    # Bauer's two site items: lung (0, 0), other (1, 0), favourable (1, 1) — never (0, 1)
    shared = Group(("not_lung", "favourable"), frozenset({(0, 0), (1, 0), (1, 1)}))
    assert achievable_totals([shared]) == {0, 1, 2}
    paired = Group(("x", "y"), frozenset({(0, 0), (2, 2)}))
    assert achievable_totals([paired]) == {0, 4}


def test_no_groups_total_zero() -> None:
    assert achievable_totals([]) == {0}


def test_decided_groups_add_up() -> None:
    assert achievable_totals([Group.one("a", {3}), Group.one("b", {4})]) == {7}


# ------------------------------------------------------------------ evaluate


def test_complete_only_when_every_group_is_decided() -> None:
    result = run([Group.one("a", {3}), Group.one("b", {2})])
    assert result.status == "complete"
    assert result.total == 5
    assert result.range == (5, 5)
    assert result.band == "stable"
    assert result.missing == []
    assert result.components == {"a": 3, "b": 2}


def test_one_undecided_group_makes_the_score_incomplete() -> None:
    result = run([Group.one("a", {3}), Group.one("b", {0, 1}, ["x.b"])])
    assert result.status == "incomplete"
    assert result.total is None
    assert result.range == (3, 4)
    assert result.components == {"a": 3, "b": None}
    assert result.missing == ["x.b"]


def test_band_is_set_when_low_and_high_share_a_band() -> None:
    result = run([Group.one("a", {7}), Group.one("b", {0, 5}, ["x.b"])])
    assert result.range == (7, 12)
    assert result.band == "indeterminate"
    assert result.status == "incomplete"


def test_band_is_withheld_when_low_and_high_fall_in_different_bands() -> None:
    result = run([Group.one("a", {6}), Group.one("b", {0, 1}, ["x.b"])])
    assert result.range == (6, 7)
    assert result.band is None


def test_a_range_that_collapses_under_a_transform_stays_incomplete() -> None:
    # like NESMS' cap at 3: 3 or 4 both report 3, but the input is still unknown
    bands = tuple((n, n, f"n{n}") for n in range(4))
    result = run([Group.one("a", {3}), Group.one("b", {0, 1}, ["x.b"])], bands,
                 transform=lambda t: min(3, t))
    assert result.status == "incomplete"
    assert result.total is None
    assert result.range == (3, 3)
    assert result.band == "n3"
    assert result.missing == ["x.b"]


def test_missing_paths_of_decided_groups_are_not_reported() -> None:
    result = run([Group.one("a", {1}, ["x.a"]), Group.one("b", {0, 1}, ["x.b"])])
    assert result.missing == ["x.b"]


def test_missing_paths_are_not_repeated() -> None:
    result = run([Group.one("a", {0, 1}, ["x.shared"]), Group.one("b", {0, 1}, ["x.shared"])])
    assert result.missing == ["x.shared"]


def test_the_row_used_is_reported() -> None:
    result = run([Group.one("site", {5}, rows=[("table", "breast")])])
    assert result.rows == {"table": "breast"}


def test_the_version_sources_and_rules_are_kept() -> None:
    d = run([Group.one("a", {1})]).to_dict()
    assert (d["version"], d["sources"], d["rules"]) == ("v1", ["S"], ["R"])
    assert d["range"] == [1, 1]


@pytest.mark.parametrize(("total", "band"), [(0, "stable"), (6, "stable"),
                                             (7, "indeterminate"), (12, "indeterminate"),
                                             (13, "unstable"), (18, "unstable"), (19, None)])
def test_bands_are_closed_integer_ranges(total: int, band: str | None) -> None:
    assert band_of(total, BANDS) == band


# ------------------------------------------------------------------ property


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sets(st.integers(0, 5), min_size=1, max_size=4), min_size=0, max_size=5))
def test_achievable_totals_are_exactly_the_sums_of_one_choice_per_group(
        options: list[set[int]]) -> None:
    groups = [Group.one(f"g{i}", opts) for i, opts in enumerate(options)]
    expected = {sum(combo) for combo in itertools.product(*options)}
    assert achievable_totals(groups) == expected
    result = run(groups, ((0, 100, "all"),))
    assert result.range == (min(expected), max(expected))
    assert (result.status == "complete") == all(len(o) == 1 for o in options)
