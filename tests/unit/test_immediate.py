"""Immediate care: dexamethasone (D-16, conflict C-02), analgesia and immobilisation (D-17).

Expectations from decisions.md D-16, D-17 and pathway.md §1.4 (MGT-001 to MGT-009), §4 (BX-001,
BX-002) and §12 (C-02).
"""

from __future__ import annotations

from typing import Any

import pytest
from casekit import option, role, run

PAIN: dict[str, Any] = {"spinal_pain": True, "pain_sites": ["thoracic"], "pain_features": [],
                        "neuro_features": [], "general_features": []}

# SINS at T5 (semi-rigid, 1 point): occasional pain 1, lytic 2, normal alignment 0,
# collapse under 50 % 2, unilateral posterolateral 1 = 7; no collapse but > 50 % involved = 6.
SINS_7 = {"level": "T5", "pain": "occasional", "bone_lesion": "lytic", "alignment": "normal",
          "collapse": "under_50", "posterolateral": "unilateral", "escc": "1b"}
SINS_6 = {**SINS_7, "collapse": "none_over_50_involved"}
SINS_2 = {"level": "T5", "pain": "occasional", "bone_lesion": "blastic", "alignment": "normal",
          "collapse": "none", "posterolateral": "none", "escc": "1a"}


def presentation(**changes: Any) -> dict[str, Any]:
    return {**PAIN, **changes}


def conflict_ids(a: dict[str, Any]) -> set[str]:
    return {c["id"] for c in a["plan"]["conflicts"]}


def sins_worst(a: dict[str, Any]) -> int:
    return a["scores"]["sins"]["worst"]["total"]


def test_the_sins_fixtures_score_what_their_names_say():
    base = {"cancer": {"history": "current", "primary_site": "breast"}}
    assert sins_worst(run(**base, lesions=[SINS_7])) == 7
    assert sins_worst(run(**base, lesions=[SINS_6])) == 6
    assert sins_worst(run(**base, lesions=[SINS_2])) == 2


# ------------------------------------------------------------ D-16: dexamethasone


@pytest.mark.parametrize("site", ["breast", "prostate", "kidney", "lung_nsclc"])
def test_mscc_emergency_with_a_known_primary_gets_dexamethasone_16_mg_now(site):
    a = run(cancer={"history": "current", "primary_site": site},
            presentation=presentation(neuro_features=["limb_weakness"]))
    dex = option(a, "dexamethasone")
    assert dex["role"] == "recommended"
    assert "16 mg" in dex["dose"]
    assert "MGT-003" in dex["rules"]
    assert role(a, "discuss_steroids_before_biopsy") is None


def test_dexamethasone_already_given_is_marked_done():
    a = run(cancer={"history": "current", "primary_site": "breast"},
            presentation=presentation(neuro_features=["limb_weakness"]),
            events={"dexamethasone_first_dose": "2026-11-20T08:00:00+00:00"})
    assert option(a, "dexamethasone")["done"] is True


@pytest.mark.parametrize("cancer", [
    {"history": "suspected"},
    {"history": "suspected", "primary_site": "unknown"},
    {"history": "current", "primary_site": "unknown"},
], ids=["suspected_no_site", "suspected_unknown_site", "current_unknown_site"])
def test_unknown_primary_with_neurology_discusses_steroids_before_biopsy(cancer):
    a = run(cancer=cancer, presentation=presentation(neuro_features=["sensory_loss"]),
            lesions=[{"level": "T8", "escc": "2"}])
    assert a["triage"]["pathway"] == "mscc"
    assert role(a, "discuss_steroids_before_biopsy") == "recommended"
    assert role(a, "dexamethasone") == "discuss"
    assert "C-02" in conflict_ids(a)


@pytest.mark.parametrize("cancer", [
    {"history": "past", "primary_site": "breast", "haematological": "suspected"},
    {"history": "suspected", "haematological": "suspected"},
], ids=["known_solid_new_haem_suspicion", "suspected_haem"])
def test_suspected_haematological_malignancy_discusses_steroids_before_biopsy(cancer):
    a = run(cancer=cancer, presentation=presentation(neuro_features=["limb_weakness"]))
    assert role(a, "discuss_steroids_before_biopsy") == "recommended"
    assert role(a, "dexamethasone") == "discuss"
    assert "C-02" in conflict_ids(a)


@pytest.mark.parametrize("site", ["myeloma", "lymphoma"])
def test_confirmed_haematological_malignancy_gets_dexamethasone_and_haematology_mdt(site):
    a = run(cancer={"history": "current", "primary_site": site, "haematological": "confirmed"},
            presentation=presentation(neuro_features=["limb_weakness"]))
    dex = option(a, "dexamethasone")
    assert dex["role"] == "recommended"
    assert "MGT-007" in dex["rules"]
    assert "16 mg" in dex["dose"]
    assert role(a, "discuss_steroids_before_biopsy") is None


