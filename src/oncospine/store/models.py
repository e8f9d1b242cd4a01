"""The tables of the case store.

Cases keep every edit as a new revision; assessments are immutable snapshots stamped with the
ruleset that produced them; tumour-board decisions are read-only once the chair signs them; the
audit log only ever grows. The last three rules are enforced twice: by the store's own methods
and by database triggers created in the migrations, so a hand-written UPDATE cannot break them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JsonType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; times must carry an offset")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime, dict[str, Any]: JsonType}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginSession(Base):
    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class CaseRecord(Base):
    """One case, with the columns the case list filters and sorts on copied from its latest
    assessment (so the list never has to open a JSON document)."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(80))
    external_patient: Mapped[str | None] = mapped_column(String(200), index=True)
    triage_level: Mapped[str] = mapped_column(String(20))
    triage_rank: Mapped[int] = mapped_column(Integer)
    triage_pathway: Mapped[str] = mapped_column(String(40))
    primary_site: Mapped[str | None] = mapped_column(String(40))
    next_due_at: Mapped[datetime | None]
    running_clocks: Mapped[list[Any]] = mapped_column(JsonType, default=list)
    assessment_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_cases_level_rank", "triage_level", "triage_rank", "updated_at"),
        Index("ix_cases_pathway", "triage_pathway"),
        Index("ix_cases_order", "triage_rank", "updated_at"),
    )


class CaseRevision(Base):
    __tablename__ = "case_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("case_id", "revision", name="uq_case_revision"),)


class AssessmentSnapshot(Base):
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    ruleset_version: Mapped[str] = mapped_column(String(40))
    ruleset_hash: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    data: Mapped[dict[str, Any]]


class PathwayEvent(Base):
    """One `events` timestamp of the case format, with who recorded it and in which revision."""

    __tablename__ = "pathway_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime | None]
    revision: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    attendees: Mapped[list[Attendee]] = relationship(
        order_by="Attendee.id", cascade="all, delete-orphan", lazy="selectin")
    agenda: Mapped[list[AgendaItem]] = relationship(
        order_by="AgendaItem.position", cascade="all, delete-orphan", lazy="selectin")


class Attendee(Base):
    __tablename__ = "meeting_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    present: Mapped[bool] = mapped_column(Boolean, default=True)


class AgendaItem(Base):
    __tablename__ = "meeting_agenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("meeting_id", "case_id", name="uq_agenda_case"),)


class Decision(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    options: Mapped[list[Any]] = mapped_column(JsonType)
    rationale: Mapped[str] = mapped_column(Text)
    dissent: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_by: Mapped[str | None] = mapped_column(String(80))
    signed_at: Mapped[datetime | None]


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)


class CdsFeedback(Base):
    """Feedback an EHR posts about a CDS Hooks card (accepted, or overridden with a reason)."""

    __tablename__ = "cds_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[str] = mapped_column(String(80), index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    item: Mapped[dict[str, Any]]


class CdsIssuer(Base):
    """An EHR allowed to call the CDS Hooks service: its JWT issuer and public keys."""

    __tablename__ = "cds_issuers"

    id: Mapped[int] = mapped_column(primary_key=True)
    iss: Mapped[str] = mapped_column(String(300), unique=True)
    jwks: Mapped[dict[str, Any]]
    jku: Mapped[str | None] = mapped_column(String(500))
    added_by: Mapped[str] = mapped_column(String(80))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
