"""The JSON API (documented at /docs and /openapi.json).

Bodies in the case format are validated by the clinical core, so an invalid case gets the same
field / value / allowed / did-you-mean details as the command line, with HTTP 422.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from oncospine.assessment import assess
from oncospine.case import case_json_schema, validate_case
from oncospine.store.views import ATTENDEE_ROLES, CaseView, DecisionView, MeetingView
from oncospine.web.security import Principal, principal, require, store_of

router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(principal)])

CASE_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": case_json_schema()}}}}
Reader = Annotated[Principal, Depends(principal)]
Editor = Annotated[Principal, Depends(require("edit_case"))]
Organiser = Annotated[Principal, Depends(require("manage_meeting"))]
Recorder = Annotated[Principal, Depends(require("draft_decision"))]


class CaseUpdate(BaseModel):
    revision: int = Field(description="the revision the edit started from")
    case: dict[str, Any] = Field(description="the whole case, in oncospine-case/1")
    note: str = ""


class AttendeeIn(BaseModel):
    name: str
    role: str = Field(description="one of: " + ", ".join(ATTENDEE_ROLES))
    present: bool = True


class MeetingIn(BaseModel):
    held_on: date
    title: str = "Spinal tumour board"
    attendees: list[AttendeeIn] = []
    case_ids: list[int] = []


class DecisionIn(BaseModel):
    case_id: int
    options: list[str] = Field(description="plan, work-up or triage option ids chosen")
    rationale: str
    dissent: str = ""
    sign: bool = Field(False, description="sign now (chair only; needs a quorate meeting)")


def case_json(view: CaseView) -> dict[str, Any]:
    return {"id": view.id, "revision": view.revision, "label": view.label,
            "case": view.data, "assessment_id": view.assessment_id,
            "assessment": view.assessment, "created_at": view.created_at.isoformat(),
            "created_by": view.created_by, "updated_at": view.updated_at.isoformat(),
            "updated_by": view.updated_by}


def meeting_json(m: MeetingView) -> dict[str, Any]:
    return {"id": m.id, "held_on": m.held_on.isoformat(), "title": m.title,
            "attendees": [{"id": a.id, "name": a.name, "role": a.role, "present": a.present}
                          for a in m.attendees],
            "case_ids": list(m.case_ids), "quorate": m.quorate,
            "quorum_missing": list(m.quorum_missing),
            "decisions": [decision_json(d) for d in m.decisions]}


def decision_json(d: DecisionView) -> dict[str, Any]:
    return {"id": d.id, "meeting_id": d.meeting_id, "case_id": d.case_id,
            "assessment_id": d.assessment_id, "options": list(d.options),
            "rationale": d.rationale, "dissent": d.dissent, "recorded_by": d.recorded_by,
            "recorded_at": d.recorded_at.isoformat(), "signed_by": d.signed_by,
            "signed_at": d.signed_at.isoformat() if d.signed_at else None,
            "read_only": d.signed}


@router.post("/assess", openapi_extra=CASE_BODY,
             summary="Assess a case without storing it")
def assess_case(body: Annotated[dict[str, Any], Body()], _who: Reader) -> JSONResponse:
    # The assessment is plain JSON already: answer it directly, without re-encoding it.
    return JSONResponse(assess(validate_case(body)))


@router.post("/cases", status_code=201, openapi_extra=CASE_BODY, summary="Store a new case")
def create_case(request: Request, body: Annotated[dict[str, Any], Body()],
                who: Editor) -> JSONResponse:
    view = store_of(request).create_case(body, who.username)
    return JSONResponse(case_json(view), status_code=201,
                        headers={"Location": f"/api/cases/{view.id}"})


@router.get("/cases", summary="List cases, most urgent first")
def list_cases(request: Request, _who: Reader, level: str | None = None,
               pathway: str | None = None, meeting: int | None = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 50,
               offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
    rows, total = store_of(request).list_cases(level=level, pathway=pathway,
                                               meeting_id=meeting, limit=limit, offset=offset)
    return {"total": total, "cases": [
        {"id": r.id, "label": r.label, "revision": r.revision, "triage_level": r.triage_level,
         "triage_pathway": r.triage_pathway, "primary_site": r.primary_site,
         "updated_at": r.updated_at.isoformat(),
         "running_clocks": [{"id": c.id, "due": c.due.isoformat(), "rule": c.rule}
                            for c in r.clocks]} for r in rows]}


@router.get("/cases/{case_id}", summary="A stored case with its latest assessment")
def get_case(request: Request, case_id: int, _who: Reader,
             revision: int | None = None) -> dict[str, Any]:
    return case_json(store_of(request).get_case(case_id, revision))


@router.put("/cases/{case_id}", summary="Save a new revision (409 if it changed meanwhile)")
def update_case(request: Request, case_id: int, body: CaseUpdate,
                who: Editor) -> dict[str, Any]:
    view = store_of(request).update_case(case_id, body.case, body.revision, who.username,
                                         note=body.note)
    return case_json(view)


@router.get("/cases/{case_id}/assessment", summary="The latest assessment snapshot")
def case_assessment(request: Request, case_id: int, _who: Reader) -> dict[str, Any]:
    return store_of(request).get_case(case_id).assessment


@router.get("/cases/{case_id}/revisions", summary="Every revision, newest first")
def case_revisions(request: Request, case_id: int, _who: Reader) -> list[dict[str, Any]]:
    store = store_of(request)
    store.get_case(case_id)
    return [{"revision": r.revision, "created_at": r.created_at.isoformat(),
             "created_by": r.created_by, "note": r.note} for r in store.revisions(case_id)]


@router.get("/cases/{case_id}/events", summary="The pathway timeline with who recorded it")
def case_events(request: Request, case_id: int, _who: Reader) -> list[dict[str, Any]]:
    store = store_of(request)
    store.get_case(case_id)
    return [{"name": e.name, "at": e.at.isoformat() if e.at else None, "revision": e.revision,
             "recorded_by": e.recorded_by, "recorded_at": e.recorded_at.isoformat()}
            for e in store.events(case_id)]


@router.get("/meetings", summary="Tumour-board meetings, newest first")
def list_meetings(request: Request, _who: Reader) -> list[dict[str, Any]]:
    return [meeting_json(m) for m in store_of(request).meetings()]


@router.post("/meetings", status_code=201, summary="Plan a tumour-board meeting")
def create_meeting(request: Request, body: MeetingIn, who: Organiser) -> dict[str, Any]:
    store = store_of(request)
    meeting = store.create_meeting(body.held_on, body.title, who.username,
                                   attendees=[(a.name, a.role) for a in body.attendees],
                                   case_ids=body.case_ids)
    for attendee, given in zip(meeting.attendees, body.attendees, strict=True):
        if not given.present:
            meeting = store.set_presence(meeting.id, attendee.id, False, who.username)
    return meeting_json(meeting)


@router.get("/meetings/{meeting_id}", summary="One meeting: attendance, agenda, decisions")
def get_meeting(request: Request, meeting_id: int, _who: Reader) -> dict[str, Any]:
    return meeting_json(store_of(request).get_meeting(meeting_id))


@router.post("/meetings/{meeting_id}/decisions", status_code=201,
             summary="Record (and, as chair, sign) the decision on one case")
def record_decision(request: Request, meeting_id: int, body: DecisionIn,
                    who: Recorder) -> dict[str, Any]:
    decision = store_of(request).record_decision(
        meeting_id, body.case_id, options=body.options, rationale=body.rationale,
        dissent=body.dissent, actor=who.username, role=who.role, sign=body.sign)
    return decision_json(decision)
