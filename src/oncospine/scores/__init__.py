"""Every score as a plain function of the case; no I/O, no framework.

`score_all(case)` returns the `scores` block of the assessment format.
"""

from __future__ import annotations

from typing import Any

from oncospine.case import Case
from oncospine.scores.bauer import bauer, modified_bauer
from oncospine.scores.enneking import enneking
from oncospine.scores.escc import escc
from oncospine.scores.nesms import nesms
from oncospine.scores.sins import sins
from oncospine.scores.tokuhashi import tokuhashi_original, tokuhashi_revised
from oncospine.scores.tomita import tomita
from oncospine.scores.wbb import wbb

PROGNOSTIC = {
    "tomita": tomita,
    "tokuhashi_revised": tokuhashi_revised,
    "tokuhashi_original": tokuhashi_original,
    "bauer": bauer,
    "modified_bauer": modified_bauer,
    "nesms": nesms,
}

# Which way each score points (scores.md §0.2): shown next to every total.
HIGHER_MEANS = {
    "sins": "more unstable",
    "escc": "more compression",
    "tomita": "worse prognosis",
    "tokuhashi_revised": "better prognosis",
    "tokuhashi_original": "better prognosis",
    "bauer": "better prognosis",
    "modified_bauer": "better prognosis",
    "nesms": "better prognosis",
}


def score_all(case: Case) -> dict[str, Any]:
    out: dict[str, Any] = {"sins": sins(case), "escc": escc(case)}
    out["sins"]["higher_means"] = HIGHER_MEANS["sins"]
    out["escc"]["higher_means"] = HIGHER_MEANS["escc"]
    for name, fn in PROGNOSTIC.items():
        result = fn(case).to_dict()
        result["higher_means"] = HIGHER_MEANS[name]
        out[name] = result
    out["enneking"] = enneking(case)
    out["wbb"] = wbb(case)
    return out


__all__ = [
    "HIGHER_MEANS", "PROGNOSTIC", "bauer", "enneking", "escc", "modified_bauer", "nesms",
    "score_all", "sins", "tokuhashi_original", "tokuhashi_revised", "tomita", "wbb",
]  # fmt: skip
