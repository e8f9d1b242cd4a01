"""Cases in the store: revisions, snapshots, optimistic locking, pathway events, the case list."""

from __future__ import annotations

import copy
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncospine.assessment import assess
from oncospine.case import validate_case
from oncospine.errors import CaseValidationError
from oncospine.knowledge import ruleset
from oncospine.store import NotFound, RevisionConflict, Store
from oncospine.store.service import TRIAGE_RANK

pytestmark = pytest.mark.usefixtures("fast_passwords")

AT = "2026-11-20T09:30:00+00:00"


def case(**parts: Any) -> dict[str, Any]:
    return {"format": "oncospine-case/1", "assessed_at": AT, **parts}


def emergency(label: str, presented: str | None = None) -> dict[str, Any]:
    """Cancer and a new neurological deficit: suspected MSCC, an emergency."""
    data = case(id=label, cancer={"history": "current"},
                presentation={"neuro_features": ["limb_weakness"]})
    if presented:
        data["events"] = {"presentation": presented}
    return data


def urgent(label: str) -> dict[str, Any]:
    """Cancer and spinal pain, no neurological deficit: urgent."""
    return case(id=label, cancer={"history": "current"},
                presentation={"spinal_pain": True, "neuro_features": []})


def routine(label: str) -> dict[str, Any]:
    return case(id=label, cancer={"history": "none"},
                presentation={"spinal_pain": True, "neuro_features": []})


def with_events(data: dict[str, Any], **events: str | None) -> dict[str, Any]:
    out = copy.deepcopy(data)
    merged = {**out.get("events", {}), **events}
    out["events"] = {k: v for k, v in merged.items() if v is not None}
    return out


# ---------------------------------------------------------------------- create and read
def test_a_new_case_is_revision_one_with_a_snapshot_stamped_with_the_ruleset(
        store: Store, demo_case: Any) -> None:
    data = demo_case("mscc-emergency")
    view = store.create_case(data, "alice", note="first contact")

    assert view.revision == 1
    assert view.label == "demo-mscc-emergency"
    assert view.created_by == view.updated_by == "alice"
    assert view.assessment == assess(validate_case(data))
    assert view.assessment["ruleset"]["version"] == ruleset()["version"]
    assert store.assessment(view.assessment_id) == view.assessment
    with store.engine.connect() as conn:
        stamped = conn.execute(sa.text(
            "SELECT case_id, revision, ruleset_version, ruleset_hash FROM assessments")).all()
    assert [tuple(row) for row in stamped] == [
        (view.id, 1, ruleset()["version"], ruleset()["sha256"])]
    assert store.get_case(view.id) == view
    assert [(r.revision, r.created_by, r.note) for r in store.revisions(view.id)] == [
        (1, "alice", "first contact")]
    assert view.summary.triage_level == "emergency" and view.summary.triage_pathway == "mscc"


def test_a_case_is_stored_without_the_fields_nobody_filled_in(store: Store) -> None:
    given = case(cancer={"history": "current", "primary_site": None})
    view = store.create_case(given, "alice")
    assert view.data["cancer"] == {"history": "current"}
    assert validate_case(view.data) == validate_case(given)
    assert store.get_case(view.id).data == view.data


def test_an_invalid_case_is_refused_and_nothing_is_written(
        store: Store, counts: Any) -> None:
    before = counts(store)
    with pytest.raises(CaseValidationError) as refused:
        store.create_case(case(cancer={"primary_site": "brest"}), "alice")
    assert refused.value.issues[0].suggestion == "breast"
    assert counts(store) == before


def test_unknown_cases_and_revisions_are_not_found(store: Store, demo_case: Any) -> None:
    view = store.create_case(demo_case("stable-breast"), "alice")
    with pytest.raises(NotFound):
        store.get_case(view.id + 1)
    with pytest.raises(NotFound):
        store.get_case(view.id, revision=2)
    with pytest.raises(NotFound):
        store.assessment(view.assessment_id + 100)


def test_a_case_started_from_an_ehr_is_found_by_its_patient(store: Store,
                                                            demo_case: Any) -> None:
    first = store.create_case(demo_case("stable-breast"), "cds", external_patient="pt-1")
    later = store.create_case(demo_case("renal-sbrt"), "cds", external_patient="pt-1")
    store.create_case(demo_case("mscc-emergency"), "cds", external_patient="pt-2")
    assert store.case_by_patient("pt-1") == later.id != first.id
    assert store.case_by_patient("pt-3") is None


