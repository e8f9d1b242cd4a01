"""FHIR R4 routes of the JSON API: a Bundle in as a case, a stored case out as a Bundle.

The mapping is `oncospine.fhir`, the same as `oncospine fhir import|export`. What could not be
mapped is always returned next to the case, never dropped; a malformed or unknown resource is a
422 with the element at fault (FhirMappingError), never a 500.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse

from oncospine.assessment import assess
from oncospine.case import validate_case
from oncospine.fhir import bundle_from_assessment, case_from_bundle
from oncospine.web.api import CASE_BODY, Reader, case_json
from oncospine.web.security import ensure, principal, store_of

router = APIRouter(prefix="/api", tags=["fhir"], dependencies=[Depends(principal)])

FHIR_JSON = "application/fhir+json"
BUNDLE_BODY = {"requestBody": {"required": True, "content": {
    media: {"schema": {"type": "object", "description": "a FHIR R4 Bundle (any type) with the "
                       "Patient, Conditions, Observations and DiagnosticReports of one person",
                       "required": ["resourceType"],
                       "properties": {"resourceType": {"const": "Bundle"}}}}
    for media in ("application/json", FHIR_JSON)}}}


def _bundle_response(bundle: dict[str, Any]) -> JSONResponse:
    return JSONResponse(bundle, media_type=FHIR_JSON)


@router.post("/fhir/import", openapi_extra=BUNDLE_BODY,
             summary="Read a FHIR R4 Bundle as a case (store it with ?store=true)",
             responses={201: {"description": "stored: the case as GET /api/cases/{id} gives it, "
                                             "with `unmapped` and `notes`"},
                        422: {"description": "not a Bundle, or a malformed resource"}})
def import_bundle(request: Request, body: Annotated[dict[str, Any], Body()], who: Reader,
                  store: Annotated[bool, Query(description="store the case (needs a role "
                                               "that may edit cases)")] = False,
                  label: Annotated[str | None, Query(max_length=200, description="case id to "
                                                     "give it when the Bundle has none")] = None,
                  ) -> JSONResponse:
    result = case_from_bundle(body)
    data = result.case
    if label and not data.get("id"):
        data = {"id": label, **data}
    mapping = {"unmapped": [n.to_dict() for n in result.unmapped],
               "notes": [n.to_dict() for n in result.notes]}
    if not store:
        case = validate_case(data)
        return JSONResponse({"case": data, **mapping, "assessment": assess(case)})
    ensure(who, "edit_case")
    view = store_of(request).create_case(data, who.username, note="imported from a FHIR Bundle")
    return JSONResponse({**case_json(view), **mapping}, status_code=201,
                        headers={"Location": f"/api/cases/{view.id}"})


@router.post("/fhir/export", openapi_extra=CASE_BODY,
             summary="Assess a case without storing it and answer a FHIR R4 Bundle")
def export_case(body: Annotated[dict[str, Any], Body()], _who: Reader) -> JSONResponse:
    case = validate_case(body)
    return _bundle_response(bundle_from_assessment(case, assess(case)))


@router.get("/cases/{case_id}/fhir",
            summary="A stored case and its assessment snapshot as a FHIR R4 Bundle",
            responses={200: {"content": {FHIR_JSON: {}}}})
def case_bundle(request: Request, case_id: int, _who: Reader,
                revision: int | None = None) -> JSONResponse:
    # The Bundle carries the stored snapshot (what the team saw), not a fresh assessment.
    view = store_of(request).get_case(case_id, revision)
    return _bundle_response(bundle_from_assessment(validate_case(view.data), view.assessment))
