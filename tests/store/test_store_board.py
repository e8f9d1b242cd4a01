"""The tumour board in the store: meetings, attendance and quorum, agenda, decisions."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oncospine.store import Forbidden, Invalid, NotFound, ReadOnly, Store
from oncospine.store.views import ATTENDEE_ROLES, AttendeeView, MeetingView

pytestmark = pytest.mark.usefixtures("fast_passwords")

DAY = date(2026, 11, 23)
SURGEON, ONCOLOGIST = ("Ms Surgeon", "spinal_surgeon"), ("Dr Oncologist", "clinical_oncologist")
RADIOLOGIST = ("Dr Radiologist", "radiologist")


@pytest.fixture
def cases(store: Store, demo_case: Any) -> list[int]:
    return [store.create_case(demo_case(name), "alice").id
            for name in ("mscc-emergency", "stable-breast", "renal-sbrt")]


@pytest.fixture
def quorate(store: Store, cases: list[int]) -> int:
    """A meeting with a surgeon and a clinical oncologist present and the first case listed."""
    return store.create_meeting(DAY, "Spinal tumour board", "cora",
                                attendees=[SURGEON, ONCOLOGIST, RADIOLOGIST],
                                case_ids=[cases[0]]).id


def recommended(store: Store, case_id: int) -> list[str]:
    return [o["id"] for o in store.get_case(case_id).assessment["plan"]["options"]
            if o["role"] == "recommended"]


# ---------------------------------------------------------------------- meetings
def test_a_meeting_keeps_its_attendees_with_their_roles_and_its_agenda(
        store: Store, cases: list[int]) -> None:
    meeting = store.create_meeting(DAY, "  ", "cora", attendees=[SURGEON, ONCOLOGIST,
                                                                 ("   ", "radiologist")],
                                   case_ids=cases[:2])
    assert meeting.title == "Spinal tumour board"
    assert meeting.held_on == DAY and meeting.created_by == "cora"
    assert [(a.name, a.role, a.present) for a in meeting.attendees] == [
        ("Ms Surgeon", "spinal_surgeon", True), ("Dr Oncologist", "clinical_oncologist", True)]
    assert meeting.case_ids == tuple(cases[:2])
    assert store.get_meeting(meeting.id) == meeting
    assert store.meetings() == [meeting]


def test_meetings_are_listed_newest_first(store: Store) -> None:
    older = store.create_meeting(date(2026, 11, 2), "Older", "cora")
    newer = store.create_meeting(date(2026, 11, 30), "Newer", "cora")
    assert [m.id for m in store.meetings()] == [newer.id, older.id]


def test_an_unknown_attendee_role_is_refused_and_no_meeting_is_created(
        store: Store, counts: Any) -> None:
    before = counts(store)
    with pytest.raises(Invalid, match="unknown attendee role 'surgeon'"):
        store.create_meeting(DAY, "Board", "cora", attendees=[SURGEON, ("Dr X", "surgeon")])
    assert counts(store) == before


def test_adding_an_attendee_with_an_unknown_role_is_refused(store: Store,
                                                            quorate: int) -> None:
    before = store.get_meeting(quorate)
    with pytest.raises(Invalid):
        store.add_attendee(quorate, "Dr Y", "oncologist", "cora")
    assert store.get_meeting(quorate) == before
    after = store.add_attendee(quorate, "Nurse Z", "clinical_nurse_specialist", "cora")
    assert after.attendees[-1].name == "Nurse Z" and after.attendees[-1].present


def test_a_meeting_with_an_unknown_case_is_refused_and_nothing_is_written(
        store: Store, cases: list[int], counts: Any) -> None:
    before = counts(store)
    with pytest.raises(NotFound):
        store.create_meeting(DAY, "Board", "cora", attendees=[SURGEON], case_ids=[cases[0], 999])
    assert counts(store) == before


def test_the_agenda_lists_each_case_once_in_the_order_added(store: Store,
                                                           cases: list[int]) -> None:
    a, b, c = cases
    meeting = store.create_meeting(DAY, "Board", "cora", case_ids=[a, a, b])
    assert meeting.case_ids == (a, b)
    meeting = store.add_to_agenda(meeting.id, [b, c, c, a], "cora")
    assert meeting.case_ids == (a, b, c)
    assert store.get_meeting(meeting.id).case_ids == (a, b, c)


def test_adding_an_unknown_case_to_the_agenda_is_refused_and_changes_nothing(
        store: Store, cases: list[int], quorate: int) -> None:
    before = store.get_meeting(quorate)
    with pytest.raises(NotFound):
        store.add_to_agenda(quorate, [cases[1], 999], "cora")
    assert store.get_meeting(quorate) == before


def test_unknown_meetings_and_attendees_are_not_found(store: Store, quorate: int) -> None:
    other = store.create_meeting(DAY, "Other", "cora", attendees=[RADIOLOGIST])
    with pytest.raises(NotFound):
        store.get_meeting(999)
    with pytest.raises(NotFound):
        store.add_to_agenda(999, [], "cora")
    with pytest.raises(NotFound):
        store.set_presence(quorate, other.attendees[0].id, False, "cora")
    with pytest.raises(NotFound):
        store.set_presence(999, 1, False, "cora")


def test_quorum_needs_a_present_spinal_surgeon_and_a_present_clinical_oncologist(
        store: Store) -> None:
    meeting = store.create_meeting(DAY, "Board", "cora", attendees=[
        SURGEON, ONCOLOGIST, ("Dr Medical", "medical_oncologist")])
    surgeon, oncologist, _medical = (a.id for a in meeting.attendees)
    assert meeting.quorate and meeting.quorum_missing == ()

    meeting = store.set_presence(meeting.id, oncologist, False, "cora")
    assert not meeting.quorate
    assert meeting.quorum_missing == ("clinical_oncologist",)  # a medical oncologist is not one
    meeting = store.set_presence(meeting.id, surgeon, False, "cora")
    assert meeting.quorum_missing == ("spinal_surgeon", "clinical_oncologist")
    meeting = store.set_presence(meeting.id, oncologist, True, "cora")
    assert meeting.quorum_missing == ("spinal_surgeon",)
    meeting = store.set_presence(meeting.id, surgeon, True, "cora")
    assert meeting.quorate
    assert store.get_meeting(meeting.id).quorate
    assert [a.present for a in store.get_meeting(meeting.id).attendees] == [True, True, True]


@given(st.lists(st.tuples(st.sampled_from(ATTENDEE_ROLES), st.booleans()), max_size=8))
def test_a_meeting_is_quorate_exactly_when_both_key_roles_are_present(
        attendance: list[tuple[str, bool]]) -> None:
    meeting = MeetingView(1, DAY, "Board", "cora", tuple(
        AttendeeView(n, f"person {n}", role, present)
        for n, (role, present) in enumerate(attendance)), ())
    present = {role for role, here in attendance if here}
    expected = "spinal_surgeon" in present and "clinical_oncologist" in present
    assert meeting.quorate is expected
    assert set(meeting.quorum_missing) == {"spinal_surgeon", "clinical_oncologist"} - present


# ---------------------------------------------------------------------- decisions
def test_a_coordinator_or_the_chair_may_draft_a_decision(
        store: Store, cases: list[int], quorate: int) -> None:
    options = recommended(store, cases[0])[:2]
    for role in ("coordinator", "chair"):
        draft = store.record_decision(quorate, cases[0], options=options,
                                      rationale=f" agreed by {role}  ", dissent="",
                                      actor=role, role=role)
        assert not draft.signed and draft.signed_by is None, role
        assert draft.options == tuple(options), role
        assert draft.rationale == f"agreed by {role}", role
        assert draft.recorded_by == role
        assert store.get_meeting(quorate).decision_for(cases[0]) == draft


def test_other_roles_may_not_draft_a_decision(store: Store, cases: list[int], quorate: int,
                                              counts: Any) -> None:
    before = counts(store)
    for role in ("viewer", "clinician", "admin"):
        with pytest.raises(Forbidden):
            store.record_decision(quorate, cases[0], options=["sbrt"], rationale="x",
                                  actor=role, role=role)
    assert counts(store) == before


def test_only_the_chair_may_sign_a_decision(store: Store, cases: list[int],
                                            quorate: int) -> None:
    draft = store.record_decision(quorate, cases[0], options=["sbrt"], rationale="agreed",
                                  actor="cora", role="coordinator")
    for role in ("viewer", "clinician", "coordinator", "admin"):
        with pytest.raises(Forbidden):
            store.sign_decision(draft.id, actor=role, role=role)
    for role in ("coordinator", "viewer"):
        with pytest.raises(Forbidden):
            store.record_decision(quorate, cases[0], options=["sbrt"], rationale="agreed",
                                  actor=role, role=role, sign=True)
    assert store.decisions_for_case(cases[0]) == [draft]


def test_the_chair_signs_a_draft_and_it_becomes_read_only(store: Store, cases: list[int],
                                                         quorate: int) -> None:
    draft = store.record_decision(quorate, cases[0], options=["sbrt"], rationale="agreed",
                                  actor="cora", role="coordinator")
    signed = store.sign_decision(draft.id, actor="chair", role="chair")
    assert signed.id == draft.id and signed.signed
    assert signed.signed_by == "chair" and signed.signed_at is not None
    assert signed.recorded_by == "cora"

    with pytest.raises(ReadOnly):
        store.sign_decision(draft.id, actor="chair", role="chair")
    with pytest.raises(ReadOnly):
        store.record_decision(quorate, cases[0], options=["cebrt"], rationale="changed mind",
                              actor="chair", role="chair")
    with pytest.raises(ReadOnly):
        store.record_decision(quorate, cases[0], options=["cebrt"], rationale="changed mind",
                              actor="chair", role="chair", sign=True)
    assert store.decisions_for_case(cases[0]) == [signed]


def test_signing_needs_a_quorate_meeting(store: Store, cases: list[int]) -> None:
    meeting = store.create_meeting(DAY, "Board", "cora", attendees=[SURGEON, RADIOLOGIST],
                                   case_ids=[cases[0]])
    with pytest.raises(Invalid, match="not quorate: no clinical oncologist"):
        store.record_decision(meeting.id, cases[0], options=["sbrt"], rationale="agreed",
                              actor="chair", role="chair", sign=True)
    assert store.decisions_for_case(cases[0]) == []

    draft = store.record_decision(meeting.id, cases[0], options=["sbrt"], rationale="agreed",
                                  actor="chair", role="chair")
    with pytest.raises(Invalid, match="not quorate"):
        store.sign_decision(draft.id, actor="chair", role="chair")
    assert not store.decisions_for_case(cases[0])[0].signed

    store.add_attendee(meeting.id, *ONCOLOGIST, "cora")
    assert store.sign_decision(draft.id, actor="chair", role="chair").signed


def test_a_draft_can_be_replaced_until_it_is_signed(store: Store, cases: list[int],
                                                   quorate: int) -> None:
    first = store.record_decision(quorate, cases[0], options=["sbrt"], rationale="first",
                                  actor="cora", role="coordinator")
    second = store.record_decision(quorate, cases[0], options=["cebrt", "mdt_review"],
                                   rationale="second", dissent="Dr X preferred SBRT",
                                   actor="chair", role="chair", sign=True)
    assert second.id == first.id
    assert (second.options, second.rationale, second.dissent) == (
        ("cebrt", "mdt_review"), "second", "Dr X preferred SBRT")
    assert second.signed and second.recorded_by == "chair"
    assert len(store.decisions_for_case(cases[0])) == 1


def test_decision_options_must_come_from_the_assessment(
        store: Store, cases: list[int], quorate: int) -> None:
    for options, message in [(["sbrt", "amputation"], "not in the assessment: amputation"),
                             (["no_such_option"], "not in the assessment"),
                             ([], "at least one")]:
        with pytest.raises(Invalid, match=message):
            store.record_decision(quorate, cases[0], options=options, rationale="x",
                                  actor="chair", role="chair")
    assert store.decisions_for_case(cases[0]) == []


def test_workup_and_triage_actions_count_as_options_of_the_assessment(
        store: Store, cases: list[int], quorate: int) -> None:
    assessment = store.get_case(cases[0]).assessment
    chosen = [assessment["workup"][0]["id"], assessment["triage"]["actions"][0]["id"]]
    assert store.record_decision(quorate, cases[0], options=chosen, rationale="x",
                                 actor="chair", role="chair").options == tuple(chosen)


def test_a_decision_needs_a_rationale(store: Store, cases: list[int], quorate: int) -> None:
    for rationale in ("", "   \n "):
        with pytest.raises(Invalid, match="rationale"):
            store.record_decision(quorate, cases[0], options=["sbrt"], rationale=rationale,
                                  actor="chair", role="chair", sign=True)
    assert store.decisions_for_case(cases[0]) == []


def test_a_decision_is_only_for_a_case_on_the_agenda(store: Store, cases: list[int],
                                                     quorate: int) -> None:
    with pytest.raises(Invalid, match="not on the agenda"):
        store.record_decision(quorate, cases[1], options=["mdt_review"], rationale="x",
                              actor="chair", role="chair")
    with pytest.raises(NotFound):
        store.record_decision(999, cases[0], options=["sbrt"], rationale="x",
                              actor="chair", role="chair")
    with pytest.raises(NotFound):
        store.sign_decision(999, actor="chair", role="chair")


def test_a_decision_keeps_the_assessment_it_was_based_on_after_the_case_changes(
        store: Store, cases: list[int], quorate: int) -> None:
    before = store.get_case(cases[0])
    signed = store.record_decision(quorate, cases[0], options=["sbrt"], rationale="agreed",
                                   actor="chair", role="chair", sign=True)
    assert signed.assessment_id == before.assessment_id

    changed = copy.deepcopy(before.data)
    changed["status"]["ambulatory"] = "non_ambulatory"
    after = store.update_case(cases[0], changed, before.revision, "alice")

    assert after.assessment_id != before.assessment_id
    kept = store.decisions_for_case(cases[0])[0]
    assert kept.assessment_id == before.assessment_id
    assert store.assessment(kept.assessment_id) == before.assessment
    assert store.get_meeting(quorate).decision_for(cases[0]) == signed


def test_a_draft_recorded_after_an_edit_is_based_on_the_new_assessment(
        store: Store, cases: list[int], quorate: int) -> None:
    draft = store.record_decision(quorate, cases[0], options=["sbrt"], rationale="first",
                                  actor="cora", role="coordinator")
    view = store.get_case(cases[0])
    edited = store.update_case(cases[0], dict(view.data, id="edited"), view.revision, "alice")
    redrafted = store.record_decision(quorate, cases[0], options=["sbrt"], rationale="again",
                                      actor="cora", role="coordinator")
    assert draft.assessment_id == view.assessment_id
    assert redrafted.assessment_id == edited.assessment_id