# ---------------------------------------------------------------------- revisions
def test_every_edit_is_a_new_revision_and_old_ones_stay_as_they_were(
        store: Store, demo_case: Any) -> None:
    data = demo_case("stable-breast")
    saved = [store.create_case(data, "alice")]
    for n, actor in enumerate(["bob", "carol", "dan"], start=2):
        data = copy.deepcopy(data)
        data["status"]["ecog"] = n
        saved.append(store.update_case(saved[0].id, data, n - 1, actor, note=f"ecog {n}"))

    assert [v.revision for v in saved] == [1, 2, 3, 4]
    assert len({v.assessment_id for v in saved}) == 4
    assert [(r.revision, r.created_by, r.note) for r in store.revisions(saved[0].id)] == [
        (4, "dan", "ecog 4"), (3, "carol", "ecog 3"), (2, "bob", "ecog 2"), (1, "alice", "")]
    for old in saved:
        again = store.get_case(old.id, old.revision)
        assert again.data == old.data
        assert again.assessment == old.assessment
        assert again.assessment_id == old.assessment_id
        assert store.assessment(old.assessment_id) == old.assessment
    latest = store.get_case(saved[0].id)
    assert latest.revision == 4 and latest.data["status"]["ecog"] == 4
    assert latest.updated_by == "dan" and latest.created_by == "alice"


def test_an_old_revision_reads_as_that_revision_with_its_own_number_and_label(
        store: Store, demo_case: Any) -> None:
    data = demo_case("stable-breast")
    first = store.create_case(data, "alice")
    store.update_case(first.id, dict(data, id="renamed"), 1, "bob")

    old = store.get_case(first.id, revision=1)
    assert old.data["id"] == "demo-stable-breast"
    assert old.revision == 1
    assert old.label == "demo-stable-breast"
    assert old.updated_by == "alice"  # who saved this revision, not the latest one
    latest = store.get_case(first.id)
    assert (latest.revision, latest.label, latest.updated_by) == (2, "renamed", "bob")


def test_a_stale_revision_is_refused_and_nothing_is_written(
        store: Store, demo_case: Any, counts: Any) -> None:
    data = demo_case("stable-breast")
    first = store.create_case(data, "alice")
    second = store.update_case(first.id, dict(data, id="second"), 1, "bob")
    before, audit = counts(store), store.audit_log()

    with pytest.raises(RevisionConflict) as conflict:
        store.update_case(first.id, with_events(data, mri_done=AT), 1, "carol")

    assert (conflict.value.case_id, conflict.value.expected, conflict.value.current) == (
        first.id, 1, 2)
    assert counts(store) == before
    assert store.audit_log() == audit
    assert store.get_case(first.id) == second
    assert [e.name for e in store.events(first.id)] == ["presentation"]


def test_a_revision_from_the_future_is_refused_too(store: Store, demo_case: Any,
                                                   counts: Any) -> None:
    view = store.create_case(demo_case("stable-breast"), "alice")
    before = counts(store)
    with pytest.raises(RevisionConflict):
        store.update_case(view.id, view.data, 5, "bob")
    assert counts(store) == before


def test_editing_a_case_that_does_not_exist_is_not_found_and_writes_nothing(
        store: Store, demo_case: Any, counts: Any) -> None:
    before = counts(store)
    with pytest.raises(NotFound):
        store.update_case(42, demo_case("stable-breast"), 1, "bob")
    assert counts(store) == before


def test_an_invalid_edit_is_refused_and_the_case_keeps_its_revision(
        store: Store, demo_case: Any, counts: Any) -> None:
    view = store.create_case(demo_case("stable-breast"), "alice")
    before = counts(store)
    with pytest.raises(CaseValidationError):
        store.update_case(view.id, dict(view.data, lesions=[{"bone_lesoin": "lytic"}]), 1, "b")
    assert counts(store) == before
    assert store.get_case(view.id) == view


