"""The audit log: every write of the store appends who did what to which entity."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from oncospine.store import Store

pytestmark = pytest.mark.usefixtures("fast_passwords")


def test_every_write_appends_who_did_what_to_which_entity(store: Store,
                                                         demo_case: Any) -> None:
    data = demo_case("stable-breast")
    ids: dict[str, int] = {}

    def create_case() -> None:
        ids["case"] = store.create_case(data, "alice").id

    def edit_case() -> None:
        edited = copy.deepcopy(data)
        edited["events"]["mri_requested"] = "2026-11-20T10:00:00+00:00"
        store.update_case(ids["case"], edited, 1, "bob")

    def create_meeting() -> None:
        meeting = store.create_meeting(date(2026, 11, 23), "Board", "cora",
                                       attendees=[("Ms S", "spinal_surgeon")])
        ids["meeting"], ids["attendee"] = meeting.id, meeting.attendees[0].id

    def record() -> None:
        ids["decision"] = store.record_decision(
            ids["meeting"], ids["case"], options=["mdt_review"], rationale="discuss",
            actor="cora", role="coordinator").id

    def token() -> None:
        store.create_token("alice", "script", actor="root")
        ids["token"] = store.tokens()[-1].id

    steps: list[tuple[Callable[[], Any], tuple[str, str, str, str | None]]] = [
        (lambda: store.add_user("alice", "clinician", password="pw", actor="root"),
         ("root", "user.add", "user", None)),
        (lambda: store.authenticate("alice", "pw"), ("alice", "login", "user", None)),
        (token, ("root", "token.create", "token", None)),
        (lambda: store.revoke_token(ids["token"], actor="root"),
         ("root", "token.revoke", "token", "token")),
        (create_case, ("alice", "case.create", "case", "case")),
        (edit_case, ("bob", "case.update", "case", "case")),
        (create_meeting, ("cora", "meeting.create", "meeting", "meeting")),
        (lambda: store.add_to_agenda(ids["meeting"], [ids["case"]], "cora"),
         ("cora", "meeting.agenda", "meeting", "meeting")),
        (lambda: store.add_attendee(ids["meeting"], "Dr O", "clinical_oncologist", "cora"),
         ("cora", "meeting.attendee", "meeting", "meeting")),
        (lambda: store.set_presence(ids["meeting"], ids["attendee"], True, "cora"),
         ("cora", "meeting.presence", "meeting", "meeting")),
        (record, ("cora", "decision.record", "decision", "decision")),
        (lambda: store.sign_decision(ids["decision"], actor="chair", role="chair"),
         ("chair", "decision.sign", "decision", "decision")),
        (lambda: store.record_cds_feedback("mscc-triage", {"outcome": "accepted"}),
         ("cds", "cds.feedback", "cds_feedback", None)),
        (lambda: store.add_cds_issuer("https://ehr.example", {"keys": [{"kty": "EC"}]},
                                      actor="root"),
         ("root", "cds.issuer", "cds_issuer", None)),
    ]
    for step, (actor, action, entity, id_key) in steps:
        before = {a.id for a in store.audit_log(limit=1000)}
        step()
        new = [a for a in store.audit_log(limit=1000) if a.id not in before]
        matching = [a for a in new if (a.actor, a.action, a.entity) == (actor, action, entity)]
        assert matching, f"{action} by {actor} left no audit entry: {new}"
        if id_key is not None:
            assert matching[0].entity_id == str(ids[id_key]), action
        assert matching[0].at.tzinfo is not None


def test_an_edit_records_the_revision_triage_and_changed_sections(store: Store,
                                                                  demo_case: Any) -> None:
    data = demo_case("stable-breast")
    view = store.create_case(data, "alice")
    edited = copy.deepcopy(data)
    edited["presentation"]["neuro_features"] = ["limb_weakness"]
    store.update_case(view.id, edited, 1, "bob")
    entry = next(a for a in store.audit_log(entity="case", entity_id=view.id)
                 if a.action == "case.update")
    assert entry.detail["revision"] == 2
    assert entry.detail["triage"] == "emergency"
    assert entry.detail["changed"] == ["presentation"]


def test_a_decision_entry_names_the_assessment_it_was_based_on(store: Store,
                                                              demo_case: Any) -> None:
    view = store.create_case(demo_case("mscc-emergency"), "alice")
    meeting = store.create_meeting(date(2026, 11, 23), "Board", "cora", case_ids=[view.id])
    decision = store.record_decision(meeting.id, view.id, options=["sbrt"], rationale="x",
                                     actor="cora", role="coordinator")
    (entry,) = store.audit_log(entity="decision", entity_id=decision.id)
    assert entry.detail["assessment"] == view.assessment_id
    assert entry.detail["revision"] == 1
    assert entry.detail["options"] == ["sbrt"]


def test_signing_out_is_written_to_the_audit_log(store: Store) -> None:
    user, _ = store.add_user("alice", "clinician", password="pw")
    assert store.authenticate("alice", "pw") == user
    token, _csrf = store.open_session(user)
    before = {a.id for a in store.audit_log()}
    store.close_session(token)
    new = [a for a in store.audit_log() if a.id not in before]
    assert [(a.actor, a.entity, a.entity_id) for a in new] == [("alice", "user", str(user.id))]


def test_the_audit_log_filters_by_entity_and_is_newest_first(store: Store,
                                                            demo_case: Any) -> None:
    first = store.create_case(demo_case("stable-breast"), "alice")
    second = store.create_case(demo_case("renal-sbrt"), "alice")
    store.update_case(first.id, first.data, 1, "bob")
    entries = store.audit_log(entity="case", entity_id=first.id)
    assert [a.action for a in entries][:1] == ["case.update"]
    assert {a.entity_id for a in entries} == {str(first.id)}
    ids = [a.id for a in store.audit_log()]
    assert ids == sorted(ids, reverse=True)
    assert len(store.audit_log(limit=2)) == 2
    assert str(second.id) in {a.entity_id for a in store.audit_log(entity="case")}
