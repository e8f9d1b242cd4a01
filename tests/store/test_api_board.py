"""The JSON API for the tumour board: meetings, attendance, agenda and decisions."""

from __future__ import annotations

from typing import Any

import pytest

from oncospine.store import Store

pytestmark = pytest.mark.usefixtures("fast_passwords")

QUORUM = [{"name": "Ms Surgeon", "role": "spinal_surgeon"},
          {"name": "Dr Oncologist", "role": "clinical_oncologist"}]


@pytest.fixture
def case_ids(client: Any, bearer: Any, demo_case: Any) -> list[int]:
    clinician = bearer("clinician")
    return [client.post("/api/cases", json=demo_case(name), headers=clinician).json()["id"]
            for name in ("mscc-emergency", "stable-breast")]


@pytest.fixture
def meeting(client: Any, bearer: Any, case_ids: list[int]) -> dict[str, Any]:
    answer = client.post("/api/meetings", headers=bearer("coordinator"), json={
        "held_on": "2026-11-23", "title": "Spine MDT", "attendees": QUORUM,
        "case_ids": case_ids})
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def test_a_meeting_is_planned_with_attendees_roles_presence_and_agenda(
        client: Any, bearer: Any, case_ids: list[int]) -> None:
    answer = client.post("/api/meetings", headers=bearer("coordinator"), json={
        "held_on": "2026-11-23", "attendees": [*QUORUM, {
            "name": "Dr Radiologist", "role": "radiologist", "present": False}],
        "case_ids": [case_ids[1], case_ids[0], case_ids[1]]})
    assert answer.status_code == 201
    created = answer.json()
    assert created["title"] == "Spinal tumour board" and created["held_on"] == "2026-11-23"
    assert [(a["name"], a["role"], a["present"]) for a in created["attendees"]] == [
        ("Ms Surgeon", "spinal_surgeon", True),
        ("Dr Oncologist", "clinical_oncologist", True),
        ("Dr Radiologist", "radiologist", False)]
    assert created["case_ids"] == [case_ids[1], case_ids[0]]
    assert created["quorate"] is True and created["quorum_missing"] == []
    assert created["decisions"] == []

    reader = bearer("viewer")
    assert client.get(f"/api/meetings/{created['id']}", headers=reader).json() == created
    assert client.get("/api/meetings", headers=reader).json() == [created]


def test_a_meeting_without_its_quorum_says_who_is_missing(client: Any, bearer: Any) -> None:
    created = client.post("/api/meetings", headers=bearer("chair"), json={
        "held_on": "2026-11-23", "attendees": [
            {"name": "Ms Surgeon", "role": "spinal_surgeon"},
            {"name": "Dr Oncologist", "role": "clinical_oncologist", "present": False}]}).json()
    assert created["quorate"] is False
    assert created["quorum_missing"] == ["clinical_oncologist"]


def test_a_meeting_with_an_unknown_role_or_case_or_no_date_is_refused(
        client: Any, bearer: Any, store: Store, counts: Any) -> None:
    headers = bearer("coordinator")
    before = counts(store)
    for body, status in [
        ({"held_on": "2026-11-23", "attendees": [{"name": "Dr X", "role": "surgeon"}]}, 422),
        ({"held_on": "2026-11-23", "case_ids": [999]}, 404),
        ({"held_on": "23/11/2026"}, 422),
        ({"title": "no date"}, 422),
    ]:
        answer = client.post("/api/meetings", headers=headers, json=body)
        assert answer.status_code == status, (body, answer.text)
    assert counts(store) == before


def test_unknown_meetings_answer_404(client: Any, bearer: Any, case_ids: list[int]) -> None:
    assert client.get("/api/meetings/99", headers=bearer("viewer")).status_code == 404
    answer = client.post("/api/meetings/99/decisions", headers=bearer("chair"), json={
        "case_id": case_ids[0], "options": ["sbrt"], "rationale": "x"})
    assert answer.status_code == 404


