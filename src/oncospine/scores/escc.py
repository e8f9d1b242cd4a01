"""Bilsky epidural spinal cord compression (ESCC) grade, per lesion and worst.

Grades 0 < 1a < 1b < 1c < 2 < 3 on axial T2 MRI. Groups: low (0, 1a, 1b), borderline (1c, never
folded into low or high, D-02), high (2, 3). Higher is more compression.

References: ESCC-1, ESCC-2, ESCC-3 (scores.md §2); decision D-02.
"""

from __future__ import annotations

from typing import Any

from oncospine.case import Case
from oncospine.vocab import ESCC_ORDER

VERSION = "bilsky-2010"
SOURCES = ("ESCC-1", "ESCC-2", "ESCC-3")
RULES = ("SCORE-ESCC",)
GROUP = {"0": "low", "1a": "low", "1b": "low", "1c": "borderline", "2": "high", "3": "high"}


def group_of(grade: str | None) -> str | None:
    return GROUP[grade] if grade is not None else None


def escc(case: Case) -> dict[str, Any]:
    lesions: list[dict[str, Any]] = []
    missing: list[str] = []
    for i, lesion in enumerate(case.lesions or ()):
        entry: dict[str, Any] = {"level": lesion.level, "grade": lesion.escc,
                                 "group": group_of(lesion.escc)}
        if lesion.extends_to and lesion.extends_to != lesion.level:
            entry["extends_to"] = lesion.extends_to
        if lesion.escc is None:
            missing.append(f"lesions.{i}.escc")
        lesions.append(entry)
    graded = [e for e in lesions if e["grade"] is not None]
    worst = None
    if graded:
        top = max(graded, key=lambda e: ESCC_ORDER[e["grade"]])
        worst = {"level": top["level"], "grade": top["grade"], "group": top["group"]}
    return {
        "lesions": lesions,
        "worst": worst,
        "status": "complete" if lesions and not missing else ("incomplete" if lesions else
                                                              "not_applicable"),
        "missing": missing,
        "version": VERSION,
        "sources": list(SOURCES),
        "rules": list(RULES),
    }


def worst_grade(case: Case) -> str | None:
    grades = [le.escc for le in case.lesions or () if le.escc is not None]
    return max(grades, key=ESCC_ORDER.__getitem__) if grades else None
