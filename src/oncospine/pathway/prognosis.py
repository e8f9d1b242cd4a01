"""Prognosis: what each prognostic score's band means, and literature figures with cohorts.

Never a single global survival number: every figure carries its cohort and source, and the
score bands are advisory descriptions of the derivation cohorts, not verdicts.

References: pathway.md §8; scores.md §3–§7; decisions "Prognosis figures shown to users".
"""

from __future__ import annotations

from typing import Any

from oncospine import derive
from oncospine.case import Case
from oncospine.knowledge import load
from oncospine.pathway.context import Context

CAVEAT = ("Scores describe groups of people in published cohorts; they support, and never "
          "replace, the team's judgement with the person.")


def prognosis(case: Case, ctx: Context, scores: dict[str, Any]) -> dict[str, Any]:
    table = load("prognosis")
    bands: dict[str, Any] = {}
    for name, meanings in table["bands"].items():
        result = scores.get(name, {})
        entry: dict[str, Any] = {"status": result.get("status"), "band": result.get("band"),
                                 "range": result.get("range")}
        if result.get("band") in meanings:
            entry["meaning"] = meanings[result["band"]]
        elif result.get("status") == "incomplete":
            entry["meaning"] = {"text": "band not decided: " + ", ".join(
                result.get("missing", [])) + " would settle it", "sources": [], "evidence": "D"}
        bands[name] = entry
    return {
        "headline_score": "tokuhashi_revised",
        "scores": bands,
        "by_primary": _by_primary(case, table),
        "figures": [f for f in table["figures"] if _applies(f["when"], case, ctx)],
        "caveat": CAVEAT,
    }


def _by_primary(case: Case, table: dict[str, Any]) -> dict[str, Any] | None:
    site = case.cancer.primary_site
    info = table["by_primary"]
    row = info["rows"].get(site) if site else None
    if row is None:
        return None
    return {**row, "cohort": info["cohort"], "source": info["source"],
            "evidence": info["evidence"]}


def _applies(when: str, case: Case, ctx: Context) -> bool:
    metastatic = ctx.lesions > 0 and not ctx.primary_bone_tumour
    if when == "metastatic":
        return metastatic
    if when == "mscc":
        return metastatic and (ctx.has_neuro or ctx.escc_group == "high")
    if when == "high_grade":
        return metastatic and ctx.escc_group == "high"
    if when == "solitary":
        return metastatic and derive.solitary_values(case) == (True,)
    return False
