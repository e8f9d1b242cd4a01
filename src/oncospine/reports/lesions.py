"""Each lesion of an assessment as the reports show it: its levels, its two findings, its label.

The diagram and the patient summary read lesions through here, so they agree on the span of a
lesion (`level` to `extends_to`), on its SINS category and ESCC group, and on which finding is
"worse" where two lesions share a level. An unknown finding ranks above the mildest known one
and below the severe ones: an undecided lesion is never drawn as stable, and never hides a known
unstable or high-grade one.

References: SINS bands (scores.md §1, assessment-format.md), ESCC groups (D-02).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oncospine.reports.words import levels_between
from oncospine.vocab import LEVEL_INDEX

# Categories drawn for each finding, mildest first. "unknown" sits between so that an undecided
# lesion never hides behind a known mild one, and a known severe one is never hidden by it.
SINS_ORDER = ("not_scored", "stable", "unknown", "indeterminate", "unstable")
ESCC_ORDER = ("low", "unknown", "borderline", "high")


@dataclass(slots=True)
class LesionMark:
    """One lesion as the diagram draws it: its levels, findings and label."""

    index: int
    levels: tuple[str, ...]
    sins: str
    escc: str
    label: str


@dataclass(slots=True)
class LevelFinding:
    """The worst SINS category and ESCC group at one level, and the lesions that reach it."""

    sins: str | None = None
    escc: str | None = None
    lesions: list[int] = field(default_factory=list)


def _span(first: str | None, last: str | None) -> tuple[str, ...]:
    if first is None or first not in LEVEL_INDEX:
        return ()
    end = last if last is not None and last in LEVEL_INDEX else first
    top, bottom = sorted((first, end), key=LEVEL_INDEX.__getitem__)
    return levels_between(top, bottom)


def _sins_category(result: dict[str, Any]) -> str:
    if result.get("status") == "not_applicable":
        return "not_scored"
    band = result.get("band")
    return band if band in ("stable", "indeterminate", "unstable") else "unknown"


def _sins_text(result: dict[str, Any]) -> str:
    status = result.get("status")
    if status == "not_applicable":
        return "SINS not scored"
    rng = result.get("range") or [None, None]
    band = result.get("band")
    if status == "complete":
        return f"SINS {result.get('total')} {band}"
    value = f"{rng[0]}" if rng[0] == rng[1] else f"{rng[0]}–{rng[1]}"
    return f"SINS {value} {band} (incomplete)" if band else f"SINS {value} not decided"


def _escc_text(entry: dict[str, Any]) -> str:
    grade = entry.get("grade")
    if grade is None:
        return "ESCC not graded"
    return f"ESCC {grade} {entry.get('group')}"


def lesion_marks(assessment: dict[str, Any]) -> list[LesionMark]:
    """Each lesion of the assessment with its span, its two findings and its written label.

    The span comes from the ESCC entry (which keeps `level` and `extends_to`); the SINS entry's
    label ("T10–T12") is the fallback. A lesion without a level has an empty span.
    """
    sins_lesions = assessment["scores"]["sins"]["lesions"]
    escc_lesions = assessment["scores"]["escc"]["lesions"]
    marks = []
    for i in range(max(len(sins_lesions), len(escc_lesions))):
        sins = sins_lesions[i] if i < len(sins_lesions) else {"status": "incomplete"}
        escc = escc_lesions[i] if i < len(escc_lesions) else {"grade": None}
        if escc.get("level"):
            levels = _span(escc.get("level"), escc.get("extends_to"))
        else:
            first, _, last = str(sins.get("level") or "").partition("–")
            levels = _span(first or None, last or None)
        where = (levels[0] if len(levels) == 1 else f"{levels[0]}–{levels[-1]}") if levels \
            else "level not recorded"
        label = f"{where} · {_sins_text(sins)} · {_escc_text(escc)}"
        group = escc.get("group") if escc.get("grade") is not None else None
        marks.append(LesionMark(i, levels, _sins_category(sins), group or "unknown", label))
    return marks


def level_findings(marks: list[LesionMark]) -> dict[str, LevelFinding]:
    """The worst SINS category and worst ESCC group at each level that has a lesion."""
    out: dict[str, LevelFinding] = {}
    for mark in marks:
        for level in mark.levels:
            found = out.setdefault(level, LevelFinding())
            if found.sins is None or SINS_ORDER.index(mark.sins) > SINS_ORDER.index(found.sins):
                found.sins = mark.sins
            if found.escc is None or ESCC_ORDER.index(mark.escc) > ESCC_ORDER.index(found.escc):
                found.escc = mark.escc
            found.lesions.append(mark.index)
    return out
