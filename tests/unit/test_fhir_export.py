"""Case + assessment -> FHIR R4 Bundle: every resource valid R4, one Observation per score with
its components, prognosis as a RiskAssessment, plan options as a CarePlan, the work-up as draft
ServiceRequests, and the inputs written so the Bundle can be read back.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from oncospine.assessment import assess
from oncospine.case import Case, load_case, validate_case
from oncospine.fhir import bundle_from_assessment, validate_resource
from oncospine.fhir import codes as c
from oncospine.fhir.validation import model_class

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "src" / "oncospine" / "examples").glob("*.yaml"))
VECTORS = sorted((ROOT.parent / "shared" / "vectors" / "cases").glob("*.json"))
BASE = {"format": "oncospine-case/1", "assessed_at": "2026-11-20T09:30:00+00:00"}


def export(case: Case) -> dict[str, Any]:
    return bundle_from_assessment(case, assess(case))


def resources(bundle: dict[str, Any], rtype: str | None = None) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"]
            if rtype is None or e["resource"]["resourceType"] == rtype]


def code_of(resource: dict[str, Any], system: str) -> str | None:
    return next((x["code"] for x in resource["code"]["coding"] if x["system"] == system), None)


def scores(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in resources(bundle, "Observation") if code_of(r, c.CS_SCORE)]


def case_of(path: Path) -> Case:
    if path.suffix == ".json":
        return validate_case(json.loads(path.read_text("utf-8"))["case"])
    return load_case(path)


@pytest.mark.parametrize("path", EXAMPLES + VECTORS, ids=lambda p: p.stem)
def test_every_resource_of_every_export_is_valid_r4(path):
    bundle = export(case_of(path))
    model_class("Bundle").model_validate(bundle)
    for entry in bundle["entry"]:
        validate_resource(entry["resource"], entry["fullUrl"])
        assert entry["fullUrl"].startswith("urn:uuid:")
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(urls)) == len(urls)


def test_one_observation_per_score_and_per_lesion_for_lesion_scores():
    case = load_case(ROOT / "src/oncospine/examples/mscc-emergency.yaml")
    found = Counter(code_of(r, c.CS_SCORE) for r in scores(export(case)))
    assert found == {"sins": 2, "escc": 2, "tomita": 1, "tokuhashi_revised": 1,
                     "tokuhashi_original": 1, "bauer": 1, "modified_bauer": 1, "nesms": 1,
                     "enneking": 1, "wbb": 1}


def test_a_complete_sins_carries_its_total_band_and_six_components():
    case = load_case(ROOT / "src/oncospine/examples/mscc-emergency.yaml")
    sins = next(r for r in scores(export(case)) if r["id"] == "score-sins-1")
    assert sins["status"] == "final"
    assert sins["valueInteger"] == 9
    assert sins["interpretation"][0]["coding"][0]["code"] == "sins.indeterminate"
    parts = {x["code"]["coding"][0]["code"]: x["valueInteger"] for x in sins["component"]}
    assert parts == {"sins.location": 1, "sins.pain": 3, "sins.bone_lesion": 2,
                     "sins.alignment": 0, "sins.collapse": 2, "sins.posterolateral": 1}
    assert sins["method"]["text"] == "sins-fisher-2010"


def test_sins_and_escc_carry_their_radelement_set_codes_beside_oncospine_codes():
    bundle = export(load_case(ROOT / "src/oncospine/examples/mscc-emergency.yaml"))
    by_score: dict[str, set[tuple[str, str]]] = {}
    for obs in scores(bundle):
        codings = {(x["system"], x["code"]) for x in obs["code"]["coding"]}
        name = next(code for system, code in codings if system == c.CS_SCORE)
        by_score.setdefault(name, set()).update(codings)
    assert ("https://radelement.org", "RDES21") in by_score["sins"]
    assert ("https://radelement.org", "RDES288") in by_score["escc"]
    others = set().union(*(v for k, v in by_score.items() if k not in ("sins", "escc")))
    assert not any(system == "https://radelement.org" for system, _code in others)


def test_an_incomplete_score_carries_its_range_and_its_unknown_parts():
    case = validate_case({**BASE, "lesions": [{"level": "T4", "pain": "mechanical"}]})
    bundle = export(case)
    sins = next(r for r in scores(bundle) if r["id"] == "score-sins-1")
    assert sins["status"] == "preliminary"
    assert "valueInteger" not in sins and "interpretation" not in sins
    assert sins["valueRange"] == {"low": {"value": 4}, "high": {"value": 16}}
    unknown = [x for x in sins["component"] if "dataAbsentReason" in x]
    assert len(unknown) == 4
    assert any("lesions.0.bone_lesion" in n["text"] for n in sins["note"])
    escc = next(r for r in scores(bundle) if r["id"] == "score-escc-1")
    assert escc["status"] == "preliminary"
    assert escc["dataAbsentReason"]["coding"][0]["code"] == "unknown"
    assert "valueCodeableConcept" not in escc


def test_a_score_that_does_not_apply_says_so_without_a_value():
    bundle = export(validate_case(BASE))
    enneking = next(r for r in scores(bundle) if r["id"] == "score-enneking")
    assert enneking["dataAbsentReason"]["coding"][0]["code"] == "not-applicable"
    assert not any(k.startswith("value") for k in enneking)
    assert next(r for r in scores(bundle) if r["id"] == "score-escc")["dataAbsentReason"]


def test_a_primary_tumour_exports_its_stage_and_wbb_resection():
    case = load_case(ROOT / "src/oncospine/examples/chordoma-primary.yaml")
    bundle = export(case)
    enneking = next(r for r in scores(bundle) if r["id"] == "score-enneking")
    assert enneking["valueCodeableConcept"]["coding"][0]["code"] == "enneking.IA"
    wbb = next(r for r in scores(bundle) if r["id"] == "score-wbb-1")
    assert wbb["valueCodeableConcept"]["coding"][0]["code"] == "wbb.vertebrectomy"
    assert [x["valueInteger"] for x in wbb["component"] if "valueInteger" in x] == [5, 6, 7, 8]


def test_triage_prognosis_and_plan_resources():
    case = load_case(ROOT / "src/oncospine/examples/mscc-emergency.yaml")
    bundle = export(case)
    triage = next(r for r in resources(bundle, "Observation") if r["id"] == "triage")
    assert triage["valueCodeableConcept"]["coding"][0]["code"] == "emergency"
    assert triage["note"][0]["text"].startswith("TRI-001: ")
    risk = resources(bundle, "RiskAssessment")[0]
    bands = {p["qualitativeRisk"]["text"] for p in risk["prediction"] if "qualitativeRisk" in p}
    assert {"terminal_care", "under_6_months", "poor"} <= bands
    assert any("[S30]" in p.get("rationale", "") for p in risk["prediction"])
    assert len(risk["basis"]) == len(scores(bundle))
    plan = resources(bundle, "CarePlan")[0]
    assert (plan["status"], plan["intent"]) == ("draft", "proposal")
    details = {a["detail"]["code"]["coding"][0]["code"]: a["detail"] for a in plan["activity"]}
    assert details["dexamethasone"]["status"] == "completed"  # given, so marked done
    assert details["separation_surgery"]["extension"][0]["valueCode"] == "recommended"
    assert "16 mg" in details["dexamethasone"]["description"]
    assert any("conflict C-03" in n["text"] for n in plan["note"])


def test_a_not_recommended_option_is_do_not_perform():
    case = load_case(ROOT / "src/oncospine/examples/myeloma-compression.yaml")
    plan = resources(export(case), "CarePlan")[0]
    refused = [a["detail"] for a in plan["activity"]
               if a["detail"]["extension"][0]["valueCode"] == "not_recommended"]
    assert refused and all(d["doNotPerform"] is True for d in refused)


def test_the_work_up_still_to_do_is_draft_service_requests_with_priority():
    case = validate_case({**BASE, "cancer": {"history": "current", "primary_site": "breast"},
                          "presentation": {"spinal_pain": True, "neuro_features": []}})
    requests = {code_of(r, c.CS_OPTION): r for r in resources(export(case), "ServiceRequest")}
    mri = requests["mri_whole_spine"]
    assert (mri["status"], mri["intent"], mri["priority"]) == ("draft", "proposal", "urgent")
    assert mri["category"][0]["coding"][0]["code"] == "363679005"
    assert "within 168 hours" in mri["note"][0]["text"]
    assert requests["xray_spine"]["doNotPerform"] is True
    assert "priority" not in requests["xray_spine"]
    emergency = validate_case({**BASE, "cancer": {"history": "current"},
                               "presentation": {"neuro_features": ["limb_weakness"]}})
    emergency_requests = resources(export(emergency), "ServiceRequest")
    mri = next(r for r in emergency_requests if code_of(r, c.CS_OPTION) == "mri_whole_spine")
    assert mri["priority"] == "stat"


def test_a_done_test_gets_no_request():
    case = load_case(ROOT / "src/oncospine/examples/mscc-emergency.yaml")
    wanted = [code_of(r, c.CS_OPTION) for r in resources(export(case), "ServiceRequest")]
    assert "mri_whole_spine" not in wanted  # done at 07:10


def test_outputs_are_tagged_and_inputs_are_not():
    case = load_case(ROOT / "src/oncospine/examples/stable-breast.yaml")
    for resource in resources(export(case)):
        tagged = resource.get("meta", {}).get("tag", [{}])[0].get("code") == c.TAG_OUTPUT
        is_score_or_plan = resource["resourceType"] in ("RiskAssessment", "CarePlan",
                                                        "ServiceRequest") or (
            resource["resourceType"] == "Observation" and not (
                code_of(resource, c.CS_CASE_INPUT) or code_of(resource, c.LOINC)))
        assert tagged is is_score_or_plan, resource["id"]


def test_the_cancer_condition_carries_standard_codes_and_histology():
    case = load_case(ROOT / "src/oncospine/examples/stable-breast.yaml")
    condition = resources(export(case), "Condition")[0]
    assert code_of(condition, c.ICD10) == "C50"
    assert code_of(condition, c.SNOMED) == "254837009"
    assert code_of(condition, c.CS_PRIMARY_SITE) == "breast"
    assert condition["clinicalStatus"]["coding"][0]["code"] == "remission"  # a past cancer
    assert condition["extension"][0]["valueCodeableConcept"]["text"] == "invasive ductal carcinoma"


@pytest.mark.parametrize(("history", "written"), [("current", "Condition"), ("past", "Condition"),
                                                  ("suspected", "Condition"),
                                                  ("none", "Observation"),
                                                  ("unknown", "Observation")])
def test_the_cancer_history_is_written_where_fhir_can_say_it(history, written):
    bundle = export(validate_case({**BASE, "cancer": {"history": history}}))
    holders = [r["resourceType"] for r in resources(bundle)
               if r["resourceType"] in ("Condition", "Observation")
               and (r["resourceType"] == "Condition"
                    or code_of(r, c.CS_CASE_INPUT) == "cancer.history")]
    assert holders == [written]


def test_unknown_inputs_are_not_written():
    bundle = export(validate_case(BASE))
    inputs = [r for r in resources(bundle) if "meta" not in r]
    assert [r["resourceType"] for r in inputs] == ["Patient", "Observation"]
    assert code_of(inputs[1], c.CS_CASE_INPUT) == "assessed_at"
    assert "gender" not in inputs[0]


def test_standard_observations_use_loinc_and_ucum():
    case = validate_case({**BASE, "patient": {"age_years": 70}, "status": {"ecog": 1, "kps": 80},
                          "labs": {"albumin_g_per_l": 33, "calcium_mmol_per_l": 2.4,
                                   "haemoglobin_g_per_l": 121}})
    found = {code_of(r, c.LOINC): r for r in resources(export(case), "Observation")
             if code_of(r, c.LOINC)}
    assert found["89247-1"]["valueInteger"] == 1
    assert found["89243-0"]["valueInteger"] == 80
    assert found["30525-0"]["valueQuantity"]["code"] == "a"
    assert found["1751-7"]["valueQuantity"] == {"value": 33.0, "unit": "g/L", "system": c.UCUM,
                                                "code": "g/L"}
    assert found["2000-8"]["valueQuantity"]["code"] == "mmol/L"
    assert found["718-7"]["valueQuantity"]["value"] == 121


def test_the_same_case_exports_the_same_bundle_and_another_case_another():
    case = load_case(ROOT / "src/oncospine/examples/renal-sbrt.yaml")
    assert export(case) == export(copy.deepcopy(case))
    other = validate_case({**case.model_dump(mode="json", exclude_none=True), "id": "other"})
    first, second = export(case), export(other)
    assert first["id"] != second["id"]
    assert {e["fullUrl"] for e in first["entry"]}.isdisjoint(e["fullUrl"] for e in second["entry"])
    assert second["identifier"] == {"system": c.NS_CASE_ID, "value": "other"}
