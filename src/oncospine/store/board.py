"""Tumour-board meetings: attendance and quorum, agenda, and decisions signed by the chair."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from oncospine.store import accounts
from oncospine.store.base import StoreBase
from oncospine.store.errors import Forbidden, Invalid, NotFound, ReadOnly
from oncospine.store.models import (
    AgendaItem,
    AssessmentSnapshot,
    Attendee,
    CaseRecord,
    Decision,
    Meeting,
    utcnow,
)
from oncospine.store.views import (
    ATTENDEE_ROLES,
    AttendeeView,
    DecisionView,
    MeetingView,
)


class BoardStore(StoreBase):
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


def _option_ids(assessment: dict[str, Any]) -> set[str]:
    return {o["id"] for o in assessment["plan"]["options"]} | {
        o["id"] for o in assessment["workup"]} | {o["id"] for o in assessment["triage"]["actions"]}


def _decision(d: Decision) -> DecisionView:
    return DecisionView(d.id, d.meeting_id, d.case_id, d.assessment_id, tuple(d.options),
                        d.rationale, d.dissent, d.recorded_by, d.recorded_at, d.signed_by,
                        d.signed_at)
