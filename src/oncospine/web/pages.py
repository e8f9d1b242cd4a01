"""Server-rendered pages: login, case list, case form with live assessment, case page, reports.

Pages render with Jinja2; the case form posts to `/cases/preview` through htmx as fields change,
so triage, scores and missing inputs update while the clinician types.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from oncospine.assessment import assess
from oncospine.case import validate_case
from oncospine.errors import CaseValidationError
from oncospine.store.errors import NotFound, RevisionConflict
from oncospine.store.views import CaseView
from oncospine.web import forms
from oncospine.web.admin import router as admin_router
from oncospine.web.board import router as board_router
from oncospine.web.rendering import PATHWAY_LABEL, templates
from oncospine.web.security import (
    SESSION_COOKIE,
    Principal,
    identify,
    principal,
    require,
    store_of,
)

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "oncospine_login"
PAGE_SIZE = 50
Reader = Annotated[Principal, Depends(principal)]
Editor = Annotated[Principal, Depends(require("edit_case"))]


def page(request: Request, name: str, who: Principal | None, status: int = 200,
         **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"who": who, **context},
                                      status_code=status)


# ------------------------------------------------------------------ login
@router.get("/login")
async def login_form(request: Request, next: str = "/cases") -> Response:
    if await identify(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    token = secrets.token_urlsafe(24)
    response = page(request, "login.html", None, next=_safe_next(next), login_csrf=token)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.settings.secure_cookies)
    return response


@router.post("/login")
def login(request: Request, username: Annotated[str, Form()],
          password: Annotated[str, Form()], login_csrf: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/cases") -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    store = store_of(request)
    user = (store.authenticate(username.strip(), password)
            if expected and secrets.compare_digest(expected, login_csrf) else None)
    if user is None:
        token = secrets.token_urlsafe(24)
        response = page(request, "login.html", None, status=401, next=_safe_next(next),
                        login_csrf=token, error="User name or password not recognised.")
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict")
        return response
    session, _csrf = store.open_session(user)
    done = RedirectResponse(_safe_next(next), status_code=303)
    done.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="lax",
                    secure=request.app.state.settings.secure_cookies, max_age=12 * 3600)
    done.delete_cookie(LOGIN_CSRF_COOKIE)
    return done


@router.post("/logout")
def logout(request: Request, _who: Reader) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        store_of(request).close_session(cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _safe_next(target: str) -> str:
    """Only local paths: a login link must never send someone to another site."""
    return target if target.startswith("/") and not target.startswith("//") else "/cases"


# ------------------------------------------------------------------ case list
@router.get("/")
def home(_who: Reader) -> Response:
    return RedirectResponse("/cases", status_code=303)


@router.get("/cases")
def case_list(request: Request, who: Reader, level: str = "", pathway: str = "",
              meeting: str = "", q: str = "", page_no: int = 1) -> HTMLResponse:
    store = store_of(request)
    meeting_id = int(meeting) if meeting.isdigit() else None
    page_no = max(1, page_no)
    rows, total = store.list_cases(level=level or None, pathway=pathway or None,
                                   meeting_id=meeting_id, text=q or None,
                                   limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
    filters = {"level": level, "pathway": pathway, "meeting": meeting, "q": q}
    query = urlencode({k: v for k, v in filters.items() if v})
    return page(request, "cases.html", who, rows=rows, total=total, filters=filters,
                meetings=store.meetings(), pathways=PATHWAY_LABEL, page_no=page_no,
                pages=max(1, -(-total // PAGE_SIZE)), query=query, now=datetime.now(UTC))


# ------------------------------------------------------------------ case form
@router.get("/cases/new")
def new_case(request: Request, who: Editor) -> HTMLResponse:
    return _form_page(request, who, values={}, case_id=None, revision=None,
                      lesions=1, imaging=0)


@router.get("/cases/{case_id}/edit")
def edit_case(request: Request, case_id: int, who: Editor) -> HTMLResponse:
    view = store_of(request).get_case(case_id)
    return _form_page(request, who, values=forms.form_values(view.data), case_id=case_id,
                      revision=view.revision, lesions=max(1, len(view.data.get("lesions", []))),
                      imaging=len(view.data.get("imaging", [])), live=view.assessment)


def _form_page(request: Request, who: Principal, *, values: dict[str, Any],
               case_id: int | None, revision: int | None, lesions: int, imaging: int,
               live: dict[str, Any] | None = None, errors: list[Any] | None = None,
               status: int = 200, conflict: RevisionConflict | None = None) -> HTMLResponse:
    return page(request, "case_form.html", who, status=status, groups=forms.GROUPS,
                values=values, case_id=case_id, revision=revision, lesion_count=lesions,
                imaging_count=imaging, a=live, errors=errors or [], conflict=conflict,
                local_input=forms.local_input, NONE=forms.NONE_OF_THESE)


@router.post("/cases/preview")
async def preview(request: Request, who: Editor) -> HTMLResponse:
    data = forms.case_from_form(await request.form())
    try:
        a = await run_in_threadpool(lambda: assess(validate_case(data)))
        return page(request, "_live.html", who, a=a, errors=[])
    except CaseValidationError as exc:
        return page(request, "_live.html", who, a=None, errors=exc.issues)


@router.post("/cases")
async def create_case(request: Request, who: Editor) -> Response:
    form = await request.form()
    data = forms.case_from_form(form)
    store = store_of(request)
    try:
        view = await run_in_threadpool(store.create_case, data, who.username,
                                       note=str(form.get("note") or ""))
    except CaseValidationError as exc:
        return _refill(request, who, form, data, None, None, exc)
    return RedirectResponse(f"/cases/{view.id}", status_code=303)


@router.post("/cases/{case_id}")
async def save_case(request: Request, case_id: int, who: Editor) -> Response:
    form = await request.form()
    data = forms.case_from_form(form)
    revision = int(str(form.get("revision") or "0"))
    store = store_of(request)
    try:
        await run_in_threadpool(lambda: store.update_case(
            case_id, data, revision, who.username, note=str(form.get("note") or "")))
    except CaseValidationError as exc:
        return _refill(request, who, form, data, case_id, revision, exc)
    except RevisionConflict as conflict:
        return _refill(request, who, form, data, case_id, revision, None, conflict)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


def _refill(request: Request, who: Principal, form: Any, data: dict[str, Any],
            case_id: int | None, revision: int | None, exc: CaseValidationError | None,
            conflict: RevisionConflict | None = None) -> HTMLResponse:
    values = forms.form_values(data)
    return _form_page(request, who, values=values, case_id=case_id, revision=revision,
                      lesions=max(1, len(data.get("lesions", []))),
                      imaging=len(data.get("imaging", [])),
                      errors=list(exc.issues) if exc else [],
                      status=409 if conflict else 422, conflict=conflict)


# ------------------------------------------------------------------ case page
@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: int, who: Reader,
              revision: int | None = None) -> HTMLResponse:
    from oncospine.reports import spine_svg

    store = store_of(request)
    view = store.get_case(case_id, revision)
    latest = view if revision is None else store.get_case(case_id)
    diagram = spine_svg(view.assessment) if view.assessment["scores"]["sins"]["lesions"] else ""
    return page(request, "case.html", who, view=view, a=view.assessment, diagram=diagram,
                latest_revision=latest.revision, revisions=store.revisions(case_id),
                events=store.events(case_id), decisions=store.decisions_for_case(case_id),
                now=datetime.now(UTC), event_labels=_event_labels())


def _event_labels() -> dict[str, str]:
    return {f.path.split(".")[1]: f.label for g in forms.GROUPS for f in g.fields
            if f.path.startswith("events.")}


@router.post("/cases/{case_id}/events")
def record_event(request: Request, case_id: int, who: Editor,
                 event: Annotated[str, Form()], revision: Annotated[int, Form()]) -> Response:
    """Stamp one pathway event with the current time, as a new revision of the case."""
    if event not in _event_labels():
        raise NotFound(f"no pathway event {event!r}")
    store = store_of(request)
    view = store.get_case(case_id)
    data = dict(view.data)
    data["events"] = {**data.get("events", {}), event: datetime.now(UTC).isoformat()}
    store.update_case(case_id, data, revision, who.username,
                      note=f"recorded {event.replace('_', ' ')}")
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


# ------------------------------------------------------------------ reports
@router.get("/cases/{case_id}/patient")
def patient_summary(request: Request, case_id: int, _who: Reader) -> HTMLResponse:
    from oncospine.reports import patient_html

    view = store_of(request).get_case(case_id)
    return HTMLResponse(patient_html(validate_case(view.data), view.assessment))


@router.get("/cases/{case_id}/report")
def clinician_report(request: Request, case_id: int, _who: Reader,
                     paper: str = "a4") -> HTMLResponse:
    from oncospine.reports import clinician_html

    view = store_of(request).get_case(case_id)
    return HTMLResponse(clinician_html(validate_case(view.data), view.assessment,
                                       paper=_paper(paper)))


@router.get("/cases/{case_id}/{kind}.pdf")
def report_pdf(request: Request, case_id: int, kind: str, _who: Reader,
               paper: str = "a4") -> Response:
    from oncospine.reports import clinician_html, html_to_pdf, patient_html

    if kind not in ("report", "patient"):
        raise NotFound(f"no document {kind!r}")
    view = store_of(request).get_case(case_id)
    render = clinician_html if kind == "report" else patient_html
    pdf = html_to_pdf(render(validate_case(view.data), view.assessment, paper=_paper(paper)))
    name = f"case-{case_id}-r{view.revision}-{kind}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _paper(paper: str) -> str:
    return "letter" if paper.lower() == "letter" else "a4"


def case_title(view: CaseView) -> str:
    return view.label or f"Case {view.id}"


templates.env.globals["case_title"] = case_title
router.include_router(board_router)
router.include_router(admin_router)
