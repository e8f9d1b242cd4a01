"""Reading Patient, Condition and DiagnosticReport resources into case evidence.

A cancer Condition gives the cancer history (from its clinical and verification status), the
primary site (oncospine code, else ICD-10, else SNOMED CT) and, for lymphoid and haematopoietic
cancers, a haematological malignancy. Active ICD-10 findings add neurological features and
spinal pain. Imaging reports add studies already done, only when their code says which study.

References: case-format.md (cancer, presentation, imaging); decisions D-11 to D-13.
"""

from __future__ import annotations

from typing import Any

from oncospine.fhir import codes as c
from oncospine.fhir.reading import (
    ACTIVE,
    DISCARDED,
    INACTIVE,
    NOT_CONFIRMED,
    REPORT_USED,
    Evidence,
    code_in,
    codings,
    label,
    moment,
)
from oncospine.fhir.values import ValueProblem, parse_instant

GENDERS = {"male": "male", "female": "female", "other": "other", "unknown": "unknown"}
MODALITIES = frozenset({"mri_whole_spine", "mri_region", "ct_spine", "xray_spine", "bone_scan",
                        "pet_ct", "ct_staging", "myelography"})


def read_patient(ev: Evidence, patient: dict[str, Any], where: str) -> None:
    gender = patient.get("gender")
    if gender in GENDERS:
        ev.add("patient.sex", GENDERS[gender], None, where)
    if patient.get("birthDate"):
        ev.birth_date = (str(patient["birthDate"]), where)


def _status(condition: dict[str, Any], element: str, system: str) -> str | None:
    return code_in(condition.get(element), system)


def read_condition(ev: Evidence, condition: dict[str, Any], where: str) -> None:
    what = label(condition.get("code"))
    clinical = _status(condition, "clinicalStatus", c.CONDITION_CLINICAL)
    verification = _status(condition, "verificationStatus", c.CONDITION_VERIFICATION)
    if verification in DISCARDED:
        ev.skip(where, what, f"verification status {verification!r}: not used")
        return
    cancer = _cancer(condition.get("code"))
    if cancer is not None:
        _read_cancer(ev, condition, where, what, cancer, clinical, verification)
        return
    if _findings(ev, condition, where, clinical, verification):
        return
    ev.skip(where, what, "not a cancer or a spinal finding that oncospine reads (ICD-10 C00–C97, "
                         "the SNOMED CT sites in docs/integration.md, or the listed findings)")


def _cancer(concept: Any) -> dict[str, Any] | None:
    """Site and haematological flag of a cancer code, or None when the code is not a cancer."""
    site = code_in(concept, c.CS_PRIMARY_SITE)
    if site is not None:
        # The oncospine export writes cancer.haematological itself; do not infer it twice.
        return {"site": site, "haem": False, "by": "oncospine"}
    if code_in(concept, c.CS_CASE_INPUT) == "cancer":
        return {"site": None, "haem": False, "by": "oncospine"}
    for coding in codings(concept):
        system, code = coding.get("system"), str(coding.get("code", ""))
        if system in c.ICD10_SYSTEMS and c.is_malignant_icd10(code):
            table = dict(c.ICD10_SITE)
            table.update(c.ICD10_WHO_ONLY_SITE if system == c.ICD10 else c.ICD10_CM_ONLY_SITE)
            key = c.icd10_match(code, table)
            return {"site": table[key] if key else None, "by": f"ICD-10 {code}",
                    "haem": c.icd10_in(code, c.ICD10_HAEMATOLOGICAL),
                    "secondary": c.icd10_in(code, c.ICD10_SECONDARY)}
    for coding in codings(concept):
        if coding.get("system") == c.SNOMED and coding.get("code") in c.SNOMED_SITE:
            code = str(coding["code"])
            return {"site": c.SNOMED_SITE[code], "by": f"SNOMED CT {code}",
                    "haem": code in c.SNOMED_HAEMATOLOGICAL}
    return None


