"""Discovery and the `patient-view` service, over HTTP, checked against the CDS Hooks 2.0 rules:
the right card for the triage (critical for an emergency, warning when urgent, none when nothing
applies), suggestions that carry valid FHIR, 412 / 400 / 404 / 422 where the specification or the
input calls for them, never a 500.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from test_cds_support import (
    TRIAGE,
    Recorder,
    auth,
    case_body,
    check_response,
    client,
    ehr_resources,
    hook_request,
    load_fixture,
    prefetch_for,
    searchset,
)

from oncospine.fhir import codes as c

PATH = f"/cds-services/{TRIAGE}"
BASE_CASE = {"format": "oncospine-case/1", "assessed_at": "2026-11-20T09:30:00+00:00"}


def post(body: Any, recorder: Recorder | None = None, **overrides: Any) -> Any:
    return client(recorder, **overrides).post(PATH, json=body, headers=auth(PATH))


def cards_for(body: Any, recorder: Recorder | None = None,
              **overrides: Any) -> list[dict[str, Any]]:
    response = post(body, recorder, **overrides)
    assert response.status_code == 200, response.text
    assert check_response(response.json()) == []
    return response.json()["cards"]


def body_for(**parts: Any) -> dict[str, Any]:
    return case_body({**BASE_CASE, **parts})


# ------------------------------------------------------------------------------ discovery


def test_discovery_lists_patient_view_and_order_select_with_prefetch_templates():
    response = client().get("/cds-services", headers=auth("/cds-services"))
    assert response.status_code == 200
    services = {s["hook"]: s for s in response.json()["services"]}
    assert set(services) == {"patient-view", "order-select"}
    for service in services.values():
        assert {"hook", "title", "description", "id", "prefetch"} <= set(service)
        templates = service["prefetch"]
        assert templates["patient"] == "Patient/{{context.patientId}}"
        assert templates["conditions"].startswith("Condition?patient={{context.patientId}}")
        assert "89247-1" in templates["performance"] and "89243-0" in templates["performance"]
        assert "1751-7" in templates["labs"]
        assert "category=exam" in templates["neurology"]
        assert templates["imaging-reports"].startswith("DiagnosticReport?")
        for query in templates.values():
            params = [p.split("=")[0] for p in query.partition("?")[2].split("&") if p]
            assert set(params) <= {"patient", "code", "category", "_sort", "_count"}


# ------------------------------------------------------------------------------ cards


def test_an_emergency_gives_a_critical_card_with_actions_clocks_and_sources():
    recorder = Recorder()
    cards = cards_for(case_body("mscc-emergency"), recorder=recorder)
    critical, info = cards
    assert critical["indicator"] == "critical"
    assert critical["summary"].startswith("Suspected metastatic spinal cord compression")
    assert "contact the MSCC coordinator now" in critical["summary"]
    assert "TRI-001" in critical["source"]["label"]
    assert "Hawkins 2023 NG234 summary" in critical["source"]["label"]
    assert critical["source"]["url"].startswith("https://")
    detail = critical["detail"]
    assert "**Clocks**" in detail and "coordinator contact: due 2026-11-20 06:00 UTC" in detail
    assert "late (TRI-001)" in detail and "16 mg" in detail
    assert "suggestions" not in critical  # MRI done and dexamethasone given already
    link = critical["links"][0]
    assert link["type"] == "smart" and link["url"].endswith("/1288992")
    assert json.loads(link["appContext"])["patientId"] == "1288992"
    assert recorder.links[0][0]["cancer"]["primary_site"] == "lung_nsclc"
    assert info["indicator"] == "info"
    assert info["summary"].startswith("Spine scores: SINS 9 indeterminate (T10); ESCC 3 high")
    assert "| Tomita | complete | 8 | terminal care |" in info["detail"]


def test_an_emergency_not_yet_acted_on_suggests_mri_and_dexamethasone_as_draft_fhir():
    cards = cards_for(body_for(cancer={"history": "current", "primary_site": "breast"},
                               presentation={"spinal_pain": True,
                                             "neuro_features": ["limb_weakness"]}))
    critical = cards[0]
    assert critical["indicator"] == "critical"
    assert critical["selectionBehavior"] == "any"
    labels = [s["label"] for s in critical["suggestions"]]
    assert labels[0].startswith("Request MRI of the whole spine (stat, within 24 h)")
    assert labels[1] == "Propose dexamethasone 16 mg"
    mri = critical["suggestions"][0]["actions"][0]
    assert mri["type"] == "create"
    request = mri["resource"]
    assert (request["resourceType"], request["status"], request["intent"],
            request["priority"]) == ("ServiceRequest", "draft", "proposal", "stat")
    assert request["subject"] == {"reference": "Patient/1288992"}
    dex = critical["suggestions"][1]["actions"][0]["resource"]
    assert dex["resourceType"] == "MedicationRequest"
    assert dex["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 16
    assert {x["code"] for x in dex["medicationCodeableConcept"]["coding"]} >= {"372584003",
                                                                               "3264"}
    assert all(s["isRecommended"] for s in critical["suggestions"])


def test_mri_contraindicated_suggests_ct_of_the_spine():
    cards = cards_for(body_for(cancer={"history": "past"},
                               presentation={"neuro_features": ["gait_disturbance"]},
                               status={"mri_contraindicated": True}))
    labels = [s["label"] for s in cards[0]["suggestions"]]
    assert labels[0].startswith("Request CT of the spine (stat")


def test_pain_in_a_person_with_cancer_gives_a_warning_card():
    cards = cards_for(body_for(cancer={"history": "current", "primary_site": "prostate"},
                               presentation={"spinal_pain": True, "neuro_features": []}))
    assert len(cards) == 1
    card = cards[0]
    assert card["indicator"] == "warning"
    assert card["summary"] == ("Possible spinal metastases (urgent): contact the MSCC "
                               "coordinator within 24 h; whole-spine MRI within 1 week")
    assert card["suggestions"][0]["actions"][0]["resource"]["priority"] == "urgent"
    assert "Propose dexamethasone" not in json.dumps(card)  # no neurology: not recommended


@pytest.mark.parametrize("parts", [
    {"cancer": {"history": "current", "primary_site": "breast"}},  # nothing about the spine
    {"cancer": {"history": "none"}, "presentation": {"spinal_pain": False, "neuro_features": []}},
    {},
])
def test_no_card_when_nothing_applies(parts):
    recorder = Recorder()
    assert cards_for(body_for(**parts), recorder=recorder) == []
    assert recorder.links == []  # the host is not asked for a case page without a card


def test_known_spinal_metastases_with_symptoms_never_asked_give_a_warning_to_ask_now():
    # The triage rests only on unasked questions, but spinal disease is known: the person NICE
    # most wants asked. No card here would be under-triage at the point of care.
    recorder = Recorder()
    cards = cards_for(body_for(cancer={"history": "current", "primary_site": "breast"},
                               disease={"vertebral_metastases": 3}), recorder=recorder)
    assert [c_["indicator"] for c_ in cards] == ["warning"]
    card = cards[0]
    assert card["summary"] == ("Spinal metastases recorded; spinal pain and neurology not "
                               "recorded: ask now (urgent until known)")
    assert "TRI-ASK-PAIN" in card["detail"] and "TRI-ASK-NEURO" in card["detail"]
    assert "within 1 week" in card["detail"]  # the clocks stay in the detail
    assert recorder.links  # and the card links to the case page


def test_no_vertebral_metastases_recorded_as_zero_is_not_spine_evidence():
    assert cards_for(body_for(cancer={"history": "current", "primary_site": "breast"},
                              disease={"vertebral_metastases": 0})) == []


def test_an_urgent_triage_driven_by_any_finding_always_gets_a_card():
    # Only the unasked-question rules may stay silent; any other reason shows the card, even
    # when nothing about the spine is recorded (a safeguard for rules added later).
    from oncospine.assessment import assess
    from oncospine.case import validate_case
    from oncospine.cds.patient_view import patient_view_cards

    case = validate_case({**BASE_CASE, "cancer": {"history": "current"}})
    assessment = assess(case)
    assert assessment["triage"]["level"] == "urgent"
    assert patient_view_cards(case, assessment, "p1", []) == []
    reasons = assessment["triage"]["reasons"]
    assessment["triage"]["reasons"] = [*reasons, {**reasons[0], "rule": "TRI-002"}]
    cards = patient_view_cards(case, assessment, "p1", [])
    assert [c_["indicator"] for c_ in cards] == ["warning"]


def test_lesions_without_symptoms_give_a_score_card_only():
    cards = cards_for(body_for(cancer={"history": "past", "primary_site": "breast"},
                               presentation={"spinal_pain": False, "neuro_features": []},
                               lesions=[{"level": "T6", "bone_lesion": "blastic"}]))
    assert [c_["indicator"] for c_ in cards] == ["info"]
    assert cards[0]["summary"].startswith("Spine scores: SINS")
    assert cards[0]["links"][0]["type"] == "smart"


def test_pain_with_lesions_gives_a_warning_and_a_score_card():
    cards = cards_for(case_body("stable-breast"))
    assert [c_["indicator"] for c_ in cards] == ["warning", "info"]


def test_an_incomplete_lesion_gives_ranges_not_numbers():
    cards = cards_for(body_for(cancer={"history": "current"},
                               lesions=[{"level": "T4", "pain": "mechanical"}]))
    info = cards[-1]
    assert "SINS 4–16 (T4)" in info["summary"]
    assert "| SINS T4 | incomplete | 4–16 | — | lesions.0.bone_lesion" in info["detail"]


def test_no_link_when_the_host_has_no_case_page():
    cards = cards_for(case_body("mscc-emergency"), case_link=lambda case, patient: None)
    assert all("links" not in card for card in cards)


def test_times_on_cards_read_at_a_glance():
    from oncospine.cds.cards import moment

    assert moment("2026-11-20T06:00:00.123456+00:00") == "2026-11-20 06:00 UTC"
    assert moment("2026-11-20T06:00:00+02:00") == "2026-11-20 06:00 +02:00"
    assert moment("soon") == "soon"


def test_the_summary_always_stays_under_140_characters():
    from oncospine.cds.cards import shorten

    long = "Suspected " + "very " * 40 + "long"
    assert len(shorten(long)) < 140 and shorten(long).endswith("…")
    assert shorten("short") == "short"


def test_data_the_ehr_did_not_send_is_named_on_the_card():
    body = case_body("mscc-emergency")
    for key in ("labs", "performance"):
        del body["prefetch"][key]
    cards = cards_for(body)
    assert "Data not available to this service:** performance" in cards[0]["detail"]
    assert "labs (not prefetched and no FHIR server access granted)" in cards[0]["detail"]


def test_an_ehr_coded_record_with_icd10_and_loinc_reaches_an_emergency():
    resources = [
        {"resourceType": "Patient", "id": "1288992", "gender": "female",
         "birthDate": "1960-01-01"},
        {"resourceType": "Condition", "id": "ca", "subject": {"reference": "Patient/1288992"},
         "clinicalStatus": {"coding": [{"system": c.CONDITION_CLINICAL, "code": "active"}]},
         "code": {"coding": [{"system": c.ICD10, "code": "C61"}]}},
        {"resourceType": "Condition", "id": "cord", "subject": {"reference": "Patient/1288992"},
         "clinicalStatus": {"coding": [{"system": c.CONDITION_CLINICAL, "code": "active"}]},
         "code": {"coding": [{"system": c.ICD10, "code": "G95.2"}]}},
    ]
    body = hook_request("patient-view", {
        "patient": resources[0], "conditions": searchset(resources[1:]), "performance": None,
        "labs": None, "neurology": None, "case-inputs": None, "imaging-reports": None})
    cards = cards_for(body)
    assert cards[0]["indicator"] == "critical"


# ------------------------------------------------------------------------------ errors


def test_the_specification_example_without_our_prefetch_gets_412():
    body = load_fixture("spec-patient-view.json")
    response = post(body)
    assert response.status_code == 412
    assert "is not an https URL" in response.json()["detail"]["message"]


def test_the_specification_example_with_our_prefetch_keys_is_answered():
    body = load_fixture("spec-patient-view.json")
    body["prefetch"] = prefetch_for(ehr_resources("mscc-emergency"))
    assert cards_for(body)[0]["indicator"] == "critical"


def test_no_prefetch_and_no_fhir_server_is_412():
    response = post(hook_request("patient-view", None))
    assert response.status_code == 412
    assert "patient: not prefetched" in response.json()["detail"]["message"]


def test_a_null_prefetch_means_no_data_not_missing():
    body = case_body("mscc-emergency")
    body["prefetch"]["conditions"] = None
    cards = cards_for(body)
    assert cards[0]["indicator"] == "critical"  # neurology alone: emergency spinal pathway
    assert "cord compression" in cards[0]["summary"]


@pytest.mark.parametrize(("change", "message"), [
    (lambda b: b.update(hook="order-select"), "answers the 'patient-view' hook"),
    (lambda b: b.pop("hookInstance"), "hookInstance"),
    (lambda b: b.pop("context"), "context"),
    (lambda b: b["context"].update(patientId="../../etc"), "context.patientId must be a FHIR id"),
    (lambda b: b["context"].pop("patientId"), "context.patientId"),
    (lambda b: b.update(fhirAuthorization={"access_token": "t", "token_type": "Bearer",
                                           "expires_in": 30, "scope": "s", "subject": "x"}),
     "fhirServer is required"),
    (lambda b: b.update(fhirServer="https://x", fhirAuthorization={
        "access_token": "t", "token_type": "MAC", "expires_in": 30, "scope": "s",
        "subject": "x"}), "token_type must be 'Bearer'"),
])
def test_a_request_breaking_the_specification_is_400(change, message):
    body = case_body("stable-breast")
    change(body)
    response = post(body)
    assert response.status_code == 400
    assert message in json.dumps(response.json())


def test_a_body_that_is_not_json_is_400():
    response = client().post(PATH, content=b"{nope", headers=auth(PATH))
    assert response.status_code == 400
    assert response.json()["detail"]["message"] == "the request body is not JSON"


def test_an_unknown_service_is_404():
    response = client().post("/cds-services/nope", json={}, headers=auth("/cds-services/nope"))
    assert response.status_code == 404


@pytest.mark.parametrize(("change", "message"), [
    (lambda p: p["neurology"]["entry"][0]["resource"].update(valueQuantity="lots"),
     "not a valid Observation"),
    (lambda p: p.update(labs=[1, 2]), "expected a FHIR resource or null"),
    (lambda p: p["conditions"]["entry"][0]["resource"].update(resourceType="Condtion"),
     "did you mean 'Condition'"),
    (lambda p: p["neurology"]["entry"][0]["resource"].update(
        subject={"reference": "Patient/someone-else"}), "not to the patient in context"),
    (lambda p: p["patient"].update(id="someone-else"), "more than one patient"),
])
def test_malformed_or_foreign_fhir_in_the_prefetch_is_422_not_500(change, message):
    body = case_body("mscc-emergency")
    change(body["prefetch"])
    response = post(body)
    assert response.status_code == 422, response.text
    assert message in json.dumps(response.json())


def test_the_service_does_not_change_the_request_it_reads():
    body = case_body("mscc-emergency")
    before = copy.deepcopy(body)
    cards_for(body)
    assert body == before


def test_health_needs_no_authentication():
    assert client().get("/health").json() == {"status": "ok"}
