"""The FastAPI application: `create_app()` wires the store, the routers and the error mapping.

Routes stay thin: they parse, call the store or the clinical core, and map errors. Errors keep
one shape everywhere: an invalid case answers 422 with the same field / value / allowed /
did-you-mean details the command line prints.
"""

from __future__ import annotations

import math
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from oncospine.errors import CaseValidationError, Issue
from oncospine.fhir import FhirMappingError
from oncospine.store import Store
from oncospine.store.errors import (
    Forbidden,
    Invalid,
    NotFound,
    ReadOnly,
    RevisionConflict,
    StoreError,
)
from oncospine.web import api, fhir_api, pages
from oncospine.web.rendering import templates
from oncospine.web.security import CsrfFailure, NotAuthenticated, Principal, principal
from oncospine.web.settings import Settings

STATIC = Path(__file__).parent / "static"
VERSION = version("oncospine")
STATUS = {NotFound: 404, RevisionConflict: 409, Forbidden: 403, ReadOnly: 409, Invalid: 422}


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return (path.startswith(("/api/", "/cds-services", "/openapi.json", "/docs"))
            or ("application/json" in request.headers.get("accept", "")
            and "text/html" not in request.headers.get("accept", "")))


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(title="oncospine", version=VERSION,
                  description="Decision support for the spinal tumour pathway: case store, "
                              "assessment, tumour board. Every route except /health needs a "
                              "session or an API token (`Authorization: Bearer`).",
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.store = store or Store(settings.database_url)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/health", tags=["service"])
    def health() -> dict[str, Any]:
        """Liveness and database check; open without login, shows no data."""
        app.state.store.case_count()
        return {"status": "ok", "version": VERSION}

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document(_who: Annotated[Principal, Depends(principal)]) -> JSONResponse:
        """The OpenAPI document, for signed-in users and API tokens only."""
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def openapi_page(request: Request, who: Annotated[Principal, Depends(principal)]) -> Response:
        """The API documentation as a page of this app (nothing loaded from elsewhere)."""
        document = app.openapi()
        routes = [(method.upper(), path, op.get("summary", ""), op.get("description", ""))
                  for path, item in document["paths"].items() for method, op in item.items()]
        return templates.TemplateResponse(request, "api_docs.html", {
            "who": who, "routes": routes, "info": document["info"]})

    app.include_router(api.router)
    app.include_router(fhir_api.router)
    app.include_router(pages.router)
    app.include_router(_cds_router(settings, app.state.store))
    _errors(app)
    return app


def _cds_router(settings: Settings, store: Store) -> APIRouter:
    """The CDS Hooks service, with its issuers, tokens and feedback kept in the store."""
    from oncospine.cds.service import CdsConfig, TrustedIssuer, create_cds_router

    def issuers() -> list[TrustedIssuer]:
        return [TrustedIssuer(iss, jwks, jku) for iss, jwks, jku in store.cds_issuers()]

    def token_user(token: str) -> str | None:
        user = store.token_user(token)
        return user.username if user else None

    def case_link(case: dict[str, Any], patient_id: str | None) -> str | None:
        # The first call for a patient stores the case the EHR data describes; later calls link
        # to it without overwriting what clinicians have added since (cards are always computed
        # from the EHR's current data).
        if not patient_id:
            return None
        case_id = store.case_by_patient(patient_id)
        if case_id is None:
            case_id = store.create_case(case, "cds", external_patient=patient_id,
                                        note="started from the EHR (CDS Hooks patient-view)").id
        return f"{settings.base_url}/cases/{case_id}"

    return create_cds_router(CdsConfig(
        audience=settings.base_url, trusted_issuers=issuers, verify_api_token=token_user,
        record_feedback=store.record_cds_feedback, case_link=case_link))


def _errors(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def _login(request: Request, _exc: NotAuthenticated) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": "not_authenticated",
                                 "message": "sign in, or send an API token as "
                                            "'Authorization: Bearer <token>'"},
                                status_code=401, headers={"WWW-Authenticate": "Bearer"})
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(CsrfFailure)
    async def _csrf(request: Request, _exc: CsrfFailure) -> Response:
        message = "the form's security token is missing or stale; reload the page and retry"
        if _wants_json(request):
            return JSONResponse({"error": "csrf", "message": message}, status_code=403)
        return _page_error(request, 403, "Form expired", message)

    @app.exception_handler(CaseValidationError)
    async def _invalid_case(_request: Request, exc: CaseValidationError) -> Response:
        return JSONResponse(_finite(exc.to_dict()), status_code=422)

    @app.exception_handler(FhirMappingError)
    async def _invalid_fhir(_request: Request, exc: FhirMappingError) -> Response:
        return JSONResponse(_finite(exc.to_dict()), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, exc: RequestValidationError) -> Response:
        issues = [Issue(".".join(str(p) for p in e["loc"] if p != "body"), e["msg"],
                        _short(e.get("input"))) for e in exc.errors()]
        return JSONResponse(_finite({"error": "invalid_request",
                                     "issues": [i.to_dict() for i in issues]}), status_code=422)

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError) -> Response:
        status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
        if _wants_json(request):
            body: dict[str, Any] = {"error": type(exc).__name__.lower(), "message": str(exc)}
            if isinstance(exc, RevisionConflict):
                body["current_revision"] = exc.current
            return JSONResponse(body, status_code=status)
        return _page_error(request, status, _TITLES.get(status, "Not possible"), str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            detail = exc.detail if isinstance(exc.detail, dict) else {"message": str(exc.detail)}
            return JSONResponse({"error": "http", **detail}, status_code=exc.status_code,
                                headers=exc.headers)
        return _page_error(request, exc.status_code, _TITLES.get(exc.status_code, "Error"),
                           str(exc.detail))


_TITLES = {403: "Not allowed", 404: "Not found", 409: "Changed meanwhile", 422: "Not possible"}


def _page_error(request: Request, status: int, title: str, message: str) -> Response:
    return templates.TemplateResponse(
        request, "error.html", {"title": title, "message": message, "status": status,
                                "who": getattr(request.state, "principal", None)},
        status_code=status)


def _finite(doc: Any) -> Any:
    """JSON has no NaN, infinity or bytes: an echoed bad value is shown as text instead."""
    if isinstance(doc, dict):
        return {k: _finite(v) for k, v in doc.items()}
    if isinstance(doc, list | tuple):
        return [_finite(v) for v in doc]
    if isinstance(doc, float) and not math.isfinite(doc):
        return repr(doc)
    if isinstance(doc, bytes):
        return _short(doc.decode("utf-8", "replace"))
    return doc


def _short(value: Any) -> Any:
    text = repr(value)
    return value if len(text) <= 80 else text[:77] + "..."
