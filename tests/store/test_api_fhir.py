"""FHIR routes of the JSON API, on SQLite and PostgreSQL: a Bundle in as a case (previewed or
stored), a stored case out as a Bundle of its snapshot; bad FHIR is a 422, never a 500."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncospine.assessment import assess
from oncospine.case import validate_case
from oncospine.fhir import bundle_from_assessment, case_from_bundle, validate_resource
from oncospine.store import Store

pytestmark = pytest.mark.usefixtures("fast_passwords")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fhir"
EHR_RESOURCES = ("r4-patient", "r4-condition-breast-icd10", "r4-condition-cord-compression",
                 "r4-observation-ecog", "r4-observation-heart-rate", "r4-medicationrequest")


def ehr_bundle() -> dict[str, Any]:
    """A searchset as an EHR sends it: readable resources and some oncospine does not use."""
    entries = [{"resource": json.loads((FIXTURES / f"{n}.json").read_text("utf-8"))}
               for n in EHR_RESOURCES]
    return {"resourceType": "Bundle", "type": "searchset", "entry": entries}


def exported(demo_case: Any, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    case = validate_case(demo_case(name))
    return case.model_dump(mode="json", exclude_none=True), bundle_from_assessment(
        case, assess(case))


@pytest.fixture
def clinician(bearer: Any) -> dict[str, str]:
    return bearer("clinician")


# ------------------------------------------------------------------------------- import


def test_import_previews_the_case_its_assessment_and_what_was_not_mapped_without_storing(
        client: Any, clinician: dict[str, str], store: Store, counts: Any) -> None:
    before = counts(store)
    answer = client.post("/api/fhir/import", json=ehr_bundle(), headers=clinician)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    expected = case_from_bundle(ehr_bundle())
    assert body["case"] == expected.case
    assert body["case"]["cancer"]["primary_site"] == "breast"
    assert body["assessment"]["triage"]["level"] == "emergency"
    unmapped = {n["where"] for n in body["unmapped"]}
    assert {"Observation/obs-hr", "MedicationRequest/medrx-r4"} <= unmapped
    assert all(n["reason"] for n in body["unmapped"])
    assert counts(store) == before  # a preview writes nothing, not even to the audit log


def test_import_accepts_the_fhir_media_type(client: Any, clinician: dict[str, str]) -> None:
    answer = client.post("/api/fhir/import", content=json.dumps(ehr_bundle()),
                         headers={**clinician, "content-type": "application/fhir+json"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["case"]["cancer"]["primary_site"] == "breast"


def test_import_with_store_keeps_the_case_and_says_what_was_not_mapped(
        client: Any, clinician: dict[str, str], store: Store) -> None:
    answer = client.post("/api/fhir/import?store=true&label=ward-7", json=ehr_bundle(),
                         headers=clinician)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert answer.headers["location"] == f"/api/cases/{body['id']}"
    assert body["label"] == "ward-7" and body["revision"] == 1
    assert {n["where"] for n in body["unmapped"]} >= {"Observation/obs-hr"}
    stored = client.get(f"/api/cases/{body['id']}", headers=clinician).json()
    assert validate_case(stored["case"]) == validate_case(
        {"id": "ward-7", **case_from_bundle(ehr_bundle()).case})
    assert stored["assessment"]["triage"]["level"] == "emergency"
    revisions = client.get(f"/api/cases/{body['id']}/revisions", headers=clinician).json()
    assert revisions[0]["note"] == "imported from a FHIR Bundle"
    assert revisions[0]["created_by"] == "clinician"


def test_a_bundle_that_names_its_case_keeps_that_id(client: Any, clinician: dict[str, str],
                                                     demo_case: Any) -> None:
    case, bundle = exported(demo_case, "stable-breast")
    answer = client.post("/api/fhir/import?store=true&label=other", json=bundle,
                         headers=clinician)
    assert answer.status_code == 201
    assert answer.json()["label"] == case["id"] != "other"


def test_a_viewer_may_preview_an_import_but_not_store_it(
        client: Any, bearer: Any, store: Store, counts: Any) -> None:
    viewer = bearer("viewer")
    assert client.post("/api/fhir/import", json=ehr_bundle(), headers=viewer).status_code == 200
    before = counts(store)
    answer = client.post("/api/fhir/import?store=true", json=ehr_bundle(), headers=viewer)
    assert answer.status_code == 403
    assert "edit case" in answer.json()["message"]
    assert counts(store) == before


@pytest.mark.parametrize("path", ["/api/fhir/import", "/api/fhir/export"])
def test_the_fhir_routes_need_a_token_or_a_session(client: Any, path: str) -> None:
    answer = client.post(path, json=ehr_bundle())
    assert answer.status_code == 401


@pytest.mark.parametrize(("body", "message"), [
    ({"resourceType": "Patient"}, "expected a FHIR Bundle, got 'Patient'"),
    ({"resourceType": "Bundle", "type": "collection", "entry": {}}, "Bundle.entry must be a list"),
    ({"resourceType": "Bundle", "type": "collection",
      "entry": [{"resource": {"resourceType": "Observaton"}}]}, "did you mean 'Observation'"),
    ({"resourceType": "Bundle", "type": "collection",
      "entry": [{"resource": {"resourceType": "Observation", "status": "final",
                              "code": {"text": "x"}, "valueInteger": "abc"}}]},
     "valueInteger"),
    ({"resourceType": "Bundle", "type": "collection",
      "entry": [{"resource": {"resourceType": "Patient", "gender": "f"}}]}, "gender"),
])
def test_malformed_fhir_is_a_422_that_names_the_element(
        client: Any, clinician: dict[str, str], store: Store, counts: Any,
        body: dict[str, Any], message: str) -> None:
    before = counts(store)
    for query in ("", "?store=true"):
        answer = client.post(f"/api/fhir/import{query}", json=body, headers=clinician)
        assert answer.status_code == 422, answer.text
        detail = answer.json()
        assert detail["error"] == "invalid_fhir"
        assert message in detail["message"] + " ".join(detail["problems"])
    assert counts(store) == before


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"Bundle"', b""])
def test_a_body_that_is_not_a_json_object_is_a_422(client: Any, clinician: dict[str, str],
                                                   raw: bytes) -> None:
    answer = client.post("/api/fhir/import", content=raw,
                         headers={**clinician, "content-type": "application/json"})
    assert answer.status_code == 422


def test_a_bundle_whose_data_the_case_format_refuses_is_a_422_not_a_500(
        client: Any, clinician: dict[str, str]) -> None:
    # Structurally valid FHIR; the fields it yields are set aside or refused, never a crash.
    resource = {"resourceType": "Observation", "id": "o1", "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "89247-1"}]},
                "valueInteger": 9}
    answer = client.post("/api/fhir/import",
                         json={"resourceType": "Bundle", "type": "collection",
                               "entry": [{"resource": resource}]}, headers=clinician)
    assert answer.status_code == 200, answer.text
    assert "status" not in answer.json()["case"]  # ECOG 9 is not a grade: not read
    assert any(n["where"] == "Observation/o1" for n in answer.json()["unmapped"])


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=12)
RESOURCE = st.fixed_dictionaries(
    {"resourceType": st.sampled_from(["Patient", "Observation", "Condition", "Bundle",
                                      "DiagnosticReport", "Coding", "Nonsense"])},
    optional={"status": JSON, "code": JSON, "valueInteger": JSON, "gender": JSON,
              "subject": JSON, "birthDate": JSON, "entry": JSON, "type": JSON})


@settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(resources=st.lists(RESOURCE, max_size=3),
       kind=st.sampled_from(["collection", "searchset", "pile"]))
def test_any_bundle_is_answered_200_or_422_never_500(
        client: Any, clinician: dict[str, str], resources: list[dict[str, Any]],
        kind: str) -> None:
    body = {"resourceType": "Bundle", "type": kind, "entry": [{"resource": r} for r in resources]}
    answer = client.post("/api/fhir/import", json=body, headers=clinician)
    assert answer.status_code in (200, 422), answer.text
    if answer.status_code == 422:
        assert answer.json()["error"] in ("invalid_fhir", "invalid_case")


# ------------------------------------------------------------------------------- export


def test_a_stored_case_exports_its_snapshot_as_a_valid_bundle(
        client: Any, clinician: dict[str, str], demo_case: Any) -> None:
    created = client.post("/api/cases", json=demo_case("mscc-emergency"), headers=clinician)
    case_id = created.json()["id"]
    answer = client.get(f"/api/cases/{case_id}/fhir", headers=clinician)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/fhir+json")
    bundle = answer.json()
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    for entry in bundle["entry"]:
        validate_resource(entry["resource"])  # raises on anything fhir.resources refuses
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Patient", "Observation", "RiskAssessment", "CarePlan", "ServiceRequest"} <= kinds
    snapshot = created.json()["assessment"]
    assert bundle["timestamp"] == snapshot["assessed_at"]  # the stored snapshot, not a new run
    back = validate_case(case_from_bundle(bundle).case)
    assert back == validate_case(demo_case("mscc-emergency"))


def test_an_older_revision_exports_its_own_inputs(client: Any, clinician: dict[str, str],
                                                  demo_case: Any) -> None:
    first = demo_case("stable-breast")
    created = client.post("/api/cases", json=first, headers=clinician).json()
    second = {**first, "status": {**first.get("status", {}), "ecog": 3}}
    put = client.put(f"/api/cases/{created['id']}", headers=clinician,
                     json={"revision": 1, "case": second})
    assert put.status_code == 200, put.text
    old = client.get(f"/api/cases/{created['id']}/fhir?revision=1", headers=clinician).json()
    new = client.get(f"/api/cases/{created['id']}/fhir", headers=clinician).json()
    assert case_from_bundle(old).case["status"].get("ecog") == first.get("status", {}).get("ecog")
    assert case_from_bundle(new).case["status"]["ecog"] == 3


def test_a_viewer_may_export_and_a_missing_case_is_a_404(client: Any, bearer: Any,
                                                         clinician: dict[str, str],
                                                         demo_case: Any) -> None:
    case_id = client.post("/api/cases", json=demo_case("stable-breast"),
                          headers=clinician).json()["id"]
    viewer = bearer("viewer")
    assert client.get(f"/api/cases/{case_id}/fhir", headers=viewer).status_code == 200
    missing = client.get(f"/api/cases/{case_id + 99}/fhir", headers=viewer)
    assert missing.status_code == 404
    assert client.get(f"/api/cases/{case_id}/fhir").status_code == 401


def test_stateless_export_answers_the_bundle_the_command_line_gives(
        client: Any, clinician: dict[str, str], demo_case: Any) -> None:
    case, _bundle = exported(demo_case, "mscc-emergency")
    answer = client.post("/api/fhir/export", json=case, headers=clinician)
    assert answer.status_code == 200
    bundle = answer.json()
    for entry in bundle["entry"]:
        validate_resource(entry["resource"])
    assert validate_case(case_from_bundle(bundle).case) == validate_case(case)
    refused = client.post("/api/fhir/export", json={**case, "format": "nope"}, headers=clinician)
    assert refused.status_code == 422
    assert refused.json()["error"] == "invalid_case"


def test_the_api_round_trip_keeps_the_assessment(client: Any, clinician: dict[str, str],
                                                 demo_case: Any) -> None:
    case, _bundle = exported(demo_case, "mscc-emergency")
    bundle = client.post("/api/fhir/export", json=case, headers=clinician).json()
    back = client.post("/api/fhir/import", json=bundle, headers=clinician).json()
    original = assess(validate_case(case))
    for key in ("triage", "scores", "plan", "workup"):
        assert back["assessment"][key] == original[key], key
