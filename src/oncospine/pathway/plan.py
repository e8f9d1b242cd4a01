"""The treatment plan: fitness gates, the mechanical assessment, NOMS, and what always applies.

Output is a list of options with roles and reasons, never a single verdict. S (fitness) can veto
any invasive step; M (SINS) can add stabilisation or cement; N + O choose radiotherapy and
surgery for compression (see `noms`). Primary bone tumours follow the sarcoma route instead.

References: scores.md §6; pathway.md §6, §7; decisions D-18 to D-26.
"""

from __future__ import annotations

from oncospine.case import Case
from oncospine.pathway._model import Collected, Option
from oncospine.pathway.context import Context
from oncospine.pathway.noms import PATCHELL_PARALYSIS_HOURS, SHORT_COURSE, neuro_oncologic
from oncospine.pathway.triage import Triage
from oncospine.scores.enneking import possible_stages
from oncospine.scores.wbb import en_bloc_feasible

UNSTABLE = 13
CONSULT = 7
MIN_SURGERY_MONTHS = 3
SURGICAL = ("stabilisation", "separation_surgery", "decompression", "en_bloc_resection")


def plan(case: Case, ctx: Context, t: Triage) -> Collected:
    out = Collected()
    if case.status.fit_for_any_treatment is False:
        _supportive_only(ctx, out)
        return out
    if ctx.lesions == 0:
        out.note("MDT-BOARD", "no spinal lesion recorded yet: the treatment plan (NOMS) follows "
                 "the imaging")
        _always(case, ctx, t, out)
        return out
    block = surgery_block(case)
    stabilising = _mechanical(case, ctx, block, out)
    if ctx.primary_bone_tumour:
        _primary_bone_tumour(case, out)
    else:
        neuro_oncologic(case, ctx, block, stabilising, out)
        if ctx.chemosensitive:
            out.add(Option("systemic_therapy", "recommended", "definitive",
                           ("SYS-001", "MDT-006"), "chemosensitive histology: systemic therapy "
                           "with radiotherapy rather than surgery in a stable spine"))
    _always(case, ctx, t, out)
    return out


def surgery_block(case: Case) -> str | None:
    """Why surgery is not offered (D-18), or None."""
    s = case.status
    if s.fit_for_surgery is False:
        return "not fit for surgery (clinician's judgement)"
    if s.life_expectancy_months is not None and s.life_expectancy_months < MIN_SURGERY_MONTHS:
        return f"life expectancy {s.life_expectancy_months:g} months, under 3"
    return None


def _supportive_only(ctx: Context, out: Collected) -> None:
    why = "too unwell for any active treatment"
    out.add(Option("best_supportive_care", "recommended", "supportive", ("GATE-001",), why))
    out.add(Option("palliative_care", "recommended", "supportive", ("GATE-001", "PAL-001"),
                   "symptom control and support for the person and family"))
    out.add(Option("cebrt", "consider", "definitive", ("GATE-001", "RT-001"),
                   "a single fraction can ease pain", dose="8 Gy in 1 fraction"))
    for option in (*SURGICAL, "cement_augmentation", "sbrt", "systemic_therapy"):
        out.add(Option(option, "not_recommended", "definitive", ("GATE-001",), why))
    if ctx.lesions:
        out.add(Option("mdt_review", "recommended", "supportive", ("MDT-BOARD",),
                       "agree the supportive plan with the person and the team"))
    out.note("MDT-009", "treatment may not be warranted; decide with the person")


