"""The case store: one object the web app and the CLI share.

Every write runs in one transaction that also appends to the audit log. Case edits carry the
revision the editor started from; a stale revision raises `RevisionConflict` and writes nothing,
so two people editing the same case never lose each other's work.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from oncospine.assessment import assess
from oncospine.case import Case, validate_case
from oncospine.errors import CaseValidationError, Issue
from oncospine.store import accounts
from oncospine.store.errors import Forbidden, Invalid, NotFound, ReadOnly, RevisionConflict
from oncospine.store.models import (
    AgendaItem,
    ApiToken,
    AssessmentSnapshot,
    Attendee,
    AuditEntry,
    CaseRecord,
    CaseRevision,
    CdsFeedback,
    CdsIssuer,
    Decision,
    LoginSession,
    Meeting,
    PathwayEvent,
    User,
    utcnow,
)
from oncospine.store.views import (
    ATTENDEE_ROLES,
    AttendeeView,
    AuditView,
    CaseSummary,
    CaseView,
    Clock,
    DecisionView,
    EventView,
    MeetingView,
    RevisionView,
    TokenView,
    UserView,
)

DEFAULT_URL = "sqlite:///oncospine.db"
TRIAGE_RANK = {"emergency": 0, "urgent": 1, "soon": 2, "routine": 3}
SESSION_HOURS = 12
MIGRATIONS = Path(__file__).parent / "migrations"


def database_url() -> str:
    return os.environ.get("ONCOSPINE_DATABASE_URL", DEFAULT_URL)


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (an empty database included)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


class Store:
    """Cases, revisions, assessments, events, meetings, decisions, users and the audit log."""

    def __init__(self, url: str | None = None, *, run_migrations: bool = True) -> None:
        self.url = url or database_url()
        self.engine = _engine(self.url)
        if run_migrations:
            migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    @staticmethod
    def _audit(s: Session, actor: str, action: str, entity: str, entity_id: object,
               **detail: Any) -> None:
        s.add(AuditEntry(actor=actor, action=action, entity=entity, entity_id=str(entity_id),
                         detail=detail))

    # ------------------------------------------------------------------ users and access
    def add_user(self, username: str, role: str, *, password: str | None = None,
                 display_name: str = "", actor: str = "system") -> tuple[UserView, str]:
        """Create an account; returns it with its password (generated when not given)."""
        if role not in accounts.ROLES:
            raise Invalid(f"unknown role {role!r}; roles: {', '.join(accounts.ROLES)}")
        if not username.strip():
            raise Invalid("a user name is required")
        password = password or accounts.new_password()
        with self._tx() as s:
            if s.scalar(select(User).where(User.username == username)) is not None:
                raise Invalid(f"user {username!r} already exists")
            user = User(username=username, role=role, display_name=display_name,
                        password_hash=accounts.hash_password(password))
            s.add(user)
            s.flush()
            self._audit(s, actor, "user.add", "user", user.id, username=username, role=role)
            return _user(user), password

    def users(self) -> list[UserView]:
        with self._tx() as s:
            return [_user(u) for u in s.scalars(select(User).order_by(User.username))]

    def user_count(self) -> int:
        with self._tx() as s:
            return int(s.scalar(select(func.count(User.id))) or 0)

    def authenticate(self, username: str, password: str) -> UserView | None:
        with self._tx() as s:
            user = s.scalar(select(User).where(User.username == username))
            ok = user is not None and user.active and accounts.password_matches(
                user.password_hash, password)
            self._audit(s, username, "login" if ok else "login.failed", "user",
                        user.id if user else "-")
            return _user(user) if ok and user else None

    def open_session(self, user: UserView) -> tuple[str, str]:
        """A new login session: (cookie token, CSRF token)."""
        token, csrf = accounts.new_token(), accounts.new_token()
        with self._tx() as s:
            s.add(LoginSession(token_hash=accounts.digest(token), user_id=user.id,
                               csrf_token=csrf,
                               expires_at=utcnow() + timedelta(hours=SESSION_HOURS)))
        return token, csrf

    def session_user(self, token: str) -> tuple[UserView, str] | None:
        """The user and CSRF token of a live session, or None."""
        with self._tx() as s:
            row = s.get(LoginSession, accounts.digest(token))
            if row is None or row.expires_at <= utcnow() or not row.user.active:
                return None
            return _user(row.user), row.csrf_token

    def close_session(self, token: str) -> None:
        with self._tx() as s:
            row = s.get(LoginSession, accounts.digest(token))
            if row is not None:
                self._audit(s, row.user.username, "logout", "user", row.user_id)
                s.delete(row)

    def create_token(self, username: str, name: str, *, actor: str = "system") -> str:
        """A new API token for `username`; only its digest is kept, so show it once."""
        raw = accounts.new_token(accounts.TOKEN_PREFIX)
        with self._tx() as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is None:
                raise NotFound(f"no user {username!r}")
            token = ApiToken(user_id=user.id, name=name or "token", prefix=raw[:10],
                             token_hash=accounts.digest(raw))
            s.add(token)
            s.flush()
            self._audit(s, actor, "token.create", "token", token.id, user=username, name=name)
        return raw

    def tokens(self) -> list[TokenView]:
        with self._tx() as s:
            return [TokenView(t.id, t.user.username, t.name, t.prefix, t.created_at,
                              t.revoked_at, t.last_used_at)
                    for t in s.scalars(select(ApiToken).order_by(ApiToken.id))]

    def revoke_token(self, token_id: int, *, actor: str = "system") -> None:
        with self._tx() as s:
            token = s.get(ApiToken, token_id)
            if token is None:
                raise NotFound(f"no token {token_id}")
            if token.revoked_at is None:
                token.revoked_at = utcnow()
                self._audit(s, actor, "token.revoke", "token", token_id)

    def token_user(self, raw: str) -> UserView | None:
        """The user behind a live API token, or None (unknown or revoked)."""
        with self._tx() as s:
            token = s.scalar(select(ApiToken).where(
                ApiToken.token_hash == accounts.digest(raw)))
            if token is None or token.revoked_at is not None or not token.user.active:
                return None
            now = utcnow()
            if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
                token.last_used_at = now
            return _user(token.user)

    # ------------------------------------------------------------------ cases
    def create_case(self, data: dict[str, Any], actor: str, *, note: str = "",
                    external_patient: str | None = None,
                    now: datetime | None = None) -> CaseView:
        case = validate_case(data)
        stored = _stored_form(case)
        assessment = assess(case, now=now or utcnow())
        with self._tx() as s:
            record = CaseRecord(label=case.id or "", revision=1, created_by=actor,
                                updated_by=actor, external_patient=external_patient,
                                **_list_columns(assessment, case))
            s.add(record)
            s.flush()
            snapshot = self._write_revision(s, record, stored, assessment, actor, note, {})
            self._audit(s, actor, "case.create", "case", record.id, revision=1,
                        triage=assessment["triage"]["level"])
            return _case_view(record, stored, assessment, snapshot.id)

    def update_case(self, case_id: int, data: dict[str, Any], expected_revision: int,
                    actor: str, *, note: str = "", now: datetime | None = None) -> CaseView:
        case = validate_case(data)
        stored = _stored_form(case)
        assessment = assess(case, now=now or utcnow())
        with self._tx() as s:
            previous = self._latest_revision(s, case_id)
            changed = s.execute(
                update(CaseRecord)
                .where(CaseRecord.id == case_id, CaseRecord.revision == expected_revision)
                .values(revision=expected_revision + 1, label=case.id or "",
                        updated_at=utcnow(), updated_by=actor,
                        **_list_columns(assessment, case)))
            if changed.rowcount != 1:  # type: ignore[attr-defined]
                current = s.scalar(select(CaseRecord.revision).where(CaseRecord.id == case_id))
                if current is None:
                    raise NotFound(f"no case {case_id}")
                raise RevisionConflict(case_id, expected_revision, current)
            record = s.get(CaseRecord, case_id)
            assert record is not None
            s.refresh(record)
            snapshot = self._write_revision(s, record, stored, assessment, actor, note,
                                            previous.data.get("events") or {})
            self._audit(s, actor, "case.update", "case", case_id, revision=record.revision,
                        triage=assessment["triage"]["level"],
                        changed=_changed_sections(previous.data, stored))
            return _case_view(record, stored, assessment, snapshot.id)

    def _write_revision(self, s: Session, record: CaseRecord, stored: dict[str, Any],
                        assessment: dict[str, Any], actor: str, note: str,
                        old_events: dict[str, Any]) -> AssessmentSnapshot:
        s.add(CaseRevision(case_id=record.id, revision=record.revision, data=stored,
                           created_by=actor, note=note))
        snapshot = AssessmentSnapshot(
            case_id=record.id, revision=record.revision, data=assessment,
            ruleset_version=assessment["ruleset"]["version"],
            ruleset_hash=assessment["ruleset"].get("sha256", ""))
        s.add(snapshot)
        s.flush()
        record.assessment_id = snapshot.id
        new_events = stored.get("events") or {}
        for name in sorted(set(old_events) | set(new_events)):
            if old_events.get(name) != new_events.get(name):
                at = new_events.get(name)
                s.add(PathwayEvent(case_id=record.id, name=name, revision=record.revision,
                                   at=datetime.fromisoformat(at) if at else None,
                                   recorded_by=actor))
                self._audit(s, actor, "event.record", "case", record.id, event=name, at=at)
        return snapshot

    @staticmethod
    def _latest_revision(s: Session, case_id: int) -> CaseRevision:
        row = s.scalar(select(CaseRevision).where(CaseRevision.case_id == case_id)
                       .order_by(CaseRevision.revision.desc()).limit(1))
        if row is None:
            raise NotFound(f"no case {case_id}")
        return row

    def get_case(self, case_id: int, revision: int | None = None) -> CaseView:
        with self._tx() as s:
            record = s.get(CaseRecord, case_id)
            if record is None:
                raise NotFound(f"no case {case_id}")
            rev: CaseRevision | None
            if revision is None:
                rev = self._latest_revision(s, case_id)
                snap = s.get(AssessmentSnapshot, record.assessment_id)
            else:
                rev = s.scalar(select(CaseRevision).where(
                    CaseRevision.case_id == case_id, CaseRevision.revision == revision))
                snap = s.scalar(select(AssessmentSnapshot).where(
                    AssessmentSnapshot.case_id == case_id,
                    AssessmentSnapshot.revision == revision))
            if rev is None or snap is None:
                raise NotFound(f"case {case_id} has no revision {revision}")
            return _case_view(record, rev.data, snap.data, snap.id,
                              revision=None if revision is None else rev)

    def case_by_patient(self, external_patient: str) -> int | None:
        with self._tx() as s:
            return s.scalar(select(CaseRecord.id).where(
                CaseRecord.external_patient == external_patient).order_by(
                CaseRecord.id.desc()).limit(1))

    def assessment(self, assessment_id: int) -> dict[str, Any]:
        with self._tx() as s:
            snap = s.get(AssessmentSnapshot, assessment_id)
            if snap is None:
                raise NotFound(f"no assessment {assessment_id}")
            return snap.data

    def list_cases(self, *, level: str | None = None, pathway: str | None = None,
                   meeting_id: int | None = None, text: str | None = None,
                   limit: int = 50, offset: int = 0) -> tuple[list[CaseSummary], int]:
        """Cases most urgent first, then the nearest running deadline; with the total count."""
        query = select(CaseRecord)
        if level:
            query = query.where(CaseRecord.triage_level == level)
        if pathway:
            query = query.where(CaseRecord.triage_pathway == pathway)
        if meeting_id is not None:
            query = query.join(AgendaItem, AgendaItem.case_id == CaseRecord.id).where(
                AgendaItem.meeting_id == meeting_id)
        if text:
            query = query.where(CaseRecord.label.ilike(f"%{text}%"))
        with self._tx() as s:
            total = int(s.scalar(select(func.count()).select_from(query.subquery())) or 0)
            rows = s.scalars(query.order_by(
                CaseRecord.triage_rank, CaseRecord.next_due_at.is_(None),
                CaseRecord.next_due_at, CaseRecord.updated_at.desc(), CaseRecord.id.desc(),
            ).limit(limit).offset(offset))
            return [_summary(r) for r in rows], total

    def revisions(self, case_id: int) -> list[RevisionView]:
        with self._tx() as s:
            rows = s.scalars(select(CaseRevision).where(CaseRevision.case_id == case_id)
                             .order_by(CaseRevision.revision.desc()))
            return [RevisionView(r.revision, r.created_at, r.created_by, r.note) for r in rows]

    def events(self, case_id: int) -> list[EventView]:
        """The pathway timeline: each recorded timestamp with who recorded it, oldest first."""
        with self._tx() as s:
            rows = s.scalars(select(PathwayEvent).where(PathwayEvent.case_id == case_id)
                             .order_by(PathwayEvent.id))
            return sorted((EventView(e.name, e.at, e.revision, e.recorded_by, e.recorded_at)
                           for e in rows),
                          key=lambda e: (e.at is None, e.at or e.recorded_at, e.recorded_at))

    def case_count(self) -> int:
        with self._tx() as s:
            return int(s.scalar(select(func.count(CaseRecord.id))) or 0)

    # ------------------------------------------------------------------ tumour board
    def create_meeting(self, held_on: date, title: str, actor: str, *,
                       attendees: Sequence[tuple[str, str]] = (),
                       case_ids: Sequence[int] = ()) -> MeetingView:
        with self._tx() as s:
            meeting = Meeting(held_on=held_on, title=title.strip() or "Spinal tumour board",
                              created_by=actor)
            s.add(meeting)
            s.flush()
            self._set_attendees(s, meeting, attendees)
            self._set_agenda(s, meeting, case_ids)
            self._audit(s, actor, "meeting.create", "meeting", meeting.id,
                        held_on=held_on.isoformat(), cases=list(case_ids))
            s.flush()
            s.refresh(meeting)
            return self._meeting_view(s, meeting)

    def _set_attendees(self, s: Session, meeting: Meeting,
                       attendees: Sequence[tuple[str, str]]) -> None:
        for name, role in attendees:
            if role not in ATTENDEE_ROLES:
                raise Invalid(f"unknown attendee role {role!r}; roles: "
                              f"{', '.join(ATTENDEE_ROLES)}")
            if name.strip():
                meeting.attendees.append(Attendee(name=name.strip(), role=role))

    def _set_agenda(self, s: Session, meeting: Meeting, case_ids: Sequence[int]) -> None:
        have = {a.case_id for a in meeting.agenda}
        position = len(meeting.agenda)
        for case_id in case_ids:
            if s.get(CaseRecord, case_id) is None:
                raise NotFound(f"no case {case_id}")
            if case_id not in have:
                position += 1
                have.add(case_id)
                meeting.agenda.append(AgendaItem(case_id=case_id, position=position))

    def add_to_agenda(self, meeting_id: int, case_ids: Sequence[int], actor: str) -> MeetingView:
        with self._tx() as s:
            meeting = self._meeting(s, meeting_id)
            self._set_agenda(s, meeting, case_ids)
            self._audit(s, actor, "meeting.agenda", "meeting", meeting_id, cases=list(case_ids))
            s.flush()
            return self._meeting_view(s, meeting)

    def add_attendee(self, meeting_id: int, name: str, role: str, actor: str) -> MeetingView:
        with self._tx() as s:
            meeting = self._meeting(s, meeting_id)
            self._set_attendees(s, meeting, [(name, role)])
            self._audit(s, actor, "meeting.attendee", "meeting", meeting_id, name=name,
                        role=role)
            s.flush()
            return self._meeting_view(s, meeting)

    def set_presence(self, meeting_id: int, attendee_id: int, present: bool,
                     actor: str) -> MeetingView:
        with self._tx() as s:
            meeting = self._meeting(s, meeting_id)
            found = [a for a in meeting.attendees if a.id == attendee_id]
            if not found:
                raise NotFound(f"no attendee {attendee_id} in meeting {meeting_id}")
            found[0].present = present
            self._audit(s, actor, "meeting.presence", "meeting", meeting_id,
                        attendee=found[0].name, present=present)
            s.flush()
            return self._meeting_view(s, meeting)

    def meetings(self) -> list[MeetingView]:
        with self._tx() as s:
            rows = s.scalars(select(Meeting).order_by(Meeting.held_on.desc(), Meeting.id.desc()))
            return [self._meeting_view(s, m) for m in rows]

    def get_meeting(self, meeting_id: int) -> MeetingView:
        with self._tx() as s:
            return self._meeting_view(s, self._meeting(s, meeting_id))

    @staticmethod
    def _meeting(s: Session, meeting_id: int) -> Meeting:
        meeting = s.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound(f"no meeting {meeting_id}")
        return meeting

    @staticmethod
    def _meeting_view(s: Session, m: Meeting) -> MeetingView:
        decisions = s.scalars(select(Decision).where(Decision.meeting_id == m.id)
                              .order_by(Decision.id))
        return MeetingView(
            id=m.id, held_on=m.held_on, title=m.title, created_by=m.created_by,
            attendees=tuple(AttendeeView(a.id, a.name, a.role, a.present) for a in m.attendees),
            case_ids=tuple(a.case_id for a in m.agenda),
            decisions=tuple(_decision(d) for d in decisions))

    def record_decision(self, meeting_id: int, case_id: int, *, options: Sequence[str],
                        rationale: str, dissent: str = "", actor: str, role: str,
                        sign: bool = False) -> DecisionView:
        """Record the board's decision on one case, based on the case's latest assessment.

        A draft may be replaced until it is signed; signing needs the chair and a quorate
        meeting, and makes the decision read-only."""
        if not accounts.can(role, "draft_decision"):
            raise Forbidden("only a coordinator or the chair may record a decision")
        if sign and not accounts.can(role, "sign_decision"):
            raise Forbidden("only the chair may sign a decision")
        if not rationale.strip():
            raise Invalid("a decision needs its rationale")
        with self._tx() as s:
            meeting = self._meeting(s, meeting_id)
            if case_id not in {a.case_id for a in meeting.agenda}:
                raise Invalid(f"case {case_id} is not on the agenda of meeting {meeting_id}")
            record = s.get(CaseRecord, case_id)
            assert record is not None and record.assessment_id is not None
            snapshot = s.get(AssessmentSnapshot, record.assessment_id)
            assert snapshot is not None
            known = _option_ids(snapshot.data)
            unknown = [o for o in options if o not in known]
            if unknown:
                raise Invalid(f"options not in the assessment: {', '.join(unknown)}")
            if not options:
                raise Invalid("choose at least one plan option")
            if sign:
                self._require_quorum(s, meeting)
            existing = s.scalar(select(Decision).where(
                Decision.meeting_id == meeting_id, Decision.case_id == case_id))
            if existing is not None and existing.signed_at is not None:
                raise ReadOnly("this decision is signed and read-only")
            decision = existing or Decision(meeting_id=meeting_id, case_id=case_id)
            decision.assessment_id = snapshot.id
            decision.options = list(options)
            decision.rationale = rationale.strip()
            decision.dissent = dissent.strip()
            decision.recorded_by = actor
            decision.recorded_at = utcnow()
            if sign:
                decision.signed_by, decision.signed_at = actor, utcnow()
            s.add(decision)
            s.flush()
            self._audit(s, actor, "decision.sign" if sign else "decision.record", "decision",
                        decision.id, meeting=meeting_id, case=case_id, options=list(options),
                        assessment=snapshot.id, revision=snapshot.revision)
            return _decision(decision)

    def sign_decision(self, decision_id: int, *, actor: str, role: str) -> DecisionView:
        if not accounts.can(role, "sign_decision"):
            raise Forbidden("only the chair may sign a decision")
        with self._tx() as s:
            decision = s.get(Decision, decision_id)
            if decision is None:
                raise NotFound(f"no decision {decision_id}")
            if decision.signed_at is not None:
                raise ReadOnly("this decision is already signed")
            self._require_quorum(s, self._meeting(s, decision.meeting_id))
            decision.signed_by, decision.signed_at = actor, utcnow()
            self._audit(s, actor, "decision.sign", "decision", decision_id)
            s.flush()
            return _decision(decision)

    def _require_quorum(self, s: Session, meeting: Meeting) -> None:
        missing = self._meeting_view(s, meeting).quorum_missing
        if missing:
            raise Invalid("the meeting is not quorate: no " + " and no ".join(
                r.replace("_", " ") for r in missing) + " marked present")

    def decisions_for_case(self, case_id: int) -> list[DecisionView]:
        with self._tx() as s:
            return [_decision(d) for d in s.scalars(
                select(Decision).where(Decision.case_id == case_id).order_by(Decision.id))]

    # ------------------------------------------------------------------ CDS Hooks
    def record_cds_feedback(self, service_id: str, item: dict[str, Any]) -> None:
        with self._tx() as s:
            row = CdsFeedback(service_id=service_id, item=item)
            s.add(row)
            s.flush()
            self._audit(s, "cds", "cds.feedback", "cds_feedback", row.id, service=service_id,
                        outcome=item.get("outcome"))

    def cds_feedback(self) -> list[tuple[str, dict[str, Any]]]:
        with self._tx() as s:
            return [(f.service_id, f.item) for f in s.scalars(
                select(CdsFeedback).order_by(CdsFeedback.id))]

    def add_cds_issuer(self, iss: str, jwks: dict[str, Any], *, jku: str | None = None,
                       actor: str = "system") -> None:
        if not isinstance(jwks.get("keys"), list) or not jwks["keys"]:
            raise Invalid("a JWK Set needs a non-empty 'keys' list")
        with self._tx() as s:
            row = s.scalar(select(CdsIssuer).where(CdsIssuer.iss == iss))
            if row is None:
                row = CdsIssuer(iss=iss, jwks=jwks, jku=jku, added_by=actor)
                s.add(row)
            else:
                row.jwks, row.jku = jwks, jku
            s.flush()
            self._audit(s, actor, "cds.issuer", "cds_issuer", row.id, iss=iss, jku=jku)

    def cds_issuers(self) -> list[tuple[str, dict[str, Any], str | None]]:
        with self._tx() as s:
            return [(r.iss, r.jwks, r.jku) for r in s.scalars(
                select(CdsIssuer).order_by(CdsIssuer.iss))]

    # ------------------------------------------------------------------ audit
    def audit_log(self, *, entity: str | None = None, entity_id: object = None,
                  limit: int = 200) -> list[AuditView]:
        query = select(AuditEntry)
        if entity is not None:
            query = query.where(AuditEntry.entity == entity)
        if entity_id is not None:
            query = query.where(AuditEntry.entity_id == str(entity_id))
        with self._tx() as s:
            rows = s.scalars(query.order_by(AuditEntry.id.desc()).limit(limit))
            return [AuditView(a.id, a.at, a.actor, a.action, a.entity, a.entity_id, a.detail)
                    for a in rows]


# ---------------------------------------------------------------------- helpers
def _stored_form(case: Case) -> dict[str, Any]:
    """The case as stored: the validated model, without the fields nobody filled in."""
    stored = case.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    issues = list(_nul_issues(stored, ""))
    if issues:
        raise CaseValidationError(issues)
    return stored


def _nul_issues(doc: Any, path: str) -> Iterator[Issue]:
    """Text with a NUL character: PostgreSQL cannot store it, so no database is given it."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _nul_issues(value, f"{path}.{key}" if path else key)
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from _nul_issues(value, f"{path}.{index}")
    elif isinstance(doc, str) and "\x00" in doc:
        yield Issue(path, "text may not contain a NUL character", doc.replace("\x00", "\\0"))


