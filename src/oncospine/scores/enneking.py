"""Enneking (MSTS) surgical staging of primary spinal tumours.

Benign: 1 latent, 2 active, 3 aggressive. Malignant: grade (low → I, high → II) plus extent
(intracompartmental → A, extracompartmental → B); any metastasis → III. Not applicable to
metastases (no `primary_tumour` given).

References: ENN-1, ENN-2, ENN-3, ENN-4 (scores.md §5.1); decision D-26.
"""

from __future__ import annotations

from typing import Any

from oncospine.case import Case

VERSION = "enneking-1980-1986"
SOURCES = ("ENN-1", "ENN-2", "ENN-3", "ENN-4")
RULES = ("SCORE-ENNEKING",)
BENIGN = {"latent": "1", "active": "2", "aggressive": "3"}
ALL_STAGES = ("1", "2", "3", "IA", "IB", "IIA", "IIB", "III")


def _malignant(
    grade: str, extent: str | None, metastasis: bool | None
) -> tuple[set[str], list[str]]:
    roman = "I" if grade == "low" else "II"
    letters = {"A", "B"} if extent is None else {"A" if extent == "intracompartmental" else "B"}
    local = {roman + letter for letter in letters}
    if metastasis:
        return {"III"}, []
    missing = [] if extent is not None else ["primary_tumour.extent"]
    if metastasis is None:
        return local | {"III"}, ["primary_tumour.metastasis", *missing]
    return local, missing


def possible_stages(case: Case) -> tuple[set[str], list[str]]:
    pt = case.primary_tumour
    if pt.grade is None:
        # Only aggressive benign (3) and stage III tumours can have metastasised.
        return ({"3", "III"} if pt.metastasis else set(ALL_STAGES)), ["primary_tumour.grade"]
    if pt.grade == "benign":
        if pt.metastasis:
            return {"3"}, []
        if pt.benign_behaviour is None:
            return set(BENIGN.values()), ["primary_tumour.benign_behaviour"]
        return {BENIGN[pt.benign_behaviour]}, []
    return _malignant(pt.grade, pt.extent, pt.metastasis)


def enneking(case: Case) -> dict[str, Any]:
    base = {"version": VERSION, "sources": list(SOURCES), "rules": list(RULES)}
    pt = case.primary_tumour
    if all(value is None for value in (pt.grade, pt.benign_behaviour, pt.extent, pt.metastasis)):
        return {"status": "not_applicable",
                "reason": "no primary spinal tumour recorded; Enneking stages primary tumours, "
                          "not metastases", **base}
    stages, missing = possible_stages(case)
    ordered = [s for s in ALL_STAGES if s in stages]
    decided = len(ordered) == 1
    return {
        "status": "complete" if decided else "incomplete",
        "stage": ordered[0] if decided else None,
        "possible_stages": ordered,
        "components": {"grade": pt.grade, "extent": pt.extent, "metastasis": pt.metastasis,
                       "benign_behaviour": pt.benign_behaviour},
        "missing": [] if decided else missing,
        **base,
    }
