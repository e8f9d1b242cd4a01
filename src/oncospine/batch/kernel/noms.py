"""The NOMS choice of radiotherapy and surgery: roles of cEBRT, SBRT, separation surgery and
stabilisation, and the conventional radiotherapy dose text.

The decision rules of `pathway.plan` and `pathway.noms` as column expressions, reading their
thresholds (SINS, life expectancy, Patchell's paralysis limit) and site groupings from those
modules. Reads the columns the earlier stages wrote: worst SINS range, ESCC group, separate
areas of compression, radiosensitivity, performance.

References: pathway.md §5.3, §7; decisions D-18 to D-23.
"""

from __future__ import annotations

import polars as pl

from oncospine.batch import tables
from oncospine.batch.kernel.common import Codes, c, known_true
from oncospine.pathway import context as ctx_rules
from oncospine.pathway import noms as noms_rules
from oncospine.pathway import plan as plan_rules


def noms_columns() -> list[pl.Expr]:
    """Roles of cEBRT, SBRT, separation surgery and stabilisation (plan.py, noms.py)."""
    low, high = c("_sins_low"), c("_sins_high")
    months = c("status_life_expectancy_months")
    block = known_true(c("status_fit_for_surgery") == False) | known_true(  # noqa: E712
        months < plan_rules.MIN_SURGERY_MONTHS)
    supportive = known_true(c("status_fit_for_any_treatment") == False)  # noqa: E712
    active = ~supportive & (c("lesion_count") > 0)
    unstable = known_true(low >= plan_rules.UNSTABLE)
    unstable_possible = known_true(high >= plan_rules.UNSTABLE)
    stabilising = unstable & ~block
    stabilisation = (
        pl.when(unstable).then(pl.when(block).then(pl.lit("not_recommended"))
                               .otherwise(pl.lit("recommended")))
        .when(unstable_possible & known_true(low >= plan_rules.CONSULT))
        .then(pl.when(block).then(pl.lit("not_recommended")).otherwise(pl.lit("discuss"))))

    group = c("_escc_group")
    hours = c("status_non_ambulatory_hours")
    paralysed_long = known_true(hours > noms_rules.PATCHELL_PARALYSIS_HOURS)
    several = c("_areas") > 1
    blockers = ~c("_neuro") | several | paralysed_long | block
    perf = c("_performance")
    compressed = known_true(group.is_in(["high", "borderline"]))
    radio = c("_radio")

    sensitive_sep = (
        pl.when(~compressed).then(None)
        .when(c("_chemo")).then(pl.lit("not_recommended"))
        .when(known_true(c("cancer_primary_site").is_in(sorted(ctx_rules.RADIOSENSITIVE_SOLID)))
              & known_true(group == "high") & ~blockers).then(pl.lit("discuss"))
        .otherwise(pl.lit("not_recommended")))
    low_poor = known_true(perf == False) | (unstable & ~stabilising)  # noqa: E712
    low_unsure = perf.is_null() | (unstable_possible & ~unstable)
    resistant_sbrt = (
        pl.when(group == "low").then(
            pl.when(low_poor).then(pl.lit("not_recommended")).when(low_unsure)
            .then(pl.lit("consider")).otherwise(pl.lit("recommended")))
        .when(group == "high").then(pl.when(block).then(None).otherwise(pl.lit("recommended")))
        .otherwise(pl.lit("discuss")))
    resistant_cebrt = (
        pl.when(group == "low").then(
            pl.when(low_poor).then(pl.lit("recommended")).when(low_unsure)
            .then(pl.lit("consider")))
        .when(group == "high").then(pl.when(block).then(pl.lit("recommended"))
                                    .otherwise(pl.lit("consider"))))
    resistant_sep = (
        pl.when(group == "high").then(
            pl.when(block).then(pl.lit("not_recommended"))
            .when(several | paralysed_long).then(pl.lit("discuss"))
            .otherwise(pl.lit("recommended")))
        .when(group == "borderline").then(
            pl.when(block).then(pl.lit("not_recommended")).otherwise(pl.lit("discuss"))))

    def by_radio(sensitive: pl.Expr | None, resistant: pl.Expr | None,
                 other: pl.Expr | None) -> pl.Expr:
        none = pl.lit(None, pl.String)
        return (pl.when(radio == "sensitive").then(sensitive if sensitive is not None else none)
                .when(radio == "resistant").then(resistant if resistant is not None else none)
                .otherwise(other if other is not None else none))

    noms = ~c("_bone_tumour")
    options = {
        "cebrt": (pl.lit("consider"),
                  by_radio(pl.lit("recommended"), resistant_cebrt, pl.lit("discuss"))),
        "sbrt": (pl.lit("not_recommended"), by_radio(None, resistant_sbrt, pl.lit("discuss"))),
        "separation_surgery": (pl.lit("not_recommended"), by_radio(
            sensitive_sep, resistant_sep, pl.when(compressed).then(pl.lit("discuss")))),
    }
    out = [pl.when(supportive).then(pl.lit("not_recommended"))
           .when(active).then(stabilisation).alias("noms_stabilisation")]
    for name, (when_supportive, role) in options.items():
        out.append(pl.when(supportive).then(when_supportive)
                   .when(active & noms).then(role).cast(pl.String).alias(f"noms_{name}"))
    return out


def cebrt_dose(codes: Codes) -> pl.Expr:
    """The conventional radiotherapy dose text of the plan (D-23), by table lookup."""
    t = tables.cebrt_dose_table()
    dose = t.lookup("dose", codes.of(t), pl.String())
    return (pl.when(c("noms_cebrt").is_null()).then(None)
            .when(known_true(c("status_fit_for_any_treatment") == False))  # noqa: E712
            .then(pl.lit(tables.supportive_cebrt_dose()))
            .otherwise(dose)).alias("noms_cebrt_dose")
