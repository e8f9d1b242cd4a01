"""Prognosis: band meanings and literature figures, never a number without its cohort.

Expectations from pathway.md §8 (8.1 survival by primary, S30), decisions.md "Prognosis figures
shown to users" and assessment-format.md (score bands).
"""

from __future__ import annotations

from typing import Any

import pytest
from casekit import run

COMPLETE: dict[str, Any] = {
    "cancer": {"history": "current", "primary_site": "breast"},
    "presentation": {"spinal_pain": True, "neuro_features": ["limb_weakness"]},
    "status": {"kps": 80, "ecog": 1, "frankel": "E", "ambulatory": "independent"},
    "disease": {"vertebral_metastases": 1, "extraspinal_bone_metastases": 0,
                "visceral_metastases": "none", "brain_metastases": False,
                "pathological_fracture": False},
    "labs": {"albumin_g_per_l": 40},
    "lesions": [{"level": "T5", "escc": "3"}],
}
PROGNOSTIC = ("tomita", "tokuhashi_revised", "tokuhashi_original", "bauer", "modified_bauer",
              "nesms")

# pathway.md §8.1: median survival (months) by primary, Leiden/Graz cohort (S30).
BY_PRIMARY = {"breast": 18.6, "prostate": 7.4, "kidney": 7.8, "colon": 3.1, "lung_nsclc": 2.0,
              "melanoma": 1.5, "thyroid": 7.3, "stomach": 1.4, "oesophagus": 2.1}

CASES: dict[str, dict[str, Any]] = {
    "complete_breast_mscc": COMPLETE,
    "solitary_kidney": {"cancer": {"history": "current", "primary_site": "kidney"},
                        "disease": {"vertebral_metastases": 1,
                                    "extraspinal_bone_metastases": 0},
                        "lesions": [{"level": "L2", "escc": "0"}]},
    "high_grade_lung": {"cancer": {"history": "current", "primary_site": "lung_nsclc"},
                        "lesions": [{"level": "T7", "escc": "2"}]},
    "no_lesion": {"cancer": {"history": "current", "primary_site": "prostate"}},
    "primary_bone": {"cancer": {"history": "none"}, "primary_tumour": {"grade": "low"},
                     "lesions": [{"level": "L2", "escc": "0"}]},
    "empty": {},
}


def with_site(site: str) -> dict[str, Any]:
    return run(**{**COMPLETE, "cancer": {"history": "current", "primary_site": site}})


def test_breast_survival_figure_is_shown_with_its_cohort_and_source():
    p = run(**COMPLETE)["prognosis"]["by_primary"]
    assert p["months"] == pytest.approx(18.6)
    assert p["source"] == "S30"
    assert "1,379" in p["cohort"]
    assert "Leiden" in p["cohort"] and "Graz" in p["cohort"]
    assert p["ci"] == "15.8–21.4"


@pytest.mark.parametrize(("site", "months"), sorted(BY_PRIMARY.items()))
def test_survival_by_primary_matches_the_leiden_graz_table(site, months):
    p = with_site(site)["prognosis"]["by_primary"]
    assert p["months"] == pytest.approx(months)
    assert p["cohort"] and p["source"] == "S30"


@pytest.mark.parametrize("site", ["myeloma", "lymphoma"])
def test_no_solid_tumour_figure_for_haematological_primaries(site):
    """§8.1: myeloma and lymphoma were not in the solid-tumour cohort."""
    a = run(**{**COMPLETE, "cancer": {"history": "current", "primary_site": site,
                                      "haematological": "confirmed"}})
    assert a["prognosis"]["by_primary"] is None


def test_no_by_primary_figure_without_a_primary_site():
    a = run(**{**COMPLETE, "cancer": {"history": "current"}})
    assert a["prognosis"]["by_primary"] is None


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_figure_is_ever_shown_without_cohort_and_source(name):
    p = run(**CASES[name])["prognosis"]
    for figure in p["figures"]:
        assert figure["cohort"], figure
        assert figure["source"], figure
        assert figure["text"], figure
    if p["by_primary"] is not None:
        assert p["by_primary"]["cohort"] and p["by_primary"]["source"]


def test_mayo_clinic_figures_are_attributed_to_the_mayo_clinic_page():
    for name in sorted(CASES):
        for figure in run(**CASES[name])["prognosis"]["figures"]:
            if "80 %" in figure["text"] or "30 months" in figure["text"]:
                assert "MAYO" in figure["source"].upper(), figure


def test_mscc_figures_are_shown_for_mscc():
    figures = run(**COMPLETE)["prognosis"]["figures"]
    assert figures, "an MSCC case shows literature figures"


def test_metastatic_figures_are_not_shown_for_a_primary_bone_tumour():
    figures = run(**CASES["primary_bone"])["prognosis"]["figures"]
    assert all("metasta" not in f["text"].lower() for f in figures)
    assert run(**CASES["primary_bone"])["prognosis"]["by_primary"] is None


def test_complete_scores_have_their_band_meaning():
    a = run(**COMPLETE)
    bands = a["prognosis"]["scores"]
    for name in PROGNOSTIC:
        assert a["scores"][name]["status"] == "complete", name
        entry = bands[name]
        assert entry["status"] == "complete"
        assert entry["band"] == a["scores"][name]["band"]
        assert entry["meaning"]["text"], name
        assert entry["meaning"]["sources"], name
        assert entry["meaning"]["evidence"], name


def test_expected_bands_for_the_complete_breast_case():
    scores = run(**COMPLETE)["scores"]
    # Tomita: slow 1 + no visceral 0 + solitary 1 = 2. Tokuhashi 2005: KPS 80 → 2, extraspinal
    # 0 → 2, vertebral 1 → 2, no organ metastases 2, breast 5, Frankel E 2 = 15.
    assert (scores["tomita"]["total"], scores["tomita"]["band"]) == (2, "long_term_control")
    assert scores["tokuhashi_revised"]["total"] == 15
    assert scores["tokuhashi_revised"]["band"] == "1_year_or_more"
    assert (scores["bauer"]["total"], scores["bauer"]["band"]) == (5, "good")
    assert (scores["modified_bauer"]["total"], scores["modified_bauer"]["band"]) == (4, "good")
    assert (scores["nesms"]["total"], scores["nesms"]["band"]) == (3, "nesms_3")


def test_incomplete_scores_have_no_invented_meaning():
    a = run(**CASES["high_grade_lung"])
    for name in PROGNOSTIC:
        entry = a["prognosis"]["scores"][name]
        if entry["status"] == "incomplete" and entry["band"] is None:
            meaning = entry.get("meaning")
            assert meaning is None or "not decided" in meaning["text"], (name, meaning)


def test_the_headline_score_is_revised_tokuhashi_and_a_caveat_is_shown():
    p = run(**COMPLETE)["prognosis"]
    assert p["headline_score"] == "tokuhashi_revised"
    assert p["caveat"]
