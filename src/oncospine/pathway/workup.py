"""Work-up: imaging, bloods, staging and biopsy, with their clocks.

Whole-spine MRI is the investigation (CT when MRI is contraindicated); a plain X-ray is never
offered to exclude metastases. An unknown primary is staged and biopsied before treatment; a
suspected primary bone tumour goes to a sarcoma centre before any biopsy.

References: pathway.md §1.3, §3.6, §4; decisions D-15, D-25, D-26.
"""

from __future__ import annotations

from oncospine.case import Case
from oncospine.pathway._model import Collected, Option
from oncospine.pathway.context import Context, imaging_done
from oncospine.pathway.triage import Triage

BIOPSY_URGENT_HOURS = 24
BIOPSY_HOURS = 168


def workup(case: Case, ctx: Context, t: Triage) -> Collected:
    out = Collected()
    needs_imaging = t.level in ("emergency", "urgent") or ctx.lesions > 0 or (
        t.level == "soon" and t.pathway == "suspected_cancer")
    if needs_imaging:
        _spine_imaging(case, t, out)
    if t.level in ("emergency", "urgent", "soon") or ctx.lesions:
        out.add(Option("bloods", "recommended", "workup", ("WU-BLOODS",),
                       "full blood count, calcium, renal function; glucose before and during "
                       "steroids; ESR or plasma viscosity when myeloma is possible"))
    if ctx.primary_bone_tumour:
        _bone_tumour(out)
    elif ctx.unknown_primary and (ctx.lesions or t.pathway in ("mscc", "suspected_cancer")):
        _unknown_primary(ctx, out)
    elif ctx.cancer == "known" and ctx.lesions and _bone_count_unknown(case):
        out.add(Option("bone_scan", "consider", "workup", ("WU-STAGING",),
                       "the number of bone metastases is not recorded; it changes Tomita, "
                       "Tokuhashi and Bauer"))
    return out


def _spine_imaging(case: Case, t: Triage, out: Collected) -> None:
    hours = t.mri_within_hours
    if case.status.mri_contraindicated:
        out.add(Option("ct_spine", "recommended", "workup", ("IMG-003",),
                       "MRI is contraindicated: CT of the spine; myelography only if more is "
                       "needed, at a spinal surgical centre", within_hours=hours))
    else:
        done = imaging_done(case, "mri_whole_spine")
        out.add(Option("mri_whole_spine", "recommended", "workup", ("IMG-001", "IMG-002"),
                       "sagittal T1/STIR and T2 of the whole spine, axial through any lesion",
                       within_hours=hours, done=done))
        if case.status.mri_contraindicated is None and t.level in ("emergency", "urgent"):
            out.ask("status.mri_contraindicated")
    reason = "a plain X-ray neither diagnoses nor excludes spinal metastases or MSCC"
    if imaging_done(case, "xray_spine"):
        reason = "an X-ray was done: it does not exclude metastases, MRI is still needed"
    out.add(Option("xray_spine", "not_recommended", "workup", ("IMG-004",), reason))


def _unknown_primary(ctx: Context, out: Collected) -> None:
    urgent = ctx.has_neuro or ctx.escc_group == "high"
    hours = BIOPSY_URGENT_HOURS if urgent else BIOPSY_HOURS
    out.add(Option("ct_staging", "recommended", "workup", ("BX-001",),
                   "CT of chest, abdomen and pelvis (or PET-CT) to stage and find the most "
                   "accessible lesion to biopsy", within_hours=hours))
    out.add(Option("pet_ct", "consider", "workup", ("BX-001",),
                   "alternative to CT staging where available"))
    out.add(Option("biopsy", "recommended", "workup", ("BX-001", "BX-003"),
                   "tissue diagnosis before treatment, image-guided core biopsy of the most "
                   "accessible lesion" + (": within 24 hours because of MESCC or neurology"
                                          if urgent else ": within 1 week"), within_hours=hours))


def _bone_tumour(out: Collected) -> None:
    out.add(Option("sarcoma_centre_referral", "recommended", "workup", ("BX-006",),
                   "a suspected primary bone tumour is managed by a bone sarcoma MDT"))
    out.add(Option("biopsy", "not_recommended", "workup", ("BX-006",),
                   "not before referral: the sarcoma centre plans the biopsy so its tract can be "
                   "removed with the tumour"))


def _bone_count_unknown(case: Case) -> bool:
    d = case.disease
    return d.extraspinal_bone_metastases is None or d.vertebral_metastases is None
