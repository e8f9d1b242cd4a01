"""The case store: one object the web app and the CLI share.

Every write runs in one transaction that also appends to the audit log. Case edits carry the
revision the editor started from; a stale revision raises `RevisionConflict` and writes nothing,
so two people editing the same case never lose each other's work.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from oncospine.assessment import assess
from oncospine.case import Case, validate_case
from oncospine.errors import CaseValidationError, Issue
from oncospine.store.access import AccessStore
from oncospine.store.base import DEFAULT_URL, StoreBase, database_url, migrate
from oncospine.store.board import BoardStore
from oncospine.store.errors import Invalid, NotFound, RevisionConflict
from oncospine.store.models import (
    AgendaItem,
    AssessmentSnapshot,
    AuditEntry,
    CaseRecord,
    CaseRevision,
    CdsFeedback,
    CdsIssuer,
    PathwayEvent,
    utcnow,
)
from oncospine.store.views import (
    AuditView,
    CaseSummary,
    CaseView,
    Clock,
    EventView,
    RevisionView,
)

__all__ = ["DEFAULT_URL", "Store", "StoreBase", "database_url", "migrate"]


TRIAGE_RANK = {"emergency": 0, "urgent": 1, "soon": 2, "routine": 3}


class Store(AccessStore, BoardStore):
    """Cases, revisions, assessments, events, meetings, decisions, users and the audit log."""

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


