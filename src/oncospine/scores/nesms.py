"""New England Spinal Metastasis Score (NESMS), 0–3; higher is better.

2 points for modified Bauer ≥ 3, 1 for independent walking, 1 for albumin ≥ 35 g/L (3.5 g/dL),
total capped at 3 (D-09). The thresholds come from a single secondary source (◐), which the rule
catalogue shows as the evidence tag.

References: NES-1, NES-2, NES-4 (scores.md §7.2); decision D-09.
"""

from __future__ import annotations

from oncospine import derive
from oncospine.case import Case
from oncospine.scores import _common as common
from oncospine.scores._engine import (
    Band,
    Group,
    ScoreResult,
    achievable_totals,
    evaluate,
    not_applicable,
)
from oncospine.scores.bauer import modified_bauer_groups

VERSION = "nesms-ghori-2015"
SOURCES = ("NES-1", "NES-2", "NES-4")
RULES = ("SCORE-NESMS",)
BANDS: tuple[Band, ...] = tuple((n, n, f"nesms_{n}") for n in range(4))
ALBUMIN_NORMAL_G_PER_L = 35.0
CAP = 3


def _cap(total: int) -> int:
    return min(CAP, total)


def nesms(case: Case) -> ScoreResult:
    reason = common.out_of_scope(case)
    if reason:
        return not_applicable("nesms", reason, version=VERSION, sources=SOURCES, rules=RULES)
    mbauer_groups = modified_bauer_groups(case)
    mbauer_missing = [m for g in mbauer_groups if not g.decided for m in g.missing]
    high = {2 if total >= 3 else 0 for total in achievable_totals(mbauer_groups)}
    walking = {int(value == "independent") for value in derive.ambulatory_values(case)}
    albumin = case.labs.albumin_g_per_l
    groups = [
        Group.one("modified_bauer_high", high, mbauer_missing),
        Group.one("ambulatory", walking, ["status.ambulatory"]),
        Group.one("albumin", (0, 1) if albumin is None
                  else (int(albumin >= ALBUMIN_NORMAL_G_PER_L),), ["labs.albumin_g_per_l"]),
    ]
    return evaluate("nesms", groups, BANDS, version=VERSION, sources=SOURCES, rules=RULES,
                    transform=_cap)
