"""Checking FHIR resources against the R4 models (fhir.resources, R4B package), with clear errors.

fhir.resources ships R4B models, a compatible revision of R4 for every resource read or written
here. Its models check structure and data types but not the codes of required bindings, so the
statuses this package relies on are checked too. Every failure is a `FhirMappingError` that
names the entry, the resource and the element, never a traceback.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from oncospine.errors import OncospineError, closest

MAX_PROBLEMS = 8
CACHE_SIZE = 8192
COMMON_TYPES = (
    "Patient", "Observation", "Condition", "DiagnosticReport", "Bundle", "ServiceRequest",
    "MedicationRequest", "Procedure", "Encounter", "ImagingStudy", "CarePlan", "RiskAssessment",
    "Practitioner", "PractitionerRole", "Organization", "OperationOutcome",
    "MedicationStatement", "AllergyIntolerance", "DocumentReference", "NutritionOrder",
)  # fmt: skip

# Required bindings the models leave unchecked: (resource, element) -> allowed codes.
REQUIRED_CODES: dict[tuple[str, str], frozenset[str]] = {
    ("Observation", "status"): frozenset({"registered", "preliminary", "final", "amended",
                                          "corrected", "cancelled", "entered-in-error",
                                          "unknown"}),
    ("DiagnosticReport", "status"): frozenset({"registered", "partial", "preliminary", "final",
                                               "amended", "corrected", "appended", "cancelled",
                                               "entered-in-error", "unknown"}),
    ("Patient", "gender"): frozenset({"male", "female", "other", "unknown"}),
    ("ServiceRequest", "status"): frozenset({"draft", "active", "on-hold", "revoked",
                                             "completed", "entered-in-error", "unknown"}),
    ("MedicationRequest", "status"): frozenset({"active", "on-hold", "cancelled", "completed",
                                                "entered-in-error", "stopped", "draft",
                                                "unknown"}),
    ("Bundle", "type"): frozenset({"document", "message", "transaction", "transaction-response",
                                   "batch", "batch-response", "history", "searchset",
                                   "collection"}),
}
REQUEST_INTENTS = frozenset({"proposal", "plan", "directive", "order", "original-order",
                             "reflex-order", "filler-order", "instance-order", "option"})
REQUEST_PRIORITIES = frozenset({"routine", "urgent", "asap", "stat"})
CONDITION_CODES = {
    "clinicalStatus": frozenset({"active", "recurrence", "relapse", "inactive", "remission",
                                 "resolved"}),
    "verificationStatus": frozenset({"unconfirmed", "provisional", "differential", "confirmed",
                                     "refuted", "entered-in-error"}),
}


class FhirMappingError(OncospineError):
    """A FHIR resource or Bundle that is malformed or of an unknown type.

    `problems` lists each element at fault; the CLI exits with status 2, the API answers 422.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.message = message
        self.problems = list(problems or ())
        text = message + "".join(f"\n  - {p}" for p in self.problems)
        super().__init__(text)

    def to_dict(self) -> dict[str, Any]:
        return {"error": "invalid_fhir", "message": self.message, "problems": self.problems}


@cache
def model_class(resource_type: str) -> Any:
    """The R4B model class of a resource type; raises FhirMappingError for anything else."""
    from fhir.resources.R4B import get_fhir_model_class
    from fhir.resources.R4B.resource import Resource

    try:
        cls = get_fhir_model_class(resource_type)
    except (ValueError, KeyError, AttributeError):
        cls = None
    if cls is None or not issubclass(cls, Resource):
        hint = closest(resource_type, COMMON_TYPES)
        text = f"unknown FHIR resource type {resource_type!r}"
        raise FhirMappingError(text + (f"; did you mean {hint!r}?" if hint else ""))
    return cls


def validate_resource(resource: Any, where: str = "resource") -> str:
    """Validate one resource (as parsed JSON); returns its type. Raises FhirMappingError.

    Results are remembered by content (an EHR sends the same resources each time a chart is
    opened), so an identical resource is checked by the models once per process.
    """
    if not isinstance(resource, dict):
        raise FhirMappingError(f"{where}: a FHIR resource is a JSON object, got "
                               f"{type(resource).__name__}")
    rtype = resource.get("resourceType")
    if not isinstance(rtype, str) or not rtype:
        raise FhirMappingError(f"{where}: missing resourceType")
    try:
        model_class(rtype)
    except FhirMappingError as exc:
        raise FhirMappingError(f"{where}: {exc.message}") from None
    key = repr(resource)  # parsed JSON: equal text for equal content sent in the same order
    problems = _CHECKED.get(key)
    if problems is None:
        problems = _problems_of(rtype, resource)
        if len(_CHECKED) >= CACHE_SIZE:
            del _CHECKED[next(iter(_CHECKED))]  # forget the oldest
        _CHECKED[key] = problems
    if problems:
        raise FhirMappingError(f"{where}: not a valid {rtype}", list(problems))
    return rtype


_CHECKED: dict[str, tuple[str, ...]] = {}


def _problems_of(rtype: str, resource: dict[str, Any]) -> tuple[str, ...]:
    from pydantic import ValidationError

    try:
        model_class(rtype).model_validate(resource)
    except ValidationError as exc:
        return tuple(_problems(exc))
    return tuple(_binding_problems(rtype, resource))


def _problems(exc: Any) -> list[str]:
    out = []
    for err in exc.errors()[:MAX_PROBLEMS]:
        path = ".".join(str(p) for p in err.get("loc", ())) or "<resource>"
        value = err.get("input")
        shown = "" if isinstance(value, dict | list) else f" (got {value!r})"
        out.append(f"{path}: {err.get('msg', 'invalid')}{shown}")
    return out


def _binding_problems(rtype: str, resource: dict[str, Any]) -> list[str]:
    problems = []
    for (owner, element), allowed in REQUIRED_CODES.items():
        if owner == rtype and element in resource and resource[element] not in allowed:
            problems.append(f"{element}: {resource[element]!r} is not one of "
                            f"{', '.join(sorted(allowed))}")
    if rtype in ("ServiceRequest", "MedicationRequest"):
        if resource.get("intent") not in REQUEST_INTENTS:
            problems.append(f"intent: {resource.get('intent')!r} is not a request intent")
        if "priority" in resource and resource["priority"] not in REQUEST_PRIORITIES:
            problems.append(f"priority: {resource['priority']!r} is not one of "
                            f"{', '.join(sorted(REQUEST_PRIORITIES))}")
    if rtype == "Condition":
        from oncospine.fhir.codes import CONDITION_CLINICAL, CONDITION_VERIFICATION

        systems = {"clinicalStatus": CONDITION_CLINICAL,
                   "verificationStatus": CONDITION_VERIFICATION}
        for element, allowed in CONDITION_CODES.items():
            for c in (resource.get(element) or {}).get("coding", []):
                if c.get("system") == systems[element] and c.get("code") not in allowed:
                    problems.append(f"{element}: {c.get('code')!r} is not one of "
                                    f"{', '.join(sorted(allowed))}")
    return problems
