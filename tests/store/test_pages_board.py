"""The tumour board through its pages: plan a meeting, agenda, attendance, draft, sign, outcomes."""

from __future__ import annotations

from typing import Any

import pytest

from oncospine.store import Store

pytestmark = pytest.mark.usefixtures("fast_passwords")


def submit(client: Any, url: str, data: dict[str, Any]) -> Any:
    """Post a form as a browser does and land on the page it redirects to."""
    answer = client.post(url, data=data, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client.get(answer.headers["location"])


def attendance_rows(page: Any) -> dict[str, Any]:
    table = page.find("section", id="attendance").find("tbody")
    return {row.find("th").text: row for row in table.find_all("tr")}


def decision_forms(page: Any) -> list[Any]:
    return [f for f in page.find_all("form") if (f.get("action") or "").endswith("/decision")]


@pytest.fixture
def cases(store: Store, demo_case: Any) -> dict[str, int]:
    return {name: store.create_case(demo_case(name), "alice").id
            for name in ("mscc-emergency", "stable-breast", "renal-sbrt")}


@pytest.fixture
def planned(signed_in: Any, cases: dict[str, int], html: Any) -> dict[str, Any]:
    """A meeting planned through the form by the coordinator, two cases on its agenda."""
    coordinator = signed_in("coordinator")
    page = html(coordinator.get("/meetings").text)
    form = next(f for f in page.find_all("form") if f.get("action") == "/meetings")
    names = ["Ms Surgeon", "Dr Oncologist", "Dr Radiologist", "", ""]
    created = submit(coordinator, "/meetings", form.data(changes={
        "held_on": "2026-11-23", "title": "Spine MDT", "attendee_name": names}))
    meeting_url = str(created.url.path)
    page = html(created.text)
    agenda = next(f for f in page.find_all("form") if f["action"].endswith("/agenda"))
    offered = {o["value"]: o.text for o in agenda.find("select").find_all("option")}
    assert offered[str(cases["mscc-emergency"])].startswith("Emergency")
    chosen = [str(cases["mscc-emergency"]), str(cases["stable-breast"])]
    page = submit(coordinator, agenda["action"], agenda.data(changes={"case_id": chosen}))
    return {"url": meeting_url, "page": html(page.text), "coordinator": coordinator,
            "id": int(meeting_url.rsplit("/", 1)[1])}


def test_planning_a_meeting_records_attendees_roles_and_the_agenda(
        planned: dict[str, Any], cases: dict[str, int], store: Store) -> None:
    page = planned["page"]
    assert "Spine MDT" in page.find("h1").text and "2026-11-23" in page.find("h1").text
    rows = attendance_rows(page)
    assert list(rows) == ["Ms Surgeon", "Dr Oncologist", "Dr Radiologist"]
    assert [r.find_all("td")[0].text for r in rows.values()] == [
        "spinal surgeon", "clinical oncologist", "radiologist"]
    assert "✔ Quorate" in page.find("section", id="attendance").text
    agenda = page.find("section", aria_label="Agenda").find("tbody").find_all("tr")
    assert [r.find("a")["href"] for r in agenda] == [
        f"{planned['url']}/cases/{cases['mscc-emergency']}",
        f"{planned['url']}/cases/{cases['stable-breast']}"]
    assert [r.find("span", class_="badge").text for r in agenda] == ["Emergency", "Urgent"]
    assert [r.find_all("td")[-1].text for r in agenda] == ["not yet", "not yet"]
    meeting = store.get_meeting(planned["id"])
    assert meeting.created_by == "coordinator"
    assert [(a.name, a.role) for a in meeting.attendees] == [
        ("Ms Surgeon", "spinal_surgeon"), ("Dr Oncologist", "clinical_oncologist"),
        ("Dr Radiologist", "radiologist")]


def test_adding_cases_to_the_agenda_again_lists_each_case_once(
        planned: dict[str, Any], cases: dict[str, int], store: Store) -> None:
    coordinator = planned["coordinator"]
    answer = coordinator.post(f"{planned['url']}/agenda", follow_redirects=False, data={
        "csrf_token": coordinator.csrf,
        "case_id": [str(cases["stable-breast"]), str(cases["renal-sbrt"])]})
    assert answer.status_code == 303
    assert store.get_meeting(planned["id"]).case_ids == (
        cases["mscc-emergency"], cases["stable-breast"], cases["renal-sbrt"])
    empty = coordinator.post(f"{planned['url']}/agenda", data={"csrf_token": coordinator.csrf})
    assert empty.status_code == 422


def test_a_meeting_without_a_date_is_refused_on_the_page(signed_in: Any, store: Store) -> None:
    coordinator = signed_in("coordinator")
    for held_on in ("", "23/11/2026"):
        answer = coordinator.post("/meetings", data={"csrf_token": coordinator.csrf,
                                                     "held_on": held_on, "title": "Board"})
        assert answer.status_code == 422, held_on
        assert "the meeting needs a date" in answer.text
    assert store.meetings() == []


def test_an_attendee_with_an_unknown_role_is_refused_on_the_page(
        planned: dict[str, Any], store: Store) -> None:
    coordinator = planned["coordinator"]
    before = store.get_meeting(planned["id"])
    answer = coordinator.post(f"{planned['url']}/attendees", data={
        "csrf_token": coordinator.csrf, "name": "Dr X", "role": "surgeon"})
    assert answer.status_code == 422
    assert "unknown attendee role" in answer.text
    blank = coordinator.post(f"{planned['url']}/attendees", data={
        "csrf_token": coordinator.csrf, "name": "  ", "role": "radiologist"})
    assert blank.status_code == 422 and "needs a name" in blank.text
    assert store.get_meeting(planned["id"]) == before


def test_presence_toggles_and_quorum_follows(planned: dict[str, Any], html: Any) -> None:
    coordinator = planned["coordinator"]
    toggle = attendance_rows(planned["page"])["Dr Oncologist"].find("form")
    assert toggle.find("button").text == "mark absent"
    page = html(submit(coordinator, toggle["action"], toggle.data()).text)
    row = attendance_rows(page)["Dr Oncologist"]
    assert "✘ absent" in row.text and row.find("button").text == "mark present"
    status = page.find("section", id="attendance").find("p", role="status")
    assert "Not quorate: no clinical oncologist" in status.text

    toggle = row.find("form")
    page = html(submit(coordinator, toggle["action"], toggle.data()).text)
    assert "✔ present" in attendance_rows(page)["Dr Oncologist"].text
    assert "✔ Quorate" in page.find("section", id="attendance").text


def test_the_board_drafts_then_the_chair_signs_and_the_decision_is_read_only(
        planned: dict[str, Any], cases: dict[str, int], signed_in: Any, store: Store,
        html: Any) -> None:
    coordinator = planned["coordinator"]
    case_url = f"{planned['url']}/cases/{cases['mscc-emergency']}"
    assessment = store.get_case(cases["mscc-emergency"]).assessment
    recommended = {o["id"] for o in assessment["plan"]["options"] if o["role"] == "recommended"}

    page = html(coordinator.get(case_url).text)
    assert page.find("section", id="triage-banner")["data-level"] == "emergency"
    (form,) = decision_forms(page)
    boxes = form.find_all("input", type="checkbox")
    assert {b["value"] for b in boxes} == {o["id"] for o in assessment["plan"]["options"]}
    assert {b["value"] for b in boxes if "checked" in b.attrs} == recommended
    buttons = {b["value"]: b for b in form.find_all("button")}
    assert set(buttons) == {"draft"}  # a coordinator drafts, only the chair signs

    draft = form.data(buttons["draft"], changes={"option": ["sbrt", "mdt_review"],
                                                  "rationale": "SBRT after review"})
    page = html(submit(coordinator, form["action"], draft).text)
    assert "Draft recorded by coordinator" in page.find("section", id="decision").text
    (decision,) = store.decisions_for_case(cases["mscc-emergency"])
    assert decision.options == ("sbrt", "mdt_review") and not decision.signed

    chair = signed_in("chair")
    page = html(chair.get(case_url).text)
    (form,) = decision_forms(page)
    assert form.find("textarea", name="rationale").text == "SBRT after review"
    assert {b["value"] for b in form.find_all("input", checked=True)} == {"sbrt",
                                                                          "mdt_review"}
    sign = next(b for b in form.find_all("button") if b.get("value") == "sign")
    assert "disabled" not in sign.attrs
    signed = form.data(sign, changes={"dissent": "Dr Radiologist preferred cEBRT"})
    page = html(submit(chair, form["action"], signed).text)

    section = page.find("section", id="decision")
    assert "Signed by chair" in section.text and "read-only" in section.text
    assert "Dr Radiologist preferred cEBRT" in section.text
    assert section.find_all("div", data_readonly="true")
    assert decision_forms(page) == []
    assert decision_forms(html(coordinator.get(case_url).text)) == []
    (decision,) = store.decisions_for_case(cases["mscc-emergency"])
    assert decision.signed and decision.signed_by == "chair"

    again = chair.post(form["action"], data=signed)
    assert again.status_code == 409
    assert store.decisions_for_case(cases["mscc-emergency"]) == [decision]


def test_the_sign_button_is_disabled_and_signing_refused_without_quorum(
        planned: dict[str, Any], cases: dict[str, int], signed_in: Any, store: Store,
        html: Any) -> None:
    coordinator = planned["coordinator"]
    toggle = attendance_rows(planned["page"])["Ms Surgeon"].find("form")
    submit(coordinator, toggle["action"], toggle.data())

    chair = signed_in("chair")
    case_url = f"{planned['url']}/cases/{cases['mscc-emergency']}"
    page = html(chair.get(case_url).text)
    assert "Not quorate: no spinal surgeon" in page.find("section", id="decision").text
    (form,) = decision_forms(page)
    sign = next(b for b in form.find_all("button") if b.get("value") == "sign")
    assert "disabled" in sign.attrs
    forced = chair.post(form["action"], data=form.data(sign, changes={"rationale": "x"}))
    assert forced.status_code == 422
    assert "not quorate" in forced.text
    assert store.decisions_for_case(cases["mscc-emergency"]) == []


def test_a_clinician_sees_the_board_case_without_a_decision_form(
        planned: dict[str, Any], cases: dict[str, int], signed_in: Any, html: Any) -> None:
    page = html(signed_in("clinician").get(
        f"{planned['url']}/cases/{cases['mscc-emergency']}").text)
    assert decision_forms(page) == []
    assert "No decision recorded yet." in page.find("section", id="decision").text


def test_a_case_not_on_the_agenda_has_no_board_page(planned: dict[str, Any],
                                                    cases: dict[str, int]) -> None:
    answer = planned["coordinator"].get(f"{planned['url']}/cases/{cases['renal-sbrt']}")
    assert answer.status_code == 404


def test_the_outcome_list_shows_signed_and_draft_decisions_for_what_they_are(
        planned: dict[str, Any], cases: dict[str, int], store: Store, signed_in: Any,
        html: Any) -> None:
    store.record_decision(planned["id"], cases["mscc-emergency"], options=["sbrt"],
                          rationale="agreed", actor="chair", role="chair", sign=True)
    store.record_decision(planned["id"], cases["stable-breast"], options=["mdt_review"],
                          rationale="needs biopsy first", actor="coordinator",
                          role="coordinator")
    viewer = signed_in("viewer")
    page = html(viewer.get(f"{planned['url']}/outcomes").text)
    rows = page.find("table", class_="outcomes").find("tbody").find_all("tr")
    status = {row.find("th").text: row.find_all("td")[-1].text for row in rows}
    assert status["demo-mscc-emergency"].startswith("signed by chair")
    assert status["demo-stable-breast"] == "DRAFT — not signed"
    assert "needs biopsy first" in rows[1].text
    assert "Quorate." in page.find("p").text
    assert "Ms Surgeon, Dr Oncologist, Dr Radiologist" in page.find("p").text

    agenda = html(viewer.get(planned["url"]).text).find(
        "section", aria_label="Agenda").find("tbody").find_all("tr")
    assert [r.find_all("td")[-1].text for r in agenda] == ["✔ signed", "draft"]
    listing = html(viewer.get("/meetings").text).find("tbody").find_all("tr")
    (row,) = listing
    assert row.find_all("td")[2].text == "1 of 2"


def test_a_viewer_sees_the_meeting_without_any_form(planned: dict[str, Any],
                                                    signed_in: Any, html: Any) -> None:
    viewer = signed_in("viewer")
    page = html(viewer.get(planned["url"]).text)
    actions = [f["action"] for f in page.find_all("form") if f["action"] != "/logout"]
    assert actions == []
    assert "✔ present" in attendance_rows(page)["Ms Surgeon"].text
    listing = html(viewer.get("/meetings").text)
    assert not [f for f in listing.find_all("form") if f["action"] == "/meetings"]
