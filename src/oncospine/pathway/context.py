"""What the pathway rules read, derived once from the case.

Unknown stays unknown here too: `neuro` is None when neurological features were not recorded,
`pain` is None when spinal pain was not recorded, and so on. Rules decide what unknown means
for them (never "no").

References: pathway.md §1.1 (tables A1/A2), decisions D-10 to D-14.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oncospine import derive
from oncospine.case import Case
from oncospine.knowledge import site_table
from oncospine.scores.escc import group_of, worst_grade
from oncospine.scores.sins import levels_spanned, sins, worst_range
from oncospine.vocab import CAUDA_EQUINA_FEATURES, LEVEL_INDEX

HAEMATOLOGICAL_SITES = frozenset({"myeloma", "lymphoma"})
CHEMOSENSITIVE_SITES = frozenset({"myeloma", "lymphoma", "germ_cell"})
RADIOSENSITIVE_SOLID = frozenset({"breast", "prostate", "ovary", "carcinoid", "lung_sclc"})
BONE_SARCOMA_SITES = frozenset({"osteosarcoma", "sarcoma"})


@dataclass(frozen=True, slots=True)
class Context:
    cancer: str  # known (past/current) | suspected | none | unknown
    pain: bool | None
    neuro: tuple[str, ...] | None
    site: str | None
    radiosensitivity: str | None  # sensitive | intermediate | resistant | None (ask)
    radiosensitivity_flag: bool  # breast/prostate: intermediate in three-tier schemes
    haem: str | None
    sins: tuple[int, int] | None
    escc_grade: str | None
    lesions: int
    compression_areas: int
    ecog: tuple[int, ...]
    primary_bone_tumour: bool

    @property
    def has_neuro(self) -> bool:
        return bool(self.neuro)

    @property
    def cauda_equina(self) -> bool:
        return bool(self.neuro) and bool(CAUDA_EQUINA_FEATURES & set(self.neuro or ()))

    @property
    def escc_group(self) -> str | None:
        return group_of(self.escc_grade)

    @property
    def haematological(self) -> bool:
        return self.site in HAEMATOLOGICAL_SITES or self.haem == "confirmed"

    @property
    def chemosensitive(self) -> bool:
        return self.site in CHEMOSENSITIVE_SITES or self.haem == "confirmed"

    @property
    def unknown_primary(self) -> bool:
        """No tissue diagnosis of the primary: the unknown code, or suspected cancer."""
        return self.site == "unknown" or (self.cancer == "suspected" and self.haem != "confirmed")


def imaging_done(case: Case, modality: str) -> bool:
    """Whether a study of this modality is recorded (whole-spine MRI also by its event)."""
    if modality == "mri_whole_spine" and case.events.mri_done is not None:
        return True
    return any(study.modality == modality for study in case.imaging or ())


def cancer_state(case: Case) -> str:
    c = case.cancer
    if c.haematological == "confirmed" or c.history in ("past", "current"):
        return "known"
    if c.history == "suspected" or c.haematological == "suspected":
        return "suspected"
    if c.history == "none":
        return "none"
    return "unknown"


def has_pain(case: Case) -> bool | None:
    p = case.presentation
    if p.spinal_pain is not None:
        return p.spinal_pain
    if p.pain_features or p.pain_sites:
        return True
    return None


def radiosensitivity(case: Case) -> tuple[str | None, bool]:
    """Radiosensitivity for the NOMS "O" (D-10): override, then site table; None means ask."""
    if case.cancer.radiosensitivity is not None:
        return case.cancer.radiosensitivity, False
    site = case.cancer.primary_site
    if site is None:
        return None, False
    table = site_table("radiosensitivity")
    cls = table["class"][site]
    if cls == "ask":
        return ("sensitive" if case.cancer.haematological == "confirmed" else None), False
    return cls, bool(table["intermediate_flag"].get(site, False))


def compression_areas(case: Case) -> int:
    """Separate areas of high-grade compression (contiguous levels count as one)."""
    spans = sorted(
        (LEVEL_INDEX[lv[0]], LEVEL_INDEX[lv[-1]])
        for le in case.lesions or ()
        if group_of(le.escc) == "high" and (lv := levels_spanned(le))
    )
    areas, last_end = 0, -10
    for start, end in spans:
        if start > last_end + 1:
            areas += 1
        last_end = max(last_end, end)
    return areas


def build(case: Case, scores: dict[str, Any] | None = None) -> Context:
    """The rule inputs of one case; pass the already computed scores to avoid rescoring."""
    p = case.presentation
    radio, flag = radiosensitivity(case)
    sins_block = scores["sins"] if scores is not None else sins(case)
    site = case.cancer.primary_site
    pt = case.primary_tumour
    bone_tumour = pt.grade is not None or (
        site in BONE_SARCOMA_SITES and case.cancer.history in (None, "none", "suspected",
                                                                "unknown"))
    return Context(
        cancer=cancer_state(case),
        pain=has_pain(case),
        neuro=tuple(p.neuro_features) if p.neuro_features is not None else None,
        site=site,
        radiosensitivity=radio,
        radiosensitivity_flag=flag,
        haem=case.cancer.haematological,
        sins=worst_range(le.get("range") for le in sins_block["lesions"]),
        escc_grade=worst_grade(case),
        lesions=len(case.lesions or ()),
        compression_areas=compression_areas(case),
        ecog=derive.ecog_values(case)[0],
        primary_bone_tumour=bone_tumour,
    )