def _option_ids(assessment: dict[str, Any]) -> set[str]:
    return {o["id"] for o in assessment["plan"]["options"]} | {
        o["id"] for o in assessment["workup"]} | {o["id"] for o in assessment["triage"]["actions"]}


def _running(assessment: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": c["id"], "due": c["due"], "rule": c["rule"]}
            for c in assessment["triage"].get("clocks", [])
            if c.get("due") and not c.get("done_at")]


def _list_columns(assessment: dict[str, Any], case: Case) -> dict[str, Any]:
    triage = assessment["triage"]
    clocks = _running(assessment)
    dues = [datetime.fromisoformat(c["due"]) for c in clocks]
    return {
        "triage_level": triage["level"], "triage_rank": TRIAGE_RANK[triage["level"]],
        "triage_pathway": triage["pathway"],
        "primary_site": case.cancer.primary_site if case.cancer else None,
        "next_due_at": min(dues) if dues else None, "running_clocks": clocks,
    }


def _changed_sections(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def _user(u: User) -> UserView:
    return UserView(u.id, u.username, u.role, u.display_name, u.active)


def _summary(r: CaseRecord) -> CaseSummary:
    clocks = tuple(Clock(c["id"], datetime.fromisoformat(c["due"]).astimezone(UTC), c["rule"])
                   for c in (r.running_clocks or []))
    return CaseSummary(r.id, r.label, r.revision, r.triage_level, r.triage_pathway,
                       r.primary_site, r.updated_at, r.updated_by, clocks)


def _case_view(r: CaseRecord, data: dict[str, Any], assessment: dict[str, Any],
               assessment_id: int, revision: CaseRevision | None = None) -> CaseView:
    """The case as of `revision` (default: the latest): its number, label and who saved it.
    The summary always describes the latest revision."""
    if revision is None:
        return CaseView(r.id, r.label, r.revision, data, assessment, assessment_id,
                        r.created_at, r.created_by, r.updated_at, r.updated_by, _summary(r))
    return CaseView(r.id, data.get("id") or "", revision.revision, data, assessment,
                    assessment_id, r.created_at, r.created_by, revision.created_at,
                    revision.created_by, _summary(r))


def _decision(d: Decision) -> DecisionView:
    return DecisionView(d.id, d.meeting_id, d.case_id, d.assessment_id, tuple(d.options),
                        d.rationale, d.dissent, d.recorded_by, d.recorded_at, d.signed_by,
                        d.signed_at)
