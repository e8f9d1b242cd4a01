"""Red-flag triage: level, pathway, clocks, first actions and the reasons for them.

Levels, most urgent first: emergency, urgent, soon, routine. A cancer history dominates (D-11);
neurology is an emergency whatever the history (D-12, D-13); without a known cancer the red
flags of D-14 decide. Unknown inputs never lower the level: they are listed to ask for, with the
level they could raise it to.

References: pathway.md §1.2, §2; decisions D-11 to D-15.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from oncospine.case import Case
from oncospine.pathway._model import Option, Reason
from oncospine.pathway.context import Context, imaging_done

LEVELS = ("emergency", "urgent", "soon", "routine")
RANK = {level: i for i, level in enumerate(LEVELS)}
MRI_HOURS = {"emergency": 24, "urgent": 168}
COORDINATOR_HOURS = {"emergency": 0, "urgent": 24}
CES_REQUEST_TO_SCAN_HOURS = 4

CANCER_FLAGS = {"weight_loss", "structural_deformity", "multiple_pain_sites"}
INFECTION_FLAGS = {"fever", "immunosuppression", "iv_drug_use"}
FRACTURE_FLAGS = {"trauma"}
RED_FLAG_AGE = 50
RED_FLAG_PAIN_WEEKS = 4


@dataclass(slots=True)
class Triage:
    level: str
    pathway: str
    reasons: list[Reason] = field(default_factory=list)
    actions: list[Option] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    local_targets: list[dict[str, Any]] = field(default_factory=list)

    @property
    def mri_within_hours(self) -> int | None:
        return MRI_HOURS.get(self.level)

    @property
    def coordinator_within_hours(self) -> int | None:
        return COORDINATOR_HOURS.get(self.level) if self.pathway == "mscc" else None


def _red_flags(case: Case) -> dict[str, list[str]]:
    """Red flags for serious pathology in someone without a known cancer (D-14)."""
    p, general = case.presentation, set(case.presentation.general_features or ())
    cancer: list[str] = sorted(general & CANCER_FLAGS)
    if "night_pain" in (p.pain_features or ()):
        cancer.append("night_pain")
    if p.pain_weeks is not None and p.pain_weeks >= RED_FLAG_PAIN_WEEKS:
        cancer.append("pain_4_weeks_or_more")
    if len(set(p.pain_sites or ())) >= 2 and "multiple_pain_sites" not in cancer:
        cancer.append("multiple_pain_sites")
    age = case.patient.age_years
    if age is not None and age >= RED_FLAG_AGE and (p.spinal_pain or p.pain_features):
        cancer.append("age_50_or_over_with_new_pain")
    return {
        "suspected_cancer": cancer,
        "infection": sorted(general & INFECTION_FLAGS),
        "fracture": sorted(general & FRACTURE_FLAGS),
    }


def _no_known_cancer(case: Case, ctx: Context, t: Triage) -> None:
    flags = _red_flags(case)
    rules = {"suspected_cancer": "RF-CAN-001", "infection": "RF-INF-001",
             "fracture": "RF-FRX-001"}
    for pathway in ("suspected_cancer", "infection", "fracture"):
        if flags[pathway]:
            if t.level == "routine":
                t.level, t.pathway = "soon", pathway
            t.reasons.append(Reason(rules[pathway], "red flags: " + _words(flags[pathway])))
    if t.level == "routine":
        t.reasons.append(Reason("RF-NONE-001", "no red flag recorded"))
    p = case.presentation
    if case.patient.age_years is None:
        t.missing.append("patient.age_years")
    if p.general_features is None:
        t.missing.append("presentation.general_features")
    if p.pain_features is None and ctx.pain is not False:
        t.missing.append("presentation.pain_features")


def triage(case: Case, ctx: Context) -> Triage:
    """Triage one case; the result carries every reason with its rule id."""
    t = Triage(level="routine", pathway="back_pain")
    if ctx.neuro is None:
        t.missing.append("presentation.neuro_features")
    if ctx.cancer == "unknown":
        t.missing.append("cancer.history")
        t.reasons.append(Reason("TRI-006b", "cancer history not recorded: establish it now; a "
                                "past or current cancer would make this at least urgent"))
    if ctx.pain is None:
        t.missing.append("presentation.spinal_pain")

    if ctx.has_neuro:
        _neurology(ctx, t)
    elif ctx.cancer == "known":
        t.level, t.pathway = "urgent", "mscc"
        if ctx.pain:
            t.reasons.append(Reason("TRI-002", "spinal pain in a person with cancer, no "
                                    "neurological symptoms or signs recorded"))
            t.reasons.append(Reason("RF-WT-001", "a cancer history puts new spinal pain on the "
                                    "MSCC route"))
        elif ctx.pain is None or ctx.neuro is None:
            t.reasons.append(Reason("TRI-ASK-PAIN", "spinal symptoms not recorded in a person "
                                    "with cancer: kept on the MSCC route until asked"))
        else:
            # No spinal symptoms: never lower than the same person without a cancer history.
            t.level, t.pathway = "routine", "back_pain"
            _no_known_cancer(case, ctx, t)
    elif ctx.cancer == "suspected":
        t.level, t.pathway = "soon", "suspected_cancer"
        t.reasons.append(Reason("TRI-006", "cancer suspected but not diagnosed, no neurology: "
                                "urgent suspected-cancer assessment"))
    else:
        _no_known_cancer(case, ctx, t)

    if ctx.neuro is None and t.level != "emergency":
        t.reasons.append(Reason("TRI-ASK-NEURO", "neurological symptoms and signs not recorded: "
                                "any of them would make this an emergency"))
    _actions(case, ctx, t)
    return t


# Reasons raised because an input is not recorded (rule id -> the paths that would settle it).
# Reports say which unknown drives the triage; the CDS service keeps silent when only these apply.
ASK_RULES: dict[str, tuple[str, ...]] = {
    "TRI-ASK-NEURO": ("presentation.neuro_features",),
    "TRI-006b": ("cancer.history",),
    "TRI-ASK-PAIN": ("presentation.spinal_pain", "presentation.neuro_features"),
}


def _words(codes: Iterable[str]) -> str:
    """Codes as a reader sees them: `limb_weakness` -> `limb weakness`."""
    return ", ".join(code.replace("_", " ") for code in codes)


def _neurology(ctx: Context, t: Triage) -> None:
    t.level = "emergency"
    features = _words(ctx.neuro or ())
    if ctx.cancer in ("known", "suspected"):
        t.pathway = "mscc"
        history = "a cancer history" if ctx.cancer == "known" else "suspected cancer"
        t.reasons.append(Reason("TRI-001", f"neurological symptoms or signs ({features}) with "
                                f"{history}: suspected MSCC, an oncological emergency"))
        return
    t.pathway = "cauda_equina" if ctx.cauda_equina else "cord_compression"
    if ctx.cauda_equina:
        t.reasons.append(Reason("RF-CES-001", f"cauda equina features ({features})"))
        t.local_targets.append({"id": "ces_request_to_scan", "within_hours":
                                CES_REQUEST_TO_SCAN_HOURS, "rule": "RF-CES-002"})
    t.reasons.append(Reason("TRI-007", f"neurological symptoms or signs ({features}) without a "
                            "known cancer: emergency spinal pathway"))


def _actions(case: Case, ctx: Context, t: Triage) -> None:
    if t.pathway == "mscc" and t.level in COORDINATOR_HOURS:
        rule = "TRI-001" if t.level == "emergency" else "TRI-002"
        t.actions.append(Option("contact_mscc_coordinator", "recommended", "triage", (rule,),
                                "the single point of contact who arranges and speeds up the "
                                "investigations", within_hours=COORDINATOR_HOURS[t.level]))
    if t.level == "emergency" and t.pathway != "mscc":
        rule = "RF-CES-001" if t.pathway == "cauda_equina" else "TRI-007"
        t.actions.append(Option("emergency_spinal_referral", "recommended", "triage", (rule,),
                                "same-hour referral on the emergency spinal pathway",
                                within_hours=0))
    if t.level in MRI_HOURS:
        contraindicated = case.status.mri_contraindicated
        rule = "TRI-004" if t.level == "emergency" else "TRI-003"
        if contraindicated:
            t.actions.append(Option("ct_spine", "recommended", "triage", ("IMG-003", rule),
                                    "MRI is contraindicated: CT of the spine instead",
                                    within_hours=MRI_HOURS[t.level]))
        else:
            done = imaging_done(case, "mri_whole_spine")
            t.actions.append(Option("mri_whole_spine", "recommended", "triage", (rule, "IMG-001"),
                                    "whole-spine MRI", within_hours=MRI_HOURS[t.level],
                                    done=done))
    t.actions.append(Option("safety_net_advice", "recommended", "triage", ("FU-003",),
                            "return at once for new weakness, numbness, difficulty walking, or "
                            "bladder or bowel change"))


def clocks(case: Case, t: Triage, now: datetime) -> list[dict[str, Any]]:
    """Running deadlines from the presentation time (or now), with their state.

    State: met (done by the deadline), late (done after it), overdue (not done, past it),
    running (not done, time left).
    """
    start = case.events.presentation or now
    ev = case.events
    specs = []
    if t.coordinator_within_hours is not None:
        specs.append(("coordinator_contact", t.coordinator_within_hours, ev.coordinator_contact,
                      "TRI-001" if t.level == "emergency" else "TRI-002"))
    if t.mri_within_hours is not None:
        specs.append(("mri_done", t.mri_within_hours, ev.mri_done,
                      "TRI-004" if t.level == "emergency" else "TRI-003"))
    out = []
    for name, hours, done, rule in specs:
        due = start + timedelta(hours=hours)
        if done is not None:
            state = "met" if done <= due else "late"
            left = None
        else:
            left = round((due - now).total_seconds() / 3600, 2)
            state = "overdue" if left < 0 else "running"
        out.append({"id": name, "rule": rule, "within_hours": hours,
                    "starts": start.isoformat(), "due": due.isoformat(),
                    "done_at": done.isoformat() if done else None, "state": state,
                    "hours_left": left})
    return out


def rank(level: str) -> int:
    """0 for emergency … 3 for routine: lower is more urgent."""
    return RANK[level]
