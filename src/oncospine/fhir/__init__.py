"""FHIR R4 in and out: a Bundle to a case, and a case with its assessment to a Bundle.

Import reads patient age and sex, the cancer Condition (primary site by oncospine code, ICD-10 or
SNOMED CT), ECOG and KPS (LOINC), albumin, calcium and haemoglobin (LOINC), neurological findings
and every other case field coded in oncospine's case-input code system; what it cannot map is
listed with the reason, never dropped silently. Export writes the inputs back in the same form
and the assessment as score Observations, a RiskAssessment, a CarePlan and draft ServiceRequests.

fhir.resources is imported lazily, so importing this package stays cheap.
"""

from oncospine.fhir.exporter import bundle_from_assessment
from oncospine.fhir.importer import ImportResult, case_from_bundle, case_from_resources, flatten
from oncospine.fhir.reading import MappingNote
from oncospine.fhir.validation import FhirMappingError, validate_resource

__all__ = [
    "FhirMappingError", "ImportResult", "MappingNote", "bundle_from_assessment",
    "case_from_bundle", "case_from_resources", "flatten", "validate_resource",
]  # fmt: skip
