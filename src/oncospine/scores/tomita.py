"""Tomita score (2001): primary growth + visceral metastases + bone metastases, 2–10.

Higher is worse. Rapid growth scores 4 (D-03: the published 2–10 range needs it); an unknown
primary counts as rapid; sites the table marks "ask" stay incomplete until
`cancer.tomita_growth` is given.

References: TOM-1 (scores.md §3); decisions D-03, D-07, D-08.
"""

from __future__ import annotations

from oncospine import derive
from oncospine.case import Case
from oncospine.knowledge import site_table
from oncospine.scores import _common as common
from oncospine.scores._engine import Band, Group, ScoreResult, evaluate, not_applicable

VERSION = "tomita-2001"
SOURCES = ("TOM-1",)
RULES = ("SCORE-TOMITA",)
BANDS: tuple[Band, ...] = (
    (2, 3, "long_term_control"),
    (4, 5, "middle_term_control"),
    (6, 7, "short_term_palliation"),
    (8, 10, "terminal_care"),
)
GROWTH_POINTS = {"slow": 1, "moderate": 2, "rapid": 4}
VISCERAL_POINTS = {"none": 0, "removable": 2, "unremovable": 4}


def growth_group(case: Case) -> Group:
    override = case.cancer.tomita_growth
    if override is not None:
        return Group.one("growth", (GROWTH_POINTS[override],),
                         rows=(("tomita_growth", f"override:{override}"),))
    groups = site_table("tomita_growth")["group"]
    sites = derive.primary_sites(case)
    points: set[int] = set()
    for site in sites:
        cls = groups[site]
        points |= set(GROWTH_POINTS.values()) if cls == "ask" else {GROWTH_POINTS[cls]}
    missing = [common.SITE_PATH] if case.cancer.primary_site is None else ["cancer.tomita_growth"]
    rows = (("tomita_growth", sites[0]),) if len(sites) == 1 else ()
    return Group.one("growth", points, missing, rows)


def tomita(case: Case) -> ScoreResult:
    reason = common.out_of_scope(case)
    if reason:
        return not_applicable("tomita", reason, version=VERSION, sources=SOURCES, rules=RULES)
    groups = [
        growth_group(case),
        common.visceral_group(case, "visceral", VISCERAL_POINTS),
        common.solitary_group(case, "bone", solitary=1, multiple=2),
    ]
    return evaluate("tomita", groups, BANDS, version=VERSION, sources=SOURCES, rules=RULES)
