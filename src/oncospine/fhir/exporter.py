"""`oncospine-case/1` + `oncospine-assessment/1` -> one FHIR R4 Bundle (type `collection`).

The Bundle carries the case inputs (so importing it gives the same case back) and the
assessment outputs (tagged, so an import skips them and recomputes them). Entry URLs are
`urn:uuid:` values derived from the case, so the same case exports to the same Bundle.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from oncospine.case import Case
from oncospine.fhir import codes as c
from oncospine.fhir.inputs import input_resources
from oncospine.fhir.outputs import (
    care_plan,
    risk_assessment,
    score_observations,
    triage_observation,
    workup_requests,
)

NAMESPACE = uuid.UUID("0b6f3f9e-7a52-4c1e-9d0c-3a4f1c2b5e77")


def _key(case: Case) -> str:
    text = json.dumps(case.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def bundle_from_assessment(case: Case, assessment: dict[str, Any]) -> dict[str, Any]:
    """A FHIR R4 Bundle with the case inputs and the assessment results, JSON-ready."""
    key = _key(case)

    def full_url(resource: dict[str, Any]) -> str:
        name = f"{key}/{resource['resourceType']}/{resource['id']}"
        return f"urn:uuid:{uuid.uuid5(NAMESPACE, name)}"

    patient: dict[str, Any] = {"resourceType": "Patient", "id": "patient"}
    subject = {"reference": full_url(patient)}
    resources = input_resources(case, patient, subject)
    scores = score_observations(assessment["scores"], subject, assessment["assessed_at"])
    resources += scores
    resources.append(triage_observation(assessment, subject))
    resources.append(risk_assessment(assessment, subject, [full_url(s) for s in scores]))
    resources.append(care_plan(assessment, subject))
    resources += workup_requests(assessment, subject)
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(NAMESPACE, key)),
        "meta": {"tag": [{"system": c.CS_TAG, "code": assessment["ruleset"]["version"],
                          "display": "oncospine ruleset version"}]},
        "type": "collection",
        "timestamp": assessment["assessed_at"],
        "entry": [{"fullUrl": full_url(r), "resource": r} for r in resources],
    }
    if case.id is not None:
        bundle["identifier"] = {"system": c.NS_CASE_ID, "value": case.id}
    return bundle
