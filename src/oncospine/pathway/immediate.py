"""Immediate care: dexamethasone (with conflict C-02), analgesia and immobilisation.

References: pathway.md §1.4, §4 (BX-001, BX-002); decisions D-16, D-17.
"""

from __future__ import annotations

from oncospine.case import Case
from oncospine.pathway._model import Collected, Option
from oncospine.pathway.context import Context
from oncospine.pathway.triage import Triage

DEX_DOSE = "16 mg oral (or parenteral equivalent) as soon as possible, then 16 mg daily"
INSTABILITY_SINS = 7


def immediate(case: Case, ctx: Context, t: Triage) -> Collected:
    out = Collected()
    _dexamethasone(case, ctx, t, out)
    if ctx.pain:
        out.add(Option("analgesia", "recommended", "immediate", ("MGT-002",),
                       "adequate pain relief now, with an individual pain assessment"))
    if ctx.has_neuro:
        _immobilise(case, ctx, out)
    return out


def _dexamethasone(case: Case, ctx: Context, t: Triage, out: Collected) -> None:
    if not ctx.has_neuro:
        out.add(Option("dexamethasone", "not_recommended", "immediate", ("MGT-006",),
                       "no neurological symptoms or signs: steroids are not routine (except "
                       "within a radiotherapy regimen)"))
        return
    if t.pathway != "mscc":
        out.add(Option("dexamethasone", "discuss", "immediate", ("MGT-003", "BX-002"),
                       "no cancer diagnosis: the cause of compression is unknown; steroids are "
                       "for MSCC and can hide a lymphoma, so decide with the spinal team"))
        return
    if ctx.unknown_primary or ctx.haem == "suspected":
        why = ("haematological malignancy suspected but not confirmed" if ctx.haem == "suspected"
               else "primary not yet known")
        out.add(Option("discuss_steroids_before_biopsy", "recommended", "immediate",
                       ("BX-002", "BX-001"), f"{why}: steroids can prevent a lymphoma or myeloma "
                       "diagnosis; discuss with haematology/oncology before the first dose",
                       within_hours=0, conflicts=("C-02",)))
        out.add(Option("dexamethasone", "discuss", "immediate", ("MGT-003", "BX-001"),
                       "NICE gives 16 mg at once for neurology; the Dutch guideline waits for the "
                       "biopsy when the primary is unknown. Rapidly progressing deficit weighs "
                       "toward giving it now", dose=DEX_DOSE, within_hours=0,
                       conflicts=("C-02",)))
        out.conflict("C-02")
        return
    rules = ("MGT-003", "MGT-007", "MGT-009") if ctx.haematological else ("MGT-003", "MGT-009")
    why = "neurological symptoms or signs of suspected MSCC"
    if ctx.haematological:
        why += "; confirmed haematological malignancy: discuss further steroids with the " \
               "haematology MDT"
    out.add(Option("dexamethasone", "recommended", "immediate", rules,
                   why + "; check glucose and give gastric protection; stop if MSCC is excluded",
                   dose=DEX_DOSE, within_hours=0,
                   done=case.events.dexamethasone_first_dose is not None))


def _immobilise(case: Case, ctx: Context, out: Collected) -> None:
    mechanical = "mechanical" in (case.presentation.pain_features or ()) or any(
        le.pain == "mechanical" for le in case.lesions or ())
    misaligned = any(le.alignment in ("subluxation", "deformity") for le in case.lesions or ())
    sins_high = ctx.sins is not None and ctx.sins[0] >= INSTABILITY_SINS
    sins_possible = ctx.sins is not None and ctx.sins[1] >= INSTABILITY_SINS
    if mechanical or misaligned or sins_high:
        found = [w for w, on in (("mechanical pain", mechanical), ("abnormal alignment",
                 misaligned), (f"SINS {ctx.sins[0] if ctx.sins else ''}", sins_high))
                 if on]
        out.add(Option("immobilise", "recommended", "immediate", ("MGT-001",),
                       "neurology with suspected instability (" + ", ".join(found) + "): limit "
                       "spinal weight-bearing now and get expert spinal advice within 24 hours",
                       within_hours=24, conflicts=("C-08",)))
    elif ctx.lesions == 0 or sins_possible:
        out.add(Option("immobilise", "consider", "immediate", ("MGT-001",),
                       "stability not yet known (imaging or SINS incomplete): immobilise if "
                       "instability is suspected and get expert advice within 24 hours",
                       within_hours=24, conflicts=("C-08",)))
    else:
        out.add(Option("immobilise", "not_recommended", "immediate", ("MGT-001",),
                       "no sign of instability: blanket bed rest is not advised"))
