"""The neurologic + oncologic part of NOMS: which radiotherapy, and surgery for compression.

Radiosensitive tumours get cEBRT at any ESCC grade; haematological and germ-cell tumours are not
operated on for compression; radiosensitive solid tumours with high-grade compression are a
tumour-board question (Patchell vs NOMS, C-11). Radioresistant tumours get SBRT when compression
is low grade, separation surgery then SBRT when it is high grade and the person is fit, cEBRT
when not. 1c is borderline and always discussed.

References: scores.md §6; pathway.md §5.3, §6, §7; decisions D-10, D-20, D-21, D-23.
"""

from __future__ import annotations

from oncospine.case import Case
from oncospine.pathway._model import Collected, Option
from oncospine.pathway.context import RADIOSENSITIVE_SOLID, Context

SBRT_DOSE = "24 Gy in 2 fractions (SC.24); 16–18 Gy in 1 fraction is not better than 8 Gy in 1"
SHORT_COURSE = "8 Gy in 1 fraction (alternatives 16 Gy in 2, 20 Gy in 5)"
LONG_COURSE = "30 Gy in 10 fractions"
PATCHELL_PARALYSIS_HOURS = 48
LONG_COURSE_MONTHS = 12


SBRT_MAX_ECOG = 2
SBRT_MIN_KPS = 60


def performance_readings(case: Case) -> tuple[bool, ...]:
    """What each recorded scale says about fitness for SBRT (D-20: ECOG 0–2, or KPS 60 or more).

    The two cut-offs agree with the empirical ECOG↔KPS tables (scores.md §8.3 B and C); only the
    conventional table A puts KPS 50 at ECOG 2, so a person can be recorded as both.
    """
    s = case.status
    return tuple(ok for ok in ((s.ecog <= SBRT_MAX_ECOG) if s.ecog is not None else None,
                               (s.kps >= SBRT_MIN_KPS) if s.kps is not None else None)
                 if ok is not None)


def performance_ok(case: Case) -> bool | None:
    """Fit for SBRT by performance status; None when not recorded or when the scales disagree.

    When ECOG and KPS are both recorded and disagree, neither wins: the plan offers SBRT and
    cEBRT as options to consider and names the disagreement, so the board confirms performance
    status rather than inherit whichever scale was entered (safer reading, documented in
    docs/rules.md).
    """
    readings = set(performance_readings(case))
    return readings.pop() if len(readings) == 1 else None


def cebrt_dose(case: Case, out: Collected) -> tuple[str, tuple[str, ...]]:
    """D-23: short course for poorer prognosis, 30 Gy/10 for good performance and ≥ 12 months."""
    s = case.status
    months = s.life_expectancy_months
    ecog = s.ecog if s.ecog is not None else (None if s.kps is None else
                                              (0 if s.kps >= 90 else 1 if s.kps >= 70 else 2))
    if (months is not None and months < LONG_COURSE_MONTHS) or (ecog is not None and ecog >= 2):
        return SHORT_COURSE, ("RT-001",)
    if months is not None and ecog is not None:
        return LONG_COURSE, ("RT-002",)
    out.ask(*[p for p, val in (("status.life_expectancy_months", months), ("status.ecog", ecog))
              if val is None])
    return (f"{SHORT_COURSE} if life expectancy is under 12 months or ECOG 2 or more; "
            f"{LONG_COURSE} with ECOG 0–1 and 12 months or more"), ("RT-001", "RT-002")


def neuro_oncologic(case: Case, ctx: Context, surgery_block: str | None,
                    stabilising: bool, out: Collected) -> None:
    radio = ctx.radiosensitivity
    if radio == "sensitive":
        _sensitive(case, ctx, surgery_block, out)
    elif radio == "resistant":
        _resistant(case, ctx, surgery_block, stabilising, out)
    else:
        _undecided(case, ctx, radio, out)


def _cebrt(case: Case, ctx: Context, role: str, rules: tuple[str, ...], why: str,
           out: Collected) -> None:
    dose, dose_rules = cebrt_dose(case, out)
    mscc = ctx.has_neuro or ctx.escc_group == "high"
    if mscc:
        why += "; start within 24 hours of the decision to treat when surgery is not planned"
        out.conflict("C-03")
    out.add(Option("cebrt", role, "definitive", (*rules, *dose_rules, *(("RT-003",) if mscc
                                                                      else ())),
                   why, dose=dose, conflicts=("C-03",) if mscc else ()))