def _read_cancer(ev: Evidence, condition: dict[str, Any], where: str, what: str,
                 cancer: dict[str, Any], clinical: str | None, verification: str | None) -> None:
    if verification in NOT_CONFIRMED:
        if clinical in INACTIVE:
            ev.skip(where, what, f"a suspicion no longer active ({clinical}): not used")
            return
        history, haem = "suspected", "suspected"
    elif clinical in ACTIVE or cancer.get("secondary"):
        history, haem = "current", "confirmed"
    elif clinical in INACTIVE:
        history, haem = "past", "confirmed"
    else:
        history, haem = "past", "confirmed"
        ev.note(where, what, "no clinical status: read as a past cancer history, the least a "
                             "recorded cancer diagnosis means")
    ev.add("cancer.history", history, None, where)
    if cancer.get("site") is not None:
        ev.add("cancer.primary_site", cancer["site"], None, where)
    elif cancer.get("secondary"):
        ev.note(where, what, "a secondary (metastatic) cancer: current cancer, primary site not "
                             "named")
    elif cancer["by"] != "oncospine":  # oncospine's own code says "site not recorded"
        ev.skip(where, what, f"primary site: {cancer['by']} does not name one site of the case "
                             "format")
    if cancer.get("haem"):
        ev.add("cancer.haematological", haem, None, where)
    for ext in condition.get("extension", []):
        if ext.get("url") == c.MCODE_HISTOLOGY:
            text = label(ext.get("valueCodeableConcept"))
            if text != "(no code)":
                ev.add("cancer.histology", text, None, where)


def _findings(ev: Evidence, condition: dict[str, Any], where: str, clinical: str | None,
              verification: str | None) -> bool:
    """Neurological features and spinal pain from active ICD-10 findings."""
    found = False
    for coding in codings(condition.get("code")):
        if coding.get("system") not in c.ICD10_SYSTEMS:
            continue
        code = str(coding.get("code", ""))
        neuro = c.icd10_match(code, c.ICD10_NEURO)
        pain = c.icd10_match(code, c.ICD10_PAIN_SITE)
        if neuro is None and pain is None:
            continue
        found = True
        what = label(condition.get("code"))
        if clinical is not None and clinical not in ACTIVE:
            ev.skip(where, what, f"clinical status {clinical!r}: only active findings are read")
            return True
        if verification in NOT_CONFIRMED:
            ev.note(where, what, f"read although {verification}: a possible neurological or "
                                 "spinal finding is not ignored")
        if neuro is not None:
            ev.extend("presentation.neuro_features", [c.ICD10_NEURO[neuro]])
        if pain is not None:
            ev.add("presentation.spinal_pain", True, None, where)
            site = c.ICD10_PAIN_SITE[pain]
            if site is not None:
                ev.extend("presentation.pain_sites", [site])
    return found


def read_report(ev: Evidence, report: dict[str, Any], where: str) -> None:
    what = label(report.get("code"))
    status = report.get("status")
    if status not in REPORT_USED:
        ev.skip(where, what, f"status {status!r}: the study is not known to be done")
        return
    modality = code_in(report.get("code"), c.CS_CASE_VALUE)
    unspecified = code_in(report.get("code"), c.CS_CASE_INPUT) == "imaging"
    if modality not in MODALITIES and not unspecified:
        ev.skip(where, what, "imaging report code not read: whole-spine MRI cannot be told from "
                             "a regional study without the oncospine imaging code")
        return
    study: dict[str, Any] = {}
    if modality in MODALITIES:
        study["modality"] = modality
    text = report.get("effectiveDateTime")
    if text:
        try:
            parse_instant(text)
            study["at"] = text
        except ValueProblem as exc:
            ev.skip(where, "imaging.at", str(exc))
    elif moment(report) is not None:
        ev.note(where, what, "no effectiveDateTime: the study time is left unknown")
    ev.imaging.append(study)
