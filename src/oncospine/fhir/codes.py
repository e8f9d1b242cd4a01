"""Code systems and code tables the FHIR mapping reads and writes.

Standard codes are used where one was confirmed against a published source (listed in
docs/integration.md); everything else is coded in oncospine's own code systems, whose URLs below
are stable identifiers (they are never fetched). A table is deliberately small rather than
guessed: a code that is not here is reported as unmapped, never read as something close.

References: LOINC (performance status, laboratory, age); WHO ICD-10 chapter II (malignant
neoplasms C00–C97) and chapters VI, XIII, XVIII for the neurological findings; SNOMED CT for a
few common primary sites; mCODE for the histology extension.
"""

from __future__ import annotations

from collections.abc import Iterable

BASE = "https://oncospine.org/fhir"
CS_CASE_INPUT = f"{BASE}/CodeSystem/case-input"  # codes are the dotted case paths
CS_CASE_VALUE = f"{BASE}/CodeSystem/case-value"  # codes are the case-format enumeration values
CS_PRIMARY_SITE = f"{BASE}/CodeSystem/primary-site"
CS_SCORE = f"{BASE}/CodeSystem/score"
CS_SCORE_PART = f"{BASE}/CodeSystem/score-component"
CS_BAND = f"{BASE}/CodeSystem/score-band"
CS_OUTPUT = f"{BASE}/CodeSystem/assessment"
CS_TRIAGE = f"{BASE}/CodeSystem/triage"
CS_OPTION = f"{BASE}/CodeSystem/plan-option"
CS_ROLE = f"{BASE}/CodeSystem/option-role"
CS_TAG = f"{BASE}/CodeSystem/tag"
CS_OBS_CATEGORY = f"{BASE}/CodeSystem/observation-category"
CATEGORY_CASE_INPUT = "case-input"  # every oncospine-coded input, so one query finds them all
CS_OVERRIDE = f"{BASE}/CodeSystem/override-reason"
CS_TOPIC = f"{BASE}/CodeSystem/card-topic"
NS_CASE_ID = f"{BASE}/NamingSystem/case-id"
EXT_OPTION_ROLE = f"{BASE}/StructureDefinition/option-role"
TAG_OUTPUT = "assessment-output"

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
# RSNA/ACR RadElement common data element sets, as named in scores.md (§1.1, §2.1); the set code
# goes in Observation.code beside oncospine's code, as RadElement-labelled Observations do.
# Element-level codes (RDE…) for the components could not be confirmed, so none are sent.
RADELEMENT = "https://radelement.org"
RADELEMENT_SETS = {"sins": ("RDES21", None),
                   "escc": ("RDES288", "Epidural spinal cord compression scale (ESCC)")}
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10_SYSTEMS = (ICD10, ICD10_CM)
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
DIAGNOSTIC_SERVICE = "http://terminology.hl7.org/CodeSystem/v2-0074"
MCODE_HISTOLOGY = (
    "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior"
)

# LOINC: (code, display). ECOG and KPS as in mCODE's performance-status profiles.
LOINC_AGE = ("30525-0", "Age")
LOINC_ECOG = ("89247-1", "ECOG Performance Status score")
LOINC_KPS = ("89243-0", "Karnofsky Performance Status score")
LOINC_ALBUMIN = ("1751-7", "Albumin [Mass/volume] in Serum or Plasma")
LOINC_CALCIUM = ("2000-8", "Calcium [Moles/volume] in Serum or Plasma")
LOINC_CALCIUM_MASS = ("17861-6", "Calcium [Mass/volume] in Serum or Plasma")
LOINC_HAEMOGLOBIN = ("718-7", "Hemoglobin [Mass/volume] in Blood")

# Primary site -> (ICD-10 code, SNOMED CT code) written on export; None where no single code
# names the site (NSCLC and SCLC share ICD-10 C34, so C34 is written but never read back).
SITE_EXPORT: dict[str, tuple[str | None, str | None]] = {
    "breast": ("C50", "254837009"), "prostate": ("C61", "399068003"),
    "thyroid": ("C73", "363478007"), "carcinoid": (None, None),
    "kidney": ("C64", "363518003"), "uterus": ("C55", None), "rectum": ("C20", "363351006"),
    "colon": ("C18", "363406005"), "lung_nsclc": ("C34", "254637007"),
    "lung_sclc": ("C34", "254632001"), "stomach": ("C16", "363349007"),
    "oesophagus": ("C15", "363402007"), "pancreas": ("C25", "363418001"),
    "bladder": ("C67", "399326009"), "liver": ("C22", None), "gallbladder": ("C23", None),
    "osteosarcoma": (None, None), "sarcoma": (None, None), "melanoma": ("C43", None),
    "myeloma": ("C90.0", "109989006"), "lymphoma": (None, "118600007"),
    "germ_cell": (None, None), "ovary": ("C56", "363443007"), "head_neck": (None, None),
    "other": (None, None), "unknown": ("C80.0", None),
}  # fmt: skip

