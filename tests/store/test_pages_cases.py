"""Case pages: the list, the form with its live assessment, saving, the case page and history."""

from __future__ import annotations

import copy
import types
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from oncospine.case import Case, validate_case
from oncospine.store import Store

pytestmark = pytest.mark.usefixtures("fast_passwords")

DEMOS = sorted(p.name.removesuffix(".yaml")
               for p in (resources.files("oncospine") / "examples").iterdir()
               if p.name.endswith(".yaml"))
LEVEL_WORDS = {"emergency": "Emergency", "urgent": "Urgent", "soon": "Soon",
               "routine": "Routine"}


def model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The section model behind a Case field, and whether it is a list of entries."""
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    if get_origin(annotation) is list:
        inner = get_args(annotation)[0]
        return (inner, True) if isinstance(inner, type) and issubclass(inner, BaseModel) else (
            None, False)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def case_field_names() -> list[tuple[str, ...]]:
    """Every leaf field of the case model as the names its form control may carry."""
    names: list[tuple[str, ...]] = []
    for name, info in Case.model_fields.items():
        if name == "format":  # a constant: the form always sends oncospine-case/1
            continue
        model, repeated = model_of(info.annotation)
        if model is None:
            names.append((name,))
        elif repeated:
            names += [(f"{name}.0.{leaf}", f"{name}.__i__.{leaf}") for leaf in model.model_fields]
        else:
            names += [(f"{name}.{leaf}",) for leaf in model.model_fields]
    return names


def unordered(value: Any) -> Any:
    """A case dump where lists of codes are compared as sets (a box group has no order)."""
    if isinstance(value, dict):
        return {k: unordered(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [unordered(v) for v in value]
        return sorted(items) if all(isinstance(i, str | int) for i in items) else items
    return value


def same_case(left: dict[str, Any], right: dict[str, Any]) -> bool:
    return bool(unordered(validate_case(left).model_dump(mode="json"))
                == unordered(validate_case(right).model_dump(mode="json")))


def form_of(page: Any) -> Any:
    return page.find("form", id="case-form")


# ---------------------------------------------------------------------- the case list
@pytest.fixture
def levels(store: Store, demo_case: Any) -> dict[str, int]:
    """One case at each triage level."""
    ids = {
        "emergency": store.create_case(demo_case("myeloma-compression"), "alice").id,
        "urgent": store.create_case(demo_case("stable-breast"), "alice").id,
        "soon": store.create_case(demo_case("chordoma-primary"), "alice").id,
        "routine": store.create_case({"format": "oncospine-case/1", "id": "routine back pain",
                                      "cancer": {"history": "none"},
                                      "presentation": {"spinal_pain": True,
                                                       "neuro_features": []}}, "alice").id,
    }
    assert [store.get_case(i).summary.triage_level for i in ids.values()] == list(ids)
    return ids


def rows(page: Any) -> list[Any]:
    return page.find("table", class_="cases").find("tbody").find_all("tr")


def test_the_case_list_shows_each_triage_level_in_words_most_urgent_first(
        signed_in: Any, levels: dict[str, int], html: Any) -> None:
    page = html(signed_in("viewer").get("/cases").text)
    assert "4 found" in page.find("h1").text
    badges = [row.find("span", class_="badge") for row in rows(page)]
    assert [b.text for b in badges] == [f"{s} {w}" for s, w in zip(
        ["‼", "!", "›", "·"], LEVEL_WORDS.values(), strict=True)]
    assert [b["class"] for b in badges] == [f"badge level-{lvl}" for lvl in LEVEL_WORDS]
    links = [row.find("a")["href"] for row in rows(page)]
    assert links == [f"/cases/{levels[lvl]}" for lvl in LEVEL_WORDS]


def test_the_case_list_shows_running_clocks_in_words(signed_in: Any, levels: dict[str, int],
                                                     html: Any) -> None:
    page = html(signed_in("viewer").get("/cases").text)
    emergency = rows(page)[0]
    clocks = emergency.find_all("span", class_="clock")
    assert [c.text.split(":")[0] for c in clocks] == ["MSCC coordinator contact", "MRI done"]
    assert all(("left" in c.text) or ("overdue" in c.text) or ("due now" in c.text)
               for c in clocks)
    assert rows(page)[2].find_all("td")[3].text == "—"  # no running clock: a dash, not blank


FILTERS = [
    ("level=urgent", ["urgent"]),
    ("level=emergency", ["emergency"]),
    ("pathway=suspected_cancer", ["soon"]),
    ("pathway=back_pain", ["routine"]),
    ("q=BACK", ["routine"]),
    ("level=urgent&pathway=back_pain", []),
]


def test_the_case_list_filters_work(signed_in: Any, levels: dict[str, int],
                                    html: Any) -> None:
    client = signed_in("viewer")
    for query, expected in FILTERS:
        page = html(client.get(f"/cases?{query}").text)
        found = [r.find("a")["href"] for r in rows(page) if r.find_all("a")]
        assert found == [f"/cases/{levels[lvl]}" for lvl in expected], query
        assert f"{len(expected)} found" in page.find("h1").text, query
        if not expected:
            assert "No cases match these filters." in page.find("table", class_="cases").text
        for name, value in (part.split("=") for part in query.split("&")):
            if name == "q":
                assert page.find("input", name="q")["value"] == value
            else:
                select = page.find("select", name=name)
                chosen = [o["value"] for o in select.find_all("option", selected=True)]
                assert chosen == [value], query


def test_the_case_list_filters_by_meeting(signed_in: Any, levels: dict[str, int],
                                          store: Store, html: Any) -> None:
    from datetime import date

    meeting = store.create_meeting(date(2026, 11, 23), "Board", "cora",
                                   case_ids=[levels["soon"]])
    page = html(signed_in("viewer").get(f"/cases?meeting={meeting.id}").text)
    assert [r.find("a")["href"] for r in rows(page)] == [f"/cases/{levels['soon']}"]


# ---------------------------------------------------------------------- the form
def test_the_new_case_form_has_a_control_for_every_field_of_the_case_model(
        signed_in: Any, html: Any) -> None:
    page = html(signed_in("clinician").get("/cases/new").text)
    form = form_of(page)
    named = {n.get("name") for n in form.iter() if n.tag in ("input", "select", "textarea")}
    missing = [names[0] for names in case_field_names() if not named & set(names)]
    assert missing == []
    assert len(case_field_names()) > 60


def test_every_control_of_the_new_case_form_offers_not_known(signed_in: Any,
                                                            html: Any) -> None:
    form = form_of(html(signed_in("clinician").get("/cases/new").text))
    wanted = {n for names in case_field_names() for n in names}
    seen: set[str] = set()
    for node in form.iter():
        name = node.get("name")
        if name not in wanted or name in seen:
            continue
        seen.add(name)
        assert "required" not in node.attrs, name
        if node.tag == "select":
            first = node.find_all("option")[0]
            assert (first.get("value"), first.text) == ("", "not known"), name
            assert not node.find_all("option", selected=True), name
        elif node.get("type") == "checkbox":
            group = node.parent
            while group is not None and group.tag != "fieldset":
                group = group.parent
            assert group is not None, name
            assert group.find("small", class_="state").text == "not known", name
            assert not group.find_all("input", checked=True), name
            assert [b.get("value") for b in group.find_all("input")].count("__none__") == 1
        elif node.get("type") == "datetime-local":
            assert node.get("value") == "", name
        else:
            assert node.get("value") == "" and node.get("placeholder") == "not known", name
    assert seen


def test_a_blank_form_means_everything_is_unknown(signed_in: Any, html: Any,
                                                  store: Store) -> None:
    client = signed_in("clinician")
    form = form_of(html(client.get("/cases/new").text))
    saved = client.post("/cases", data=form.data(), follow_redirects=False)
    assert saved.status_code == 303
    stored = store.get_case(int(saved.headers["location"].rsplit("/", 1)[1]))
    assert validate_case(stored.data) == validate_case({"format": "oncospine-case/1"})


def test_the_preview_turns_emergency_when_a_person_with_cancer_has_a_neuro_feature(
        signed_in: Any, html: Any) -> None:
    client = signed_in("clinician")
    headers = {"X-CSRF-Token": client.csrf}
    base = {"cancer.history": "current", "presentation.spinal_pain": "yes",
            "presentation.neuro_features": "__none__"}
    before = html(client.post("/cases/preview", data=base, headers=headers).text)
    assert before.find("section", id="triage-banner")["data-level"] != "emergency"

    ticked = {**base, "presentation.neuro_features": "limb_weakness"}
    after = html(client.post("/cases/preview", data=ticked, headers=headers).text)
    banner = after.find("section", id="triage-banner")
    assert banner["data-level"] == "emergency"
    assert banner.find("p", class_="level").text.endswith("EMERGENCY — act now")


def test_the_preview_lists_invalid_fields_with_did_you_mean(signed_in: Any,
                                                            html: Any) -> None:
    client = signed_in("clinician")
    headers = {"X-CSRF-Token": client.csrf}
    answer = client.post("/cases/preview", headers=headers, data={
        "cancer.primary_site": "brest", "lesion_count": "1", "lesions.0.escc": "4"})
    assert answer.status_code == 200
    alert = html(answer.text).find("section", class_="invalid")
    items = {li.find("a")["href"]: li.text for li in alert.find_all("li")}
    assert set(items) == {"#f-cancer-primary_site", "#f-lesions-0-escc"}
    assert "did you mean breast?" in items["#f-cancer-primary_site"]
    assert "2 problems" in alert.text
    assert not html(answer.text).find_all("section", id="triage-banner")

    grams = client.post("/cases/preview", headers=headers, data={"labs.albumin_g_per_l": "3.2"})
    (item,) = html(grams.text).find("section", class_="invalid").find_all("li")
    assert item.find("a")["href"] == "#f-labs-albumin_g_per_l"
    assert "did you mean 32?" in item.text


def test_saving_the_form_creates_the_case(signed_in: Any, store: Store, html: Any) -> None:
    client = signed_in("clinician")
    data = {"csrf_token": client.csrf, "id": "ward 7 bed 3", "cancer.history": "current",
            "cancer.primary_site": "lung_nsclc", "presentation.neuro_features": "limb_weakness",
            "status.ecog": "2", "lesion_count": "1", "lesions.0.level": "T10",
            "lesions.0.escc": "3", "events.presentation": "2026-11-20T06:00",
            "tz_offset_minutes": "60", "note": "typed in clinic"}
    saved = client.post("/cases", data=data, follow_redirects=False)
    assert saved.status_code == 303
    case_id = int(saved.headers["location"].rsplit("/", 1)[1])
    view = store.get_case(case_id)
    assert view.data["id"] == "ward 7 bed 3"
    assert view.data["cancer"] == {"history": "current", "primary_site": "lung_nsclc"}
    assert view.data["status"]["ecog"] == 2
    assert view.data["lesions"] == [{"level": "T10", "escc": "3"}]
    assert datetime.fromisoformat(view.data["events"]["presentation"]) == datetime(
        2026, 11, 20, 5, tzinfo=UTC)  # typed as local time, one hour ahead of UTC
    assert view.created_by == "clinician"
    assert [r.note for r in store.revisions(case_id)] == ["typed in clinic"]
    assert view.summary.triage_level == "emergency"


def test_saving_an_invalid_form_stores_nothing_and_keeps_what_was_typed(
        signed_in: Any, store: Store, counts: Any, html: Any) -> None:
    client = signed_in("clinician")
    before = counts(store)
    answer = client.post("/cases", data={"csrf_token": client.csrf, "id": "typed label",
                                         "cancer.primary_site": "brest",
                                         "status.ecog": "9"})
    assert answer.status_code == 422
    assert counts(store) == before
    page = html(answer.text)
    assert page.find("input", name="id")["value"] == "typed label"
    assert page.find("form", id="case-form")["action"] == "/cases"
    assert page.find("input", name="status.ecog")["value"] == "9"
    alert = page.find("section", class_="invalid")
    assert "cancer.primary_site" in alert.text and "status.ecog" in alert.text


def test_saving_with_a_stale_revision_shows_the_conflict_and_keeps_the_typed_values(
        signed_in: Any, store: Store, demo_case: Any, html: Any, counts: Any) -> None:
    view = store.create_case(demo_case("stable-breast"), "alice")
    client = signed_in("clinician")
    form = form_of(html(client.get(f"/cases/{view.id}/edit").text))
    store.update_case(view.id, dict(view.data, id="saved by someone else"), 1, "bob")
    before = counts(store)

    answer = client.post(f"/cases/{view.id}", data=form.data(changes={"id": "my typed label"}))
    assert answer.status_code == 409
    page = html(answer.text)
    assert "Someone else saved this case first" in page.find("section", role="alert").text
    assert page.find("input", name="id")["value"] == "my typed label"
    assert page.find("select", name="cancer.primary_site").find(
        "option", selected=True)["value"] == "breast"
    assert counts(store) == before
    assert store.get_case(view.id).label == "saved by someone else"


def test_saving_the_edit_form_unchanged_keeps_every_value(
        signed_in: Any, store: Store, demo_case: Any, html: Any) -> None:
    client = signed_in("clinician")
    for name in DEMOS:
        view = store.create_case(demo_case(name), "alice")
        form = form_of(html(client.get(f"/cases/{view.id}/edit").text))
        saved = client.post(f"/cases/{view.id}", data=form.data(), follow_redirects=False)
        assert saved.status_code == 303, (name, saved.text)
        after = store.get_case(view.id)
        assert after.revision == 2, name
        assert same_case(after.data, view.data), name
        before_triage, after_triage = view.assessment["triage"], after.assessment["triage"]
        for key in ("level", "pathway", "clocks", "actions"):
            assert after_triage[key] == before_triage[key], (name, key)
        assert [r["rule"] for r in after_triage["reasons"]] == [
            r["rule"] for r in before_triage["reasons"]], name
        assert after.assessment["scores"] == view.assessment["scores"], name


def test_times_keep_their_instant_through_the_edit_form_whatever_offset_they_had(
        signed_in: Any, store: Store, html: Any) -> None:
    data = {"format": "oncospine-case/1", "assessed_at": "2026-11-20T10:30:00+01:00",
            "cancer": {"history": "current"},
            "presentation": {"neuro_features": ["limb_weakness"]},
            "events": {"presentation": "2026-11-20T07:00:00+01:00",
                       "coordinator_contact": "2026-11-20T01:15:30-05:00"}}
    view = store.create_case(data, "alice")
    client = signed_in("clinician")
    form = form_of(html(client.get(f"/cases/{view.id}/edit").text))
    assert client.post(f"/cases/{view.id}", data=form.data(),
                       follow_redirects=False).status_code == 303
    after = validate_case(store.get_case(view.id).data)
    before = validate_case(data)
    assert after.assessed_at == before.assessed_at
    assert after.events == before.events


def test_an_edit_through_the_form_is_a_new_revision_with_its_note(
        signed_in: Any, store: Store, demo_case: Any, html: Any) -> None:
    view = store.create_case(demo_case("stable-breast"), "alice")
    client = signed_in("clinician")
    form = form_of(html(client.get(f"/cases/{view.id}/edit").text))
    edited = form.data(changes={"presentation.neuro_features": ["limb_weakness"],
                                "note": "new weakness"})
    assert client.post(f"/cases/{view.id}", data=edited,
                       follow_redirects=False).status_code == 303
    after = store.get_case(view.id)
    assert after.revision == 2 and after.summary.triage_level == "emergency"
    assert store.revisions(view.id)[0].note == "new weakness"
    assert store.revisions(view.id)[0].created_by == "clinician"


# ---------------------------------------------------------------------- the case page
def test_the_case_page_shows_banner_scores_plan_timeline_and_history(
        signed_in: Any, store: Store, demo_case: Any, html: Any) -> None:
    view = store.create_case(demo_case("mscc-emergency"), "alice")
    second = copy.deepcopy(view.data)
    second["events"]["mri_reported"] = "2026-11-20T08:00:00+00:00"
    store.update_case(view.id, second, 1, "bob", note="report in")
    a = store.get_case(view.id).assessment
    page = html(signed_in("viewer").get(f"/cases/{view.id}").text)

    banner = page.find("section", id="triage-banner")
    assert banner["data-level"] == "emergency"
    assert "MSCC" in banner.find("p", class_="pathway").text
    assert {r["rule"] for r in a["triage"]["reasons"]} <= set(banner.text.split())

    lesions = page.find("section", aria_label="Lesions")
    body_rows = lesions.find("tbody").find_all("tr")
    assert [r.find("th").text for r in body_rows] == ["T10", "L3"]
    assert [r.find_all("td")[0].text for r in body_rows] == [
        str(lesion["total"]) for lesion in a["scores"]["sins"]["lesions"]]
    assert body_rows[0].find_all("td")[-1].text.startswith("3")
    assert "Worst SINS: 9 at T10" in lesions.text

    plan = page.find("section", aria_label="Plan")
    plan_rows = plan.find("table").find("tbody").find_all("tr")
    assert len(plan_rows) == len(a["plan"]["options"])
    for option, row in zip(a["plan"]["options"], plan_rows, strict=True):
        assert row["class"] == f"role-{option['role']}"
        cell = row.find_all("td")[-1].text
        assert all(rule in cell for rule in option["rules"]), option["id"]
        assert f"[{option['evidence']}]" in cell, option["id"]

    timeline = page.find("section", aria_label="Timeline").find("tbody").find_all("tr")
    entries = [(r.find("th").text, r.find_all("td")[1].text.split()[0],
                r.find_all("td")[2].text) for r in timeline]
    assert ("MRI reported", "bob", "r2") in entries
    assert ("Presentation", "alice", "r1") in entries

    history = page.find("section", aria_label="Revision history").find_all("li")
    assert [li.find("a")["href"] for li in history] == [
        f"/cases/{view.id}?revision=2", f"/cases/{view.id}?revision=1"]
    assert "bob: report in" in history[0].text


def test_an_older_revision_is_shown_as_it_was_and_marked_as_older(
        signed_in: Any, store: Store, demo_case: Any, html: Any) -> None:
    data = demo_case("stable-breast")
    view = store.create_case(data, "alice")
    changed = copy.deepcopy(data)
    changed["id"] = "now an emergency"
    changed["presentation"]["neuro_features"] = ["limb_weakness"]
    store.update_case(view.id, changed, 1, "bob")
    client = signed_in("clinician")

    old = html(client.get(f"/cases/{view.id}?revision=1").text)
    assert old.find("section", id="triage-banner")["data-level"] == "urgent"
    assert "demo-stable-breast" in old.find("h1").text
    assert "revision 1 of 2" in old.find("h1").text
    assert "older revision" in old.find("p", role="note").text
    assert "saved by alice" in old.find("p", class_="meta").text
    assert not old.find_all("form", class_="quick-events")
    assert not [a for a in old.find_all("a") if a.get("href") == f"/cases/{view.id}/edit"]

    latest = html(client.get(f"/cases/{view.id}").text)
    assert latest.find("section", id="triage-banner")["data-level"] == "emergency"
    assert not latest.find_all("p", role="note")
    assert client.get(f"/cases/{view.id}?revision=3").status_code == 404


def test_record_now_stamps_an_event_as_a_new_revision_on_the_timeline(
        signed_in: Any, store: Store, demo_case: Any, html: Any) -> None:
    view = store.create_case(demo_case("stable-breast"), "alice")
    client = signed_in("clinician")
    page = html(client.get(f"/cases/{view.id}").text)
    quick = page.find("form", class_="quick-events")
    buttons = {b["value"]: b for b in quick.find_all("button")}
    assert "presentation" not in buttons  # already recorded
    assert "mri_done" in buttons

    done = client.post(quick["action"], data=quick.data(buttons["mri_done"]),
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/cases/{view.id}"
    after = store.get_case(view.id)
    assert after.revision == 2 and "mri_done" in after.data["events"]
    assert store.revisions(view.id)[0].note == "recorded mri done"
    latest = [e for e in store.events(view.id) if e.name == "mri_done"]
    assert [(e.revision, e.recorded_by) for e in latest] == [(2, "clinician")]
    page = html(client.get(f"/cases/{view.id}").text)
    timeline = page.find("section", aria_label="Timeline").text
    assert "MRI done" in timeline and "r2" in timeline
    buttons = [b["value"] for b in page.find("form", class_="quick-events").find_all("button")]
    assert "mri_done" not in buttons


def test_record_now_refuses_a_stale_revision_or_an_unknown_event(
        signed_in: Any, store: Store, demo_case: Any, counts: Any) -> None:
    view = store.create_case(demo_case("stable-breast"), "alice")
    store.update_case(view.id, view.data, 1, "bob")
    client = signed_in("clinician")
    before = counts(store)
    stale = client.post(f"/cases/{view.id}/events", data={
        "csrf_token": client.csrf, "event": "mri_done", "revision": "1"})
    assert stale.status_code == 409
    unknown = client.post(f"/cases/{view.id}/events", data={
        "csrf_token": client.csrf, "event": "lunch", "revision": "2"})
    assert unknown.status_code == 404
    assert counts(store) == before


def test_an_unknown_case_page_is_a_404_page(signed_in: Any) -> None:
    answer = signed_in("viewer").get("/cases/999")
    assert answer.status_code == 404
    assert "Not found" in answer.text and answer.headers["content-type"].startswith("text/html")


def test_the_home_page_leads_to_the_case_list(signed_in: Any) -> None:
    answer = signed_in("viewer").get("/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/cases"


def test_an_invalid_edit_is_shown_again_with_its_problems_and_nothing_is_saved(
        signed_in: Any, store: Store, demo_case: Any, html: Any, counts: Any) -> None:
    view = store.create_case(demo_case("stable-breast"), "alice")
    client = signed_in("clinician")
    form = form_of(html(client.get(f"/cases/{view.id}/edit").text))
    before = counts(store)
    answer = client.post(f"/cases/{view.id}", data=form.data(changes={"status.kps": "75"}))
    assert answer.status_code == 422
    page = html(answer.text)
    assert page.find("input", name="status.kps")["value"] == "75"
    assert page.find("input", name="status.kps")["aria-invalid"] == "true"
    assert page.find("input", name="revision")["value"] == "1"
    assert "status.kps" in page.find("section", class_="invalid").text
    assert counts(store) == before


def test_the_clinician_report_and_patient_summary_open_from_the_case(
        signed_in: Any, store: Store, demo_case: Any) -> None:
    view = store.create_case(demo_case("mscc-emergency"), "alice")
    client = signed_in("viewer")
    for kind in ("report", "patient"):
        answer = client.get(f"/cases/{view.id}/{kind}")
        assert answer.status_code == 200, kind
        assert answer.headers["content-type"].startswith("text/html"), kind
        assert "<html" in answer.text.lower(), kind
    assert client.get(f"/cases/{view.id}/notes.pdf").status_code == 404
    assert client.get("/cases/999/report").status_code == 404


# One PDF is enough to prove the route (rendering is slow and does not touch the database).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_report_downloads_as_a_pdf_named_after_the_case_and_revision(
        signed_in: Any, store: Store, demo_case: Any) -> None:
    view = store.create_case(demo_case("stable-breast"), "alice")
    answer = signed_in("viewer").get(f"/cases/{view.id}/patient.pdf", params={
        "paper": "letter"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="case-{view.id}-r1-patient.pdf"')
