"""Bauer (1995) and modified Bauer (2008) scores (scores.md §7.1, decisions D-07, D-08)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from casekit import make_case
from hypothesis import given, settings
from hypothesis import strategies as st

from oncospine.scores import bauer, modified_bauer, score_all
from oncospine.vocab import PRIMARY_SITES

FAVOURABLE = {"breast", "kidney", "lymphoma", "myeloma"}  # scores.md §7.1
LUNG = {"lung_nsclc", "lung_sclc"}
SOLITARY = {"vertebral_metastases": 1, "extraspinal_bone_metastases": 0}
MULTIPLE = {"vertebral_metastases": 2, "extraspinal_bone_metastases": 1}


def bauer_band(total: int) -> str:
    return "poor" if total <= 1 else "intermediate" if total <= 3 else "good"


def modified_band(total: int) -> str:
    return "poor" if total <= 1 else "intermediate" if total == 2 else "good"


def case_of(site: str | None = "breast", visceral: str | None = "none",
            bones: dict[str, int] | None = None, fracture: bool | None = False,
            brain: bool | None = None) -> Any:
    cancer: dict[str, Any] = {"history": "current"}
    if site is not None:
        cancer["primary_site"] = site
    disease: dict[str, Any] = dict(SOLITARY if bones is None else bones)
    for key, value in (("visceral_metastases", visceral), ("pathological_fracture", fracture),
                       ("brain_metastases", brain)):
        if value is not None:
            disease[key] = value
    return make_case(cancer=cancer, disease=disease)


def both(**kw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    case = case_of(**kw)
    return bauer(case).to_dict(), modified_bauer(case).to_dict()


# ------------------------------------------------------------------ items


@pytest.mark.parametrize("site", PRIMARY_SITES)
def test_favourable_sites_score_both_site_items_lung_neither_others_not_lung_only(
        site: str) -> None:
    b, m = both(site=site, visceral="unremovable", bones=MULTIPLE, fracture=True)
    not_lung = 0 if site in LUNG else 1
    favourable = 1 if site in FAVOURABLE else 0
    for result in (b, m):
        assert result["status"] == "complete"
        assert result["components"]["not_lung"] == not_lung
        assert result["components"]["favourable_primary"] == favourable
        assert result["total"] == not_lung + favourable


@pytest.mark.parametrize(("visceral", "points"),
                         [("none", 1), ("removable", 0), ("unremovable", 0)])
def test_only_the_absence_of_visceral_metastases_scores_a_point(visceral: str,
                                                                points: int) -> None:
    b, m = both(site="lung_nsclc", visceral=visceral, bones=MULTIPLE, fracture=True)
    assert b["components"]["no_visceral_metastases"] == points
    assert b["total"] == points
    assert m["total"] == points


@pytest.mark.parametrize(
    ("vertebral", "extraspinal", "points"),
    [(1, 0, 1), (0, 1, 1), (1, 1, 0), (2, 0, 0), (0, 3, 0)],
)
def test_a_solitary_skeletal_metastasis_scores_a_point(vertebral: int, extraspinal: int,
                                                       points: int) -> None:
    b, m = both(site="lung_nsclc", visceral="removable", fracture=True,
                bones={"vertebral_metastases": vertebral,
                       "extraspinal_bone_metastases": extraspinal})
    assert b["components"]["solitary_skeletal_metastasis"] == points
    assert b["total"] == m["total"] == points


@pytest.mark.parametrize(("fracture", "points"), [(False, 1), (True, 0)])
def test_no_pathological_fracture_scores_a_point_in_bauer_only(fracture: bool,
                                                               points: int) -> None:
    b, m = both(site="lung_nsclc", visceral="removable", bones=MULTIPLE, fracture=fracture)
    assert b["components"]["no_pathological_fracture"] == points
    assert b["total"] == points
    assert m["total"] == 0
    assert "no_pathological_fracture" not in m["components"]


def test_an_unknown_fracture_leaves_bauer_incomplete_but_not_modified_bauer() -> None:
    b, m = both(site="breast", fracture=None)
    assert b["status"] == "incomplete"
    assert b["missing"] == ["disease.pathological_fracture"]
    assert b["range"] == [4, 5]
    assert b["band"] == "good"
    assert m["status"] == "complete"
    assert m["total"] == 4


# ------------------------------------------------------------------ brain metastases (D-07)


def test_brain_metastases_remove_the_no_visceral_point() -> None:
    b, m = both(site="breast", visceral="removable", brain=True)
    assert b["components"]["no_visceral_metastases"] == 0
    assert b["total"] == 4
    assert m["total"] == 3


def test_brain_metastases_decide_the_visceral_item_even_when_visceral_extent_is_unknown() -> None:
    b, m = both(site="breast", visceral=None, brain=True)
    for result in (b, m):
        assert result["status"] == "complete"
        assert result["components"]["no_visceral_metastases"] == 0
        assert "disease.visceral_metastases" not in result["missing"]
    assert b["total"] == 4
    assert m["total"] == 3


def test_visceral_none_scores_the_point_when_brain_status_is_not_recorded() -> None:
    # D-07: visceral_metastases describes all visceral disease, brain included.
    b, _ = both(site="breast", visceral="none", brain=None)
    assert b["components"]["no_visceral_metastases"] == 1
    assert b["status"] == "complete"


def test_unknown_visceral_status_without_brain_metastases_is_asked_for() -> None:
    b, m = both(site="breast", visceral=None, brain=False)
    assert b["status"] == "incomplete"
    assert b["missing"] == ["disease.visceral_metastases"]
    assert b["range"] == [4, 5]
    assert m["range"] == [3, 4]
    assert m["band"] == "good"


# ------------------------------------------------------------------ worked examples


def test_b1_breast_without_visceral_disease_solitary_no_fracture() -> None:
    b, m = both(site="breast", visceral="none", bones=SOLITARY, fracture=False)
    assert (b["total"], b["band"]) == (5, "good")
    assert (m["total"], m["band"]) == (4, "good")


def test_b2_lung_with_visceral_disease_multiple_and_fracture() -> None:
    b, m = both(site="lung_nsclc", visceral="unremovable", bones=MULTIPLE, fracture=True)
    assert (b["total"], b["band"]) == (0, "poor")
    assert (m["total"], m["band"]) == (0, "poor")


def test_b3_colon_without_visceral_disease_multiple_no_fracture() -> None:
    b, m = both(site="colon", visceral="none", bones=MULTIPLE, fracture=False)
    assert (b["total"], b["band"]) == (3, "intermediate")
    assert b["components"] == {"no_visceral_metastases": 1, "not_lung": 1,
                               "favourable_primary": 0, "solitary_skeletal_metastasis": 0,
                               "no_pathological_fracture": 1}
    assert (m["total"], m["band"]) == (2, "intermediate")


def test_d1_no_fracture_plus_one_favourable_item_the_versions_disagree() -> None:
    # lung (0 site points), visceral disease (0), solitary (1), no fracture (1)
    b, m = both(site="lung_sclc", visceral="removable", bones=SOLITARY, fracture=False)
    assert (b["total"], b["band"]) == (2, "intermediate")
    assert (m["total"], m["band"]) == (1, "poor")


def test_d2_fracture_plus_three_favourable_items_the_versions_disagree() -> None:
    # colon (not lung: 1), no visceral (1), solitary (1), fracture (0)
    b, m = both(site="colon", visceral="none", bones=SOLITARY, fracture=True)
    assert (b["total"], b["band"]) == (3, "intermediate")
    assert (m["total"], m["band"]) == (3, "good")


# ------------------------------------------------------------------ bands


@pytest.mark.parametrize(
    ("kw", "total"),
    [
        ({"site": "lung_nsclc", "visceral": "removable", "bones": MULTIPLE, "fracture": True}, 0),
        ({"site": "lung_nsclc", "visceral": "none", "bones": MULTIPLE, "fracture": True}, 1),
        ({"site": "colon", "visceral": "none", "bones": MULTIPLE, "fracture": True}, 2),
        ({"site": "colon", "visceral": "none", "bones": SOLITARY, "fracture": True}, 3),
        ({"site": "colon", "visceral": "none", "bones": SOLITARY, "fracture": False}, 4),
        ({"site": "kidney", "visceral": "none", "bones": SOLITARY, "fracture": False}, 5),
    ],
)
def test_bauer_band_edges_1_2_and_3_4(kw: dict[str, Any], total: int) -> None:
    b, _ = both(**kw)
    assert b["total"] == total
    assert b["band"] == bauer_band(total)


@pytest.mark.parametrize(
    ("kw", "total", "band"),
    [
        ({"site": "lung_nsclc", "visceral": "none", "bones": MULTIPLE}, 1, "poor"),
        ({"site": "colon", "visceral": "none", "bones": MULTIPLE}, 2, "intermediate"),
        ({"site": "colon", "visceral": "none", "bones": SOLITARY}, 3, "good"),
        ({"site": "myeloma", "visceral": "removable", "bones": MULTIPLE}, 2, "intermediate"),
        ({"site": "lymphoma", "visceral": "none", "bones": MULTIPLE}, 3, "good"),
    ],
)
def test_modified_bauer_band_edges_1_2_and_2_3(kw: dict[str, Any], total: int,
                                               band: str) -> None:
    _, m = both(**kw)
    assert m["total"] == total
    assert m["band"] == band == modified_band(total)


# ------------------------------------------------------------------ unknown primary


def test_a_missing_primary_site_gives_the_exact_joint_range() -> None:
    b, m = both(site=None, visceral="none", bones=SOLITARY, fracture=False)
    assert b["status"] == "incomplete"
    assert b["range"] == [3, 5]
    assert b["band"] is None
    assert b["total"] is None
    assert b["missing"] == ["cancer.primary_site"]
    assert b["components"]["not_lung"] is None
    assert b["components"]["favourable_primary"] is None
    assert m["range"] == [2, 4]
    assert m["band"] is None


def test_a_missing_site_with_everything_else_unfavourable_stays_within_two_points() -> None:
    b, m = both(site=None, visceral="removable", bones=MULTIPLE, fracture=True)
    assert b["range"] == [0, 2]
    assert m["range"] == [0, 2]


def test_an_unknown_primary_code_is_not_lung_and_not_favourable() -> None:
    b, _ = both(site="unknown")
    assert b["components"]["not_lung"] == 1
    assert b["components"]["favourable_primary"] == 0


def test_bauer_is_not_applicable_without_cancer_or_without_bone_metastasis() -> None:
    none = make_case(cancer={"history": "none"}, disease={"vertebral_metastases": 1})
    zero = make_case(cancer={"history": "current"},
                     disease={"vertebral_metastases": 0, "extraspinal_bone_metastases": 0})
    for case in (none, zero):
        assert bauer(case).status == "not_applicable"
        assert modified_bauer(case).status == "not_applicable"


def test_both_versions_are_recorded_separately() -> None:
    b, m = both()
    assert b["version"] and m["version"]
    assert b["version"] != m["version"]


def test_both_bauer_versions_state_that_a_higher_total_is_a_better_prognosis() -> None:
    block = score_all(case_of())
    assert "better" in block["bauer"]["higher_means"]
    assert "better" in block["modified_bauer"]["higher_means"]


# ------------------------------------------------------------------ property: exact ranges


@settings(max_examples=300, deadline=None)
@given(
    site=st.one_of(st.none(), st.sampled_from(PRIMARY_SITES)),
    visceral=st.one_of(st.none(), st.sampled_from(["none", "removable", "unremovable"])),
    brain=st.one_of(st.none(), st.booleans()),
    vertebral=st.one_of(st.none(), st.integers(0, 3)),
    extraspinal=st.one_of(st.none(), st.integers(0, 3)),
    fracture=st.one_of(st.none(), st.booleans()),
)
def test_bauer_ranges_are_exactly_what_the_unknowns_can_reach(
        site: str | None, visceral: str | None, brain: bool | None, vertebral: int | None,
        extraspinal: int | None, fracture: bool | None) -> None:
    if vertebral == 0 and extraspinal == 0:
        return
    if brain and visceral == "none":
        brain = False  # invalid combination (D-07)
    bones = {k: v for k, v in (("vertebral_metastases", vertebral),
                               ("extraspinal_bone_metastases", extraspinal)) if v is not None}
    b, m = both(site=site, visceral=visceral, bones=bones, fracture=fracture, brain=brain)
    visc = {0} if brain else {int(visceral == "none")} if visceral else {0, 1}
    sites = [site] if site else PRIMARY_SITES
    site_pts = {int(s not in LUNG) + int(s in FAVOURABLE) for s in sites}
    vs = [vertebral] if vertebral is not None else range(4)
    es = [extraspinal] if extraspinal is not None else range(4)
    sol = {int(v + e == 1) for v, e in itertools.product(vs, es) if v + e >= 1}
    frac = {int(not fracture)} if fracture is not None else {0, 1}
    mod_totals = {a + s + o for a in visc for s in site_pts for o in sol}
    bauer_totals = {t + f for t in mod_totals for f in frac}
    assert m["range"] == [min(mod_totals), max(mod_totals)]
    assert b["range"] == [min(bauer_totals), max(bauer_totals)]
    mod_bands = {modified_band(t) for t in mod_totals}
    assert m["band"] == (mod_bands.pop() if len(mod_bands) == 1 else None)
    bauer_bands = {bauer_band(t) for t in bauer_totals}
    assert b["band"] == (bauer_bands.pop() if len(bauer_bands) == 1 else None)