def _mechanical(case: Case, ctx: Context, block: str | None, out: Collected) -> bool:
    """M of NOMS. Returns True when stabilisation is part of the plan."""
    if ctx.sins is None:
        return False
    low, high = ctx.sins
    if low >= CONSULT:
        out.add(Option("surgical_consultation", "recommended", "definitive", ("SINS-CONSULT",),
                       f"worst SINS {low if low == high else f'{low}–{high}'}: possible or "
                       "current instability"))
    elif high >= CONSULT:
        out.add(Option("surgical_consultation", "consider", "definitive", ("SINS-CONSULT",),
                       f"SINS incomplete ({low}–{high}): a consultation is needed if it is 7 or "
                       "more once the missing parts are known"))
    stabilising = False
    if low >= UNSTABLE:
        if block:
            out.add(Option("stabilisation", "not_recommended", "definitive",
                           ("NOMS-6", "GATE-002"), block))
            out.note("NOMS-6", "unstable spine but surgery is not possible: bracing or cement "
                     "augmentation at the tumour board")
        else:
            why = f"worst SINS {low}{'' if low == high else f'–{high}'}: unstable"
            if case.status.fit_for_surgery is None:
                why += " (confirm fitness for surgery)"
                out.ask("status.fit_for_surgery")
            out.add(Option("stabilisation", "recommended", "definitive", ("NOMS-6",), why))
            stabilising = True
    elif high >= UNSTABLE and low >= CONSULT:
        out.add(Option("stabilisation", "not_recommended" if block else "discuss", "definitive",
                       ("NOMS-6",) if not block else ("NOMS-6", "GATE-002"),
                       block or f"SINS could reach {high}: stabilisation if the completed score "
                       "is 13 or more"))
    if low < UNSTABLE and _mechanical_fracture(case):
        out.add(Option("cement_augmentation", "consider", "definitive", ("NOMS-7",),
                       "mechanical pain from a pathological fracture without gross instability"))
    return stabilising


def _mechanical_fracture(case: Case) -> bool:
    lesions = case.lesions or ()
    mechanical = any(le.pain == "mechanical" for le in lesions) or (
        "mechanical" in (case.presentation.pain_features or ()))
    fracture = case.disease.pathological_fracture is True or any(
        le.collapse in ("over_50", "under_50") for le in lesions)
    return mechanical and fracture


def _primary_bone_tumour(case: Case, out: Collected) -> None:
    stages, missing = possible_stages(case)
    out.ask(*missing)
    if stages == {"1"}:
        out.add(Option("mri_monitoring", "recommended", "follow_up", ("MON-001",),
                       "latent benign tumour (Enneking 1): watch with regular MRI"))
        return
    resectable = stages & {"IA", "IB", "IIA", "IIB"}
    if not resectable:
        return
    feasible = en_bloc_feasible(case)
    if feasible is None:
        out.ask("lesions.0.wbb_sectors")
        role, why = "consider", "en bloc margins depend on the WBB sectors (not recorded)"
    elif feasible:
        role, why = "consider", "the WBB sectors allow a classic en bloc resection"
    else:
        role, why = "discuss", "the WBB sectors fit no classic en bloc pattern"
    stage_text = "/".join(sorted(resectable))
    out.add(Option("en_bloc_resection", role, "definitive", ("SUR-005", "SCORE-WBB"),
                   f"Enneking {stage_text}: {why}; at the sarcoma centre"))


def _always(case: Case, ctx: Context, t: Triage, out: Collected) -> None:
    """D-24: tumour board, palliative care and rehabilitation for MSCC, trials; notes."""
    if ctx.lesions:
        out.add(Option("mdt_review", "recommended", "supportive", ("MDT-BOARD",),
                       "every metastatic or primary spinal lesion is reviewed by the spinal "
                       "tumour board"))
    mscc = (t.pathway == "mscc" and t.level == "emergency") or ctx.escc_group == "high"
    if mscc and not ctx.primary_bone_tumour:
        out.add(Option("palliative_care", "recommended", "supportive", ("PAL-001",),
                       "everyone with MSCC is referred to palliative care"))
        out.add(Option("rehabilitation", "consider", "supportive", ("REH-001",),
                       "physiotherapy and occupational therapy for walking, transfers and home"))
    active = {o.id for o in out.options if o.role != "not_recommended"}
    if active & {"sbrt", "systemic_therapy"}:
        out.add(Option("clinical_trial", "consider", "supportive", ("TRL-001",),
                       "ask whether a trial is open for this histology or technique"))
    s = case.status
    hours = s.non_ambulatory_hours or 0
    if hours > PATCHELL_PARALYSIS_HOURS and min(ctx.ecog) >= 3:
        # pathway.md §13 T8 flags this from 5 days; the rule itself speaks of over a week.
        out.note("MDT-009", f"unable to walk for {hours:g} hours with poor performance status: "
                 "with paralysis over a week and a life expectancy of days to weeks, treatment "
                 "may not be warranted; decide with the person")
    if case.cancer.prior_radiotherapy_to_spine:
        out.note("MDT-002", "earlier spinal radiotherapy: check the dose; if re-irradiation "
                 "cannot give an adequate dose, surgery is preferred")
    if any(o.id == "cebrt" and o.dose == SHORT_COURSE for o in out.options):
        out.note("RT-001", "a single fraction brings more re-treatment later than longer courses")
