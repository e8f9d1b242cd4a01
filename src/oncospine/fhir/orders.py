"""Draft FHIR requests built from assessment items: ServiceRequest and MedicationRequest.

Used by the Bundle export (the work-up as draft ServiceRequests) and by the CDS Hooks cards
(suggestions that create a whole-spine MRI request or a dexamethasone proposal). Everything is a
draft proposal for a clinician to accept; nothing here is an order.

References: triage TRI-003/TRI-004 (MRI within 1 week / 24 hours), IMG-001, MGT-003 (dexamethasone
16 mg), assessment-format.md option ids.
"""

from __future__ import annotations

from typing import Any

from oncospine.fhir import codes as c
from oncospine.fhir.values import coding, concept
from oncospine.knowledge import load

IMAGING = frozenset({"mri_whole_spine", "ct_spine", "ct_staging", "pet_ct", "bone_scan",
                     "xray_spine"})
DEX_DOSE_MG = 16  # MGT-003


def title(option_id: str) -> str:
    """The catalogue title of a plan option or test, e.g. "MRI of the whole spine"."""
    entry = load("treatments").get(option_id)
    return str(entry["title"]) if entry else option_id.replace("_", " ")


def option_concept(option_id: str) -> dict[str, Any]:
    return concept(c.CS_OPTION, option_id, title(option_id))


def priority(within_hours: float | None) -> str:
    """Request priority from the clock: within 24 h is `stat` (an emergency in FHIR's words),
    within a week `urgent`, otherwise `routine`."""
    if within_hours is not None and within_hours <= 24:
        return "stat"
    if within_hours is not None and within_hours <= 168:
        return "urgent"
    return "routine"


def _notes(item: dict[str, Any]) -> list[dict[str, str]]:
    rules = ", ".join(item.get("rules", ()))
    text = item.get("rationale", "")
    if item.get("within_hours") is not None:
        text += f"; within {item['within_hours']:g} hours"
    if rules:
        text += f" (oncospine rules {rules}"
        sources = ", ".join(item.get("sources", ()))
        text += f"; sources {sources})" if sources else ")"
    return [{"text": text}] if text else []


def service_request(item: dict[str, Any], subject: dict[str, str],
                    authored: str | None = None) -> dict[str, Any]:
    """A draft ServiceRequest for one work-up or triage item of an assessment."""
    option_id = item["id"]
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "code": option_concept(option_id),
        "subject": subject,
    }
    if option_id in IMAGING:
        resource["category"] = [concept(*c.CATEGORY_IMAGING)]
    if item.get("role") == "not_recommended":
        resource["doNotPerform"] = True
    else:
        resource["priority"] = priority(item.get("within_hours"))
    if authored:
        resource["authoredOn"] = authored
    notes = _notes(item)
    if notes:
        resource["note"] = notes
    return resource


def dexamethasone_request(item: dict[str, Any], subject: dict[str, str],
                          authored: str | None = None) -> dict[str, Any]:
    """A MedicationRequest proposal for dexamethasone 16 mg, as the rules recommend it."""
    medication = {"coding": [coding(*m) for m in c.MEDICATION_DEXAMETHASONE],
                  "text": "dexamethasone"}
    dose_text = item.get("dose") or f"{DEX_DOSE_MG} mg"
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "proposal",
        "priority": priority(item.get("within_hours", 0)),
        "medicationCodeableConcept": medication,
        "subject": subject,
        "dosageInstruction": [{
            "text": dose_text,
            "route": concept(*c.ROUTE_ORAL),
            "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
            "doseAndRate": [{"doseQuantity": {"value": DEX_DOSE_MG, "unit": "mg",
                                              "system": c.UCUM, "code": "mg"}}],
        }],
        "note": _notes(item),
    }
    if authored:
        resource["authoredOn"] = authored
    return resource