# ICD-10 category (or subcategory) -> primary site, read on import. Only categories that name
# one site of the case format; C34 (lung, cell type not stated), C40/C41 (bone, histology not
# stated) and C62 (testis) are left out on purpose: the scores treat their sub-types differently.
ICD10_SITE: dict[str, str] = {
    "C50": "breast", "C61": "prostate", "C73": "thyroid", "C64": "kidney", "C54": "uterus",
    "C55": "uterus", "C20": "rectum", "C18": "colon", "C16": "stomach", "C15": "oesophagus",
    "C25": "pancreas", "C67": "bladder", "C22": "liver", "C23": "gallbladder",
    "C43": "melanoma", "C49": "sarcoma", "C90.0": "myeloma", "C81": "lymphoma",
    "C82": "lymphoma", "C83": "lymphoma", "C84": "lymphoma", "C85": "lymphoma",
    "C86": "lymphoma", "C56": "ovary", "C00": "head_neck", "C01": "head_neck",
    "C02": "head_neck", "C03": "head_neck", "C04": "head_neck", "C05": "head_neck",
    "C06": "head_neck", "C07": "head_neck", "C08": "head_neck", "C09": "head_neck",
    "C10": "head_neck", "C11": "head_neck", "C12": "head_neck", "C13": "head_neck",
    "C14": "head_neck", "C30": "head_neck", "C31": "head_neck", "C32": "head_neck",
}  # fmt: skip
# WHO ICD-10 C80.0 is "primary site unknown, so stated"; ICD-10-CM gives C80.0 another meaning.
ICD10_WHO_ONLY_SITE: dict[str, str] = {"C80.0": "unknown"}
ICD10_CM_ONLY_SITE: dict[str, str] = {"C7A.0": "carcinoid"}
# Secondary malignant neoplasms: a current cancer, but they do not name the primary.
ICD10_SECONDARY = ("C77", "C78", "C79")
# Lymphoid, haematopoietic and related tissue: a haematological malignancy.
ICD10_HAEMATOLOGICAL = tuple(f"C{n}" for n in range(81, 97))

SNOMED_SITE: dict[str, str] = {
    snomed: site for site, (_, snomed) in SITE_EXPORT.items() if snomed is not None
}
SNOMED_HAEMATOLOGICAL = frozenset({"109989006", "118600007"})

# ICD-10 findings read as neurological features and pain sites (active Conditions only).
ICD10_NEURO: dict[str, str] = {
    "G95.2": "cord_or_cauda_signs", "G83.4": "cord_or_cauda_signs", "G82": "limb_weakness",
    "R26": "gait_disturbance", "R20.0": "sensory_loss", "R20.1": "sensory_loss",
    "R20.2": "paraesthesia", "R32": "bladder_dysfunction", "R33": "bladder_dysfunction",
    "R15": "bowel_dysfunction", "M54.1": "radicular_pain",
}  # fmt: skip
ICD10_PAIN_SITE: dict[str, str | None] = {
    "M54.2": "cervical", "M54.5": "lumbar", "M54.6": "thoracic", "M54.9": None,
}

MEDICATION_DEXAMETHASONE = (
    (SNOMED, "372584003", "Dexamethasone (substance)"),
    (RXNORM, "3264", "dexamethasone"),
    (ATC, "H02AB02", "dexamethasone"),
)
ROUTE_ORAL = (SNOMED, "26643006", "Oral route")
CATEGORY_IMAGING = (SNOMED, "363679005", "Imaging")

# UCUM units for the case fields kept as quantities, by field-name suffix.
UNIT_BY_SUFFIX: dict[str, str] = {
    "_hours": "h", "_weeks": "wk", "_months": "mo", "_g_per_l": "g/L", "_mmol_per_l": "mmol/L",
}


def _bare(code: str) -> str:
    return code.strip().upper().replace(".", "")


def icd10_match(code: str, keys: Iterable[str]) -> str | None:
    """The longest key that prefixes an ICD-10 code, dots ignored (C90.01 -> C90.0, not C90)."""
    bare = _bare(code)
    for key in sorted(keys, key=len, reverse=True):
        if bare.startswith(_bare(key)):
            return key
    return None


def icd10_in(code: str, prefixes: tuple[str, ...]) -> bool:
    return icd10_match(code, prefixes) is not None


def is_malignant_icd10(code: str) -> bool:
    """ICD-10 chapter II malignant neoplasms: C00–C97 (ICD-10-CM adds C7A and C7B)."""
    normal = _bare(code)
    if len(normal) < 3 or normal[0] != "C":
        return False
    return normal[1:3].isdigit() or normal[1:3] in ("7A", "7B")


def unit_for(field: str) -> str | None:
    for suffix, unit in UNIT_BY_SUFFIX.items():
        if field.endswith(suffix):
            return unit
    return None
