"""FHIR R4 -> case: what an EHR's resources become, what is set aside and why, and what is
refused. Absence is never read as "no"; a conflict never lowers the urgency.

Fixtures in tests/fixtures/fhir are hand-written FHIR R4 resources in the shape EHRs send.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from oncospine.assessment import assess
from oncospine.case import validate_case
from oncospine.fhir import FhirMappingError, case_from_bundle, case_from_resources, flatten
from oncospine.fhir import codes as c
from oncospine.fhir.validation import model_class

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "fhir"
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
SUBJECT = {"reference": "Patient/pat-r4"}


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))


def bundle(*resources: dict[str, Any], kind: str = "searchset") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": [{"resource": r} for r in resources]}


def imported(*resources: dict[str, Any]) -> Any:
    return case_from_bundle(bundle(*resources), now=NOW)


def reasons(result: Any) -> str:
    return "\n".join(str(n) for n in result.unmapped)


def condition(code: str, system: str = c.ICD10, clinical: str | None = "active",
              verification: str | None = "confirmed", rid: str = "c1") -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "Condition", "id": rid, "subject": SUBJECT,
                           "code": {"coding": [{"system": system, "code": code}]}}
    if clinical:
        out["clinicalStatus"] = {"coding": [{"system": c.CONDITION_CLINICAL, "code": clinical}]}
    if verification:
        out["verificationStatus"] = {"coding": [{"system": c.CONDITION_VERIFICATION,
                                                 "code": verification}]}
    return out


def case_input(path: str, rid: str = "o1", **value: Any) -> dict[str, Any]:
    return {"resourceType": "Observation", "id": rid, "status": "final", "subject": SUBJECT,
            "code": {"coding": [{"system": c.CS_CASE_INPUT, "code": path}]}, **value}


def code_value(code: str) -> dict[str, Any]:
    return {"valueCodeableConcept": {"coding": [{"system": c.CS_CASE_VALUE, "code": code}]}}


R4_FIXTURES = sorted(p.stem for p in FIXTURES.glob("r4-*.json"))


@pytest.mark.parametrize("name", R4_FIXTURES)
def test_the_r4b_models_read_hand_written_r4_resources(name):
    resource = fixture(name)
    model = model_class(resource["resourceType"]).model_validate(resource)
    assert model.id == resource["id"]


def test_an_ehr_bundle_becomes_a_case_with_every_unreadable_item_named():
    result = imported(*(fixture(n) for n in (
        "r4-patient", "r4-condition-breast-icd10", "r4-condition-cord-compression",
        "r4-condition-back-pain", "r4-observation-ecog", "r4-observation-ecog-older",
        "r4-observation-kps-coded", "r4-observation-albumin-gdl", "r4-observation-calcium-mgdl",
        "r4-observation-heart-rate", "r4-medicationrequest", "r4-diagnosticreport-mri")))
    case = result.case
    assert case["patient"] == {"age_years": 68, "sex": "female"}
    assert case["cancer"] == {"history": "current", "primary_site": "breast",
                              "histology": "Invasive ductal carcinoma"}
    assert case["presentation"] == {"spinal_pain": True, "pain_sites": ["thoracic"],
                                    "neuro_features": ["cord_or_cauda_signs"]}
    assert case["status"] == {"ecog": 1}  # the more recent of two
    assert case["labs"] == {"albumin_g_per_l": 31.0, "calcium_mmol_per_l": 2.495}
    text = reasons(result)
    assert "Observation/obs-kps" in text and "coded answers are not read" in text
    assert "Observation/obs-hr" in text and "code not read" in text
    assert "MedicationRequest/medrx-r4" in text and "not read" in text
    assert "DiagnosticReport/dr-mri" in text and "whole-spine MRI cannot be told" in text
    notes = "\n".join(map(str, result.notes))
    assert "2 values; the most recent (1) used" in notes
    assert "provisional" in notes  # a possible cord compression is read, and said so
    assert assess(validate_case(case))["triage"]["level"] == "emergency"


def test_nothing_recorded_stays_unknown_never_no():
    result = imported(fixture("r4-patient"))
    case = validate_case(result.case)
    assert case.cancer.history is None
    assert case.presentation.neuro_features is None
    missing = assess(case)["missing_inputs"]
    assert "cancer.history" in missing and "presentation.neuro_features" in missing


def test_a_recorded_none_present_is_an_empty_list():
    result = imported(case_input("presentation.neuro_features", valueBoolean=False))
    assert result.case["presentation"]["neuro_features"] == []


def test_a_list_said_to_be_present_but_naming_nothing_stays_unknown():
    result = imported(case_input("presentation.neuro_features", valueBoolean=True))
    assert "presentation" not in result.case
    assert "names none: left unknown" in reasons(result)


def test_list_items_from_every_source_are_joined():
    obs = case_input("presentation.neuro_features", valueBoolean=True, component=[
        {"code": {"coding": [{"system": c.CS_CASE_INPUT, "code": "presentation.neuro_features"}]},
         **code_value("limb_weakness")}])
    result = imported(obs, condition("R32"))
    assert result.case["presentation"]["neuro_features"] == ["limb_weakness",
                                                             "bladder_dysfunction"]


def test_two_primary_sites_leave_the_site_unknown_and_say_so():
    result = imported(condition("C50.9"), condition("254637007", c.SNOMED, "remission",
                                                    rid="c2"))
    assert result.case["cancer"] == {"history": "current"}
    assert "conflicting primary sites ['breast', 'lung_nsclc']" in reasons(result)


def test_a_conflict_on_the_cancer_history_takes_the_more_urgent_reading():
    result = imported(case_input("cancer.history", **code_value("none")), condition("C61"))
    assert result.case["cancer"]["history"] == "current"
    assert "never lowers the urgency" in "\n".join(map(str, result.notes))


@pytest.mark.parametrize(("clinical", "verification", "history"), [
    ("active", "confirmed", "current"), ("recurrence", None, "current"),
    ("relapse", "confirmed", "current"), ("remission", "confirmed", "past"),
    ("resolved", None, "past"), ("inactive", "confirmed", "past"),
    ("active", "provisional", "suspected"), ("active", "differential", "suspected"),
    (None, "unconfirmed", "suspected"),
])
def test_the_condition_status_gives_the_cancer_history(clinical, verification, history):
    result = imported(condition("C61", clinical=clinical, verification=verification))
    assert result.case["cancer"]["history"] == history


def test_a_cancer_without_clinical_status_is_at_least_a_past_history():
    result = imported(condition("C61", clinical=None))
    assert result.case["cancer"]["history"] == "past"
    assert "least a recorded cancer diagnosis means" in "\n".join(map(str, result.notes))


@pytest.mark.parametrize("verification", ["refuted", "entered-in-error"])
def test_a_refuted_cancer_is_not_used(verification):
    result = imported(condition("C50.9", verification=verification))
    assert "cancer" not in result.case
    assert verification in reasons(result)


def test_a_suspicion_no_longer_active_is_not_a_cancer():
    result = imported(condition("C50.9", clinical="resolved", verification="provisional"))
    assert "cancer" not in result.case
    assert "suspicion no longer active" in reasons(result)


@pytest.mark.parametrize(("system", "code", "site"), [
    (c.ICD10, "C50.911", "breast"), (c.ICD10_CM, "C50.911", "breast"), (c.ICD10, "C61", "prostate"),
    (c.ICD10, "C90.00", "myeloma"), (c.ICD10, "C83.3", "lymphoma"), (c.ICD10, "C80.0", "unknown"),
    (c.ICD10_CM, "C7A.010", "carcinoid"), (c.ICD10, "C49.2", "sarcoma"),
    (c.ICD10, "C09.9", "head_neck"), (c.ICD10, "c64", "kidney"), (c.ICD10, "C643", "kidney"),
    (c.SNOMED, "254632001", "lung_sclc"), (c.SNOMED, "109989006", "myeloma"),
    (c.CS_PRIMARY_SITE, "thyroid", "thyroid"),
])
def test_primary_site_codes(system, code, site):
    assert imported(condition(code, system)).case["cancer"]["primary_site"] == site


@pytest.mark.parametrize(("system", "code"), [
    (c.ICD10, "C34.1"),  # lung: cell type not stated, and the scores differ by it
    (c.ICD10, "C41.2"),  # bone: histology not stated
    (c.ICD10_CM, "C80.0"),  # in ICD-10-CM this is not "primary unknown"
    (c.ICD10, "C90.1"),  # plasma cell leukaemia is not the myeloma row
])
def test_cancer_codes_that_name_no_single_site_leave_the_site_unknown(system, code):
    result = imported(condition(code, system))
    assert result.case["cancer"] == {"history": "current"} or "primary_site" not in result.case[
        "cancer"]
    assert "does not name one site" in reasons(result)


def test_a_secondary_cancer_is_a_current_cancer_without_a_site():
    result = imported(condition("C79.5", clinical="remission"))
    assert result.case["cancer"] == {"history": "current"}
    assert "secondary (metastatic)" in "\n".join(map(str, result.notes))


def test_lymphoid_cancers_are_haematological():
    assert imported(condition("C83.3")).case["cancer"]["haematological"] == "confirmed"
    suspected = imported(condition("118600007", c.SNOMED, verification="provisional"))
    assert suspected.case["cancer"] == {"history": "suspected", "primary_site": "lymphoma",
                                        "haematological": "suspected"}
    assert "haematological" not in imported(condition("C50.9")).case["cancer"]


def test_an_inactive_neurological_finding_is_not_read():
    result = imported(condition("G95.2", clinical="resolved"))
    assert "presentation" not in result.case
    assert "only active findings" in reasons(result)


def test_an_unrelated_condition_is_named_as_not_read():
    result = imported(condition("E11.9"))
    assert result.case == {"format": "oncospine-case/1"}
    assert "not a cancer or a spinal finding" in reasons(result)


def test_unspecified_back_pain_is_spinal_pain_without_a_site():
    assert imported(condition("M54.9")).case["presentation"] == {"spinal_pain": True}


@pytest.mark.parametrize(("birth", "age"), [("1958-03-14", 68), ("1958-11-21", 67),
                                            ("1958-03", 68), ("1960", None), ("1958-11", None)])
def test_age_from_the_birth_date_only_when_the_date_settles_it(birth, age):
    patient = {**fixture("r4-patient"), "birthDate": birth}
    result = imported(patient)
    assert result.case.get("patient", {}).get("age_years") == age
    if age is None:
        assert "too coarse" in reasons(result)


def test_an_impossible_birth_date_is_refused_or_named():
    with pytest.raises(FhirMappingError, match="birthDate"):
        imported({**fixture("r4-patient"), "birthDate": "1958-02-30"})
    unchecked = [("Patient/x", {"resourceType": "Patient", "birthDate": "1958-02-30"})]
    result = case_from_resources(unchecked, now=NOW)  # a caller that skipped the models
    assert result.case == {"format": "oncospine-case/1"}
    assert "'1958-02-30' is not a date" in reasons(result)


def test_an_age_observation_wins_over_the_birth_date():
    age = {"resourceType": "Observation", "status": "final", "subject": SUBJECT,
           "code": {"coding": [{"system": c.LOINC, "code": "30525-0"}]},
           "valueQuantity": {"value": 70, "unit": "a", "system": c.UCUM, "code": "a"}}
    assert imported(fixture("r4-patient"), age).case["patient"]["age_years"] == 70
    months = copy.deepcopy(age)
    months["valueQuantity"].update(unit="mo", code="mo")
    assert "age in years" in reasons(imported(months))


@pytest.mark.parametrize("gender", ["male", "female", "other", "unknown"])
def test_gender_is_sex(gender):
    assert imported({"resourceType": "Patient", "gender": gender}).case["patient"]["sex"] == gender


@pytest.mark.parametrize(("status", "read"), [("final", True), ("amended", True),
                                              ("preliminary", True), ("registered", False),
                                              ("cancelled", False), ("entered-in-error", False)])
def test_only_resulted_observations_are_read(status, read):
    obs = {**fixture("r4-observation-ecog"), "status": status}
    result = imported(obs)
    assert ("status" in result.case) is read
    if not read:
        assert f"status {status!r}" in reasons(result)


@pytest.mark.parametrize(("value", "reason"), [
    ({"valueInteger": 7}, "0–5"), ({"valueString": "2"}, "0–5"),
    ({"valueQuantity": {"value": 2.5}}, "0–5"),
])
def test_an_ecog_outside_the_scale_is_not_read(value, reason):
    obs = {k: v for k, v in fixture("r4-observation-ecog").items() if k != "valueInteger"}
    assert reason in reasons(imported({**obs, **value}))


def test_an_ecog_sent_as_a_whole_quantity_is_read():
    obs = {k: v for k, v in fixture("r4-observation-ecog").items() if k != "valueInteger"}
    assert imported({**obs, "valueQuantity": {"value": 2.0}}).case["status"]["ecog"] == 2


def test_lab_units_are_converted_or_refused():
    base = fixture("r4-observation-albumin-gdl")
    as_g_per_l = copy.deepcopy(base)
    as_g_per_l["valueQuantity"] = {"value": 31, "unit": "g/L", "system": c.UCUM, "code": "g/L"}
    assert imported(as_g_per_l).case["labs"]["albumin_g_per_l"] == 31
    odd = copy.deepcopy(base)
    odd["valueQuantity"] = {"value": 470, "unit": "umol/L", "system": c.UCUM, "code": "umol/L"}
    assert "unit 'umol/L' is not converted" in reasons(imported(odd))
    empty = {k: v for k, v in base.items() if k != "valueQuantity"}
    assert "no numeric valueQuantity" in reasons(imported(empty))


def test_a_value_the_case_format_rejects_is_set_aside_with_its_message():
    obs = copy.deepcopy(fixture("r4-observation-albumin-gdl"))
    obs["valueQuantity"] = {"value": 3.1, "unit": "g/L", "system": c.UCUM, "code": "g/L"}
    result = imported(obs)
    assert "labs" not in result.case
    assert "labs.albumin_g_per_l: rejected by the case format" in reasons(result)
    assert "looks like g/dL" in reasons(result)


def test_two_equally_recent_different_values_are_left_unknown():
    first = fixture("r4-observation-ecog")
    second = {**first, "id": "obs-ecog-2", "valueInteger": 3}
    result = imported(first, second)
    assert "status" not in result.case
    assert "conflicting values ['1', '3']" in reasons(result)


def test_case_input_observations_are_read_by_their_path():
    result = imported(
        case_input("status.frankel", **code_value("C")),
        case_input("presentation.pain_weeks", rid="o2",
                   valueQuantity={"value": 3, "unit": "wk", "system": c.UCUM, "code": "wk"}),
        case_input("events.presentation", rid="o3", valueDateTime="2026-11-19T08:00:00+00:00"),
        case_input("cancer.histology", rid="o4", valueString="chordoma"),
        case_input("disease.vertebral_metastases", rid="o5", valueInteger=2),
        case_input("disease.brain_metastases", rid="o6", valueBoolean=False),
    )
    assert result.case == {
        "format": "oncospine-case/1", "cancer": {"histology": "chordoma"},
        "presentation": {"pain_weeks": 3.0}, "status": {"frankel": "C"},
        "disease": {"vertebral_metastases": 2, "brain_metastases": False},
        "events": {"presentation": "2026-11-19T08:00:00+00:00"}}
    assert result.unmapped == []


@pytest.mark.parametrize(("obs", "reason"), [
    (case_input("status.frankle", **code_value("C")), "did you mean 'status.frankel'"),
    (case_input("status.frankel", **code_value("F")), "'F' is not one of A, B, C, D, E"),
    (case_input("status.frankel", valueString="C"), "valueString cannot hold status.frankel"),
    (case_input("status.frankel"), "no value"),
    (case_input("status.frankel", valueCodeableConcept={"text": "C"}), "case-value code system"),
    (case_input("presentation.pain_weeks", valueQuantity={"value": 3, "code": "d"}),
     "unit 'd', expected 'wk'"),
    (case_input("presentation.pain_weeks", valueQuantity={"unit": "wk"}), "numeric value"),
    (case_input("disease.vertebral_metastases", valueInteger=True), "not a whole number"),
    (case_input("events.presentation", valueDateTime="2026-11-19"), "no time with an offset"),
    (case_input("presentation.neuro_features", valueBoolean=True, component=[
        {"code": {"coding": [{"system": c.CS_CASE_INPUT, "code": "status.ecog"}]},
         "valueInteger": 1}]), "component not part of presentation.neuro_features"),
])
def test_case_input_observations_that_cannot_hold_the_field_are_named(obs, reason):
    assert reason in reasons(imported(obs))


def lesion(*components: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return case_input("lesions", component=[
        {"code": {"coding": [{"system": c.CS_CASE_INPUT, "code": path}]}, **value}
        for path, value in components])


def test_a_lesion_observation_becomes_one_lesion():
    result = imported(lesion(("lesions.level", code_value("T12")),
                             ("lesions.escc", code_value("1b")),
                             ("lesions.wbb_sectors", {"valueInteger": 5}),
                             ("lesions.wbb_sectors", {"valueInteger": 6}),
                             ("lesions.wbb_layers", {"valueBoolean": False})))
    assert result.case["lesions"] == [{"level": "T12", "escc": "1b", "wbb_sectors": [5, 6],
                                       "wbb_layers": []}]


def test_a_lesion_with_two_values_for_one_field_keeps_neither():
    result = imported(lesion(("lesions.level", code_value("T12")),
                             ("lesions.escc", code_value("1b")), ("lesions.escc", code_value("3")),
                             ("lesions.grade", code_value("3")),
                             ("lesions.pain", {"valueString": "bad"})))
    assert result.case["lesions"] == [{"level": "T12"}]
    text = reasons(result)
    assert "two values ('1b', '3') for one lesion" in text
    assert "not a field of a lesion" in text and "valueString cannot hold lesions.pain" in text


def test_imaging_reports_coded_by_oncospine_are_studies_done():
    report = {"resourceType": "DiagnosticReport", "id": "r1", "status": "final",
              "code": {"coding": [{"system": c.CS_CASE_VALUE, "code": "mri_whole_spine"}]},
              "effectiveDateTime": "2026-11-19T15:00:00+00:00", "subject": SUBJECT}
    unspecified = {**report, "id": "r2",
                   "code": {"coding": [{"system": c.CS_CASE_INPUT, "code": "imaging"}]},
                   "effectiveDateTime": "2026-11-19"}
    period_only = {**report, "id": "r3", "effectiveDateTime": None,
                   "effectivePeriod": {"start": "2026-11-18T10:00:00+00:00"}}
    del period_only["effectiveDateTime"]
    cancelled = {**report, "id": "r4", "status": "cancelled"}
    result = imported(report, unspecified, period_only, cancelled)
    assert result.case["imaging"] == [
        {"modality": "mri_whole_spine", "at": "2026-11-19T15:00:00+00:00"}, {},
        {"modality": "mri_whole_spine"}]
    text = reasons(result)
    assert "imaging.at" in text and "'cancelled': the study is not known to be done" in text
    assert "study time is left unknown" in "\n".join(map(str, result.notes))


def test_assessment_outputs_and_server_messages_are_noted_not_read():
    outcome = {"resourceType": "OperationOutcome",
               "issue": [{"severity": "information", "code": "informational"}]}
    tagged = {**fixture("r4-observation-ecog"),
              "meta": {"tag": [{"system": c.CS_TAG, "code": c.TAG_OUTPUT}]}}
    result = imported(outcome, tagged)
    assert "status" not in result.case
    notes = "\n".join(map(str, result.notes))
    assert "server message" in notes and "1 resources: oncospine assessment outputs" in notes


# ------------------------------------------------------------------------ refused input


@pytest.mark.parametrize(("data", "message"), [
    ({"resourceType": "Patient"}, "expected a FHIR Bundle, got 'Patient'"),
    ([1, 2], "expected a FHIR Bundle, got 'list'"),
    ({"resourceType": "Bundle", "type": "collection", "entry": {}}, "Bundle.entry must be a list"),
    ({"resourceType": "Bundle", "type": "collection", "entry": [3]}, "entry is a JSON object"),
    ({"resourceType": "Bundle", "entry": []}, "not a valid Bundle"),
    ({"resourceType": "Bundle", "type": "pile", "entry": []}, "type: 'pile' is not one of"),
    (bundle({"resourceType": "Observaton"}), "did you mean 'Observation'"),
    (bundle({"resourceType": "Coding"}), "unknown FHIR resource type 'Coding'"),
    (bundle({"id": "x"}), "missing resourceType"),
    (bundle("text"), "a FHIR resource is a JSON object"),
    (bundle({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
             "valueInteger": "abc"}), "valueInteger"),
    (bundle({"resourceType": "Observation", "status": "bogus", "code": {"text": "x"}}),
     "status: 'bogus' is not one of"),
    (bundle({"resourceType": "Patient", "gender": "f"}), "gender: 'f' is not one of"),
    (bundle(case_input("events.presentation", valueDateTime="2026-11-19T08:00:00")),
     "valueDateTime"),
    (bundle({**condition("C50"), "clinicalStatus": {"coding": [
        {"system": c.CONDITION_CLINICAL, "code": "ongoing"}]}}), "clinicalStatus: 'ongoing'"),
    (bundle({"resourceType": "Patient", "id": "a"}, {"resourceType": "Patient", "id": "b"}),
     "more than one patient (a, b)"),
    (bundle({"resourceType": "Patient", "id": "a"}, fixture("r4-observation-ecog")),
     "refers to Patient/pat-r4, not to the patient in context"),
    (bundle({**fixture("r4-observation-ecog"), "subject": {"reference": "Patient/x"}},
            fixture("r4-observation-ecog-older")), "refer to more than one patient"),
])
def test_malformed_or_mixed_input_is_refused_with_a_clear_message(data, message):
    with pytest.raises(FhirMappingError) as caught:
        case_from_bundle(data, now=NOW)
    assert message in str(caught.value)
    assert caught.value.to_dict()["error"] == "invalid_fhir"


def test_the_error_names_the_entry_and_the_element():
    with pytest.raises(FhirMappingError) as caught:
        case_from_bundle(bundle(fixture("r4-patient"), {
            "resourceType": "Observation", "status": "final", "code": {"text": "x"},
            "valueInteger": "abc"}))
    assert caught.value.message == "bundle entry 1: not a valid Observation"
    assert caught.value.problems[0].startswith("valueInteger: ")


def test_prefetch_bundles_without_a_type_are_read_entry_by_entry():
    loose = {"resourceType": "Bundle", "entry": [{"resource": fixture("r4-patient")}]}
    items = list(flatten(loose, "prefetch", strict_envelope=False))
    assert [name for name, _ in items] == ["Patient/pat-r4"]
    with pytest.raises(FhirMappingError):
        list(flatten(loose, "prefetch"))


def test_the_patient_in_context_must_be_the_patient_of_the_data():
    items = list(flatten(bundle(fixture("r4-observation-ecog")), "prefetch"))
    assert case_from_resources(items, patient_id="pat-r4").case["status"] == {"ecog": 1}
    absolute = copy.deepcopy(items)
    absolute[0][1]["subject"] = {"reference": "https://ehr.example.org/fhir/Patient/pat-r4"}
    assert case_from_resources(absolute, patient_id="pat-r4").case["status"] == {"ecog": 1}
    with pytest.raises(FhirMappingError, match="not to the patient in context"):
        case_from_resources(items, patient_id="someone-else")


def test_the_result_serialises_with_its_notes():
    result = imported(fixture("r4-observation-heart-rate"))
    data = result.to_dict()
    assert data["case"] == {"format": "oncospine-case/1"}
    assert data["unmapped"][0] == {"where": "Observation/obs-hr", "what": "Heart rate",
                                   "reason": data["unmapped"][0]["reason"]}
    json.dumps(data)