@pytest.mark.parametrize("cancer", [
    {"history": "current", "primary_site": "breast"},
    {"history": "current", "primary_site": "unknown"},
    {"history": "suspected"},
    {"history": "current", "primary_site": "myeloma", "haematological": "confirmed"},
], ids=["breast", "unknown_primary", "suspected", "myeloma"])
def test_no_neurology_means_no_routine_dexamethasone(cancer):
    a = run(cancer=cancer, presentation=presentation(),
            lesions=[{"level": "T8", "escc": "1a"}])
    dex = option(a, "dexamethasone")
    assert dex is not None and dex["role"] == "not_recommended"
    assert "MGT-006" in dex["rules"]
    assert "C-02" not in conflict_ids(a)


def test_no_neurology_and_no_cancer_never_recommends_dexamethasone():
    a = run(cancer={"history": "none"}, patient={"age_years": 40}, presentation=presentation())
    assert role(a, "dexamethasone") in (None, "not_recommended")


# ------------------------------------------------------------ D-17: analgesia


@pytest.mark.parametrize("pres", [
    presentation(),
    {"pain_features": ["night_pain"]},
    {"pain_sites": ["lumbar"]},
    presentation(neuro_features=["limb_weakness"]),
], ids=["spinal_pain", "pain_feature_only", "pain_site_only", "pain_with_neurology"])
def test_spinal_pain_gets_analgesia(pres):
    a = run(cancer={"history": "current", "primary_site": "breast"}, presentation=pres)
    assert role(a, "analgesia") == "recommended"
    assert "MGT-002" in option(a, "analgesia")["rules"]


@pytest.mark.parametrize("history", ["none", "suspected", "current"])
def test_analgesia_with_spinal_pain_whatever_the_cancer_history(history):
    a = run(cancer={"history": history}, patient={"age_years": 40}, presentation=presentation())
    assert role(a, "analgesia") == "recommended"


# ------------------------------------------------------------ D-17: immobilise


def neuro_case(pain_features: list[str] | None = None, lesions: list[dict] | None = None,
               **extra: Any) -> dict[str, Any]:
    return run(cancer={"history": "current", "primary_site": "breast"},
               presentation=presentation(neuro_features=["limb_weakness"],
                                         pain_features=pain_features or []),
               lesions=lesions, **extra)


def assert_immobilise_recommended(a: dict[str, Any]) -> None:
    entry = option(a, "immobilise")
    assert entry is not None and entry["role"] == "recommended"
    assert entry["within_hours"] == 24  # expert advice within 24 h (MGT-001)
    assert "MGT-001" in entry["rules"]


def test_neurology_with_mechanical_pain_immobilises():
    assert_immobilise_recommended(neuro_case(pain_features=["mechanical"], lesions=[SINS_2]))


def test_neurology_with_a_mechanically_painful_lesion_immobilises():
    assert_immobilise_recommended(neuro_case(lesions=[{**SINS_2, "pain": "mechanical"}]))


def test_neurology_with_sins_7_immobilises():
    assert_immobilise_recommended(neuro_case(lesions=[SINS_7]))


def test_neurology_with_sins_7_on_any_lesion_immobilises():
    assert_immobilise_recommended(neuro_case(lesions=[SINS_2, {**SINS_7, "level": "T9"}]))


@pytest.mark.parametrize("alignment", ["subluxation", "deformity"])
def test_neurology_with_abnormal_alignment_immobilises(alignment):
    assert_immobilise_recommended(neuro_case(lesions=[{**SINS_2, "alignment": alignment}]))


def test_neurology_with_a_stable_spine_is_not_immobilised():
    a = neuro_case(lesions=[SINS_6])
    assert role(a, "immobilise") == "not_recommended"


def test_neurology_with_sins_2_and_normal_alignment_is_not_immobilised():
    a = neuro_case(lesions=[SINS_2])
    assert role(a, "immobilise") == "not_recommended"


@pytest.mark.parametrize("lesion", [SINS_7, {**SINS_2, "alignment": "subluxation"},
                                    {**SINS_2, "pain": "mechanical"}],
                         ids=["sins_7", "subluxation", "mechanical_lesion"])
def test_instability_without_neurology_is_not_immobilised(lesion):
    a = run(cancer={"history": "current", "primary_site": "breast"},
            presentation=presentation(pain_features=["mechanical"]), lesions=[lesion])
    assert role(a, "immobilise") in (None, "not_recommended")
