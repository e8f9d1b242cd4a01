"""The CDS Hooks 2.0 service as a FastAPI router with its collaborators injected.

`create_cds_router(config)` serves `GET /cds-services` (discovery), `POST /cds-services/{id}`
(the `patient-view` and `order-select` services) and `POST /cds-services/{id}/feedback`. The web
application mounts the router and supplies the issuer allow-list, API-token check, feedback store
and case links; `create_cds_app(config)` is a small standalone app (with `GET /health`) for
tests and the benchmark.

Status codes: 200 with cards (possibly none); 400 for a request that breaks the specification;
401 when the caller is not authenticated; 404 for an unknown service; 412 when required FHIR
data can be neither read from the prefetch nor fetched; 422 for malformed FHIR. Never a 500 for
bad input.

References: CDS Hooks 2.0 (discovery, calling a service, prefetch, feedback, security).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from oncospine.cds import hooks
from oncospine.cds.auth import AuthError, Caller, ReplayGuard, authenticate
from oncospine.cds.models import Feedback, HookRequest, problems_of
from oncospine.cds.prefetch import PrefetchFailed
from oncospine.errors import OncospineError
from oncospine.fhir.validation import FhirMappingError


@dataclass(frozen=True)
class TrustedIssuer:
    """One allow-listed EHR: its `iss`, its public keys (a JWKS dict) and, optionally, the one
    JWK Set URL it may name in `jku` (never fetched: keys come from `jwks` only)."""

    iss: str
    jwks: dict[str, Any]
    jku: str | None = None


@dataclass
class CdsConfig:
    """What the service needs from its host application."""

    audience: str  # this service's base URL; JWT `aud` is this + "/cds-services[/{id}]"
    trusted_issuers: Callable[[], Sequence[TrustedIssuer]]
    verify_api_token: Callable[[str], str | None]  # bearer token -> user name, or None
    record_feedback: Callable[[str, dict[str, Any]], None]  # (service_id, feedback item)
    case_link: Callable[[dict[str, Any], str | None], str | None]  # (case, patient id) -> URL
    http_client: httpx.AsyncClient | None = None  # for fetching from fhirServer
    fetch_timeout: float = 5.0  # seconds per FHIR request
    clock_skew: float = 30.0  # seconds of leeway on exp and iat
    replay_guard: ReplayGuard = field(default_factory=ReplayGuard)


def _fail(status: int, message: str, problems: list[str] | None = None) -> HTTPException:
    detail: dict[str, Any] = {"message": message}
    if problems:
        detail["problems"] = problems
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return HTTPException(status_code=status, detail=detail, headers=headers)


def create_cds_router(config: CdsConfig) -> APIRouter:
    """The CDS Hooks endpoints, to mount at the service's base URL."""
    router = APIRouter(tags=["CDS Hooks"])
    base = config.audience.rstrip("/")

    def caller(request: Request, *paths: str) -> Caller:
        audiences = [f"{base}{p}" for p in paths]
        try:
            return authenticate(request.headers.get("authorization"), config.trusted_issuers(),
                                audiences, config.replay_guard, config.verify_api_token,
                                config.clock_skew)
        except AuthError as exc:
            raise _fail(401, str(exc)) from None

    @router.get("/cds-services")
    async def discovery(request: Request) -> dict[str, Any]:
        caller(request, "/cds-services")
        return {"services": hooks.discovery()}

    @router.post("/cds-services/{service_id}")
    async def call(service_id: str, request: Request) -> JSONResponse:
        caller(request, f"/cds-services/{service_id}")
        if service_id not in hooks.SERVICES:
            raise _fail(404, f"no CDS service {service_id!r}; see GET /cds-services")
        body = await _json(request)
        try:
            hook_request = HookRequest.model_validate(body)
        except ValidationError as exc:
            raise _fail(400, "not a valid CDS Hooks request", problems_of(exc)) from None
        try:
            result = await hooks.run(service_id, hook_request, config)
        except hooks.BadRequest as exc:
            raise _fail(400, str(exc)) from None
        except PrefetchFailed as exc:
            raise _fail(412, str(exc)) from None
        except FhirMappingError as exc:
            raise _fail(422, exc.message, exc.problems) from None
        except OncospineError as exc:
            raise _fail(422, str(exc)) from None
        return JSONResponse(result)

    @router.post("/cds-services/{service_id}/feedback")
    async def feedback(service_id: str, request: Request) -> Response:
        caller(request, f"/cds-services/{service_id}/feedback", f"/cds-services/{service_id}")
        if service_id not in hooks.SERVICES:
            raise _fail(404, f"no CDS service {service_id!r}")
        body = await _json(request)
        try:
            items = Feedback.model_validate(body).feedback
        except ValidationError as exc:
            raise _fail(400, "not valid CDS Hooks feedback", problems_of(exc)) from None
        for item in items:
            config.record_feedback(service_id, item.model_dump(mode="json", exclude_none=True))
        return Response(status_code=200)

    return router


async def _json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise _fail(400, "the request body is not JSON") from None


def create_cds_app(config: CdsConfig) -> FastAPI:
    """A standalone app serving the CDS Hooks router and `GET /health`."""
    app = FastAPI(title="oncospine CDS Hooks service", docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.include_router(create_cds_router(config))

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
