"""The assessment document as a whole, and the pathway.md §13 test vectors T1 to T7.

Shape from assessment-format.md; vector expectations from pathway.md §13 read with decisions.md
(which wins where they differ).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from casekit import make_case, option, role, run

from oncospine.assessment import assess
from oncospine.case import load_case
from oncospine.knowledge import load

LEVELS = {"emergency", "urgent", "soon", "routine"}
PATHWAYS = {"mscc", "cord_compression", "cauda_equina", "suspected_cancer", "infection",
            "fracture", "back_pain"}
ROLES = {"recommended", "consider", "not_recommended", "discuss"}
EXAMPLES = sorted((Path(__file__).parents[2] / "src/oncospine/examples").glob("*.yaml"))
VECTORS = Path("/work/shared/vectors/cases")


def conflicts(a: dict[str, Any]) -> set[str]:
    return {c["id"] for c in a["plan"]["conflicts"]}


def all_options(a: dict[str, Any]) -> list[dict[str, Any]]:
    return [*a["triage"]["actions"], *a["workup"], *a["plan"]["options"]]


SHAPE_CASES: dict[str, dict[str, Any]] = {
    "empty": {},
    "emergency": {"cancer": {"history": "current", "primary_site": "kidney"},
                  "presentation": {"spinal_pain": True, "neuro_features": ["limb_weakness"]},
                  "lesions": [{"level": "T10", "escc": "3"}]},
    "unknown_primary": {"cancer": {"history": "suspected"},
                        "presentation": {"spinal_pain": True, "neuro_features": ["paraesthesia"]},
                        "lesions": [{"level": "T8", "escc": "2"}]},
    "unfit": {"cancer": {"history": "current", "primary_site": "lung_nsclc"},
              "status": {"fit_for_any_treatment": False}, "lesions": [{"level": "L3"}]},
    "routine": {"cancer": {"history": "none"}, "patient": {"age_years": 35},
                "presentation": {"spinal_pain": True, "pain_features": [], "neuro_features": [],
                                 "general_features": []}},
}


# ------------------------------------------------------------ document shape


@pytest.mark.parametrize("name", sorted(SHAPE_CASES))
def test_assessment_has_the_documented_top_level_shape(name):
    a = run(**SHAPE_CASES[name])
    assert a["format"] == "oncospine-assessment/1"
    assert {"case_id", "assessed_at", "ruleset", "triage", "scores", "workup", "plan",
            "prognosis", "missing_inputs", "warnings"} <= set(a)
    assert a["assessed_at"] == "2026-11-20T09:30:00+00:00"
    assert a["ruleset"]["version"] and len(a["ruleset"]["sha256"]) == 64
    assert a["triage"]["level"] in LEVELS
    assert a["triage"]["pathway"] in PATHWAYS
    assert {"options", "notes", "conflicts"} <= set(a["plan"])
    json.dumps(a)


@pytest.mark.parametrize("name", sorted(SHAPE_CASES))
def test_every_option_has_an_allowed_role_rules_and_a_rationale(name):
    for entry in all_options(run(**SHAPE_CASES[name])):
        assert entry["role"] in ROLES, entry
        assert entry["rules"], entry
        assert entry["rationale"], entry
        assert isinstance(entry["sources"], list)


@pytest.mark.parametrize("name", sorted(SHAPE_CASES))
def test_every_rule_cited_is_in_the_rule_catalogue(name):
    rules = load("rules")["rules"]
    a = run(**SHAPE_CASES[name])
    cited = {r for e in all_options(a) for r in e["rules"]}
    cited |= {r["rule"] for r in a["triage"]["reasons"]}
    cited |= {n["rule"] for n in a["plan"]["notes"]}
    assert cited <= set(rules), cited - set(rules)


@pytest.mark.parametrize("name", sorted(SHAPE_CASES))
def test_every_conflict_shown_has_text_and_sources(name):
    for conflict in run(**SHAPE_CASES[name])["plan"]["conflicts"]:
        assert conflict["id"].startswith("C-")
        assert conflict["text"] and conflict["sources"], conflict


@pytest.mark.parametrize("name", sorted(SHAPE_CASES))
def test_missing_inputs_are_unique_dotted_case_paths(name):
    missing = run(**SHAPE_CASES[name])["missing_inputs"]
    assert len(missing) == len(set(missing))
    tops = {"patient", "cancer", "presentation", "status", "disease", "labs", "lesions",
            "primary_tumour", "imaging", "events"}
    for path in missing:
        assert path.split(".")[0] in tops, path


def test_an_empty_case_asks_for_the_triage_inputs():
    missing = run()["missing_inputs"]
    assert {"cancer.history", "presentation.neuro_features"} <= set(missing)


def test_case_id_is_carried_through():
    assert run(id="demo-42")["case_id"] == "demo-42"


def test_assess_is_pure_the_same_case_gives_the_same_document():
    case = make_case(**SHAPE_CASES["emergency"])
    assert assess(case) == assess(case)


def test_assessed_at_of_the_case_wins_over_now():
    case = make_case(**SHAPE_CASES["emergency"])
    later = datetime(2030, 1, 1, tzinfo=UTC)
    assert assess(case, now=later)["assessed_at"] == "2026-11-20T09:30:00+00:00"


def test_without_assessed_at_now_is_used_for_the_clocks():
    from oncospine.case import validate_case

    case = validate_case({"format": "oncospine-case/1",
                          "cancer": {"history": "current"},
                          "presentation": {"spinal_pain": True, "neuro_features": []},
                          "events": {"presentation": "2029-12-31T00:00:00+00:00"}})
    now = datetime(2030, 1, 1, tzinfo=UTC)
    a = assess(case, now=now)
    assert a["assessed_at"] == now.isoformat()
    mri = next(c for c in a["triage"]["clocks"] if c["id"] == "mri_done")
    assert mri["hours_left"] == pytest.approx(144)


def test_not_recommended_options_do_not_raise_their_conflicts():
    a = run(**SHAPE_CASES["unfit"])
    assert "C-11" not in conflicts(a) and "C-05" not in conflicts(a)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_bundled_example_assesses(path):
    a = assess(load_case(path))
    json.dumps(a)
    assert a["triage"]["level"] in LEVELS


@pytest.mark.parametrize("path", sorted(VECTORS.glob("pathway-*.json")), ids=lambda p: p.stem)
def test_shared_pathway_vectors(path):
    vector = json.loads(path.read_text())
    a = assess(make_case(**{k: v for k, v in vector["case"].items() if k != "format"}))
    for key, expected in vector["expect"].items():
        if key.startswith("option:"):
            found = [role(a, oid) for oid in key.split(":", 1)[1].split("|")]
            if expected == "absent_or_not_recommended":
                assert all(r in (None, "not_recommended") for r in found), (key, found)
            else:
                assert expected in found, (key, found)
        else:
            value: Any = a
            for part in key.split("."):
                value = value[part]
            assert value == expected, (key, value)


# ------------------------------------------------------------ pathway.md §13 test vectors


def test_T1_current_breast_cancer_night_pain_normal_neurology():
    a = run(cancer={"history": "current", "primary_site": "breast"},
            presentation={"spinal_pain": True, "pain_sites": ["thoracic"],
                          "pain_features": ["night_pain"], "neuro_features": []},
            status={"frankel": "E", "ambulatory": "independent"})
    t = a["triage"]
    assert (t["level"], t["pathway"]) == ("urgent", "mscc")
    assert t["coordinator_contact_within_hours"] == 24
    assert option(a, "contact_mscc_coordinator")["within_hours"] == 24
    assert "TRI-002" in option(a, "contact_mscc_coordinator")["rules"]
    assert t["mri_within_hours"] == 168
    assert option(a, "mri_whole_spine")["within_hours"] == 168
    assert role(a, "dexamethasone") in (None, "not_recommended")
    assert "MGT-006" in option(a, "dexamethasone")["rules"]


def test_T2_past_prostate_cancer_leg_weakness_for_two_days():
    a = run(cancer={"history": "past", "primary_site": "prostate"},
            presentation={"spinal_pain": True, "pain_sites": ["lumbar"],
                          "neuro_features": ["limb_weakness", "gait_disturbance"],
                          "neuro_onset_hours": 48},
            status={"ambulatory": "with_aid"})
    assert (a["triage"]["level"], a["triage"]["pathway"]) == ("emergency", "mscc")
    assert "TRI-001" in {r["rule"] for r in a["triage"]["reasons"]}
    assert a["triage"]["mri_within_hours"] == 24
    assert role(a, "contact_mscc_coordinator") == "recommended"
    dex = option(a, "dexamethasone")
    assert dex["role"] == "recommended" and "16 mg" in dex["dose"]
    assert "MGT-003" in dex["rules"]
    immobilise = option(a, "immobilise")
    assert immobilise is not None and immobilise["role"] in ("recommended", "consider")
    assert immobilise["within_hours"] == 24


def test_T3_no_cancer_saddle_numbness_and_retention_is_the_ces_route():
    a = run(patient={"age_years": 44}, cancer={"history": "none"},
            presentation={"spinal_pain": True, "pain_sites": ["lumbar"],
                          "neuro_features": ["saddle_anaesthesia", "bladder_dysfunction"]})
    assert (a["triage"]["level"], a["triage"]["pathway"]) == ("emergency", "cauda_equina")
    assert "RF-CES-001" in {r["rule"] for r in a["triage"]["reasons"]}
    assert role(a, "contact_mscc_coordinator") is None
    assert a["triage"]["coordinator_contact_within_hours"] is None
    assert role(a, "emergency_spinal_referral") == "recommended"
    assert a["triage"]["mri_within_hours"] is not None and a["triage"]["mri_within_hours"] <= 24


def t4(neuro: list[str]) -> dict[str, Any]:
    return run(cancer={"history": "suspected", "primary_site": "unknown"},
               presentation={"spinal_pain": True, "pain_sites": ["thoracic"],
                             "neuro_features": neuro},
               lesions=[{"level": "T8", "bone_lesion": "lytic", "escc": "1a"}])


def test_T4_unknown_primary_lytic_t8_no_deficit():
    a = t4([])
    assert "recommended" in (role(a, "ct_staging"), role(a, "pet_ct"))
    biopsy = option(a, "biopsy")
    assert biopsy["role"] == "recommended" and biopsy["within_hours"] == 168
    assert "BX-001" in biopsy["rules"]
    assert role(a, "dexamethasone") in (None, "not_recommended")


def test_T4_with_neurological_signs_shows_conflict_c02():
    a = t4(["limb_weakness"])
    assert "C-02" in conflicts(a)
    assert role(a, "discuss_steroids_before_biopsy") == "recommended"
    assert role(a, "dexamethasone") == "discuss"
    assert option(a, "biopsy")["within_hours"] == 24


def test_T5_mscc_lung_cancer_kps_40_not_surgical():
    a = run(cancer={"history": "current", "primary_site": "lung_nsclc"},
            presentation={"spinal_pain": True, "neuro_features": ["limb_weakness"]},
            status={"kps": 40, "fit_for_surgery": False},
            lesions=[{"level": "T6", "escc": "3"}])
    cebrt = option(a, "cebrt")
    assert cebrt["role"] == "recommended"
    assert "RT-003" in cebrt["rules"]
    assert "RT-001" in cebrt["rules"]
    assert "8 Gy in 1" in cebrt["dose"] and "30 Gy" not in cebrt["dose"]
    for oid in ("separation_surgery", "stabilisation", "decompression"):
        assert role(a, oid) in (None, "not_recommended")


def t6() -> dict[str, Any]:
    # T6 at T6: semi-rigid 1, occasional 1, lytic 2, normal 0, collapse < 50 % 2, bilateral 3 = 9
    return run(cancer={"history": "current", "primary_site": "breast"},
               presentation={"spinal_pain": True, "neuro_features": ["sensory_loss"]},
               status={"kps": 80, "life_expectancy_months": 18, "ambulatory": "independent",
                       "fit_for_surgery": True},
               lesions=[{"level": "T6", "pain": "occasional", "bone_lesion": "lytic",
                         "alignment": "normal", "collapse": "under_50",
                         "posterolateral": "bilateral", "escc": "3"}])


def test_T6_breast_mscc_escc_3_gets_a_surgical_opinion():
    a = t6()
    assert a["scores"]["sins"]["worst"]["total"] == 9
    assert role(a, "surgical_consultation") == "recommended"
    surgery = [o for o in a["plan"]["options"]
               if o["id"] in ("separation_surgery", "decompression") and o["role"] == "discuss"]
    assert surgery, "Patchell-eligible breast MSCC is discussed (D-20)"
    assert "MDT-004" in surgery[0]["rules"]
    assert "C-11" in conflicts(a)


def test_T6_if_not_operated_the_long_course_is_proposed():
    cebrt = option(t6(), "cebrt")
    assert cebrt["role"] == "recommended"
    assert "30 Gy in 10" in cebrt["dose"]
    assert "RT-002" in cebrt["rules"]


def test_T6_post_operative_radiotherapy_is_part_of_the_surgical_option():
    a = t6()
    cited = {r for o in a["plan"]["options"] for r in o["rules"]}
    assert "SUR-006" in cited, "T6 expects post-op RT (SUR-006) alongside the surgical opinion"


def test_T7_painful_l2_renal_metastasis_is_an_sbrt_candidate():
    a = run(cancer={"history": "current", "primary_site": "kidney"},
            presentation={"spinal_pain": True, "pain_sites": ["lumbar"],
                          "pain_features": ["mechanical"], "neuro_features": []},
            status={"ecog": 1, "frankel": "E", "ambulatory": "independent",
                    "fit_for_surgery": True, "life_expectancy_months": 24},
            lesions=[{"level": "L2", "pain": "mechanical", "bone_lesion": "mixed",
                      "alignment": "normal", "collapse": "none", "posterolateral": "none",
                      "escc": "0"}])
    assert a["scores"]["sins"]["worst"]["total"] == 6
    assert a["triage"]["level"] == "urgent"
    sbrt = option(a, "sbrt")
    assert sbrt["role"] == "recommended"
    assert {"SBRT-001", "SBRT-002"} <= set(sbrt["rules"])
    assert "24 Gy in 2" in sbrt["dose"]
    assert "SBRT-003" in {n["rule"] for n in a["plan"]["notes"]}
    assert "C-04" in conflicts(a)
    assert role(a, "separation_surgery") in (None, "not_recommended")


def test_T8_paraplegic_for_five_days_with_kps_30_flags_mdt_009():
    a = run(cancer={"history": "current", "primary_site": "kidney"},
            presentation={"spinal_pain": True, "neuro_features": ["limb_weakness",
                                                                  "sensory_loss"]},
            status={"kps": 30, "frankel": "A", "ambulatory": "non_ambulatory",
                    "non_ambulatory_hours": 120},
            lesions=[{"level": "T6", "escc": "3"}])
    assert "MDT-009" in {n["rule"] for n in a["plan"]["notes"]}
    assert role(a, "separation_surgery") in ("discuss", "not_recommended")


@pytest.mark.parametrize("name", sorted(SHAPE_CASES))
def test_every_plan_note_carries_rule_sources_and_evidence(name):
    for note in run(**SHAPE_CASES[name])["plan"]["notes"]:
        assert note["rule"] and note["text"], note
        assert note["evidence"], note
        if not note["sources"]:
            assert note["evidence"] == "D" and str(note["decision"]).startswith("D-"), note
