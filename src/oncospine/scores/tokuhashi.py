"""Revised Tokuhashi score (2005, 0–15) and the original (1990, 0–12).

Higher is better. Six items: general condition (KPS), extraspinal bone foci, vertebral body
metastases (≥3/2/1 → 0/1/2, D-04), major internal organ metastases, primary site (one versioned
table per version), palsy (Frankel). Both versions are offered; prognosis text uses 2005.

References: TOK-1, TOK-2, TOK-3, TOK-5 (scores.md §4); decisions D-04, D-05, D-06.
"""

from __future__ import annotations

from oncospine.case import Case
from oncospine.knowledge import site_table
from oncospine.scores import _common as common
from oncospine.scores._engine import Band, Group, ScoreResult, evaluate, not_applicable

REVISED_BANDS: tuple[Band, ...] = (
    (0, 8, "under_6_months"), (9, 11, "6_months_or_more"), (12, 15, "1_year_or_more"),
)  # fmt: skip
ORIGINAL_BANDS: tuple[Band, ...] = (
    (0, 5, "under_6_months"), (6, 8, "variable"), (9, 12, "1_year_or_more"),
)  # fmt: skip
ORGAN_POINTS = {"unremovable": 0, "removable": 1, "none": 2}


def _groups(case: Case, table: str) -> list[Group]:
    points = site_table(table)["points"]
    return [
        common.kps_points_group(case),
        common.extraspinal_group(case),
        common.vertebral_group(case),
        common.visceral_group(case, "internal_organ_metastases", ORGAN_POINTS),
        common.site_group(case, "primary_site", table, points),
        common.palsy_group(case),
    ]


def _scope(case: Case) -> str | None:
    reason = common.out_of_scope(case)
    if reason is None and case.disease.vertebral_metastases == 0:
        reason = "no vertebral metastasis is recorded; Tokuhashi scores metastatic spine tumours"
    return reason


def tokuhashi_revised(case: Case) -> ScoreResult:
    version, sources, rules = "tokuhashi-2005", ("TOK-1", "TOK-3"), ("SCORE-TOKUHASHI-2005",)
    reason = _scope(case)
    if reason:
        return not_applicable("tokuhashi_revised", reason, version=version, sources=sources,
                              rules=rules)
    result = evaluate("tokuhashi_revised", _groups(case, "tokuhashi_revised"), REVISED_BANDS,
                      version=version, sources=sources, rules=rules)
    vertebral = case.disease.vertebral_metastases
    if vertebral is not None and vertebral >= 2:
        result.extra["advisory"] = (
            "The 2005 paper names multiple vertebral metastases as a separate reason for "
            "conservative or palliative treatment; the score itself is unchanged.")
    elif vertebral == 1 and result.band == "6_months_or_more":
        result.extra["advisory"] = (
            "In the 2005 series a total of 9–11 with a single vertebral metastasis was treated "
            "by excisional surgery; this is advisory, not a decision.")
    return result


def tokuhashi_original(case: Case) -> ScoreResult:
    version, sources, rules = "tokuhashi-1990", ("TOK-2", "TOK-5"), ("SCORE-TOKUHASHI-1990",)
    reason = _scope(case)
    if reason:
        return not_applicable("tokuhashi_original", reason, version=version, sources=sources,
                              rules=rules)
    return evaluate("tokuhashi_original", _groups(case, "tokuhashi_original"), ORIGINAL_BANDS,
                    version=version, sources=sources, rules=rules)