@pytest.mark.parametrize("round_no", range(4))
def test_two_simultaneous_edits_from_one_revision_give_one_save_and_one_conflict(
        store: Store, demo_case: Any, round_no: int) -> None:
    data = demo_case("stable-breast")
    view = store.create_case(data, "alice")
    start = 1
    for extra in range(round_no):  # start later rounds from a later revision
        view = store.update_case(view.id, dict(data, id=f"pre-{extra}"), start, "alice")
        start += 1
    barrier = threading.Barrier(2)
    outcome: dict[str, Any] = {}

    def edit(who: str) -> None:
        mine = dict(data, id=f"edited by {who}")
        barrier.wait()
        try:
            outcome[who] = store.update_case(view.id, mine, start, who)
        except Exception as exc:  # every outcome, expected or not, is inspected below
            outcome[who] = exc

    threads = [threading.Thread(target=edit, args=(who,)) for who in ("bob", "carol")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    saved = [who for who, result in outcome.items() if not isinstance(result, Exception)]
    refused = [who for who, result in outcome.items() if isinstance(result, RevisionConflict)]
    assert len(saved) == 1 and len(refused) == 1, outcome
    winner = saved[0]
    latest = store.get_case(view.id)
    assert latest.revision == start + 1
    assert latest.label == f"edited by {winner}" and latest.updated_by == winner
    assert [r.revision for r in store.revisions(view.id)] == list(range(start + 1, 0, -1))
    assert outcome[refused[0]].current == start + 1


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(claims=st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=6))
def test_the_revision_counts_exactly_the_edits_that_were_accepted(
        store: Store, claims: list[int]) -> None:
    view = store.create_case(urgent("counted"), "alice")
    current, accepted = 1, 1
    for claimed in claims:
        try:
            store.update_case(view.id, urgent(f"claim {claimed}"), claimed, "bob")
        except RevisionConflict as conflict:
            assert claimed != current and conflict.current == current
        else:
            assert claimed == current
            current += 1
            accepted += 1
    assert store.get_case(view.id).revision == current
    assert len(store.revisions(view.id)) == accepted


# ---------------------------------------------------------------------- pathway events
def test_pathway_events_are_recorded_with_who_and_which_revision_only_when_they_change(
        store: Store) -> None:
    t0, t1, t2 = ("2026-11-20T06:00:00+00:00", "2026-11-20T06:30:00+00:00",
                  "2026-11-20T07:00:00+00:00")
    data = emergency("events", presented=t0)
    view = store.create_case(data, "alice")
    assert [(e.name, e.at, e.revision, e.recorded_by) for e in store.events(view.id)] == [
        ("presentation", datetime(2026, 11, 20, 6, tzinfo=UTC), 1, "alice")]

    data = with_events(data, coordinator_contact=t1)
    store.update_case(view.id, data, 1, "bob")
    store.update_case(view.id, dict(data, id="relabelled, events untouched"), 2, "carol")
    data = with_events(data, coordinator_contact=t2)
    store.update_case(view.id, data, 3, "dan")

    timeline = [(e.name, e.at, e.revision, e.recorded_by) for e in store.events(view.id)]
    assert timeline == [
        ("presentation", datetime(2026, 11, 20, 6, tzinfo=UTC), 1, "alice"),
        ("coordinator_contact", datetime(2026, 11, 20, 6, 30, tzinfo=UTC), 2, "bob"),
        ("coordinator_contact", datetime(2026, 11, 20, 7, tzinfo=UTC), 4, "dan"),
    ]
    actions = [(a.action, a.actor, a.detail.get("event")) for a in store.audit_log(
        entity="case", entity_id=view.id) if a.action == "event.record"]
    assert sorted(actions) == sorted([("event.record", "alice", "presentation"),
                                      ("event.record", "bob", "coordinator_contact"),
                                      ("event.record", "dan", "coordinator_contact")])


def test_a_removed_pathway_event_is_recorded_as_removed(store: Store) -> None:
    data = with_events(emergency("removal", presented="2026-11-20T06:00:00+00:00"),
                       mri_done="2026-11-20T08:00:00+00:00")
    view = store.create_case(data, "alice")
    store.update_case(view.id, with_events(data, mri_done=None), 1, "bob")

    removed = [e for e in store.events(view.id) if e.name == "mri_done" and e.revision == 2]
    assert len(removed) == 1
    assert removed[0].at is None and removed[0].recorded_by == "bob"
    assert "mri_done" not in store.get_case(view.id).data["events"]


def test_event_times_keep_the_instant_whatever_offset_they_were_given_in(
        store: Store) -> None:
    data = emergency("offsets", presented="2026-11-20T07:00:00+01:00")
    view = store.create_case(data, "alice")
    (event,) = store.events(view.id)
    assert event.at == datetime(2026, 11, 20, 6, tzinfo=UTC)
    assert event.at.utcoffset() == timedelta(0)


