"""Words for the reports: where a spinal level is, in plain language, and what each case field is.

Clinicians read field names ("status.kps"); people and families read places in the body ("a bone
in the middle of your back"). Both tables live here so the two reports, the diagram and the
missing-input list say the same thing. The level regions follow the anatomy of the levels in
`oncospine.vocab.LEVELS`; nothing here is a clinical judgement.
"""

from __future__ import annotations

import re
from datetime import datetime

from oncospine.vocab import LEVEL_INDEX, LEVELS

# Regions from the skull to the tailbone: (first level, last level, where, short name).
REGIONS: tuple[tuple[str, str, str, str], ...] = (
    ("C0", "C0", "the base of your skull, where it meets your neck", "base of the skull"),
    ("C1", "C2", "the top of your neck", "top of the neck"),
    ("C3", "C6", "the middle of your neck", "middle of the neck"),
    ("C7", "C7", "the bottom of your neck", "bottom of the neck"),
    ("T1", "T4", "the top of your back, between your shoulders", "top of the back"),
    ("T5", "T9", "the middle of your back, behind your chest", "middle of the back"),
    ("T10", "T12", "your back, just above your waist", "back, above the waist"),
    ("L1", "L5", "your lower back", "lower back"),
    ("S1", "S5", "the sacrum, the flat bone at the base of your spine", "base of the spine"),
    ("Co", "Co", "your tailbone", "tailbone"),
)
# Short region names for the bracket beside the diagram.
DIAGRAM_REGIONS: tuple[tuple[str, str, str, str], ...] = (
    ("C0", "C7", "cervical", "neck"),
    ("T1", "T12", "thoracic", "upper and middle back"),
    ("L1", "L5", "lumbar", "lower back"),
    ("S1", "Co", "sacrum and coccyx", "base of the spine"),
)


def region_of(level: str, *, short: bool = False) -> str:
    """Where a level is, in words for the person: 'the middle of your back, behind your chest'."""
    index = LEVEL_INDEX[level]
    for first, last, words, brief in REGIONS:
        if LEVEL_INDEX[first] <= index <= LEVEL_INDEX[last]:
            return brief if short else words
    raise KeyError(level)  # pragma: no cover - REGIONS covers every level


def plain_place(levels: tuple[str, ...]) -> str:
    """A lesion's place for the person, with the doctors' name for it in brackets."""
    if not levels:
        return "a place in your spine that was not written down"
    if len(levels) == 1:
        level = levels[0]
        if level in ("C0", "Co") or level.startswith("S"):
            return f"{region_of(level)} ({level})"
        return f"a bone in {region_of(level)} ({level})"
    first, last = region_of(levels[0]), region_of(levels[-1])
    where = f"in {first}" if first == last else f"from {first} down to {last}"
    return f"{len(levels)} bones next to each other, {where} ({levels[0]} to {levels[-1]})"


def levels_between(first: str, last: str) -> tuple[str, ...]:
    return LEVELS[LEVEL_INDEX[first] : LEVEL_INDEX[last] + 1]


# Clinician labels of case fields (the last part of a dotted path).
FIELD_LABELS: dict[str, str] = {
    "age_years": "age", "sex": "sex",
    "history": "cancer history", "primary_site": "primary site", "histology": "histology",
    "haematological": "haematological malignancy", "radiosensitivity":
    "radiosensitivity (clinician's class)", "prior_radiotherapy_to_spine":
    "previous radiotherapy to the spine", "tomita_growth": "Tomita growth class",
    "spinal_pain": "spinal pain", "pain_sites": "pain sites", "pain_features": "pain features",
    "pain_weeks": "weeks of pain", "neuro_features": "neurological symptoms and signs",
    "neuro_onset_hours": "hours since neurological onset", "neuro_progressive":
    "neurology progressing", "general_features": "general red-flag features",
    "ecog": "ECOG performance status", "kps": "Karnofsky performance status (KPS)",
    "frankel": "Frankel grade", "asia": "ASIA impairment grade", "ambulatory": "walking status",
    "non_ambulatory_hours": "hours since walking was lost", "fit_for_surgery":
    "fitness for surgery", "fit_for_any_treatment": "fitness for any treatment",
    "life_expectancy_months": "estimated life expectancy (months)", "mri_contraindicated":
    "MRI contraindication", "vertebral_metastases": "number of vertebral metastases",
    "extraspinal_bone_metastases": "number of bone metastases outside the spine",
    "visceral_metastases": "visceral (organ) metastases", "brain_metastases": "brain metastases",
    "pathological_fracture": "pathological fracture", "albumin_g_per_l": "serum albumin (g/L)",
    "calcium_mmol_per_l": "serum calcium (mmol/L)", "haemoglobin_g_per_l": "haemoglobin (g/L)",
    "level": "level", "extends_to": "lower end of the lesion", "compartment": "compartment",
    "pain": "lesion pain (SINS)", "bone_lesion": "bone lesion quality (SINS)", "alignment":
    "alignment (SINS)", "collapse": "vertebral body collapse (SINS)", "posterolateral":
    "posterolateral involvement (SINS)", "escc": "ESCC grade", "wbb_sectors": "WBB sectors",
    "wbb_layers": "WBB layers", "grade": "tumour grade", "benign_behaviour":
    "benign tumour behaviour", "extent": "tumour extent (compartment)", "metastasis":
    "metastasis at staging",
}  # fmt: skip

