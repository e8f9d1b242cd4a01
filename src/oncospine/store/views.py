"""Plain, read-only views of stored rows, handed to the web layer and the CLI.

Views never hold a database session, so a page can render them after the transaction ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

#: Roles of tumour-board attendees; a quorum needs a spinal surgeon and a clinical oncologist.
ATTENDEE_ROLES: tuple[str, ...] = (
    "spinal_surgeon", "clinical_oncologist", "medical_oncologist", "radiologist",
    "mscc_coordinator", "clinical_nurse_specialist", "palliative_care", "other",
)
QUORUM_ROLES: tuple[str, ...] = ("spinal_surgeon", "clinical_oncologist")


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    role: str
    display_name: str = ""
    active: bool = True


@dataclass(frozen=True)
class TokenView:
    id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True)
class Clock:
    """A pathway clock still running when the assessment was made."""

    id: str
    due: datetime
    rule: str


@dataclass(frozen=True)
class CaseSummary:
    id: int
    label: str
    revision: int
    triage_level: str
    triage_pathway: str
    primary_site: str | None
    updated_at: datetime
    updated_by: str
    clocks: tuple[Clock, ...] = ()


@dataclass(frozen=True)
class RevisionView:
    revision: int
    created_at: datetime
    created_by: str
    note: str


@dataclass(frozen=True)
class EventView:
    name: str
    at: datetime | None
    revision: int
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class CaseView:
    id: int
    label: str
    revision: int
    data: dict[str, Any]
    assessment: dict[str, Any]
    assessment_id: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    summary: CaseSummary


@dataclass(frozen=True)
class AttendeeView:
    id: int
    name: str
    role: str
    present: bool


@dataclass(frozen=True)
class DecisionView:
    id: int
    meeting_id: int
    case_id: int
    assessment_id: int
    options: tuple[str, ...]
    rationale: str
    dissent: str
    recorded_by: str
    recorded_at: datetime
    signed_by: str | None
    signed_at: datetime | None

    @property
    def signed(self) -> bool:
        return self.signed_at is not None


@dataclass(frozen=True)
class MeetingView:
    id: int
    held_on: date
    title: str
    created_by: str
    attendees: tuple[AttendeeView, ...]
    case_ids: tuple[int, ...]
    decisions: tuple[DecisionView, ...] = ()

    @property
    def quorum_missing(self) -> tuple[str, ...]:
        """Quorum roles with nobody present; empty when the meeting is quorate."""
        present = {a.role for a in self.attendees if a.present}
        return tuple(r for r in QUORUM_ROLES if r not in present)

    @property
    def quorate(self) -> bool:
        return not self.quorum_missing

    def decision_for(self, case_id: int) -> DecisionView | None:
        found = [d for d in self.decisions if d.case_id == case_id]
        return found[-1] if found else None


@dataclass(frozen=True)
class AuditView:
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any] = field(default_factory=dict)
