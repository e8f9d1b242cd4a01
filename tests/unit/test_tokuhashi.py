"""Revised (2005) and original (1990) Tokuhashi scores (scores.md §4, D-04, D-05, D-06)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from casekit import make_case, run
from hypothesis import given, settings
from hypothesis import strategies as st

from oncospine.scores import score_all, tokuhashi_original, tokuhashi_revised

# case-format.md "Primary site codes", Tokuhashi 2005 column (scores.md §4.1 table).
SPEC_REVISED_SITE: dict[str, int] = {
    "breast": 5, "prostate": 5, "thyroid": 5, "carcinoid": 5,
    "kidney": 3, "uterus": 3, "rectum": 4, "colon": 2,
    "lung_nsclc": 0, "lung_sclc": 0, "stomach": 0, "oesophagus": 0, "pancreas": 0,
    "bladder": 0, "liver": 1, "gallbladder": 1, "osteosarcoma": 0, "sarcoma": 2,
    "melanoma": 2, "myeloma": 2, "lymphoma": 2, "germ_cell": 2, "ovary": 2, "head_neck": 2,
    "other": 2, "unknown": 1,
}  # fmt: skip


def spec_original_site(site: str) -> int:
    """scores.md §4.2: lung, stomach → 0; thyroid, prostate, breast, rectum → 2; else 1."""
    if site in ("lung_nsclc", "lung_sclc", "stomach"):
        return 0
    if site in ("thyroid", "prostate", "breast", "rectum"):
        return 2
    return 1


def kps_points(kps: int) -> int:
    return 0 if kps <= 40 else 1 if kps <= 70 else 2


def count_points(n: int) -> int:
    """Extraspinal foci: ≥3 → 0, 1–2 → 1, 0 → 2."""
    return 0 if n >= 3 else 1 if n >= 1 else 2


def vertebral_points(n: int) -> int:
    """D-04: ≥3 → 0, 2 → 1, 1 → 2."""
    return 0 if n >= 3 else 1 if n == 2 else 2


ORGAN = {"unremovable": 0, "removable": 1, "none": 2}
PALSY = {"A": 0, "B": 0, "C": 1, "D": 1, "E": 2}


def revised_band(total: int) -> str:
    return ("under_6_months" if total <= 8 else "6_months_or_more" if total <= 11
            else "1_year_or_more")


def original_band(total: int) -> str:
    return "under_6_months" if total <= 5 else "variable" if total <= 8 else "1_year_or_more"


def case_of(site: str | None = "breast", kps: int | None = 80, extraspinal: int | None = 0,
            vertebral: int | None = 1, visceral: str | None = "none",
            frankel: str | None = "E", **status: Any) -> Any:
    cancer: dict[str, Any] = {"history": "current"}
    if site is not None:
        cancer["primary_site"] = site
    st_: dict[str, Any] = {"kps": kps, "frankel": frankel, **status}
    dis = {"extraspinal_bone_metastases": extraspinal, "vertebral_metastases": vertebral,
           "visceral_metastases": visceral}
    return make_case(cancer=cancer,
                     status={k: v for k, v in st_.items() if v is not None},
                     disease={k: v for k, v in dis.items() if v is not None})


def revised(**kw: Any) -> dict[str, Any]:
    return tokuhashi_revised(case_of(**kw)).to_dict()


def original(**kw: Any) -> dict[str, Any]:
    return tokuhashi_original(case_of(**kw)).to_dict()


# ------------------------------------------------------------------ primary-site rows


@pytest.mark.parametrize(("site", "points"), sorted(SPEC_REVISED_SITE.items()))
def test_each_primary_site_scores_its_2005_points(site: str, points: int) -> None:
    result = revised(site=site)
    assert result["status"] == "complete"
    assert result["components"]["primary_site"] == points
    assert result["total"] == 2 + 2 + 2 + 2 + points + 2
    assert result["rows"]["tokuhashi_revised"] == site


@pytest.mark.parametrize("site", sorted(SPEC_REVISED_SITE))
def test_each_primary_site_scores_its_1990_points(site: str) -> None:
    result = original(site=site)
    assert result["status"] == "complete"
    assert result["components"]["primary_site"] == spec_original_site(site)
    assert result["total"] == 10 + spec_original_site(site)


def test_kidney_and_uterus_gained_weight_from_1990_to_2005() -> None:
    for site in ("kidney", "uterus"):
        assert original(site=site)["components"]["primary_site"] == 1
        assert revised(site=site)["components"]["primary_site"] == 3


def test_an_unidentified_primary_scores_one_in_both_versions() -> None:
    assert revised(site="unknown")["components"]["primary_site"] == 1
    assert original(site="unknown")["components"]["primary_site"] == 1


def test_a_missing_primary_site_is_asked_for_and_spans_the_site_table() -> None:
    r = revised(site=None)
    assert r["status"] == "incomplete"
    assert r["missing"] == ["cancer.primary_site"]
    assert r["range"] == [10, 15]
    o = original(site=None)
    assert o["range"] == [10, 12]
    assert o["band"] == "1_year_or_more"
    assert o["total"] is None


# ------------------------------------------------------------------ general condition


@pytest.mark.parametrize("kps", [10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
def test_kps_categories_poor_moderate_good(kps: int) -> None:
    assert revised(kps=kps)["components"]["general_condition"] == kps_points(kps)
    assert original(kps=kps)["components"]["general_condition"] == kps_points(kps)


@pytest.mark.parametrize(("kps", "points"), [(40, 0), (50, 1), (70, 1), (80, 2), (100, 2)])
def test_kps_category_edges(kps: int, points: int) -> None:
    assert revised(kps=kps)["components"]["general_condition"] == points


def test_ecog_1_converts_to_kps_70_to_80_which_spans_two_categories() -> None:
    result = revised(kps=None, ecog=1)
    assert result["status"] == "incomplete"
    assert result["total"] is None
    assert result["components"]["general_condition"] is None
    assert result["range"] == [14, 15]  # 1..2 + 2+2+2+5+2
    assert result["band"] == "1_year_or_more"
    assert "status.kps" in result["missing"]


def test_ecog_0_converts_to_good_general_condition_and_completes_the_score() -> None:
    result = revised(kps=None, ecog=0)
    assert result["status"] == "complete"
    assert result["components"]["general_condition"] == 2
    assert result["total"] == 15


def test_ecog_2_converts_to_kps_50_to_60_which_is_moderate_and_complete() -> None:
    result = revised(kps=None, ecog=2)
    assert result["status"] == "complete"
    assert result["components"]["general_condition"] == 1
    assert result["total"] == 14


@pytest.mark.parametrize("ecog", [3, 4])
def test_ecog_3_or_4_converts_to_poor_general_condition(ecog: int) -> None:
    result = revised(kps=None, ecog=ecog)
    assert result["status"] == "complete"
    assert result["components"]["general_condition"] == 0


def test_a_given_kps_wins_over_ecog() -> None:
    result = revised(kps=40, ecog=0)
    assert result["components"]["general_condition"] == 0


def test_converting_ecog_to_kps_adds_a_warning() -> None:
    a = run(cancer={"history": "current", "primary_site": "breast"},
            status={"ecog": 1, "frankel": "E"},
            disease={"vertebral_metastases": 1, "extraspinal_bone_metastases": 0,
                     "visceral_metastases": "none"})
    ids = [w["id"] for w in a["warnings"]]
    assert "kps_from_ecog" in ids
    assert a["scores"]["tokuhashi_revised"]["status"] == "incomplete"
    assert "status.kps" in a["missing_inputs"]


def test_no_conversion_warning_when_kps_is_given() -> None:
    a = run(cancer={"history": "current", "primary_site": "breast"},
            status={"kps": 80, "ecog": 1, "frankel": "E"},
            disease={"vertebral_metastases": 1})
    assert "kps_from_ecog" not in [w["id"] for w in a["warnings"]]


def test_unknown_performance_status_spans_all_three_categories() -> None:
    result = revised(kps=None)
    assert result["range"] == [13, 15]
    assert result["missing"] == ["status.kps"]


# ------------------------------------------------------------------ counts and organs


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 10])
def test_extraspinal_bone_foci_score_by_count(n: int) -> None:
    assert revised(extraspinal=n)["components"]["extraspinal_bone_metastases"] == count_points(n)


@pytest.mark.parametrize(("n", "points"), [(0, 2), (1, 1), (2, 1), (3, 0)])
def test_extraspinal_foci_none_scores_two_one_or_two_score_one_three_score_zero(
        n: int, points: int) -> None:
    assert original(extraspinal=n)["components"]["extraspinal_bone_metastases"] == points


@pytest.mark.parametrize(("n", "points"), [(1, 2), (2, 1), (3, 0), (7, 0)])
def test_vertebral_body_metastases_one_two_three_score_two_one_zero(n: int, points: int) -> None:
    # D-04: NICE's corrected table, ≥3 / 2 / 1 → 0 / 1 / 2
    assert revised(vertebral=n)["components"]["vertebral_metastases"] == points
    assert original(vertebral=n)["components"]["vertebral_metastases"] == points


def test_no_vertebral_metastasis_makes_tokuhashi_not_applicable() -> None:
    assert revised(vertebral=0, extraspinal=2)["status"] == "not_applicable"
    assert original(vertebral=0, extraspinal=2)["status"] == "not_applicable"


def test_unknown_counts_are_asked_for() -> None:
    result = revised(extraspinal=None, vertebral=None)
    assert result["status"] == "incomplete"
    assert sorted(result["missing"]) == ["disease.extraspinal_bone_metastases",
                                         "disease.vertebral_metastases"]
    assert result["range"] == [11, 15]


@pytest.mark.parametrize(("visceral", "points"), list(ORGAN.items()))
def test_major_organ_metastases_unremovable_removable_none_score_0_1_2(visceral: str,
                                                                       points: int) -> None:
    assert revised(visceral=visceral)["components"]["internal_organ_metastases"] == points
    assert original(visceral=visceral)["components"]["internal_organ_metastases"] == points


def test_brain_metastases_with_unknown_visceral_extent_cannot_score_organs_none() -> None:
    # D-07: brain metastases are visceral ("major internal organs" include the brain), and
    # visceral "none" with brain metastases is invalid input; organs can only score 0 or 1.
    result = revised(visceral=None)
    assert result["range"] == [13, 15]  # sanity: without brain metastases all three are open
    case = make_case(cancer={"history": "current", "primary_site": "breast"},
                     status={"kps": 80, "frankel": "E"},
                     disease={"vertebral_metastases": 1, "extraspinal_bone_metastases": 0,
                              "brain_metastases": True})
    result = tokuhashi_revised(case).to_dict()
    assert result["status"] == "incomplete"
    assert result["range"] == [13, 14]


# ------------------------------------------------------------------ palsy


@pytest.mark.parametrize("grade", list(PALSY))
def test_frankel_grades_score_a_b_zero_c_d_one_e_two(grade: str) -> None:
    assert revised(frankel=grade)["components"]["palsy"] == PALSY[grade]
    assert original(frankel=grade)["components"]["palsy"] == PALSY[grade]


@pytest.mark.parametrize("grade", list(PALSY))
def test_asia_stands_in_for_a_missing_frankel_grade(grade: str) -> None:
    result = revised(frankel=None, asia=grade)
    assert result["status"] == "complete"
    assert result["components"]["palsy"] == PALSY[grade]


def test_asia_standing_in_for_frankel_adds_a_warning() -> None:
    a = run(cancer={"history": "current", "primary_site": "breast"},
            status={"kps": 80, "asia": "C"},
            disease={"vertebral_metastases": 1, "extraspinal_bone_metastases": 0,
                     "visceral_metastases": "none"})
    assert "frankel_from_asia" in [w["id"] for w in a["warnings"]]
    assert a["scores"]["tokuhashi_revised"]["components"]["palsy"] == 1


def test_a_given_frankel_grade_wins_over_asia_without_a_warning() -> None:
    assert revised(frankel="A", asia="E")["components"]["palsy"] == 0
    a = run(cancer={"history": "current", "primary_site": "breast"},
            status={"kps": 80, "frankel": "A", "asia": "E"},
            disease={"vertebral_metastases": 1})
    assert "frankel_from_asia" not in [w["id"] for w in a["warnings"]]


def test_unknown_palsy_is_asked_for_as_frankel() -> None:
    result = revised(frankel=None)
    assert result["status"] == "incomplete"
    assert result["missing"] == ["status.frankel"]
    assert result["range"] == [13, 15]


# ------------------------------------------------------------------ worked examples and bands

K_CASES = {
    "K1": {"site": "breast", "kps": 80, "extraspinal": 2, "vertebral": 1, "visceral": "none",
           "frankel": "E"},
    "K2": {"site": "lung_nsclc", "kps": 60, "extraspinal": 3, "vertebral": 3,
           "visceral": "unremovable", "frankel": "C"},
    "K3": {"site": "kidney", "kps": 70, "extraspinal": 0, "vertebral": 1,
           "visceral": "removable", "frankel": "D"},
    "K4": {"site": "colon", "kps": 90, "extraspinal": 1, "vertebral": 2, "visceral": "none",
           "frankel": "E"},
}


@pytest.mark.parametrize(
    ("example", "rev_total", "rev_band", "orig_total", "orig_band"),
    [
        ("K1", 14, "1_year_or_more", 11, "1_year_or_more"),
        ("K2", 2, "under_6_months", 2, "under_6_months"),
        ("K3", 10, "6_months_or_more", 8, "variable"),
        ("K4", 10, "6_months_or_more", 9, "1_year_or_more"),
    ],
)
def test_worked_examples_of_scores_md_4_3(example: str, rev_total: int, rev_band: str,
                                          orig_total: int, orig_band: str) -> None:
    r = revised(**K_CASES[example])
    o = original(**K_CASES[example])
    assert (r["status"], r["total"], r["band"]) == ("complete", rev_total, rev_band)
    assert (o["status"], o["total"], o["band"]) == ("complete", orig_total, orig_band)


def test_k1_components_follow_the_2005_table() -> None:
    assert revised(**K_CASES["K1"])["components"] == {
        "general_condition": 2, "extraspinal_bone_metastases": 1, "vertebral_metastases": 2,
        "internal_organ_metastases": 2, "primary_site": 5, "palsy": 2}


def test_k4_puts_one_patient_in_different_bands_by_version() -> None:
    r, o = revised(**K_CASES["K4"]), original(**K_CASES["K4"])
    assert r["band"] == "6_months_or_more"
    assert o["band"] == "1_year_or_more"
    assert r["version"] != o["version"]


@pytest.mark.parametrize(
    ("site", "total", "band"),
    [
        ("lung_nsclc", 8, "under_6_months"),
        ("liver", 9, "6_months_or_more"),
        ("kidney", 11, "6_months_or_more"),
        ("rectum", 12, "1_year_or_more"),
    ],
)
def test_revised_band_edges_8_9_11_12(site: str, total: int, band: str) -> None:
    # KPS 80 (2) + 0 extraspinal (2) + 1 vertebra (2) + unremovable (0) + Frankel E (2) = 8
    result = revised(site=site, visceral="unremovable")
    assert result["total"] == total == 8 + SPEC_REVISED_SITE[site]
    assert result["band"] == band == revised_band(total)


@pytest.mark.parametrize(
    ("kw", "total", "band"),
    [
        ({"kps": 40, "frankel": "C", "site": "lung_nsclc"}, 5, "under_6_months"),
        ({"kps": 40, "frankel": "E", "site": "lung_nsclc"}, 6, "variable"),
        ({"kps": 40, "frankel": "E", "site": "breast"}, 8, "variable"),
        ({"kps": 60, "frankel": "E", "site": "breast"}, 9, "1_year_or_more"),
    ],
)
def test_original_band_edges_5_6_8_9(kw: dict[str, Any], total: int, band: str) -> None:
    result = original(visceral="unremovable", **kw)
    assert result["total"] == total
    assert result["band"] == band == original_band(total)


def test_revised_extremes_are_zero_and_fifteen() -> None:
    worst = revised(site="lung_nsclc", kps=30, extraspinal=5, vertebral=4,
                    visceral="unremovable", frankel="A")
    best = revised(site="thyroid", kps=100, extraspinal=0, vertebral=1, visceral="none",
                   frankel="E")
    assert (worst["total"], worst["band"]) == (0, "under_6_months")
    assert (best["total"], best["band"]) == (15, "1_year_or_more")


def test_original_maximum_is_twelve() -> None:
    assert original(site="prostate", kps=100)["total"] == 12


def test_incomplete_band_is_set_only_when_the_range_is_in_one_band() -> None:
    # colon: 2+2+2+2+2 + palsy unknown (0..2) = 10..12 → crosses 11/12
    crossing = revised(site="colon", frankel=None)
    assert crossing["range"] == [10, 12]
    assert crossing["band"] is None
    # K2 with palsy unknown: 1+0+0+0+0 + 0..2 = 1..3, all under 6 months
    inside = revised(**{**K_CASES["K2"], "frankel": None})
    assert inside["range"] == [1, 3]
    assert inside["band"] == "under_6_months"
    assert inside["status"] == "incomplete"


def test_tokuhashi_is_not_applicable_without_a_cancer_history() -> None:
    case = make_case(cancer={"history": "none"}, disease={"vertebral_metastases": 1})
    assert tokuhashi_revised(case).status == "not_applicable"


def test_both_tokuhashi_versions_state_that_a_higher_total_is_a_better_prognosis() -> None:
    block = score_all(case_of())
    assert "better" in block["tokuhashi_revised"]["higher_means"]
    assert "better" in block["tokuhashi_original"]["higher_means"]


# ------------------------------------------------------------------ property: exact ranges

SITES = sorted(SPEC_REVISED_SITE)


@settings(max_examples=300, deadline=None)
@given(
    site=st.one_of(st.none(), st.sampled_from(SITES)),
    kps=st.one_of(st.none(), st.sampled_from(range(10, 101, 10))),
    ecog=st.one_of(st.none(), st.integers(0, 4)),
    extraspinal=st.one_of(st.none(), st.integers(0, 4)),
    vertebral=st.one_of(st.none(), st.integers(1, 4)),
    visceral=st.one_of(st.none(), st.sampled_from(sorted(ORGAN))),
    frankel=st.one_of(st.none(), st.sampled_from(sorted(PALSY))),
)
def test_the_revised_range_is_exactly_what_the_unknowns_can_reach(
        site: str | None, kps: int | None, ecog: int | None, extraspinal: int | None,
        vertebral: int | None, visceral: str | None, frankel: str | None) -> None:
    ecog_kps = {0: (90, 100), 1: (70, 80), 2: (50, 60), 3: (30, 40), 4: (10, 20)}
    kpss = [kps] if kps else ecog_kps[ecog] if ecog is not None else range(10, 101, 10)
    choices = [
        {kps_points(k) for k in kpss},
        {count_points(n) for n in ([extraspinal] if extraspinal is not None else range(5))},
        {vertebral_points(n) for n in ([vertebral] if vertebral else range(1, 5))},
        {ORGAN[visceral]} if visceral else set(ORGAN.values()),
        {SPEC_REVISED_SITE[s] for s in ([site] if site else SITES)},
        {PALSY[frankel]} if frankel else set(PALSY.values()),
    ]
    totals = {sum(c) for c in itertools.product(*choices)}
    result = revised(site=site, kps=kps, ecog=ecog, extraspinal=extraspinal,
                     vertebral=vertebral, visceral=visceral, frankel=frankel)
    assert result["range"] == [min(totals), max(totals)]
    decided = all(len(c) == 1 for c in choices)
    assert result["status"] == ("complete" if decided else "incomplete")
    bands = {revised_band(t) for t in totals}
    assert result["band"] == (bands.pop() if len(bands) == 1 else None)
