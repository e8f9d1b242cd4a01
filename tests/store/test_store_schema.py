"""The schema: migrations from empty and back, restarts, and the guards the database enforces.

The audit log and signed decisions are protected twice, by the store and by triggers; these
tests go around the store with raw SQL to prove the second line holds on both databases.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from oncospine.store import Store
from oncospine.store.base import MIGRATIONS
from oncospine.store.models import Base

pytestmark = pytest.mark.usefixtures("fast_passwords")

SURGEON, ONCOLOGIST = ("Ms Surgeon", "spinal_surgeon"), ("Dr Oncologist", "clinical_oncologist")


def alembic_config(conn: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def tables(store: Store) -> set[str]:
    return set(sa.inspect(store.engine).get_table_names())


def stored_version(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())


def raw(store: Store, sql: str, **params: Any) -> int:
    """Run one statement in its own transaction; the number of rows it touched."""
    with store.engine.begin() as conn:
        return int(conn.execute(sa.text(sql), params).rowcount)


def signed_and_draft(store: Store, demo_case: Any) -> tuple[int, int]:
    """A quorate meeting with two cases: one decision signed, one left as a draft."""
    first = store.create_case(demo_case("mscc-emergency"), "alice")
    second = store.create_case(demo_case("stable-breast"), "alice")
    meeting = store.create_meeting(date(2026, 11, 23), "Board", "cora",
                                   attendees=[SURGEON, ONCOLOGIST],
                                   case_ids=[first.id, second.id])
    signed = store.record_decision(meeting.id, first.id, options=["sbrt"], rationale="agreed",
                                   actor="chair", role="chair", sign=True)
    draft = store.record_decision(meeting.id, second.id, options=["mdt_review"],
                                  rationale="to discuss", actor="cora", role="coordinator")
    assert signed.signed and not draft.signed
    return signed.id, draft.id


# ---------------------------------------------------------------------- migrations
def test_an_empty_database_is_migrated_to_every_table_at_head(store: Store) -> None:
    assert tables(store) == set(Base.metadata.tables) | {"alembic_version"}
    assert stored_version(store) == [head_revision()]


def test_the_migrated_schema_matches_the_models_column_for_column(store: Store) -> None:
    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_downgrade_to_base_removes_everything_and_upgrade_rebuilds_it(
        store: Store, demo_case: Any) -> None:
    store.create_case(demo_case("mscc-emergency"), "alice")
    with store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert tables(store) <= {"alembic_version"}
    assert stored_version(store) == []
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            functions = conn.execute(sa.text(
                "SELECT proname FROM pg_proc WHERE proname LIKE 'oncospine_%'")).scalars().all()
        assert functions == []

    with store.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    assert tables(store) == set(Base.metadata.tables) | {"alembic_version"}
    assert stored_version(store) == [head_revision()]
    assert store.case_count() == 0
    store.add_user("after", "viewer", password="pw")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        raw(store, "UPDATE audit_log SET actor = 'someone else'")


def test_opening_the_store_twice_runs_no_migration_twice(database_url: str) -> None:
    first = Store(database_url)
    first.close()
    again = Store(database_url)
    try:
        assert stored_version(again) == [head_revision()]
    finally:
        again.close()


def test_a_restart_loses_nothing(database_url: str, demo_case: Any) -> None:
    before = Store(database_url)
    before.add_user("chair", "chair", password="pw-chair")
    token = before.create_token("chair", "script")
    case = before.create_case(demo_case("mscc-emergency"), "alice")
    edited = dict(case.data, id="renamed")
    edited = before.update_case(case.id, edited, 1, "bob", note="renamed")
    meeting = before.create_meeting(date(2026, 11, 23), "Board", "cora",
                                    attendees=[SURGEON, ONCOLOGIST], case_ids=[case.id])
    decision = before.record_decision(meeting.id, case.id, options=["sbrt"], rationale="agreed",
                                      actor="chair", role="chair", sign=True)
    session, csrf = before.open_session(before.users()[0])
    seen = {
        "case": before.get_case(case.id), "first": before.get_case(case.id, 1),
        "revisions": before.revisions(case.id), "events": before.events(case.id),
        "meeting": before.get_meeting(meeting.id), "audit": before.audit_log(),
        "decisions": before.decisions_for_case(case.id),
    }
    before.close()

    after = Store(database_url)
    try:
        assert after.get_case(case.id) == seen["case"]
        assert after.get_case(case.id, 1) == seen["first"]
        assert after.revisions(case.id) == seen["revisions"]
        assert after.events(case.id) == seen["events"]
        assert after.get_meeting(meeting.id) == seen["meeting"]
        assert after.decisions_for_case(case.id) == seen["decisions"]
        assert after.decisions_for_case(case.id)[0].id == decision.id
        assert after.audit_log() == seen["audit"]
        assert after.authenticate("chair", "pw-chair") is not None
        user = after.token_user(token)
        assert user is not None and user.username == "chair"
        assert after.session_user(session) == (after.users()[0], csrf)
    finally:
        after.close()


# ---------------------------------------------------------------------- database guards
def test_the_database_refuses_to_change_the_audit_log(store: Store) -> None:
    store.add_user("someone", "viewer", password="pw")
    before = store.audit_log()
    assert before
    for statement in ("UPDATE audit_log SET actor = 'someone else'",
                      "UPDATE audit_log SET detail = '{}'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            raw(store, statement)
    assert store.audit_log() == before


def test_the_database_still_accepts_new_audit_entries(store: Store) -> None:
    store.add_user("someone", "viewer", password="pw")
    raw(store, "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) "
               "VALUES (:at, 'dba', 'note', 'case', '1', '{}')", at="2026-11-20 09:30:00+00:00")
    assert [e.actor for e in store.audit_log()][:2] == ["dba", "system"]


def test_the_database_refuses_to_change_a_signed_decision(store: Store,
                                                         demo_case: Any) -> None:
    signed_id, _draft = signed_and_draft(store, demo_case)
    case_id = store.get_meeting(1).case_ids[0]
    before = store.decisions_for_case(case_id)
    for statement in ("UPDATE decisions SET rationale = 'changed afterwards' WHERE id = :id",
                      "UPDATE decisions SET signed_at = NULL, signed_by = NULL WHERE id = :id",
                      "DELETE FROM decisions WHERE id = :id"):
        with pytest.raises(sa.exc.DBAPIError, match="read-only"):
            raw(store, statement, id=signed_id)
    assert store.decisions_for_case(case_id) == before


def test_the_database_lets_an_unsigned_decision_change_and_go(
        store: Store, demo_case: Any) -> None:
    _signed, draft_id = signed_and_draft(store, demo_case)
    assert raw(store, "UPDATE decisions SET rationale = 'reworded' WHERE id = :id",
               id=draft_id) == 1
    case_id = store.get_meeting(1).case_ids[1]
    assert store.decisions_for_case(case_id)[0].rationale == "reworded"
    assert raw(store, "DELETE FROM decisions WHERE id = :id", id=draft_id) == 1
    assert store.decisions_for_case(case_id) == []