def test_a_decision_is_drafted_then_signed_by_the_chair_then_read_only(
        client: Any, bearer: Any, meeting: dict[str, Any], case_ids: list[int]) -> None:
    url = f"/api/meetings/{meeting['id']}/decisions"
    assessment = client.get(f"/api/cases/{case_ids[0]}/assessment",
                            headers=bearer("viewer")).json()
    chosen = [o["id"] for o in assessment["plan"]["options"] if o["role"] == "recommended"][:2]

    draft = client.post(url, headers=bearer("coordinator"), json={
        "case_id": case_ids[0], "options": chosen, "rationale": "stabilise then irradiate"})
    assert draft.status_code == 201, draft.text
    assert draft.json()["read_only"] is False and draft.json()["signed_by"] is None
    assert draft.json()["options"] == chosen

    signed = client.post(url, headers=bearer("chair"), json={
        "case_id": case_ids[0], "options": chosen, "rationale": "stabilise then irradiate",
        "dissent": "Dr Oncologist preferred radiotherapy alone", "sign": True})
    assert signed.status_code == 201, signed.text
    body = signed.json()
    assert body["id"] == draft.json()["id"]
    assert body["read_only"] is True and body["signed_by"] == "chair"
    assert body["signed_at"] is not None
    assert body["dissent"] == "Dr Oncologist preferred radiotherapy alone"

    again = client.post(url, headers=bearer("chair"), json={
        "case_id": case_ids[0], "options": chosen[:1], "rationale": "second thoughts"})
    assert again.status_code == 409
    assert "read-only" in again.json()["message"]
    shown = client.get(f"/api/meetings/{meeting['id']}", headers=bearer("viewer")).json()
    assert shown["decisions"] == [body]


def test_only_the_coordinator_and_chair_may_record_decisions(
        client: Any, bearer: Any, meeting: dict[str, Any], case_ids: list[int]) -> None:
    for role in ("viewer", "clinician", "admin"):
        answer = client.post(f"/api/meetings/{meeting['id']}/decisions", headers=bearer(role),
                             json={"case_id": case_ids[0], "options": ["sbrt"],
                                   "rationale": "x"})
        assert answer.status_code == 403, role
    assert client.get(f"/api/meetings/{meeting['id']}",
                      headers=bearer("viewer")).json()["decisions"] == []


def test_a_coordinator_may_draft_but_not_sign(client: Any, bearer: Any,
                                              meeting: dict[str, Any],
                                              case_ids: list[int]) -> None:
    answer = client.post(f"/api/meetings/{meeting['id']}/decisions",
                         headers=bearer("coordinator"),
                         json={"case_id": case_ids[0], "options": ["sbrt"], "rationale": "x",
                               "sign": True})
    assert answer.status_code == 403
    assert client.get(f"/api/meetings/{meeting['id']}",
                      headers=bearer("viewer")).json()["decisions"] == []


def test_a_decision_needs_assessment_options_a_rationale_and_a_case(
        client: Any, bearer: Any, meeting: dict[str, Any], case_ids: list[int]) -> None:
    chair = bearer("chair")
    for change in ({"options": ["made_up_option"]}, {"options": []}, {"rationale": "  "},
                   {"rationale": None}, {"case_id": None}, {"case_id": 999}):
        body = {"case_id": case_ids[0], "options": ["sbrt"], "rationale": "agreed", **change}
        body = {k: v for k, v in body.items() if v is not None}
        answer = client.post(f"/api/meetings/{meeting['id']}/decisions", headers=chair,
                             json=body)
        assert answer.status_code == 422, (change, answer.text)
    assert client.get(f"/api/meetings/{meeting['id']}",
                      headers=bearer("viewer")).json()["decisions"] == []


def test_signing_in_a_meeting_without_quorum_is_refused(client: Any, bearer: Any,
                                                        case_ids: list[int]) -> None:
    meeting = client.post("/api/meetings", headers=bearer("chair"), json={
        "held_on": "2026-11-23", "attendees": QUORUM[:1], "case_ids": case_ids}).json()
    answer = client.post(f"/api/meetings/{meeting['id']}/decisions", headers=bearer("chair"),
                         json={"case_id": case_ids[0], "options": ["sbrt"],
                               "rationale": "agreed", "sign": True})
    assert answer.status_code == 422
    assert "not quorate" in answer.json()["message"]


def test_a_signed_decision_keeps_the_assessment_it_was_based_on(
        client: Any, bearer: Any, meeting: dict[str, Any], case_ids: list[int],
        demo_case: Any) -> None:
    viewer = bearer("viewer")
    before = client.get(f"/api/cases/{case_ids[0]}", headers=viewer).json()
    signed = client.post(f"/api/meetings/{meeting['id']}/decisions", headers=bearer("chair"),
                         json={"case_id": case_ids[0], "options": ["sbrt"],
                               "rationale": "agreed", "sign": True}).json()
    assert signed["assessment_id"] == before["assessment_id"]

    edited = demo_case("mscc-emergency")
    edited["status"]["ambulatory"] = "non_ambulatory"
    after = client.put(f"/api/cases/{case_ids[0]}", headers=bearer("clinician"),
                       json={"revision": 1, "case": edited}).json()
    assert after["assessment_id"] != before["assessment_id"]
    shown = client.get(f"/api/meetings/{meeting['id']}", headers=viewer).json()
    assert shown["decisions"][0]["assessment_id"] == before["assessment_id"]
