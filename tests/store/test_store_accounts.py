"""Accounts in the store: users, passwords, login sessions, API tokens, CDS Hooks issuers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from oncospine.store import Invalid, NotFound, Store
from oncospine.store.accounts import ROLES, digest

pytestmark = pytest.mark.usefixtures("fast_passwords")



def public_jwk(kid: str) -> dict[str, Any]:
    """A fresh EC P-256 public key as a JWK (what an EHR publishes)."""
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return {**ECAlgorithm.to_jwk(key, as_dict=True), "kid": kid}


JWKS = {"keys": [public_jwk("k1")]}


def sql(store: Store, statement: str, **params: Any) -> None:
    with store.engine.begin() as conn:
        conn.execute(sa.text(statement), params)


# ---------------------------------------------------------------------- users
def test_every_role_can_be_given_and_the_password_is_checked(store: Store) -> None:
    for role in ROLES:
        user, password = store.add_user(f"u-{role}", role, password=f"secret {role}")
        assert (user.username, user.role, user.active) == (f"u-{role}", role, True)
        assert password == f"secret {role}"
    assert [u.username for u in store.users()] == sorted(f"u-{r}" for r in ROLES)
    assert store.user_count() == len(ROLES)
    found = store.authenticate("u-chair", "secret chair")
    assert found is not None and found.role == "chair"
    assert store.authenticate("u-chair", "secret viewer") is None
    assert store.authenticate("u-chair", "") is None
    assert store.authenticate("nobody", "secret chair") is None


def test_a_generated_password_is_long_and_works_once_shown(store: Store) -> None:
    user, password = store.add_user("newcomer", "clinician")
    assert len(password) >= 16
    assert store.authenticate("newcomer", password) == user


def test_passwords_are_stored_as_argon2id_hashes_only(store: Store, dump: Any) -> None:
    store.add_user("nurse", "clinician", password="correct horse battery")
    assert "correct horse battery" not in dump(store)
    with store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$")


def test_an_unknown_role_is_refused(store: Store, counts: Any) -> None:
    before = counts(store)
    for role in ("surgeon", "Admin", "", "superuser"):
        with pytest.raises(Invalid, match="unknown role"):
            store.add_user("someone", role, password="pw")
    assert counts(store) == before


def test_a_duplicate_or_blank_user_name_is_refused(store: Store, counts: Any) -> None:
    store.add_user("alice", "clinician", password="first")
    before = counts(store)
    with pytest.raises(Invalid, match="already exists"):
        store.add_user("alice", "admin", password="second")
    with pytest.raises(Invalid, match="required"):
        store.add_user("   ", "viewer", password="pw")
    assert counts(store) == before
    assert store.authenticate("alice", "first") is not None
    assert store.authenticate("alice", "second") is None


def test_sign_in_attempts_are_audited_whether_they_succeed_or_not(store: Store) -> None:
    store.add_user("alice", "clinician", password="right")
    store.authenticate("alice", "wrong")
    store.authenticate("alice", "right")
    store.authenticate("mallory", "guess")
    actions = [(a.actor, a.action) for a in store.audit_log()][:3]
    assert actions == [("mallory", "login.failed"), ("alice", "login"),
                       ("alice", "login.failed")]


def test_a_deactivated_account_can_no_longer_sign_in_or_use_its_session_or_tokens(
        store: Store) -> None:
    user, _ = store.add_user("leaver", "clinician", password="pw")
    session, _csrf = store.open_session(user)
    token = store.create_token("leaver", "script")
    sql(store, "UPDATE users SET active = :off WHERE username = 'leaver'", off=False)
    assert store.authenticate("leaver", "pw") is None
    assert store.session_user(session) is None
    assert store.token_user(token) is None


# ---------------------------------------------------------------------- sessions
def test_a_session_opens_resolves_and_closes(store: Store, dump: Any) -> None:
    user, _ = store.add_user("alice", "clinician", password="pw")
    token, csrf = store.open_session(user)
    other, other_csrf = store.open_session(user)
    assert token != other and csrf != other_csrf
    assert store.session_user(token) == (user, csrf)
    assert token not in dump(store) and digest(token) in dump(store)

    store.close_session(token)
    assert store.session_user(token) is None
    assert store.session_user(other) == (user, other_csrf)
    store.close_session(token)  # closing twice is harmless
    assert store.session_user("not a session") is None


def test_a_session_expires(store: Store) -> None:
    user, _ = store.add_user("alice", "clinician", password="pw")
    token, _csrf = store.open_session(user)
    soon = datetime.now(UTC) + timedelta(minutes=5)
    sql(store, "UPDATE login_sessions SET expires_at = :at", at=soon)
    assert store.session_user(token) is not None
    sql(store, "UPDATE login_sessions SET expires_at = :at",
        at=datetime.now(UTC) - timedelta(seconds=1))
    assert store.session_user(token) is None


def test_a_new_session_lasts_twelve_hours(store: Store) -> None:
    user, _ = store.add_user("alice", "clinician", password="pw")
    store.open_session(user)
    with store.engine.connect() as conn:
        created, expires = conn.execute(sa.text(
            "SELECT created_at, expires_at FROM login_sessions")).one()
    if isinstance(created, str):  # SQLite hands back text
        created, expires = datetime.fromisoformat(created), datetime.fromisoformat(expires)
    assert timedelta(hours=11, minutes=59) < expires - created <= timedelta(hours=12, seconds=5)


# ---------------------------------------------------------------------- API tokens
def test_an_api_token_resolves_to_its_user_and_is_stored_only_as_a_digest(
        store: Store, dump: Any) -> None:
    user, _ = store.add_user("script", "clinician", password="pw")
    raw = store.create_token("script", "nightly import")
    assert raw.startswith("osp_") and len(raw) > 40
    assert store.token_user(raw) == user
    text = dump(store)
    assert raw not in text
    assert raw[4:] not in text  # not even without its prefix
    assert digest(raw) in text
    (listed,) = store.tokens()
    assert (listed.username, listed.name, listed.revoked_at) == ("script", "nightly import", None)
    assert raw.startswith(listed.prefix) and len(listed.prefix) <= 12
    assert listed.last_used_at is not None


def test_a_revoked_token_stops_working_and_other_tokens_keep_working(store: Store) -> None:
    store.add_user("script", "clinician", password="pw")
    first, second = store.create_token("script", "a"), store.create_token("script", "b")
    first_id = store.tokens()[0].id
    store.revoke_token(first_id, actor="admin")
    assert store.token_user(first) is None
    assert store.token_user(second) is not None
    revoked = store.tokens()[0]
    assert revoked.revoked_at is not None
    store.revoke_token(first_id, actor="admin")  # again: no change, no second entry
    assert store.tokens()[0].revoked_at == revoked.revoked_at
    assert [a.action for a in store.audit_log(entity="token")].count("token.revoke") == 1


def test_tokens_for_unknown_users_or_ids_are_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.create_token("nobody", "x")
    with pytest.raises(NotFound):
        store.revoke_token(12345)
    assert store.token_user("osp_made-up") is None
    assert store.token_user("") is None


# ---------------------------------------------------------------------- CDS Hooks
def test_cds_feedback_is_kept_in_order(store: Store) -> None:
    store.record_cds_feedback("mscc-triage", {"card": "c1", "outcome": "accepted"})
    store.record_cds_feedback("mscc-triage", {"card": "c2", "outcome": "overridden",
                                              "overrideReason": {"code": "other"}})
    assert store.cds_feedback() == [
        ("mscc-triage", {"card": "c1", "outcome": "accepted"}),
        ("mscc-triage", {"card": "c2", "outcome": "overridden",
                         "overrideReason": {"code": "other"}})]
    assert [a.detail["outcome"] for a in store.audit_log(entity="cds_feedback")] == [
        "overridden", "accepted"]


def test_cds_issuers_are_added_updated_and_listed(store: Store) -> None:
    store.add_cds_issuer("https://ehr.example/b", JWKS, actor="admin")
    store.add_cds_issuer("https://ehr.example/a", JWKS, jku="https://ehr.example/a/jwks")
    updated = {"keys": [public_jwk("k2")]}
    store.add_cds_issuer("https://ehr.example/b", updated, jku="https://ehr.example/b/jwks")
    assert store.cds_issuers() == [
        ("https://ehr.example/a", JWKS, "https://ehr.example/a/jwks"),
        ("https://ehr.example/b", updated, "https://ehr.example/b/jwks")]
    assert len(store.audit_log(entity="cds_issuer")) == 3


def test_an_invalid_jwk_set_is_refused(store: Store, counts: Any) -> None:
    before = counts(store)
    for jwks in ({}, {"keys": []}, {"keys": "k1"}, {"keys": None}, {"kty": "EC"}):
        with pytest.raises(Invalid, match="JWK Set"):
            store.add_cds_issuer("https://ehr.example", jwks)
    assert counts(store) == before
    assert store.cds_issuers() == []
