"""The case inputs as FHIR R4 resources, so that an exported Bundle can be imported again.

Standard homes where they exist: Patient.gender; LOINC Observations for age, ECOG, KPS,
albumin, calcium and haemoglobin; a Condition for a current, past or suspected cancer (ICD-10 and
SNOMED CT codings beside the oncospine site code, histology in the mCODE extension); a
DiagnosticReport per imaging study. Every other field is an Observation coded with its dotted
case path in the oncospine case-input code system. Unknown fields are not written at all.

References: shared spec case-format.md; docs/integration.md (the codes).
"""

from __future__ import annotations

from typing import Any

from oncospine.case import Case
from oncospine.fhir import codes as c
from oncospine.fhir.fields import CaseField, case_fields, item_fields
from oncospine.fhir.values import coding, concept, encode, quantity

STANDARD_PATHS = frozenset({"id", "patient.sex", "patient.age_years", "status.ecog",
                            "status.kps", "labs.albumin_g_per_l", "labs.calcium_mmol_per_l",
                            "labs.haemoglobin_g_per_l"})
CONDITION_HISTORIES = {"current": ("active", "confirmed"), "past": ("remission", "confirmed"),
                       "suspected": ("active", "provisional")}
CONDITION_PATHS = frozenset({"cancer.history", "cancer.primary_site", "cancer.histology"})
LOINC_PATHS: dict[str, tuple[tuple[str, str], str | None]] = {
    "patient.age_years": (c.LOINC_AGE, "a"),
    "status.ecog": (c.LOINC_ECOG, None),
    "status.kps": (c.LOINC_KPS, None),
    "labs.albumin_g_per_l": (c.LOINC_ALBUMIN, "g/L"),
    "labs.calcium_mmol_per_l": (c.LOINC_CALCIUM, "mmol/L"),
    "labs.haemoglobin_g_per_l": (c.LOINC_HAEMOGLOBIN, "g/L"),
}
CATEGORY = {"presentation": "exam", "status": "exam", "disease": "imaging",
            "primary_tumour": "imaging", "labs": "laboratory"}


def resource_id(path: str) -> str:
    return path.replace("_", "-").replace(".", "-")


def value_of(case: Case, path: str) -> Any:
    node: Any = case
    for part in path.split("."):
        node = getattr(node, part)
    return node


def observation(rid: str, code: dict[str, Any], subject: dict[str, str],
                effective: str | None, category: str | None = None,
                case_input: bool = False) -> dict[str, Any]:
    obs: dict[str, Any] = {"resourceType": "Observation", "id": rid, "status": "final"}
    categories = [concept(c.OBSERVATION_CATEGORY, category)] if category else []
    if case_input:
        categories.append(concept(c.CS_OBS_CATEGORY, c.CATEGORY_CASE_INPUT, "oncospine case input"))
    if categories:
        obs["category"] = categories
    obs["code"] = code
    obs["subject"] = subject
    if effective:
        obs["effectiveDateTime"] = effective
    return obs


def _input_code(path: str) -> dict[str, Any]:
    return concept(c.CS_CASE_INPUT, path, path.replace("_", " "))


def _components(spec: CaseField, value: Any) -> list[dict[str, Any]]:
    code = _input_code(spec.path)
    if not spec.is_list:
        return [{"code": code, **encode(spec, value)}]
    if not value:
        return [{"code": code, "valueBoolean": False}]  # the list is known to be empty
    return [{"code": code, **encode(spec, item)} for item in value]


