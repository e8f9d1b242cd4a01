"""NICE QS56 pathway measures from the `events` timestamps, over a whole registry.

Each measure has a population (its denominator), a start event, a deadline and what must happen
by then. A case whose start event is not recorded cannot be measured and is counted apart
(`unmeasurable`); a case whose closing event is not recorded has not shown the standard was met
and counts as a miss, reason "not recorded", listed so it can be checked. Nothing is guessed.

Populations use the product's own triage (the same rules as `assess()`):
- suspected MSCC with neurological symptoms or signs: triage `emergency` on the `mscc` pathway;
- spinal pain suggesting metastases without neurology: triage `urgent` on the `mscc` pathway with
  spinal pain recorded and neurological features recorded as none.
Children (age known and under 18) are left out: QS56 covers adults.

Definitions (pathway.md §10, §1.5, conflict C-10): the "suspected diagnosis" clock starts at
`events.presentation` (open question 13 of pathway.md: a local data definition, stated here);
"treatment plan agreed" is `events.decision_to_treat`.

References: pathway.md §10 (QM-2, QM-3, QM-4, QM-6, QM-B), S5, S6, S4.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

HOURS = 3_600_000_000  # microseconds


@dataclass(frozen=True, slots=True)
class Measure:
    """One audit measure: who counts, from when, by when, and what must be recorded by then."""

    id: str
    title: str
    population: str  # neuro_mscc | pain_no_neuro | mscc_not_for_surgery | neuro_mscc_treatable |
    #                  neuro_mscc_dexamethasone
    start: str
    done: tuple[str, ...]  # events that must all be recorded by the deadline
    within_hours: float | None  # None: recorded at any time
    target: float | None  # the standard's expected share (1.0 = every eligible person)
    source: str


MEASURES: dict[str, tuple[Measure, ...]] = {
    "2023": (
        Measure("QM-2", "MRI and treatment plan within 1 week (pain, no neurology)",
                "pain_no_neuro", "presentation", ("mri_done", "decision_to_treat"), 168, 1.0,
                "QS56 statement 2 (2023), S6"),
        Measure("QM-3", "Whole-spine MRI within 24 hours (neurology)", "neuro_mscc",
                "presentation", ("mri_done",), 24, 1.0, "QS56 statement 3 (2023), S6"),
        Measure("QM-4", "Investigations coordinated by the MSCC coordinator (neurology)",
                "neuro_mscc", "presentation", ("coordinator_contact",), None, 1.0,
                "QS56 statement 4, S5"),
        Measure("QM-6", "Radiotherapy within 24 hours of the decision to treat (not for surgery)",
                "mscc_not_for_surgery", "decision_to_treat", ("treatment_start",), 24, 1.0,
                "QS56 statement 6 (2023), S5"),
        Measure("QM-B", "Dexamethasone within 4 hours of presentation (local)",
                "neuro_mscc_dexamethasone", "presentation", ("dexamethasone_first_dose",), 4,
                0.9, "local operational target, S4"),
    ),
    "2014": (
        Measure("QM-2", "MRI and treatment plan within 1 week (pain, no neurology)",
                "pain_no_neuro", "presentation", ("mri_done", "decision_to_treat"), 168, 1.0,
                "QS56 statement 2, S6"),
        Measure("QM-3", "MRI and treatment plan within 24 hours (neurology)", "neuro_mscc",
                "presentation", ("mri_done", "decision_to_treat"), 24, 1.0,
                "QS56 statement 3 (2014), S5"),
        Measure("QM-4", "Investigations coordinated by the MSCC coordinator (neurology)",
                "neuro_mscc", "presentation", ("coordinator_contact",), None, 1.0,
                "QS56 statement 4, S5"),
        Measure("QM-6", "Definitive treatment within 24 hours of confirmed diagnosis (neurology)",
                "neuro_mscc_treatable", "diagnosis_confirmed", ("treatment_start",), 24, 1.0,
                "QS56 statement 6 (2014), S5"),
        Measure("QM-B", "Dexamethasone within 4 hours of presentation (local)",
                "neuro_mscc_dexamethasone", "presentation", ("dexamethasone_first_dose",), 4,
                0.9, "local operational target, S4"),
    ),
}
OUTCOME_COLUMNS: dict[str, pl.DataType] = {"measure": pl.String(), "row": pl.Int64(),
                                           "case_id": pl.String(), "month": pl.String(),
                                           "start": pl.Datetime("us", "UTC"),
                                           "due": pl.Datetime("us", "UTC"),
                                           "done_at": pl.Datetime("us", "UTC"),
                                           "hours": pl.Float64(), "outcome": pl.String()}


def populations() -> dict[str, pl.Expr]:
    """Denominator conditions over the scored registry (kernel columns and case fields)."""
    c = pl.col
    adult = c("patient_age_years").is_null() | (c("patient_age_years") >= 18)
    neuro = (c("triage_level") == "emergency") & (c("triage_pathway") == "mscc") & adult
    pain = c("presentation_spinal_pain").fill_null(
        (c("presentation_pain_features").list.len() > 0)
        | (c("presentation_pain_sites").list.len() > 0))
    no_neuro = (c("triage_level") == "urgent") & (c("triage_pathway") == "mscc") & adult & \
        pain.fill_null(False) & (c("presentation_neuro_features").list.len() == 0).fill_null(False)
    mscc = (c("triage_pathway") == "mscc") & adult & (
        (c("triage_level") == "emergency") | (c("escc_worst_group") == "high").fill_null(False))
    treatable = c("status_fit_for_any_treatment").fill_null(True)
    unknown_primary = (c("cancer_primary_site") == "unknown").fill_null(False) | (
        (c("cancer_history") == "suspected").fill_null(False)
        & (c("cancer_haematological") != "confirmed").fill_null(True))
    haem_suspected = (c("cancer_haematological") == "suspected").fill_null(False)
    return {
        "neuro_mscc": neuro,
        "pain_no_neuro": no_neuro,
        "mscc_not_for_surgery": mscc & (c("status_fit_for_surgery") == False).fill_null(False)  # noqa: E712
        & treatable,
        "neuro_mscc_treatable": neuro & treatable,
        # Steroids are "discuss" before a biopsy when the primary is unknown (C-02, BX-002).
        "neuro_mscc_dexamethasone": neuro & ~unknown_primary & ~haem_suspected,
    }


def outcomes(registry: pl.DataFrame, measure: Measure) -> pl.DataFrame:
    """One row per case in the measure's population: met, late, not recorded or unmeasurable."""
    c = pl.col
    population = populations()[measure.population]
    start = c(f"events_{measure.start}")
    dones = [c(f"events_{name}") for name in measure.done]
    recorded = pl.all_horizontal([d.is_not_null() for d in dones])
    done_at = pl.max_horizontal(dones)
    if measure.within_hours is None:
        due: pl.Expr = pl.lit(None, pl.Datetime("us", "UTC"))
        in_time = pl.lit(True)
    else:
        due = start + pl.duration(microseconds=int(measure.within_hours * HOURS))
        in_time = done_at <= due
    outcome = (pl.when(start.is_null()).then(pl.lit("unmeasurable"))
               .when(~recorded).then(pl.lit("not recorded"))
               .when(in_time).then(pl.lit("met")).otherwise(pl.lit("late")))
    frame = registry.filter(population).select(
        pl.lit(measure.id).alias("measure"), c("row"), c("case_id"),
        start.dt.strftime("%Y-%m").alias("month"), start.alias("start"), due.alias("due"),
        pl.when(recorded).then(done_at).alias("done_at"),
        pl.when(recorded).then(((done_at - start).dt.total_microseconds() / HOURS).round(2))
        .alias("hours"),
        outcome.alias("outcome"))
    return frame.select([c(k).cast(v) for k, v in OUTCOME_COLUMNS.items()])


