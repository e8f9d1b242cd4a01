"""Bauer score (1995, 0–5) and modified Bauer (2008, 0–4): one point per favourable finding.

Higher is better. Items: no visceral (or brain) metastases; primary not lung; primary breast,
kidney, lymphoma or myeloma; solitary skeletal metastasis (D-08); no pathological fracture
(Bauer only). A favourable primary scores both site items; lung scores neither.

References: BAU-1, BAU-2, BAU-3 (scores.md §7.1); decisions D-07, D-08.
"""

from __future__ import annotations

from oncospine import derive
from oncospine.case import Case
from oncospine.knowledge import site_table
from oncospine.scores import _common as common
from oncospine.scores._engine import Band, Group, ScoreResult, evaluate, not_applicable

SOURCES = ("BAU-1", "BAU-2", "BAU-3")
BAUER_BANDS: tuple[Band, ...] = ((0, 1, "poor"), (2, 3, "intermediate"), (4, 5, "good"))
MODIFIED_BANDS: tuple[Band, ...] = ((0, 1, "poor"), (2, 2, "intermediate"), (3, 4, "good"))


def _site_group(case: Case) -> Group:
    table = site_table("bauer")
    favourable: dict[str, bool] = table["favourable"]
    lung: dict[str, bool] = table["lung"]
    sites = derive.primary_sites(case)
    options = {(0 if lung.get(s, False) else 1, 1 if favourable[s] else 0) for s in sites}
    rows = (("bauer", sites[0]),) if len(sites) == 1 else ()
    return Group(("not_lung", "favourable_primary"), frozenset(options), (common.SITE_PATH,), rows)


def _visceral_group(case: Case) -> Group:
    if case.disease.brain_metastases:
        return Group.one("no_visceral_metastases", (0,))
    return common.visceral_group(case, "no_visceral_metastases",
                                 {"none": 1, "removable": 0, "unremovable": 0})


def modified_bauer_groups(case: Case) -> list[Group]:
    return [
        _visceral_group(case),
        _site_group(case),
        common.solitary_group(case, "solitary_skeletal_metastasis", solitary=1, multiple=0),
    ]


def _fracture_group(case: Case) -> Group:
    fracture = case.disease.pathological_fracture
    points = (0, 1) if fracture is None else ((0,) if fracture else (1,))
    return Group.one("no_pathological_fracture", points, ["disease.pathological_fracture"])


def bauer(case: Case) -> ScoreResult:
    version, rules = "bauer-1995", ("SCORE-BAUER",)
    reason = common.out_of_scope(case)
    if reason:
        return not_applicable("bauer", reason, version=version, sources=SOURCES, rules=rules)
    groups = [*modified_bauer_groups(case), _fracture_group(case)]
    return evaluate("bauer", groups, BAUER_BANDS, version=version, sources=SOURCES, rules=rules)


def modified_bauer(case: Case) -> ScoreResult:
    version, rules = "modified-bauer-2008", ("SCORE-MODIFIED-BAUER",)
    reason = common.out_of_scope(case)
    if reason:
        return not_applicable("modified_bauer", reason, version=version, sources=SOURCES,
                              rules=rules)
    return evaluate("modified_bauer", modified_bauer_groups(case), MODIFIED_BANDS,
                    version=version, sources=SOURCES, rules=rules)
