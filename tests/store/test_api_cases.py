"""The JSON API for cases: create, read, edit with optimistic locking, history, list, assess."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import pytest

from oncospine.assessment import assess
from oncospine.case import validate_case
from oncospine.store import Store

pytestmark = pytest.mark.usefixtures("fast_passwords")


def assessed_like_the_core(body: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """What `assess()` gives for the same case at the moment the API stamped on its answer."""
    return assess(validate_case(body), now=datetime.fromisoformat(answer["assessed_at"]))


@pytest.fixture
def clinician(bearer: Any) -> dict[str, str]:
    return bearer("clinician")


def test_creating_a_case_answers_201_with_its_location_revision_and_assessment(
        client: Any, clinician: dict[str, str], demo_case: Any, store: Store) -> None:
    body = demo_case("mscc-emergency")
    done = client.post("/api/cases", json=body, headers=clinician)

    assert done.status_code == 201, done.text
    created = done.json()
    assert done.headers["location"] == f"/api/cases/{created['id']}"
    assert created["revision"] == 1
    assert created["label"] == "demo-mscc-emergency"
    assert created["created_by"] == created["updated_by"] == "clinician"
    assert created["assessment"] == assess(validate_case(body))
    assert validate_case(created["case"]) == validate_case(body)
    assert store.get_case(created["id"]).assessment == created["assessment"]

    again = client.get(done.headers["location"], headers=clinician)
    assert again.status_code == 200
    assert again.json() == created


def test_a_case_without_an_assessment_time_is_assessed_as_the_core_would_at_that_time(
        client: Any, clinician: dict[str, str]) -> None:
    body = {"format": "oncospine-case/1", "cancer": {"history": "current"},
            "presentation": {"neuro_features": ["limb_weakness"]},
            "events": {"presentation": "2026-11-20T06:00:00+00:00"}}
    created = client.post("/api/cases", json=body, headers=clinician).json()
    assert created["assessment"] == assessed_like_the_core(body, created["assessment"])
    assert created["assessment"]["triage"]["level"] == "emergency"


def test_an_edit_with_the_current_revision_saves_and_a_stale_one_gets_409(
        client: Any, clinician: dict[str, str], demo_case: Any, store: Store,
        counts: Any) -> None:
    body = demo_case("stable-breast")
    case_id = client.post("/api/cases", json=body, headers=clinician).json()["id"]
    edited = copy.deepcopy(body)
    edited["presentation"]["neuro_features"] = ["limb_weakness"]

    saved = client.put(f"/api/cases/{case_id}", headers=clinician,
                       json={"revision": 1, "case": edited, "note": "new weakness"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["revision"] == 2
    assert saved.json()["assessment"] == assess(validate_case(edited))
    assert saved.json()["assessment"]["triage"]["level"] == "emergency"

    before = counts(store)
    stale = client.put(f"/api/cases/{case_id}", headers=clinician,
                       json={"revision": 1, "case": body, "note": "overwrite"})
    assert stale.status_code == 409
    assert stale.json()["current_revision"] == 2
    assert "revision 2" in stale.json()["message"]
    assert counts(store) == before
    latest = client.get(f"/api/cases/{case_id}", headers=clinician).json()
    assert latest["revision"] == 2
    assert latest["case"]["presentation"]["neuro_features"] == ["limb_weakness"]


def test_old_revisions_the_assessment_the_history_and_the_timeline_are_readable(
        client: Any, clinician: dict[str, str], demo_case: Any) -> None:
    body = demo_case("stable-breast")
    first = client.post("/api/cases", json=body, headers=clinician).json()
    edited = copy.deepcopy(body)
    edited["events"]["coordinator_contact"] = "2026-11-20T09:00:00+00:00"
    second = client.put(f"/api/cases/{first['id']}", headers=clinician,
                        json={"revision": 1, "case": edited, "note": "coordinator called"}
                        ).json()
    url = f"/api/cases/{first['id']}"

    old = client.get(url, params={"revision": 1}, headers=clinician).json()
    assert old["revision"] == 1 and old["assessment"] == first["assessment"]
    assert old["case"] == first["case"]
    assert client.get(f"{url}/assessment", headers=clinician).json() == second["assessment"]

    history = client.get(f"{url}/revisions", headers=clinician).json()
    assert [(r["revision"], r["created_by"], r["note"]) for r in history] == [
        (2, "clinician", "coordinator called"), (1, "clinician", "")]

    timeline = client.get(f"{url}/events", headers=clinician).json()
    assert [(e["name"], e["revision"], e["recorded_by"]) for e in timeline] == [
        ("presentation", 1, "clinician"), ("coordinator_contact", 2, "clinician")]
    assert datetime.fromisoformat(timeline[1]["at"]) == datetime.fromisoformat(
        "2026-11-20T09:00:00+00:00")


def test_unknown_cases_and_revisions_answer_404(client: Any, clinician: dict[str, str],
                                                demo_case: Any) -> None:
    client.post("/api/cases", json=demo_case("stable-breast"), headers=clinician)
    for path in ("/api/cases/99", "/api/cases/99/assessment", "/api/cases/99/revisions",
                 "/api/cases/99/events", "/api/cases/1?revision=7", "/api/cases/1?revision=0"):
        answer = client.get(path, headers=clinician)
        assert answer.status_code == 404, path
        assert answer.json()["error"] == "notfound", path


def test_editing_an_unknown_case_answers_404_and_stores_nothing(
        client: Any, clinician: dict[str, str], demo_case: Any, store: Store,
        counts: Any) -> None:
    before = counts(store)
    answer = client.put("/api/cases/99", headers=clinician,
                        json={"revision": 1, "case": demo_case("stable-breast")})
    assert answer.status_code == 404
    assert counts(store) == before


def test_the_case_list_filters_pages_and_counts(client: Any, clinician: dict[str, str],
                                                demo_case: Any, bearer: Any) -> None:
    ids = {name: client.post("/api/cases", json=demo_case(name), headers=clinician).json()["id"]
           for name in ("stable-breast", "mscc-emergency", "cauda-equina", "chordoma-primary")}
    listed = client.get("/api/cases", headers=clinician).json()
    assert listed["total"] == 4
    assert [c["triage_level"] for c in listed["cases"]] == [
        "emergency", "emergency", "urgent", "soon"]
    first = listed["cases"][0]
    assert set(first) >= {"id", "label", "revision", "triage_level", "triage_pathway",
                          "primary_site", "updated_at", "running_clocks"}

    emergencies = client.get("/api/cases", params={"level": "emergency"},
                             headers=clinician).json()
    assert emergencies["total"] == 2
    assert {c["id"] for c in emergencies["cases"]} == {ids["mscc-emergency"],
                                                       ids["cauda-equina"]}
    cauda = client.get("/api/cases", params={"pathway": "cauda_equina"},
                       headers=clinician).json()
    assert [c["id"] for c in cauda["cases"]] == [ids["cauda-equina"]]

    meeting = client.post("/api/meetings", headers=bearer("coordinator"), json={
        "held_on": "2026-11-23", "case_ids": [ids["chordoma-primary"]]}).json()
    on_agenda = client.get("/api/cases", params={"meeting": meeting["id"]},
                           headers=clinician).json()
    assert [c["id"] for c in on_agenda["cases"]] == [ids["chordoma-primary"]]

    page = client.get("/api/cases", params={"limit": 2, "offset": 1},
                      headers=clinician).json()
    assert page["total"] == 4
    assert [c["id"] for c in page["cases"]] == [c["id"] for c in listed["cases"][1:3]]


def test_out_of_range_list_parameters_answer_422(client: Any,
                                                 clinician: dict[str, str]) -> None:
    for query in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "ten"},
                  {"meeting": "board"}):
        answer = client.get("/api/cases", params=query, headers=clinician)
        assert answer.status_code == 422, query
        assert answer.json()["error"] == "invalid_request", query
        assert answer.json()["issues"][0]["field"] in {f"query.{k}" for k in query}, query


def test_assess_answers_like_the_core_and_stores_nothing(
        client: Any, bearer: Any, demo_case: Any, store: Store, counts: Any) -> None:
    viewer = bearer("viewer")
    before = counts(store)
    for name in ("mscc-emergency", "incomplete-first-contact"):
        body = demo_case(name)
        answer = client.post("/api/assess", json=body, headers=viewer)
        assert answer.status_code == 200
        assert answer.json() == assess(validate_case(body))
    without_time = {"format": "oncospine-case/1", "cancer": {"history": "past"}}
    answer = client.post("/api/assess", json=without_time, headers=viewer).json()
    assert answer == assessed_like_the_core(without_time, answer)
    assert counts(store) == before


def test_the_openapi_document_lists_every_api_route_and_the_case_schema(
        client: Any, clinician: dict[str, str]) -> None:
    from oncospine.case import case_json_schema

    answer = client.get("/openapi.json", headers=clinician)
    assert answer.status_code == 200
    paths = answer.json()["paths"]
    documented = {(path, method) for path, item in paths.items() for method in item}
    assert {
        ("/api/assess", "post"), ("/api/cases", "get"), ("/api/cases", "post"),
        ("/api/cases/{case_id}", "get"), ("/api/cases/{case_id}", "put"),
        ("/api/cases/{case_id}/assessment", "get"), ("/api/cases/{case_id}/revisions", "get"),
        ("/api/cases/{case_id}/events", "get"), ("/api/meetings", "get"),
        ("/api/meetings", "post"), ("/api/meetings/{meeting_id}", "get"),
        ("/api/meetings/{meeting_id}/decisions", "post"),
    } <= documented
    assert not [p for p in paths if p.startswith(("/cases", "/meetings", "/admin", "/login"))]
    expected = case_json_schema()
    for path in ("/api/cases", "/api/assess"):
        body = paths[path]["post"]["requestBody"]
        assert body["required"] is True
        schema = body["content"]["application/json"]["schema"]
        assert schema["title"] == "oncospine-case/1"
        assert schema["required"] == ["format"]
        assert schema["properties"].keys() == expected["properties"].keys()
        assert {name: section["properties"].keys() for name, section in schema["$defs"].items()
                } == {name: section["properties"].keys()
                      for name, section in expected["$defs"].items()}
    update = paths["/api/cases/{case_id}"]["put"]["requestBody"]["content"][
        "application/json"]["schema"]
    name = update["$ref"].rsplit("/", 1)[1]
    update = answer.json()["components"]["schemas"][name]
    assert {"revision", "case"} <= set(update["required"])
    docs = client.get("/docs", headers=clinician)
    assert docs.status_code == 200 and "/openapi.json" in docs.text