def _sensitive(case: Case, ctx: Context, surgery_block: str | None, out: Collected) -> None:
    why = "radiosensitive histology: conventional radiotherapy at any ESCC grade"
    if ctx.radiosensitivity_flag:
        why += " (three-tier schemes call this histology intermediate)"
    _cebrt(case, ctx, "recommended", ("NOMS-1",), why, out)
    if ctx.escc_group not in ("high", "borderline"):
        return
    if ctx.chemosensitive or ctx.haematological:
        out.add(Option("separation_surgery", "not_recommended", "definitive", ("MDT-006",),
                       "haematological or germ-cell histology: radiotherapy and systemic "
                       "therapy treat the compression; surgery only for instability"))
        return
    if ctx.site in RADIOSENSITIVE_SOLID and ctx.escc_group == "high":
        blockers = _patchell_blockers(case, ctx, surgery_block)
        if not blockers:
            out.add(Option("separation_surgery", "discuss", "definitive",
                           ("MDT-004", "MDT-007", "NOMS-1", "SUR-006"),
                           "radiosensitive solid tumour with high-grade compression, neurology, "
                           "one area and a fit patient: Patchell's trial (which included these "
                           "tumours) favours decompression, the two-tier NOMS reading would "
                           "irradiate alone; if operated, radiotherapy follows surgery",
                           conflicts=("C-11",)))
            out.conflict("C-11")
            if case.status.fit_for_surgery is None:
                out.ask("status.fit_for_surgery")
            return
        why = "radiosensitive tumour; surgery for compression is not indicated here: " + \
              "; ".join(blockers)
    else:
        why = "radiosensitive histology: radiotherapy treats the compression"
    out.add(Option("separation_surgery", "not_recommended", "definitive", ("NOMS-1", "MDT-004"),
                   why))


def _patchell_blockers(case: Case, ctx: Context, surgery_block: str | None) -> list[str]:
    blockers = []
    if not ctx.has_neuro:
        blockers.append("no neurological symptoms or signs")
    if ctx.compression_areas > 1:
        blockers.append(f"{ctx.compression_areas} separate areas of compression")
    hours = case.status.non_ambulatory_hours
    if hours is not None and hours > PATCHELL_PARALYSIS_HOURS:
        blockers.append(f"unable to walk for {hours:g} hours (over 48)")
    if surgery_block:
        blockers.append(surgery_block)
    return blockers


def _resistant(case: Case, ctx: Context, surgery_block: str | None, stabilising: bool,
               out: Collected) -> None:
    group = ctx.escc_group
    if group == "low":
        _sbrt_low_grade(case, ctx, stabilising, out)
    elif group == "high":
        _high_grade_resistant(case, ctx, surgery_block, out)
    elif group == "borderline":
        out.add(Option("sbrt", "discuss", "definitive", ("NOMS-5", "SBRT-002"),
                       "ESCC 1c with a radioresistant tumour: SBRT or separation surgery is a "
                       "case-by-case decision", dose=SBRT_DOSE, conflicts=("C-04",)))
        out.add(Option("separation_surgery", "not_recommended" if surgery_block else "discuss",
                       "definitive", ("NOMS-5",) if not surgery_block else ("NOMS-5", "GATE-002"),
                       surgery_block or "ESCC 1c: separation surgery then SBRT is the "
                       "alternative the tumour board weighs"))
        out.conflict("C-04")
    else:
        out.add(Option("sbrt", "discuss", "definitive", ("NOMS-2", "NOMS-3"),
                       "radioresistant tumour, but the ESCC grade is not recorded: grade it on "
                       "axial T2 MRI to choose between SBRT and separation surgery first",
                       dose=SBRT_DOSE))


