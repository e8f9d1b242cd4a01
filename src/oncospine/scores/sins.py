"""SINS, the Spinal Instability Neoplastic Score (Fisher 2010), per lesion and worst.

Six components, total 0–18: stable 0–6, indeterminate 7–12, unstable 13–18. A lesion spanning
levels of different location classes takes the highest location points (D-01); the coccyx is
outside SINS. Higher is more unstable.

References: SINS-1, SINS-2, SINS-4, SINS-5 (scores.md §1); decision D-01.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from oncospine.case import Case, Lesion
from oncospine.scores._engine import Band, Group, ScoreResult, evaluate, not_applicable
from oncospine.vocab import LEVEL_INDEX, LEVELS

VERSION = "sins-fisher-2010"
SOURCES = ("SINS-1", "SINS-2", "SINS-4", "SINS-5")
RULES = ("SCORE-SINS",)
BANDS: tuple[Band, ...] = ((0, 6, "stable"), (7, 12, "indeterminate"), (13, 18, "unstable"))

# Location points by level (scores.md §1.1 per-level lookup); the coccyx is not defined.
LOCATION: dict[str, int] = {
    **{lvl: 3 for lvl in ("C0", "C1", "C2")},
    **{lvl: 2 for lvl in ("C3", "C4", "C5", "C6")},
    **{lvl: 3 for lvl in ("C7", "T1", "T2")},
    **{f"T{i}": 1 for i in range(3, 11)},
    **{lvl: 3 for lvl in ("T11", "T12", "L1")},
    **{lvl: 2 for lvl in ("L2", "L3", "L4")},
    **{lvl: 3 for lvl in ("L5", "S1")},
    **{lvl: 0 for lvl in ("S2", "S3", "S4", "S5")},
}
PAIN = {"mechanical": 3, "occasional": 1, "none": 0}
BONE_LESION = {"lytic": 2, "mixed": 1, "blastic": 0}
ALIGNMENT = {"subluxation": 4, "deformity": 2, "normal": 0}
COLLAPSE = {"over_50": 3, "under_50": 2, "none_over_50_involved": 1, "none": 0}
POSTEROLATERAL = {"bilateral": 3, "unilateral": 1, "none": 0}

_ITEMS: tuple[tuple[str, dict[str, int]], ...] = (
    ("pain", PAIN),
    ("bone_lesion", BONE_LESION),
    ("alignment", ALIGNMENT),
    ("collapse", COLLAPSE),
    ("posterolateral", POSTEROLATERAL),
)


def levels_spanned(lesion: Lesion) -> tuple[str, ...]:
    """Every level from `level` to `extends_to` inclusive (one level when no extent)."""
    if lesion.level is None:
        return ()
    first = LEVEL_INDEX[lesion.level]
    last = LEVEL_INDEX[lesion.extends_to] if lesion.extends_to else first
    return LEVELS[first : last + 1]


def location_points(levels: tuple[str, ...]) -> int | None:
    """Highest location points among the levels; None when only the coccyx is involved."""
    points = [LOCATION[lvl] for lvl in levels if lvl in LOCATION]
    return max(points) if points else None


def sins_lesion(lesion: Lesion, index: int) -> ScoreResult:
    """SINS of one lesion, with the lesion's level in `extra`."""
    prefix = f"lesions.{index}"
    levels = levels_spanned(lesion)
    label = _label(lesion)
    if levels and location_points(levels) is None:
        result = not_applicable("sins", "the coccyx is outside SINS (D-01)", version=VERSION,
                                sources=SOURCES, rules=RULES)
        result.extra["level"] = label
        return result
    if levels:
        location = Group.one("location", (location_points(levels) or 0,))
    else:
        location = Group.one("location", set(LOCATION.values()), [f"{prefix}.level"])
    groups = [location]
    for name, table in _ITEMS:
        value = getattr(lesion, name)
        if value is None:
            groups.append(Group.one(name, set(table.values()), [f"{prefix}.{name}"]))
        else:
            groups.append(Group.one(name, (table[value],)))
    result = evaluate("sins", groups, BANDS, version=VERSION, sources=SOURCES, rules=RULES)
    result.extra["level"] = label
    return result


def _label(lesion: Lesion) -> str | None:
    if lesion.level is None:
        return None
    if lesion.extends_to and lesion.extends_to != lesion.level:
        return f"{lesion.level}–{lesion.extends_to}"
    return lesion.level


def sins(case: Case) -> dict[str, Any]:
    """Per-lesion SINS and the worst lesion (highest total, or highest possible total)."""
    results = [sins_lesion(lesion, i) for i, lesion in enumerate(case.lesions or ())]
    scored = [r for r in results if r.range is not None]
    worst: dict[str, Any] | None = None
    if scored:
        top = max(scored, key=lambda r: (r.range[1], r.range[0]) if r.range else (0, 0))
        worst = {
            "level": top.extra.get("level"),
            "status": top.status,
            "total": top.total,
            "range": list(top.range) if top.range else None,
            "band": top.band,
        }
    return {
        "lesions": [r.to_dict() for r in results],
        "worst": worst,
        "version": VERSION,
        "sources": list(SOURCES),
        "rules": list(RULES),
    }


def worst_range(ranges: Iterable[Sequence[int] | None]) -> tuple[int, int] | None:
    """The worst SINS still possible over lesions: (highest low end, highest high end)."""
    known = [r for r in ranges if r]
    if not known:
        return None
    return max(r[0] for r in known), max(r[1] for r in known)
