"""What is unknown, and what knowing it would change.

The assessment lists every unknown input a score or rule would read (`missing_inputs`). A report
must say more than the path: which scores are still open and over what range, and whether the
triage itself could change. Everything here is read from the assessment (score ranges, the
triage's own "ask" reasons); the plan effects restate the product's documented decisions
(shared clinical/decisions.md) so a reader knows why the field matters.

References: assessment-format.md "Status and range"; decisions D-10, D-13, D-14, D-18, D-20,
D-21, D-23, D-26.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oncospine.pathway.triage import ASK_RULES
from oncospine.render.rows import SCORE_TITLES
from oncospine.reports.words import field_label, plain_label

# Inputs the plan or the red-flag triage reads, by field name: what the value decides.
PLAN_EFFECTS: dict[str, str] = {
    "fit_for_surgery": "surgical options: if unfit, every surgical option is not recommended "
                       "(D-18)",
    "fit_for_any_treatment": "whether any tumour-directed treatment is offered; if unfit, best "
                             "supportive care (D-18)",
    "life_expectancy_months": "radiotherapy dose (8 Gy/1 under 12 months, 30 Gy/10 with good "
                              "performance and 12 months or more, D-23); surgery is not "
                              "recommended under 3 months (D-18)",
    "ecog": "radiotherapy dose (D-23) and SBRT eligibility (ECOG 0–2, D-20)",
    "mri_contraindicated": "imaging: CT of the spine replaces MRI when MRI is contraindicated "
                           "(IMG-003)",
    "radiosensitivity": "the oncologic arm of NOMS: cEBRT if radiosensitive, SBRT or separation "
                        "surgery if radioresistant (D-10, D-20)",
    "primary_site": "radiosensitivity and the primary-site rows of the prognostic scores "
                    "(D-10, D-20)",
    "wbb_sectors": "whether an en bloc resection is feasible (D-26)",
    "non_ambulatory_hours": "Patchell limits: not walking for over 48 hours makes decompression "
                            "a tumour-board discussion (D-21)",
    "age_years": "red flags when no cancer is known: age 50 or over with new pain (D-14)",
    "general_features": "red flags when no cancer is known: weight loss, fever, "
                        "immunosuppression, IV drug use, trauma (D-14)",
    "pain_features": "red flags when no cancer is known: night pain (D-14)",
}


@dataclass(slots=True)
class MissingInput:
    """One unknown input: its path, its label, and what it would change."""

    path: str
    label: str
    plain: str
    effects: list[str] = field(default_factory=list)
    could_raise_urgency: bool = False


def _range_text(result: dict[str, Any]) -> str:
    rng = result.get("range") or [None, None]
    value = f"{rng[0]}" if rng[0] == rng[1] else f"{rng[0]}–{rng[1]}"
    band = result.get("band")
    if band:
        return f"now {value}; band already {band.replace('_', ' ')} whatever the value"
    return f"now {value}; band not decided"


def lesion_levels(assessment: dict[str, Any]) -> dict[int, str]:
    """Lesion index → its level label ('T10', 'T10–T12'), for naming lesion fields."""
    out = {}
    for i, lesion in enumerate(assessment["scores"]["sins"]["lesions"]):
        if lesion.get("level"):
            out[i] = str(lesion["level"])
    return out


def missing_inputs(assessment: dict[str, Any]) -> list[MissingInput]:
    """Each unknown input with the scores, lesions, triage and plan choices it would settle."""
    scores = assessment["scores"]
    levels = lesion_levels(assessment)
    asks = {r["rule"]: r["text"] for r in assessment["triage"]["reasons"] if r["rule"] in ASK_RULES}
    out = []
    for path in assessment["missing_inputs"]:
        item = MissingInput(path, field_label(path, levels), plain_label(path))
        for rule, text in asks.items():
            if path in ASK_RULES[rule]:
                item.effects.append(f"triage ({rule}): {text}")
                item.could_raise_urgency = True
        for name, title in SCORE_TITLES.items():
            if path in scores[name].get("missing", ()):
                item.effects.append(f"{title}: {_range_text(scores[name])}")
        enneking = scores["enneking"]
        if path in enneking.get("missing", ()):
            stages = " / ".join(enneking.get("possible_stages") or ()) or "not decided"
            item.effects.append(f"Enneking stage: possible {stages}")
        for i, lesion in enumerate(scores["sins"]["lesions"]):
            if path in lesion.get("missing", ()):
                where = levels.get(i, f"lesion {i + 1}")
                item.effects.append(f"SINS at {where}: {_range_text(lesion)}")
        if path in scores["escc"].get("missing", ()):
            item.effects.append("ESCC not graded: the neurological arm of NOMS (low, borderline "
                                "or high grade) waits for it (D-20)")
        effect = PLAN_EFFECTS.get(path.rsplit(".", 1)[-1])
        if effect:
            item.effects.append(effect)
        if not item.effects:
            item.effects.append("read by the rules of this assessment; record it to settle them")
        out.append(item)
    return out


def plain_unknowns(assessment: dict[str, Any]) -> list[str]:
    """The unknown inputs for the person, in plain words, each said once."""
    seen: list[str] = []
    for path in assessment["missing_inputs"]:
        words = plain_label(path)
        if words not in seen:
            seen.append(words)
    return seen
