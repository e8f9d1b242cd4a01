"""Work-up: imaging, bloods, staging and biopsy.

Expectations from decisions.md D-15, D-25, D-26 and pathway.md §1.3 (IMG-001 to IMG-004), §3.6 and
§4 (BX-001, BX-003, BX-006).
"""

from __future__ import annotations

from typing import Any

import pytest
from casekit import run

PAIN: dict[str, Any] = {"spinal_pain": True, "pain_sites": ["thoracic"], "pain_features": [],
                        "neuro_features": [], "general_features": []}


def workup(a: dict[str, Any], option_id: str) -> dict[str, Any] | None:
    return next((o for o in a["workup"] if o["id"] == option_id), None)


def wrole(a: dict[str, Any], option_id: str) -> str | None:
    entry = workup(a, option_id)
    return entry["role"] if entry else None


def presentation(**changes: Any) -> dict[str, Any]:
    return {**PAIN, **changes}


def unknown_primary(neuro: list[str] | None = None, escc: str = "1a",
                    history: str = "suspected") -> dict[str, Any]:
    return run(cancer={"history": history, "primary_site": "unknown"},
               presentation=presentation(neuro_features=neuro or []),
               lesions=[{"level": "T8", "bone_lesion": "lytic", "escc": escc}])


# ------------------------------------------------------------ IMG-004: no plain X-ray


XRAY_CASES = {
    "emergency_mscc": dict(cancer={"history": "current"},
                           presentation=presentation(neuro_features=["limb_weakness"])),
    "urgent_mscc": dict(cancer={"history": "past"}, presentation=presentation()),
    "suspected_cancer": dict(cancer={"history": "suspected"}, presentation=presentation()),
    "cauda_equina": dict(cancer={"history": "none"},
                         presentation=presentation(neuro_features=["saddle_anaesthesia"])),
    "lesion_known": dict(cancer={"history": "current", "primary_site": "kidney"},
                         lesions=[{"level": "L2", "escc": "0"}]),
    "xray_already_done": dict(cancer={"history": "current"}, presentation=presentation(),
                              imaging=[{"modality": "xray_spine"}]),
    "mri_contraindicated": dict(cancer={"history": "current"}, presentation=presentation(),
                                status={"mri_contraindicated": True}),
}


@pytest.mark.parametrize("name", sorted(XRAY_CASES))
def test_plain_spinal_xray_is_never_recommended(name):
    a = run(**XRAY_CASES[name])
    assert wrole(a, "xray_spine") == "not_recommended"
    assert "IMG-004" in workup(a, "xray_spine")["rules"]
    assert all(o["role"] == "not_recommended" for o in a["workup"] if o["id"] == "xray_spine")


def test_plain_xray_is_not_recommended_in_routine_back_pain_either():
    a = run(cancer={"history": "none"}, patient={"age_years": 30}, presentation=presentation())
    assert wrole(a, "xray_spine") in (None, "not_recommended")


def test_an_xray_already_done_does_not_replace_whole_spine_mri():
    a = run(**XRAY_CASES["xray_already_done"])
    assert wrole(a, "mri_whole_spine") == "recommended"
    assert not workup(a, "mri_whole_spine").get("done", False)


@pytest.mark.parametrize(("neuro", "hours"), [(["gait_disturbance"], 24), ([], 168)])
def test_whole_spine_mri_is_the_investigation_with_the_triage_clock(neuro, hours):
    a = run(cancer={"history": "current"}, presentation=presentation(neuro_features=neuro))
    entry = workup(a, "mri_whole_spine")
    assert entry["role"] == "recommended"
    assert entry["within_hours"] == hours
    assert "IMG-001" in entry["rules"]


def test_mri_contraindicated_gives_ct_spine_in_the_workup():
    a = run(**XRAY_CASES["mri_contraindicated"])
    assert wrole(a, "ct_spine") == "recommended"
    assert "IMG-003" in workup(a, "ct_spine")["rules"]
    assert wrole(a, "mri_whole_spine") in (None, "not_recommended")


def test_whole_spine_mri_already_done_is_marked_done():
    a = run(cancer={"history": "current"}, presentation=presentation(),
            imaging=[{"modality": "mri_whole_spine", "at": "2026-11-19T15:00:00+00:00"}])
    assert workup(a, "mri_whole_spine")["done"] is True


