"""Weinstein–Boriani–Biagini (WBB) surgical staging record, with an advisory resection rule.

WBB describes, it does not score: clock-face sectors 1–12 (clockwise from the spinous process),
layers A–E and the levels involved. The advisory rule names the classic en bloc resection the
sectors allow, or none. Only the anterior (type 1) and posterior-arch (type 2a) patterns were
confirmed against the primary figure legends; the others are the classic 1997 rule (⚠).

References: WBB-1, WBB-2, WBB-3, WBB-4 (scores.md §5.2); decision D-26.
"""

from __future__ import annotations

from typing import Any

from oncospine.case import Case, Lesion
from oncospine.scores.sins import levels_spanned

VERSION = "wbb-1997"
SOURCES = ("WBB-1", "WBB-2", "WBB-3", "WBB-4")
RULES = ("SCORE-WBB",)
CONVENTION = "clockwise_from_spinous_process"

# (resection, sector sets it fits, layers allowed or None, evidence mark)
PATTERNS: tuple[tuple[str, tuple[frozenset[int], ...], frozenset[str] | None, str], ...] = (
    ("anterior_en_bloc", (frozenset(range(5, 9)),), frozenset("AB"), "P"),
    ("vertebrectomy", (frozenset(range(4, 9)), frozenset(range(5, 10))), None, "⚠"),
    ("sagittal_resection", (frozenset({3, 4, 5}), frozenset({8, 9, 10})), None, "⚠"),
    ("posterior_arch_resection", (frozenset({10, 11, 12, 1, 2, 3}),), None, "P"),
)


def resection_for(sectors: frozenset[int], layers: frozenset[str]) -> tuple[str | None, str]:
    """The first classic en bloc pattern the tumour fits, and its evidence mark."""
    for name, sector_sets, allowed_layers, mark in PATTERNS:
        if not any(sectors <= allowed for allowed in sector_sets):
            continue
        if allowed_layers is not None and not layers <= allowed_layers:
            continue
        return name, mark
    return None, "⚠"


def _record(lesion: Lesion, index: int) -> dict[str, Any]:
    sectors = frozenset(lesion.wbb_sectors or ())
    layers = frozenset(lesion.wbb_layers or ())
    resection, mark = resection_for(sectors, layers) if sectors else (None, "⚠")
    notes = []
    if "D" in layers:
        notes.append("epidural extension (layer D): the margin is intralesional at the dura")
    if "E" in layers:
        notes.append("intradural extension (layer E)")
    return {
        "lesion": index,
        "levels": list(levels_spanned(lesion)),
        "sectors": sorted(sectors),
        "layers": sorted(layers),
        "numbering": CONVENTION,
        "resection": resection,
        "en_bloc_feasible": resection is not None,
        "evidence": mark,
        "notes": notes,
        "missing": [f"lesions.{index}.wbb_{part}" for part, val in
                    (("sectors", sectors), ("layers", layers)) if not val],
    }


def wbb(case: Case) -> dict[str, Any]:
    base = {"version": VERSION, "sources": list(SOURCES), "rules": list(RULES)}
    records = [_record(lesion, i) for i, lesion in enumerate(case.lesions or ())
               if lesion.wbb_sectors or lesion.wbb_layers]
    if not records:
        return {"status": "not_applicable",
                "reason": "no WBB sectors or layers recorded (primary tumours only)", **base}
    complete = all(not r["missing"] for r in records)
    return {"status": "complete" if complete else "incomplete", "lesions": records, **base}


def en_bloc_feasible(case: Case) -> bool | None:
    """True if any recorded lesion fits a classic en bloc pattern; None if none recorded."""
    result = wbb(case)
    if result["status"] == "not_applicable":
        return None
    return any(r["en_bloc_feasible"] for r in result["lesions"])
