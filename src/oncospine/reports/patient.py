"""The patient summary: the person's own plan in plain words, and when to get help at once.

Written for the person and their family at a reading age of about 11 to 12. It says what was
found (the place in the body, not a score), what happens now, what each option means, involves
and can cause, and what to ask and bring. The warning signs that need help at once are shown on
every summary, whatever the case. Scores are never shown as verdicts and no survival figure is
given: such figures describe groups, so the summary invites that talk with the team instead.

The option texts are the plain-language fields of the treatment catalogue
(knowledge/treatments.toml); the rest is written here from shared clinical/pathway.md §8.6 and
§9–§11 and the patient pages in shared/sources (NHS back-pain red flags S10, Royal
Buckinghamshire Hospital, Mayo Clinic).
"""

from __future__ import annotations

from typing import Any

from oncospine.case import Case
from oncospine.knowledge import load
from oncospine.reports import _render
from oncospine.reports.diagram import patient_spine_svg
from oncospine.reports.lesions import lesion_marks
from oncospine.reports.missing import plain_unknowns
from oncospine.reports.words import hours_words, plain_place, when_text

ROLE_ORDER = ("recommended", "consider", "discuss", "not_recommended")
GROUP_TITLES = {
    "recommended": "What your team suggests",
    "consider": "Other choices your team may offer",
    "discuss": "Choices to talk through with your team",
}
GROUP_INTROS = {
    "recommended": "These are the tests and treatments your team suggests for you now.",
    "consider": "Your team may offer these as well, depending on how things go.",
    "discuss": "For these, experts do not all agree, or the best choice depends on what matters "
               "most to you. Your team will talk them through with you.",
}

NEURO_WORDS = {
    "radicular_pain": "pain that shoots along a nerve into an arm, a leg, your chest or your tummy",
    "limb_weakness": "weakness in your arms or legs",
    "gait_disturbance": "difficulty walking",
    "sensory_loss": "numbness or loss of feeling",
    "paraesthesia": "pins and needles or tingling",
    "bladder_dysfunction": "problems passing urine",
    "bowel_dysfunction": "problems with your bowels",
    "saddle_anaesthesia": "numbness around your bottom or genitals",
    "sexual_dysfunction": "changes in sexual function",
    "bilateral_radicular": "pain shooting down both legs",
    "lhermitte": "an electric-shock feeling down your back when you bend your neck",
    "cord_or_cauda_signs": "signs on examination that nerves in your spine are being squeezed",
}
PAIN_WORDS = {
    "severe_unremitting": "very bad pain that does not let up",
    "progressive": "pain that keeps getting worse",
    "mechanical": "pain that changes when you move or put weight on your back",
    "worse_on_straining": "pain that is worse when you cough, sneeze or strain on the toilet",
    "night_pain": "pain at night that disturbs your sleep",
    "localised_tenderness": "a sore spot on your spine",
    "claudication": "pain in your legs when you walk, which eases when you rest",
    "band_like": "pain like a tight band around your chest or tummy",
}
# How steady the bone is, from the SINS band, said as what the checks suggest (never a verdict).
STABILITY_WORDS = {
    "stable": "The checks so far suggest this bone is steady.",
    "indeterminate": "The bone may be weakened. A spine specialist will check whether it needs "
                     "support.",
    "unstable": "The bone looks weakened and may not be steady. Your team will talk with you "
                "about ways to support it.",
    "unknown": "Your team has not yet finished checking how strong this bone is.",
    "not_scored": "",
}
# How close the tumour is to the spinal cord, from the ESCC grade (pathway.md §5.2).
COMPRESSION_WORDS = {
    "0": "The tumour is in the bone only. It does not reach the space around the {cord}.",
    "1a": "The tumour reaches the space around the {cord} but is not pushing on it.",
    "1b": "The tumour pushes on the covering around the {cord}, but does not touch it.",
    "1c": "The tumour touches the {cord} but is not squeezing it.",
    "2": "The tumour is pressing on the {cord}.",
    "3": "The tumour is pressing hard on the {cord}.",
}


def _cord(level: str | None) -> str:
    """In the lower back and below, the canal holds nerve roots rather than the cord itself."""
    if level is not None and (level[0] in "LS" or level == "Co"):
        return "nerves inside your spine"
    return "spinal cord"


def _found(assessment: dict[str, Any]) -> list[dict[str, str]]:
    grades = assessment["scores"]["escc"]["lesions"]
    out = []
    for mark in lesion_marks(assessment):
        grade = grades[mark.index].get("grade") if mark.index < len(grades) else None
        cord = _cord(mark.levels[0] if mark.levels else None)
        compression = (COMPRESSION_WORDS[grade].format(cord=cord) if grade is not None else
                       f"It is not yet known whether the tumour is pressing on the {cord}.")
        out.append({"place": plain_place(mark.levels),
                    "stability": STABILITY_WORDS[mark.sins], "compression": compression})
    return out


def _catalogue(option_id: str) -> dict[str, Any]:
    entry = load("treatments").get(option_id)
    if entry is None:
        return {"plain_title": option_id.replace("_", " ").capitalize(), "kind": "",
                "plain_what": "",
                "plain_why": "", "plain_preparation": [], "plain_side_effects": [],
                "plain_recovery": []}
    return dict(entry)


