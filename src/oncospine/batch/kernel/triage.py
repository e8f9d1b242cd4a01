"""Triage level, pathway and clocks, and the case facts the decision rules read.

The rules of `pathway.triage` and `pathway.context` written as column expressions, with their
constants (red-flag lists, ages, weeks, clock hours) read from those modules, so the two cannot
drift apart; the sameness property test checks the result against `assess()`.

References: pathway.md §1.2, §2.4–2.5; decisions D-11 to D-15.
"""

from __future__ import annotations

import polars as pl

from oncospine.batch.kernel.common import c, known_true, or_all
from oncospine.knowledge import site_table
from oncospine.pathway import context as ctx_rules
from oncospine.pathway import triage as triage_rules
from oncospine.vocab import CAUDA_EQUINA_FEATURES


def _contains_any(column: str, values: frozenset[str] | set[str]) -> pl.Expr:
    col = c(column)
    return known_true(or_all([col.list.contains(value) for value in sorted(values)]))


def _nonempty(column: str) -> pl.Expr:
    return known_true(c(column).list.len() > 0)


def context_columns() -> list[pl.Expr]:
    """Facts the triage and plan rules read (pathway.context), one column each."""
    haem, history = c("cancer_haematological"), c("cancer_history")
    cancer = (pl.when(known_true(haem == "confirmed")
                      | known_true(history.is_in(["past", "current"])))
              .then(pl.lit("known"))
              .when(known_true(history == "suspected") | known_true(haem == "suspected"))
              .then(pl.lit("suspected"))
              .when(known_true(history == "none")).then(pl.lit("none"))
              .otherwise(pl.lit("unknown")))
    pain = (pl.when(c("presentation_spinal_pain").is_not_null())
            .then(c("presentation_spinal_pain"))
            .when(_nonempty("presentation_pain_features") | _nonempty("presentation_pain_sites"))
            .then(True))
    site = c("cancer_primary_site")
    radio_table = site_table("radiosensitivity")["class"]
    site_class = site.cast(pl.String).replace_strict(radio_table, default=None,
                                                     return_dtype=pl.String)
    radio = (pl.when(c("cancer_radiosensitivity").is_not_null())
             .then(c("cancer_radiosensitivity").cast(pl.String))
             .when(site_class == "ask")
             .then(pl.when(known_true(haem == "confirmed")).then(pl.lit("sensitive")))
             .otherwise(site_class))
    bone_tumour = c("primary_tumour_grade").is_not_null() | (
        known_true(site.is_in(sorted(ctx_rules.BONE_SARCOMA_SITES)))
        & (history.is_null() | known_true(history.is_in(["none", "suspected", "unknown"]))))
    return [
        cancer.alias("_cancer"),
        pain.alias("_pain"),
        _nonempty("presentation_neuro_features").alias("_neuro"),
        c("presentation_neuro_features").is_not_null().alias("_neuro_known"),
        _contains_any("presentation_neuro_features", CAUDA_EQUINA_FEATURES).alias("_cauda"),
        radio.alias("_radio"),
        (known_true(site.is_in(sorted(ctx_rules.CHEMOSENSITIVE_SITES)))
         | known_true(haem == "confirmed")).alias("_chemo"),
        bone_tumour.alias("_bone_tumour"),
    ]


def _red_flags() -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Red flags for cancer, infection and fracture (pathway.md §2.5, D-14)."""
    general = "presentation_general_features"
    spinal = c("presentation_spinal_pain")
    cancer = (
        _contains_any(general, triage_rules.CANCER_FLAGS)
        | _contains_any("presentation_pain_features", {"night_pain"})
        | known_true(c("presentation_pain_weeks") >= triage_rules.RED_FLAG_PAIN_WEEKS)
        | known_true(c("presentation_pain_sites").list.n_unique() >= 2)
        | (known_true(c("patient_age_years") >= triage_rules.RED_FLAG_AGE)
           & (known_true(spinal) | _nonempty("presentation_pain_features"))))
    return (cancer, _contains_any(general, triage_rules.INFECTION_FLAGS),
            _contains_any(general, triage_rules.FRACTURE_FLAGS))


def triage_columns() -> list[pl.Expr]:
    """Triage level and pathway: neurology first, then cancer, then red flags (D-11 to D-14).

    Unknown neurology in a person with cancer keeps them on the MSCC route (never lower).
    """
    cancer_flag, infection, fracture = _red_flags()
    flag_level = pl.when(cancer_flag | infection | fracture).then(pl.lit("soon")).otherwise(
        pl.lit("routine"))
    flag_pathway = (pl.when(cancer_flag).then(pl.lit("suspected_cancer"))
                    .when(infection).then(pl.lit("infection"))
                    .when(fracture).then(pl.lit("fracture")).otherwise(pl.lit("back_pain")))
    known = c("_cancer") == "known"
    suspected = c("_cancer") == "suspected"
    on_route = known & (known_true(c("_pain")) | c("_pain").is_null() | ~c("_neuro_known"))
    level = (pl.when(c("_neuro")).then(pl.lit("emergency"))
             .when(on_route).then(pl.lit("urgent"))
             .when(known).then(flag_level)
             .when(suspected).then(pl.lit("soon"))
             .otherwise(flag_level))
    pathway = (pl.when(c("_neuro")).then(
        pl.when(known | suspected).then(pl.lit("mscc"))
        .when(c("_cauda")).then(pl.lit("cauda_equina")).otherwise(pl.lit("cord_compression")))
        .when(on_route).then(pl.lit("mscc"))
        .when(known).then(flag_pathway)
        .when(suspected).then(pl.lit("suspected_cancer"))
        .otherwise(flag_pathway))
    return [level.alias("triage_level"), pathway.alias("triage_pathway")]


def triage_clocks() -> list[pl.Expr]:
    """Hours to whole-spine MRI and to the coordinator's contact (D-15)."""
    mri = c("triage_level").replace_strict(triage_rules.MRI_HOURS, default=None,
                                           return_dtype=pl.Int64)
    coordinator = pl.when(c("triage_pathway") == "mscc").then(
        c("triage_level").replace_strict(triage_rules.COORDINATOR_HOURS, default=None,
                                         return_dtype=pl.Int64))
    return [mri.alias("triage_mri_within_hours"),
            coordinator.alias("triage_coordinator_contact_within_hours")]