def _sbrt_low_grade(case: Case, ctx: Context, stabilising: bool, out: Collected) -> None:
    perf = performance_ok(case)
    unstable_possible = ctx.sins is not None and ctx.sins[1] >= 13
    unstable = ctx.sins is not None and ctx.sins[0] >= 13
    rules = ("NOMS-2", "SBRT-001", "SBRT-002")
    if perf is False or (unstable and not stabilising):
        why = ("performance status too low for SBRT (ECOG 3 or more / KPS under 60)"
               if perf is False else "unstable spine that is not being stabilised")
        out.add(Option("sbrt", "not_recommended", "definitive", rules, why))
        _cebrt(case, ctx, "recommended", ("NOMS-2",), "radioresistant tumour, low-grade ESCC: "
               "conventional radiotherapy because " + why, out)
        return
    if perf is None or (unstable_possible and not unstable):
        disagree = perf is None and len(performance_readings(case)) == 2
        if perf is None and not disagree:
            out.ask("status.ecog")
        unsure = (f"ECOG {case.status.ecog} and KPS {case.status.kps} disagree about fitness "
                  "for SBRT: confirm performance status" if disagree else "not yet known")
        out.add(Option("sbrt", "consider", "definitive", rules,
                       "radioresistant tumour with low-grade ESCC: SBRT if ECOG 0–2 and the "
                       f"spine is stable or stabilised ({unsure})", dose=SBRT_DOSE,
                       conflicts=("C-04",)))
        _cebrt(case, ctx, "consider", ("NOMS-2",), "if SBRT is not possible", out)
    else:
        out.add(Option("sbrt", "recommended", "definitive", rules,
                       "radioresistant tumour with low-grade ESCC, good performance status and "
                       + ("a spine being stabilised" if unstable else "a stable spine"),
                       dose=SBRT_DOSE, conflicts=("C-04",),
                       after="stabilisation" if unstable else None))
    out.conflict("C-04")
    out.note("SBRT-003", "after SBRT, early follow-up imaging: vertebral fracture in 14 % of "
             "treated segments, most within 4 months")


def _high_grade_resistant(case: Case, ctx: Context, surgery_block: str | None,
                          out: Collected) -> None:
    if surgery_block:
        out.add(Option("separation_surgery", "not_recommended", "definitive",
                       ("NOMS-4", "GATE-002"), surgery_block))
        _cebrt(case, ctx, "recommended", ("NOMS-4",), "radioresistant tumour with high-grade "
               "ESCC in a person who cannot have surgery: palliative conventional radiotherapy",
               out)
        return
    limits = [why for why in _patchell_blockers(case, ctx, None) if "neurological" not in why]
    if limits:
        out.add(Option("separation_surgery", "discuss", "definitive", ("MDT-004", "MDT-005"),
                       "outside the Patchell trial's limits: " + "; ".join(limits),
                       conflicts=("C-05",)))
        out.conflict("C-05")
    else:
        why = "radioresistant tumour with high-grade ESCC: separation surgery, then SBRT"
        if case.status.fit_for_surgery is None:
            why += " (confirm fitness for surgery)"
            out.ask("status.fit_for_surgery")
        out.add(Option("separation_surgery", "recommended", "definitive",
                       ("NOMS-3", "MDT-004", "MDT-007"), why))
    out.add(Option("sbrt", "recommended", "definitive", ("NOMS-3", "SUR-006", "SBRT-002"),
                   "post-operative stereotactic radiotherapy after separation surgery",
                   dose=SBRT_DOSE, after="separation_surgery"))
    _cebrt(case, ctx, "consider", ("NOMS-4",), "if surgery is declined or not possible", out)


def _undecided(case: Case, ctx: Context, radio: str | None, out: Collected) -> None:
    if radio == "intermediate":
        rule, why = "NOMS-O-INTERMEDIATE", "intermediate radiosensitivity (clinician's class)"
    else:
        rule, why = "NOMS-O-ASK", "radiosensitivity of this histology is not classified"
        if ctx.unknown_primary:
            why = "histology not yet known (tissue diagnosis first)"
        else:
            out.ask("cancer.radiosensitivity" if ctx.site is not None else "cancer.primary_site")
    out.add(Option("cebrt", "discuss", "definitive", (rule,),
                   why + ": conventional radiotherapy or SBRT is a tumour-board choice",
                   dose=cebrt_dose(case, out)[0]))
    out.add(Option("sbrt", "discuss", "definitive", (rule, "SBRT-002"),
                   why + ": SBRT if the tumour behaves as radioresistant", dose=SBRT_DOSE))
    if ctx.escc_group in ("high", "borderline"):
        out.add(Option("separation_surgery", "discuss", "definitive", (rule, "MDT-004"),
                       why + " with compression: surgery first is decided with the histology"))
