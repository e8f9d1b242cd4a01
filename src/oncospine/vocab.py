"""Controlled vocabularies of the case format `oncospine-case/1`.

One place for every enumeration, so the case model, the scores and the CLI read the same lists.
References: shared spec case-format.md.
"""

from __future__ import annotations

from typing import Literal

CASE_FORMAT = "oncospine-case/1"
ASSESSMENT_FORMAT = "oncospine-assessment/1"

PRIMARY_SITES: tuple[str, ...] = (
    "breast", "prostate", "thyroid", "carcinoid", "kidney", "uterus", "rectum", "colon",
    "lung_nsclc", "lung_sclc", "stomach", "oesophagus", "pancreas", "bladder", "liver",
    "gallbladder", "osteosarcoma", "sarcoma", "melanoma", "myeloma", "lymphoma", "germ_cell",
    "ovary", "head_neck", "other", "unknown",
)  # fmt: skip

# Spinal levels from the occiput to the coccyx, in anatomical order.
LEVELS: tuple[str, ...] = (
    "C0",
    *(f"C{i}" for i in range(1, 8)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 6)),
    "Co",
)
LEVEL_INDEX: dict[str, int] = {name: i for i, name in enumerate(LEVELS)}

ESCC_GRADES: tuple[str, ...] = ("0", "1a", "1b", "1c", "2", "3")
ESCC_ORDER: dict[str, int] = {g: i for i, g in enumerate(ESCC_GRADES)}

CancerHistory = Literal["none", "past", "current", "suspected", "unknown"]
Sex = Literal["female", "male", "other", "unknown"]
Haematological = Literal["none", "suspected", "confirmed"]
Radiosensitivity = Literal["sensitive", "intermediate", "resistant"]
GrowthClass = Literal["slow", "moderate", "rapid"]
PrimarySite = Literal[
    "breast", "prostate", "thyroid", "carcinoid", "kidney", "uterus", "rectum", "colon",
    "lung_nsclc", "lung_sclc", "stomach", "oesophagus", "pancreas", "bladder", "liver",
    "gallbladder", "osteosarcoma", "sarcoma", "melanoma", "myeloma", "lymphoma", "germ_cell",
    "ovary", "head_neck", "other", "unknown",
]  # fmt: skip
PainSite = Literal["cervical", "thoracic", "lumbar", "sacral"]
PainFeature = Literal[
    "severe_unremitting", "progressive", "mechanical", "worse_on_straining", "night_pain",
    "localised_tenderness", "claudication", "band_like",
]  # fmt: skip
NeuroFeature = Literal[
    "radicular_pain", "limb_weakness", "gait_disturbance", "sensory_loss", "paraesthesia",
    "bladder_dysfunction", "bowel_dysfunction", "saddle_anaesthesia", "sexual_dysfunction",
    "bilateral_radicular", "lhermitte", "cord_or_cauda_signs",
]  # fmt: skip
GeneralFeature = Literal[
    "weight_loss", "fever", "immunosuppression", "iv_drug_use", "trauma",
    "structural_deformity", "multiple_pain_sites",
]  # fmt: skip
Grade = Literal["A", "B", "C", "D", "E"]
Ambulatory = Literal["independent", "with_aid", "non_ambulatory"]
Visceral = Literal["none", "removable", "unremovable"]
Level = Literal[
    "C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7",
    "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12",
    "L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3", "S4", "S5", "Co",
]  # fmt: skip
Compartment = Literal["extradural", "intradural_extramedullary", "intramedullary"]
LesionPain = Literal["mechanical", "occasional", "none"]
BoneLesion = Literal["lytic", "mixed", "blastic"]
Alignment = Literal["subluxation", "deformity", "normal"]
Collapse = Literal["over_50", "under_50", "none_over_50_involved", "none"]
Posterolateral = Literal["bilateral", "unilateral", "none"]
EsccGrade = Literal["0", "1a", "1b", "1c", "2", "3"]
WbbLayer = Literal["A", "B", "C", "D", "E"]
TumourGrade = Literal["benign", "low", "high"]
BenignBehaviour = Literal["latent", "active", "aggressive"]
Extent = Literal["intracompartmental", "extracompartmental"]
Modality = Literal[
    "mri_whole_spine", "mri_region", "ct_spine", "xray_spine", "bone_scan", "pet_ct",
    "ct_staging", "myelography",
]  # fmt: skip

# Neurological features that point to cauda equina rather than cord compression (D-12).
CAUDA_EQUINA_FEATURES: frozenset[str] = frozenset(
    {"saddle_anaesthesia", "bladder_dysfunction", "bowel_dysfunction", "sexual_dysfunction",
     "bilateral_radicular"}
)  # fmt: skip