# ---------------------------------------------------------------------- the case list
@pytest.fixture
def listed(store: Store) -> dict[str, int]:
    """Six cases at every level, two emergencies with running clocks due at different times."""
    ids = {}
    for label, data in [
        ("routine back pain", routine("routine back pain")),
        ("urgent pain", urgent("urgent pain")),
        ("emergency no clock", emergency("emergency no clock")),
        ("emergency due 08:00", emergency("emergency due 08:00", "2026-11-20T08:00:00+00:00")),
        ("emergency due 07:00", emergency("emergency due 07:00", "2026-11-20T07:00:00+00:00")),
        ("URGENT second", urgent("URGENT second")),
    ]:
        ids[label] = store.create_case(data, "alice").id
    return ids


def labels(rows: list[Any]) -> list[str]:
    return [r.label for r in rows]


def test_the_case_list_puts_the_most_urgent_first_then_the_nearest_deadline(
        store: Store, listed: dict[str, int]) -> None:
    rows, total = store.list_cases()
    assert total == 6
    assert labels(rows)[:2] == ["emergency due 07:00", "emergency due 08:00"]
    assert [r.triage_level for r in rows] == [
        "emergency", "emergency", "emergency", "urgent", "urgent", "routine"]
    dues = [min(c.due for c in r.clocks) for r in rows[:2]]
    assert dues == sorted(dues)


def test_running_clocks_on_the_list_are_those_not_yet_done(store: Store,
                                                          demo_case: Any) -> None:
    done = store.create_case(demo_case("mscc-emergency"), "alice")  # both clocks met
    running = store.create_case(demo_case("myeloma-compression"), "alice")
    summary = {r.id: r for r in store.list_cases()[0]}
    assert summary[done.id].clocks == ()
    assert [c.id for c in summary[running.id].clocks] == ["coordinator_contact", "mri_done"]
    assert all(c.due.tzinfo is not None for c in summary[running.id].clocks)


def test_the_case_list_filters_by_level_pathway_and_label_text(
        store: Store, listed: dict[str, int], demo_case: Any) -> None:
    store.create_case(demo_case("cauda-equina"), "alice")
    emergencies, total = store.list_cases(level="emergency")
    assert total == 4 and {r.triage_level for r in emergencies} == {"emergency"}
    cauda, total = store.list_cases(pathway="cauda_equina")
    assert total == 1 and labels(cauda) == ["demo-cauda-equina"]
    both, total = store.list_cases(level="emergency", pathway="mscc")
    assert total == 3 and "demo-cauda-equina" not in labels(both)
    found, total = store.list_cases(text="urgent")
    assert total == 2 and set(labels(found)) == {"urgent pain", "URGENT second"}
    assert store.list_cases(text="nothing like this") == ([], 0)
    assert store.list_cases(level="soon") == ([], 0)


def test_the_case_list_filters_by_meeting_agenda(store: Store,
                                                 listed: dict[str, int]) -> None:
    from datetime import date

    meeting = store.create_meeting(date(2026, 11, 23), "Board", "cora", case_ids=[
        listed["urgent pain"], listed["routine back pain"]])
    other = store.create_meeting(date(2026, 11, 30), "Board", "cora")
    rows, total = store.list_cases(meeting_id=meeting.id)
    assert total == 2 and labels(rows) == ["urgent pain", "routine back pain"]
    assert store.list_cases(meeting_id=other.id) == ([], 0)


def test_the_case_list_pages_and_counts_every_match(store: Store,
                                                    listed: dict[str, int]) -> None:
    everything, _total = store.list_cases()
    pages = [store.list_cases(limit=4, offset=offset) for offset in (0, 4, 8)]
    assert [t for _rows, t in pages] == [6, 6, 6]
    assert [labels(rows) for rows, _t in pages] == [
        labels(everything[:4]), labels(everything[4:]), []]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(min_value=1, max_value=8), offset=st.integers(min_value=0, max_value=8),
       level=st.sampled_from([None, "emergency", "urgent", "routine", "soon"]))
def test_every_page_is_the_matching_slice_of_the_whole_ordered_list(
        store: Store, listed: dict[str, int], limit: int, offset: int,
        level: str | None) -> None:
    whole, total = store.list_cases(level=level, limit=500)
    page, page_total = store.list_cases(level=level, limit=limit, offset=offset)
    assert page_total == total == len(whole)
    assert [r.id for r in page] == [r.id for r in whole[offset:offset + limit]]
    ranks = [TRIAGE_RANK[r.triage_level] for r in whole]
    assert ranks == sorted(ranks)