# ------------------------------------------------------------ D-25 / BX-001: unknown primary


@pytest.mark.parametrize("history", ["suspected", "current"])
def test_unknown_primary_is_staged_with_ct_or_pet_ct(history):
    a = unknown_primary(history=history)
    assert "recommended" in (wrole(a, "ct_staging"), wrole(a, "pet_ct"))
    assert wrole(a, "ct_staging") == "recommended"
    assert "BX-001" in workup(a, "ct_staging")["rules"]


@pytest.mark.parametrize("escc", ["0", "1a", "1b"])
def test_unknown_primary_without_mescc_or_neurology_is_biopsied_within_a_week(escc):
    a = unknown_primary(escc=escc)
    biopsy = workup(a, "biopsy")
    assert biopsy["role"] == "recommended"
    assert biopsy["within_hours"] == 168
    assert "BX-001" in biopsy["rules"]


@pytest.mark.parametrize("escc", ["2", "3"])
def test_unknown_primary_with_high_grade_escc_is_biopsied_within_24_hours(escc):
    a = unknown_primary(escc=escc)
    assert workup(a, "biopsy")["role"] == "recommended"
    assert workup(a, "biopsy")["within_hours"] == 24


@pytest.mark.parametrize("feature", ["limb_weakness", "radicular_pain", "bladder_dysfunction"])
def test_unknown_primary_with_neurology_is_biopsied_within_24_hours(feature):
    a = unknown_primary(neuro=[feature], escc="1a")
    assert workup(a, "biopsy")["role"] == "recommended"
    assert workup(a, "biopsy")["within_hours"] == 24


def test_known_primary_is_not_biopsied_routinely():
    a = run(cancer={"history": "current", "primary_site": "breast"}, presentation=presentation(),
            lesions=[{"level": "T8", "escc": "1a"}])
    assert wrole(a, "biopsy") != "recommended"


# ------------------------------------------------------------ D-26 / BX-006: bone tumour


@pytest.mark.parametrize("grade", ["benign", "low", "high"])
def test_a_primary_tumour_grade_means_sarcoma_centre_referral_before_any_biopsy(grade):
    a = run(cancer={"history": "none"}, presentation=presentation(),
            primary_tumour={"grade": grade}, lesions=[{"level": "L2", "escc": "0"}])
    assert wrole(a, "sarcoma_centre_referral") == "recommended"
    assert wrole(a, "biopsy") == "not_recommended"
    assert "BX-006" in workup(a, "sarcoma_centre_referral")["rules"]
    assert "BX-006" in workup(a, "biopsy")["rules"]


@pytest.mark.parametrize("history", ["none", "suspected"])
@pytest.mark.parametrize("site", ["osteosarcoma", "sarcoma"])
def test_bone_sarcoma_site_without_a_prior_diagnosis_goes_to_the_sarcoma_centre(site, history):
    a = run(cancer={"history": history, "primary_site": site}, presentation=presentation(),
            lesions=[{"level": "T10", "escc": "1b"}])
    assert wrole(a, "sarcoma_centre_referral") == "recommended"
    assert wrole(a, "biopsy") == "not_recommended"


def test_suspected_bone_tumour_is_not_sent_down_the_unknown_primary_biopsy_route():
    a = run(cancer={"history": "suspected", "primary_site": "sarcoma"},
            presentation=presentation(neuro_features=["limb_weakness"]),
            lesions=[{"level": "T10", "escc": "3"}])
    assert wrole(a, "biopsy") == "not_recommended"
    assert wrole(a, "sarcoma_centre_referral") == "recommended"


# ------------------------------------------------------------ bloods (§3.6)


@pytest.mark.parametrize("name", ["emergency_mscc", "urgent_mscc", "suspected_cancer",
                                  "lesion_known"])
def test_bloods_are_recommended_on_every_cancer_route(name):
    a = run(**XRAY_CASES[name])
    assert wrole(a, "bloods") == "recommended"


def test_bloods_are_recommended_for_an_unknown_primary():
    assert wrole(unknown_primary(), "bloods") == "recommended"


def test_every_workup_option_carries_rules_and_a_rationale():
    for name in sorted(XRAY_CASES):
        for entry in run(**XRAY_CASES[name])["workup"]:
            assert entry["rules"], entry
            assert entry["rationale"], entry
            assert entry["role"] in {"recommended", "consider", "not_recommended", "discuss"}