def within(frame: pl.DataFrame, first: date | None, last: date | None) -> pl.DataFrame:
    """Cases whose start day lies between `first` and `last` (inclusive; None is open)."""
    day = pl.col("start").dt.date()
    if first is not None:
        frame = frame.filter(day >= first)
    if last is not None:
        frame = frame.filter(day <= last)
    return frame


def summarise(outcome_rows: pl.DataFrame, measures: tuple[Measure, ...]) -> pl.DataFrame:
    """Numerator, denominator and compliance per measure and month, and over the period."""
    c = pl.col
    measured = outcome_rows.filter(c("outcome") != "unmeasurable")
    counts = [
        pl.len().alias("denominator"),
        (c("outcome") == "met").sum().alias("numerator"),
        (c("outcome") == "late").sum().alias("late"),
        (c("outcome") == "not recorded").sum().alias("not_recorded"),
    ]
    monthly = measured.group_by("measure", "month").agg(counts)
    overall = measured.group_by("measure").agg(counts).with_columns(pl.lit("all").alias("month"))
    unmeasurable = outcome_rows.filter(c("outcome") == "unmeasurable").group_by("measure").agg(
        pl.len().alias("unmeasurable"))
    order = {m.id: i for i, m in enumerate(measures)}
    table = pl.concat([monthly, overall.select(monthly.columns)], how="vertical")
    base = pl.DataFrame({"measure": [m.id for m in measures], "title": [m.title for m in measures],
                         "target": [m.target for m in measures],
                         "source": [m.source for m in measures]})
    empty = base.select("measure", pl.lit("all").alias("month"))
    table = empty.join(table, on=["measure", "month"], how="full", coalesce=True)
    table = table.join(base, on="measure", how="left").join(unmeasurable, on="measure",
                                                             how="left")
    return (table.with_columns(
        c("denominator").fill_null(0), c("numerator").fill_null(0), c("late").fill_null(0),
        c("not_recorded").fill_null(0),
        pl.when(c("month") == "all").then(c("unmeasurable").fill_null(0)).alias("unmeasurable"),
        pl.when(c("denominator") > 0).then(c("numerator") / c("denominator")).alias("compliance"),
        c("measure").replace_strict(order, return_dtype=pl.Int64).alias("_order"))
        .sort("_order", pl.col("month") == "all", "month")
        .select("measure", "title", "month", "numerator", "denominator", "compliance", "target",
                "late", "not_recorded", "unmeasurable", "source"))