def _merged_options(assessment: dict[str, Any]) -> list[dict[str, Any]]:
    """Triage actions, tests and treatments in one list, each id once with its strongest role."""
    merged: dict[str, dict[str, Any]] = {}
    entries = (*assessment["triage"]["actions"], *assessment["workup"],
               *assessment["plan"]["options"])
    for entry in entries:
        if entry["id"] == "safety_net_advice":
            continue  # it has its own section, on every summary
        role = entry.get("role", "recommended")
        seen = merged.get(entry["id"])
        if seen is None:
            merged[entry["id"]] = {"id": entry["id"], "role": role,
                                   "done": bool(entry.get("done")),
                                   "when": entry.get("within_hours")}
            continue
        if ROLE_ORDER.index(role) < ROLE_ORDER.index(seen["role"]):
            seen["role"] = role
        seen["done"] = seen["done"] or bool(entry.get("done"))
        if seen["when"] is None:
            seen["when"] = entry.get("within_hours")
    return list(merged.values())


def _option_view(item: dict[str, Any]) -> dict[str, Any]:
    info = _catalogue(item["id"])
    return {
        "id": item["id"],
        "title": info["plain_title"],
        "what": info["plain_what"],
        "why": info["plain_why"],
        "preparation": list(info["plain_preparation"]),
        "side_effects": list(info["plain_side_effects"]),
        "recovery": list(info["plain_recovery"]),
        "when": hours_words(item["when"]),
        "done": item["done"],
        # A scan already done needs no preparation or side-effect list, only what it was for.
        "brief": item["done"] and info.get("kind") == "imaging",
    }


def _now(assessment: dict[str, Any]) -> list[dict[str, Any]]:
    """What happens now: the triage actions and the immediate care, in plain titles."""
    steps = []
    immediate = [o for o in assessment["plan"]["options"]
                 if o.get("phase") == "immediate" and o.get("role") == "recommended"]
    for entry in (*assessment["triage"]["actions"], *immediate):
        if entry["id"] == "safety_net_advice" or entry.get("role") == "not_recommended":
            continue
        steps.append({"title": _catalogue(entry["id"])["plain_title"],
                      "when": hours_words(entry.get("within_hours")),
                      "done": bool(entry.get("done"))})
    return steps


def _questions(option_ids: set[str]) -> list[str]:
    questions = [
        "What did the scans show, and which bones are affected?",
        "Is my spine steady? Is the tumour pressing on my spinal cord or nerves?",
        "Which treatment do you suggest, and why? What are the other choices?",
        "What is the aim of the treatment: to control the cancer, to ease my symptoms, or both?",
        "How likely is it to help, and how will I feel during and after it?",
        "Which side effects might I get, and how can I make them less likely?",
        "How will this affect walking, work, driving and daily life?",
        "What can be done about pain? How can I protect my bones from breaking?",
    ]
    if option_ids & {"biopsy", "ct_staging", "pet_ct", "sarcoma_centre_referral"}:
        questions.append("Do I need a biopsy? Who will do it, and how?")
    if option_ids & {"dexamethasone", "discuss_steroids_before_biopsy"}:
        questions.append("How long should I take the steroid tablets, and how will the dose be "
                         "lowered?")
    questions += [
        "Are there any research studies (clinical trials) that I could join?",
        "Who is my main contact? Whom do I call in the evening or at the weekend?",
        "Which problems should I report straight away?",
    ]
    return questions


def _told(case: Case) -> list[str]:
    p = case.presentation
    said = [NEURO_WORDS[f] for f in p.neuro_features or () if f in NEURO_WORDS]
    said += [PAIN_WORDS[f] for f in p.pain_features or () if f in PAIN_WORDS]
    return said


def patient_context(case: Case, assessment: dict[str, Any], paper: str) -> dict[str, Any]:
    """Everything the patient template shows, as plain data."""
    t = assessment["triage"]
    options = _merged_options(assessment)
    groups = []
    for role in ("recommended", "consider", "discuss"):
        views = [_option_view(o) for o in options if o["role"] == role]
        if views:
            groups.append({"role": role, "title": GROUP_TITLES[role], "intro": GROUP_INTROS[role],
                           "options": views})
    not_now = [_catalogue(o["id"])["plain_title"] for o in options
               if o["role"] == "not_recommended"]
    label = case.id or assessment.get("case_id") or ""
    return {
        "lang": "en-GB",
        "paper": _render.page_size(paper),
        "title": "Your spine: a summary for you and your family",
        "label": label,
        "date": when_text(assessment["assessed_at"], with_time=False),
        "ruleset": assessment["ruleset"]["version"],
        "level": t["level"],
        "pathway": t["pathway"],
        "mri_when": hours_words(t.get("mri_within_hours")),
        "now": _now(assessment),
        "found": _found(assessment),
        "told": _told(case),
        "has_lesions": bool(assessment["scores"]["sins"]["lesions"]),
        "diagram": patient_spine_svg(assessment),
        "groups": groups,
        "not_now": not_now,
        "unknowns": plain_unknowns(assessment),
        "questions": _questions({o["id"] for o in options if o["role"] != "not_recommended"}),
    }


def patient_html(case: Case, assessment: dict[str, Any], *, paper: str = "a4") -> str:
    """The patient summary as one self-contained HTML document (inline CSS and SVG)."""
    return _render.render("patient.html.j2", **patient_context(case, assessment, paper))