# Plain-language names of the same fields, for the person and their family.
PLAIN_LABELS: dict[str, str] = {
    "history": "whether you have had cancer before",
    "primary_site": "where the cancer first started",
    "histology": "the exact type of tumour",
    "haematological": "whether this could be a blood cancer",
    "radiosensitivity": "how well this type of tumour responds to radiotherapy",
    "spinal_pain": "whether you have pain in your back or neck",
    "pain_sites": "where your pain is",
    "pain_features": "what your pain is like",
    "pain_weeks": "how long you have had the pain",
    "neuro_features": "whether you have any weakness, numbness, tingling, or bladder or "
                      "bowel problems",
    "general_features": "other symptoms, such as weight loss or a high temperature",
    "age_years": "your age",
    "ecog": "how much you can do in a normal day",
    "kps": "how much you can do in a normal day",
    "frankel": "how strong your arms and legs are",
    "asia": "how strong your arms and legs are",
    "ambulatory": "how well you can walk",
    "non_ambulatory_hours": "how long ago walking became hard",
    "fit_for_surgery": "whether an operation would be safe for you",
    "fit_for_any_treatment": "whether treatment would be safe for you",
    "life_expectancy_months": "your doctors' view of your general health",
    "mri_contraindicated": "whether an MRI scan is safe for you",
    "vertebral_metastases": "whether the cancer is in other bones or organs",
    "extraspinal_bone_metastases": "whether the cancer is in other bones or organs",
    "visceral_metastases": "whether the cancer is in other bones or organs",
    "brain_metastases": "whether the cancer is in other bones or organs",
    "pathological_fracture": "whether a bone has cracked or broken",
    "albumin_g_per_l": "some blood test results",
    "calcium_mmol_per_l": "some blood test results",
    "haemoglobin_g_per_l": "some blood test results",
    "escc": "whether the tumour is pressing on your spinal cord",
    "level": "exactly which bones are affected",
    "pain": "more detail from your scans",
    "bone_lesion": "more detail from your scans",
    "alignment": "more detail from your scans",
    "collapse": "more detail from your scans",
    "posterolateral": "more detail from your scans",
    "wbb_sectors": "more detail from your scans",
    "wbb_layers": "more detail from your scans",
    "grade": "more about the type of tumour",
    "benign_behaviour": "more about the type of tumour",
    "extent": "more about the type of tumour",
    "metastasis": "whether the cancer is in other bones or organs",
}
PLAIN_FALLBACK = "other details about your health"

_LESION_PATH = re.compile(r"^lesions\.(\d+)\.(\w+)$")


def field_label(path: str, lesion_levels: dict[int, str] | None = None) -> str:
    """'status.kps' → 'Karnofsky performance status (KPS)'; lesion paths name the lesion."""
    match = _LESION_PATH.match(path)
    if match:
        index, name = int(match.group(1)), match.group(2)
        where = (lesion_levels or {}).get(index)
        lesion = f"lesion {index + 1}" + (f" ({where})" if where else "")
        return f"{lesion}: {FIELD_LABELS.get(name, name.replace('_', ' '))}"
    name = path.rsplit(".", 1)[-1]
    if path.startswith("events."):
        return f"time of {name.replace('_', ' ')}"
    return FIELD_LABELS.get(name, name.replace("_", " "))


def plain_label(path: str) -> str:
    """'status.kps' → 'how much you can do in a normal day'."""
    return PLAIN_LABELS.get(path.rsplit(".", 1)[-1], PLAIN_FALLBACK)


def when_text(iso: str | None, *, with_time: bool = True) -> str:
    """'2026-11-20T09:30:00+00:00' → '20 Nov 2026, 09:30 (UTC+00:00)'; '' when absent."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso)
    day = f"{moment.day} {moment:%b %Y}"
    if not with_time:
        return f"{moment.day} {moment:%B %Y}"
    offset = moment.strftime("%z")
    zone = f" (UTC{offset[:3]}:{offset[3:]})" if offset else ""
    return f"{day}, {moment:%H:%M}{zone}"


def hours_words(hours: float | None) -> str:
    """Clock lengths as people say them: 'straight away', 'within 24 hours', 'within 1 week'."""
    if hours is None:
        return ""
    if hours == 0:
        return "straight away"
    if hours == 168:
        return "within 1 week"
    if hours >= 48 and hours % 24 == 0:
        return f"within {int(hours // 24)} days"
    return f"within {hours:g} hours"
