"""Tumour-board pages: meetings, agenda, attendance and quorum, per-case summary, decisions,
and the printable outcome list."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from oncospine.store.errors import Invalid, NotFound
from oncospine.store.views import ATTENDEE_ROLES, MeetingView
from oncospine.web.rendering import templates
from oncospine.web.security import Principal, principal, require, store_of

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(principal)]
Organiser = Annotated[Principal, Depends(require("manage_meeting"))]
Recorder = Annotated[Principal, Depends(require("draft_decision"))]


def _page(request: Request, name: str, who: Principal, status: int = 200,
          **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"who": who, **context},
                                      status_code=status)


@router.get("/meetings")
def meetings(request: Request, who: Reader) -> HTMLResponse:
    return _page(request, "meetings.html", who, meetings=store_of(request).meetings(),
                 roles=ATTENDEE_ROLES, today=date.today().isoformat())


@router.post("/meetings")
async def create_meeting(request: Request, who: Organiser) -> Response:
    form = await request.form()
    try:
        held_on = date.fromisoformat(str(form.get("held_on") or ""))
    except ValueError as exc:
        raise Invalid("the meeting needs a date (YYYY-MM-DD)") from exc
    names = [str(n) for n in form.getlist("attendee_name")]
    roles = [str(r) for r in form.getlist("attendee_role")]
    attendees = [(n, r) for n, r in zip(names, roles, strict=False) if n.strip()]
    meeting = store_of(request).create_meeting(held_on, str(form.get("title") or ""),
                                               who.username, attendees=attendees)
    return RedirectResponse(f"/meetings/{meeting.id}", status_code=303)


def _agenda(request: Request, meeting: MeetingView) -> list[tuple[Any, Any]]:
    store = store_of(request)
    return [(store.get_case(cid), meeting.decision_for(cid)) for cid in meeting.case_ids]


@router.get("/meetings/{meeting_id}")
def meeting_page(request: Request, meeting_id: int, who: Reader) -> HTMLResponse:
    store = store_of(request)
    meeting = store.get_meeting(meeting_id)
    candidates, _total = store.list_cases(limit=200)
    on_agenda = set(meeting.case_ids)
    return _page(request, "meeting.html", who, m=meeting, agenda=_agenda(request, meeting),
                 candidates=[c for c in candidates if c.id not in on_agenda],
                 roles=ATTENDEE_ROLES)


@router.post("/meetings/{meeting_id}/agenda")
async def add_agenda(request: Request, meeting_id: int, who: Organiser) -> Response:
    form = await request.form()
    ids = [int(str(v)) for v in form.getlist("case_id") if str(v).isdigit()]
    if not ids:
        raise Invalid("choose at least one case to add to the agenda")
    store_of(request).add_to_agenda(meeting_id, ids, who.username)
    return RedirectResponse(f"/meetings/{meeting_id}", status_code=303)


@router.post("/meetings/{meeting_id}/attendees")
def add_attendee(request: Request, meeting_id: int, who: Organiser,
                 name: Annotated[str, Form()], role: Annotated[str, Form()]) -> Response:
    if not name.strip():
        raise Invalid("the attendee needs a name")
    store_of(request).add_attendee(meeting_id, name, role, who.username)
    return RedirectResponse(f"/meetings/{meeting_id}#attendance", status_code=303)


@router.post("/meetings/{meeting_id}/attendees/{attendee_id}")
def set_presence(request: Request, meeting_id: int, attendee_id: int, who: Organiser,
                 present: Annotated[str, Form()]) -> Response:
    store_of(request).set_presence(meeting_id, attendee_id, present == "yes", who.username)
    return RedirectResponse(f"/meetings/{meeting_id}#attendance", status_code=303)


@router.get("/meetings/{meeting_id}/cases/{case_id}")
def board_case(request: Request, meeting_id: int, case_id: int, who: Reader) -> HTMLResponse:
    store = store_of(request)
    meeting = store.get_meeting(meeting_id)
    if case_id not in meeting.case_ids:
        raise NotFound(f"case {case_id} is not on the agenda of this meeting")
    view = store.get_case(case_id)
    decision = meeting.decision_for(case_id)
    based_on = store.assessment(decision.assessment_id) if decision else None
    position = meeting.case_ids.index(case_id)
    return _page(request, "board_case.html", who, m=meeting, view=view, a=view.assessment,
                 decision=decision, based_on=based_on, now=datetime.now(UTC),
                 previous=meeting.case_ids[position - 1] if position > 0 else None,
                 following=(meeting.case_ids[position + 1]
                            if position + 1 < len(meeting.case_ids) else None))


@router.post("/meetings/{meeting_id}/cases/{case_id}/decision")
async def decide(request: Request, meeting_id: int, case_id: int, who: Recorder) -> Response:
    form = await request.form()
    store_of(request).record_decision(
        meeting_id, case_id, options=[str(o) for o in form.getlist("option")],
        rationale=str(form.get("rationale") or ""), dissent=str(form.get("dissent") or ""),
        actor=who.username, role=who.role, sign=form.get("action") == "sign")
    return RedirectResponse(f"/meetings/{meeting_id}/cases/{case_id}", status_code=303)


@router.get("/meetings/{meeting_id}/outcomes")
def outcomes(request: Request, meeting_id: int, who: Reader) -> HTMLResponse:
    meeting = store_of(request).get_meeting(meeting_id)
    return _page(request, "outcomes.html", who, m=meeting, agenda=_agenda(request, meeting),
                 printed=datetime.now(UTC))
