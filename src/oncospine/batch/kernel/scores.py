"""The prognostic scores (Tomita, Tokuhashi 2005 and 1990, Bauer, modified Bauer, NESMS) and
Enneking staging, as column expressions over the lookup tables learnt from the core.

References: scores.md; decisions D-03 to D-09; docs/adr/0001-core-decisions.md.
"""

from __future__ import annotations

import polars as pl

from oncospine.batch import tables
from oncospine.batch.kernel.common import Codes, c, group_sums, score_result
from oncospine.batch.kernel.output import PROGNOSTIC_BANDS, SCORES
from oncospine.scores.nesms import BANDS as NESMS_BANDS
from oncospine.scores.nesms import CAP as NESMS_CAP


def prognostic_parts(codes: Codes) -> list[pl.Expr]:
    """Per score: lowest and highest total, decided, not applicable (as columns)."""
    out: list[pl.Expr] = []
    for name in SCORES:
        t = tables.prognostic(name)
        low, high, decided, _ = group_sums(codes, t.groups)
        out += [low.alias(f"_{name}_lo"), high.alias(f"_{name}_hi"),
                decided.alias(f"_{name}_dec"),
                t.scope.lookup("na", codes.of(t.scope), pl.Boolean()).alias(f"_{name}_na")]
    return out


def prognostic_scores() -> list[pl.Expr]:
    """The output block of every prognostic score but NESMS (which needs modified Bauer)."""
    out: list[pl.Expr] = []
    for name in SCORES:
        if name == "nesms":
            continue
        out += score_result(name, c(f"_{name}_na"), c(f"_{name}_lo"), c(f"_{name}_hi"),
                            c(f"_{name}_dec"), PROGNOSTIC_BANDS[name])
    return out


def nesms_score() -> list[pl.Expr]:
    """NESMS over the modified Bauer range already computed, then capped (D-09)."""
    points = pl.Series(tables.nesms_bauer_points(), dtype=pl.Int64)
    top = len(points) - 1
    low_b = pl.lit(points).gather(c("_modified_bauer_lo").clip(0, top).fill_null(0))
    high_b = pl.lit(points).gather(c("_modified_bauer_hi").clip(0, top).fill_null(0))
    cap = NESMS_CAP
    return score_result("nesms", c("_nesms_na"),
                        pl.min_horizontal(c("_nesms_lo") + low_b, pl.lit(cap)),
                        pl.min_horizontal(c("_nesms_hi") + high_b, pl.lit(cap)),
                        c("_nesms_dec") & (low_b == high_b), NESMS_BANDS)


def enneking(codes: Codes) -> list[pl.Expr]:
    """Enneking status and stage for primary tumours of the spine, by table lookup."""
    t = tables.enneking_table()
    code = codes.of(t)
    return [t.lookup("status", code, pl.String()).alias("enneking_status"),
            t.lookup("stage", code, pl.String()).alias("enneking_stage")]