def input_resources(case: Case, patient: dict[str, Any],
                    subject: dict[str, str]) -> list[dict[str, Any]]:
    """Patient first, then every known input; nothing for an unknown field."""
    effective = case.assessed_at.isoformat() if case.assessed_at else None
    if case.patient.sex is not None:
        patient["gender"] = case.patient.sex
    out: list[dict[str, Any]] = [patient]
    condition = _cancer_condition(case, subject)
    if condition is not None:
        out.append(condition)
    for path, spec in case_fields().items():
        value = value_of(case, path)
        if value is None or path in STANDARD_PATHS - set(LOINC_PATHS):
            continue
        if condition is not None and path in CONDITION_PATHS:
            continue
        if path in LOINC_PATHS:
            (code, display), unit = LOINC_PATHS[path]
            obs = observation(resource_id(path), concept(c.LOINC, code, display), subject,
                              effective, CATEGORY.get(spec.section) or "survey")
            obs.update({"valueQuantity": quantity(value, unit)} if unit else
                       {"valueInteger": value})
            out.append(obs)
            continue
        obs = observation(resource_id(path), _input_code(path), subject, effective,
                          CATEGORY.get(spec.section), case_input=True)
        if spec.is_list:
            obs["valueBoolean"] = bool(value)
            if value:
                obs["component"] = _components(spec, value)
        else:
            obs.update(encode(spec, value))
        out.append(obs)
    out.extend(_lesions(case, subject, effective))
    out.extend(_imaging(case, subject))
    for part in ("lesions", "imaging"):
        if getattr(case, part) == []:  # recorded as none: not the same as unknown
            obs = observation(f"{part}-none", _input_code(part), subject, effective,
                              case_input=True)
            obs["valueBoolean"] = False
            out.append(obs)
    return out


def _cancer_condition(case: Case, subject: dict[str, str]) -> dict[str, Any] | None:
    cancer = case.cancer
    if cancer.history not in CONDITION_HISTORIES:
        return None
    clinical, verification = CONDITION_HISTORIES[cancer.history]
    codings: list[dict[str, Any]] = []
    text = "cancer, primary site not recorded"
    if cancer.primary_site is not None:
        text = f"cancer, primary site {cancer.primary_site.replace('_', ' ')}"
        codings.append(coding(c.CS_PRIMARY_SITE, cancer.primary_site, text))
        icd, snomed = c.SITE_EXPORT.get(cancer.primary_site, (None, None))
        if icd:
            codings.append(coding(c.ICD10, icd))
        if snomed:
            codings.append(coding(c.SNOMED, snomed))
    else:
        codings.append(coding(c.CS_CASE_INPUT, "cancer", text))
    condition: dict[str, Any] = {
        "resourceType": "Condition", "id": "cancer",
        "clinicalStatus": concept(c.CONDITION_CLINICAL, clinical),
        "verificationStatus": concept(c.CONDITION_VERIFICATION, verification),
        "category": [concept(c.CONDITION_CATEGORY, "problem-list-item")],
        "code": {"coding": codings, "text": text},
        "subject": subject,
    }
    if cancer.histology:
        condition["extension"] = [{"url": c.MCODE_HISTOLOGY,
                                   "valueCodeableConcept": {"text": cancer.histology}}]
    return condition


def _lesions(case: Case, subject: dict[str, str], effective: str | None) -> list[dict[str, Any]]:
    out = []
    for i, lesion in enumerate(case.lesions or ()):
        obs = observation(f"lesion-{i + 1}", _input_code("lesions"), subject, effective,
                          "imaging", case_input=True)
        components: list[dict[str, Any]] = []
        for spec in item_fields("lesions").values():
            value = getattr(lesion, spec.name)
            if value is not None:
                components.extend(_components(spec, value))
        if components:
            obs["component"] = components
        out.append(obs)
    return out


def _imaging(case: Case, subject: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for i, study in enumerate(case.imaging or ()):
        if study.modality is not None:
            code = concept(c.CS_CASE_VALUE, study.modality, study.modality.replace("_", " "))
        else:
            code = concept(c.CS_CASE_INPUT, "imaging", "imaging study, modality not recorded")
        report: dict[str, Any] = {
            "resourceType": "DiagnosticReport", "id": f"imaging-{i + 1}", "status": "final",
            "category": [concept(c.DIAGNOSTIC_SERVICE, "RAD", "Radiology")],
            "code": code, "subject": subject,
        }
        if study.at is not None:
            report["effectiveDateTime"] = study.at.isoformat()
        out.append(report)
    return out
