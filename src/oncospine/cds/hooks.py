"""The two CDS services: what discovery says about them, and running one call end to end.

A call: check the hook and its context, gather the prefetch (fetching what is missing), map the
FHIR data to a case (nothing about another patient, nothing malformed), assess it, build cards.

References: CDS Hooks 2.0; hooks `patient-view` 1.0 and `order-select` 1.0.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from oncospine.assessment import assess
from oncospine.cds.order_select import order_cards
from oncospine.cds.patient_view import patient_view_cards
from oncospine.cds.prefetch import REQUIRED, TEMPLATES, gather
from oncospine.fhir.importer import Seen, case_from_resources, flatten
from oncospine.fhir.validation import FhirMappingError, validate_resource

if TYPE_CHECKING:
    from oncospine.cds.models import HookRequest
    from oncospine.cds.service import CdsConfig

SERVICES: dict[str, dict[str, Any]] = {
    "oncospine-spine-triage": {
        "hook": "patient-view",
        "title": "Spinal tumour triage and scores",
        "description": ("Suspected metastatic spinal cord compression and spinal metastases: "
                        "triage level, clocks and first actions (critical or warning card), "
                        "whole-spine MRI and dexamethasone proposals, and the spine scores "
                        "when lesions are recorded. No card when nothing applies."),
    },
    "oncospine-spine-imaging": {
        "hook": "order-select",
        "title": "Spine imaging for people with cancer",
        "description": ("When spinal imaging is ordered for a person with cancer: whether it "
                        "should be whole-spine MRI and how urgently; why a plain X-ray cannot "
                        "rule out spinal metastases."),
    },
}


class BadRequest(ValueError):
    """The request breaks the hook's definition (HTTP 400)."""


def discovery() -> list[dict[str, Any]]:
    return [{"hook": s["hook"], "title": s["title"], "description": s["description"],
             "id": sid, "prefetch": dict(TEMPLATES)} for sid, s in SERVICES.items()]


def _patient_id(request: HookRequest) -> str:
    try:
        return request.patient_id()
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def _link(config: CdsConfig, case: dict[str, Any], patient_id: str,
          request: HookRequest) -> dict[str, Any] | None:
    url = config.case_link(case, patient_id)
    if not url:
        return None
    return {"label": "Open the spinal tumour case in oncospine", "url": url, "type": "smart",
            "appContext": json.dumps({"patientId": patient_id,
                                      "hookInstance": request.hookInstance})}


async def run(service_id: str, request: HookRequest, config: CdsConfig) -> dict[str, Any]:
    service = SERVICES[service_id]
    if request.hook != service["hook"]:
        raise BadRequest(f"service {service_id} answers the {service['hook']!r} hook, "
                         f"not {request.hook!r}")
    patient_id = _patient_id(request)
    orders: list[dict[str, Any]] = []
    if service["hook"] == "order-select":
        orders = _selected_orders(request)
    got = await gather(request, config.http_client, config.fetch_timeout)
    resources: list[tuple[str, dict[str, Any]]] = []
    seen: Seen = {}
    for key, value in got.values.items():
        if value is None:
            continue
        if not isinstance(value, dict):
            raise FhirMappingError(f"prefetch {key!r}: expected a FHIR resource or null")
        resources.extend(flatten(value, f"prefetch {key!r}", strict_envelope=False, seen=seen))
    result = case_from_resources(resources, patient_id=patient_id)
    case = result.model
    assessment = assess(case)
    extra = got.gaps(REQUIRED)
    if service["hook"] == "patient-view":
        cards = patient_view_cards(case, assessment, patient_id, extra)
    else:
        cards = order_cards(case, assessment, orders, patient_id, extra)
    if cards:  # the host is asked for a case page only when there is a card to link it from
        link = _link(config, result.case, patient_id, request)
        if link is not None:
            cards[0]["links"] = [link]
    return {"cards": cards}


def _selected_orders(request: HookRequest) -> list[dict[str, Any]]:
    context = request.context
    selections = context.get("selections")
    drafts = context.get("draftOrders")
    if not isinstance(selections, list) or not all(isinstance(s, str) for s in selections):
        raise BadRequest("context.selections must be a list of 'Type/id' strings")
    if not isinstance(drafts, dict) or drafts.get("resourceType") != "Bundle":
        raise BadRequest("context.draftOrders must be a FHIR Bundle")
    entries = drafts.get("entry", [])
    if not isinstance(entries, list):
        raise BadRequest("context.draftOrders.entry must be a list")
    chosen = []
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            raise FhirMappingError(f"context.draftOrders entry {i}: no resource")
        ref = f"{resource.get('resourceType')}/{resource.get('id', '')}"
        # Only selected ServiceRequests are read, so only they are checked (the specification's
        # own example carries orders of other types that are not valid R4).
        if ref in selections and resource.get("resourceType") == "ServiceRequest":
            validate_resource(resource, f"context.draftOrders entry {i}")
            chosen.append(resource)
    return chosen
