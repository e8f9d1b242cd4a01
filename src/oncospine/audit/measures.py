"""NICE QS56 pathway measures from the `events` timestamps, over a whole registry.

Each measure has a population (its denominator), a start event, a deadline and what must happen
by then. Nothing is guessed and no case leaves the audit unseen:

- a case in the population whose closing event is not recorded has not shown the standard was
  met: it counts as a miss, "not recorded", listed so it can be checked;
- a case in the population whose start event is not recorded cannot be measured or placed in a
  month: it is `unmeasurable`, out of the denominator, and listed in every report; so is a case
  whose closing event is recorded before its start (the times contradict each other);
- a case whose membership of the population turns on something not recorded (neurology, spinal
  pain, cancer history, fitness for surgery) is `unclassified`: out of the denominator, listed
  with what is missing. Membership is worked out in three-valued logic (true, false, unknown),
  so "unknown" appears exactly when recording the missing facts could put the case in.

Populations use the product's own triage rules (the same as `assess()`):
- suspected MSCC with neurology: neurological features in a person with known or suspected
  cancer (triage `emergency` on the `mscc` pathway);
- spinal pain suggesting metastases without neurology: spinal pain and no neurological feature
  in a person with known cancer (triage `urgent` on the `mscc` pathway);
- MSCC: suspected MSCC with neurology, or high-grade compression (ESCC 2 or 3) on the `mscc`
  pathway; not suitable for surgery: `fit_for_surgery: false` or a life expectancy under
  3 months (the plan's surgical gate, D-18).
Children (age known and under 18) are left out: QS56 covers adults.

Definitions (pathway.md §10, §1.5, conflict C-10): the "suspected diagnosis" clock starts at
`events.presentation` (pathway.md open question 13 leaves it to a local data definition, stated
here); "treatment plan agreed" is `events.decision_to_treat`.

References: pathway.md §10 (QM-2, QM-3, QM-4, QM-6, QM-B), S4, S5, S6; decisions D-12, D-16, D-18.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from oncospine.pathway.plan import MIN_SURGERY_MONTHS

HOURS = 3_600_000_000  # microseconds
ADULT_YEARS = 18
c = pl.col


@dataclass(frozen=True, slots=True)
class Measure:
    """One audit measure: who counts, from when, by when, and what must be recorded by then."""

    id: str
    title: str
    population: str  # a key of `populations()`
    start: str
    done: tuple[str, ...]  # events that must all be recorded by the deadline
    within_hours: float | None  # None: recorded at any time
    target: float | None  # the standard's expected share (1.0 = every eligible person)
    source: str


QM2 = Measure("QM-2", "MRI and treatment plan within 1 week (pain, no neurology)",
              "pain_no_neuro", "presentation", ("mri_done", "decision_to_treat"), 168, 1.0,
              "QS56 statement 2 (2023), S6")
QM4 = Measure("QM-4", "Investigations coordinated by the MSCC coordinator (neurology)",
              "neuro_mscc", "presentation", ("coordinator_contact",), None, 1.0,
              "QS56 statement 4, S5")
QMB = Measure("QM-B", "Dexamethasone within 4 hours of presentation (local)",
              "neuro_mscc_dexamethasone", "presentation", ("dexamethasone_first_dose",), 4, 0.9,
              "local operational target, S4")
MEASURES: dict[str, tuple[Measure, ...]] = {
    "2023": (
        QM2,
        Measure("QM-3", "Whole-spine MRI within 24 hours (neurology)", "neuro_mscc",
                "presentation", ("mri_done",), 24, 1.0, "QS56 statement 3 (2023), S6"),
        QM4,
        Measure("QM-6", "Radiotherapy within 24 hours of the decision to treat (not for surgery)",
                "mscc_not_for_surgery", "decision_to_treat", ("treatment_start",), 24, 1.0,
                "QS56 statement 6 (2023), S5"),
        QMB,
    ),
    "2014": (
        Measure(QM2.id, QM2.title, QM2.population, QM2.start, QM2.done, QM2.within_hours,
                QM2.target, "QS56 statement 2 as worded in 2023 (S6); the specification "
                "gives no 2014 wording"),
        Measure("QM-3", "MRI and treatment plan within 24 hours (neurology)", "neuro_mscc",
                "presentation", ("mri_done", "decision_to_treat"), 24, 1.0,
                "QS56 statement 3 (2014), S5"),
        QM4,
        Measure("QM-6", "Definitive treatment within 24 hours of confirmed diagnosis (neurology)",
                "neuro_mscc_treatable", "diagnosis_confirmed", ("treatment_start",), 24, 1.0,
                "QS56 statement 6 (2014), S5"),
        QMB,
    ),
}
OUTCOMES = ("met", "late", "not recorded", "unmeasurable", "unclassified")
OUTCOME_COLUMNS: dict[str, pl.DataType] = {"measure": pl.String(), "row": pl.Int64(),
                                           "case_id": pl.String(), "month": pl.String(),
                                           "start": pl.Datetime("us", "UTC"),
                                           "due": pl.Datetime("us", "UTC"),
                                           "done_at": pl.Datetime("us", "UTC"),
                                           "hours": pl.Float64(), "outcome": pl.String(),
                                           "why": pl.String()}


@dataclass(frozen=True, slots=True)
class Population:
    """Membership as a three-valued column (null: it depends on facts not recorded), and the
    facts whose absence can leave it undecided, with the words that name them."""

    member: pl.Expr
    facts: tuple[tuple[pl.Expr, str], ...]

    def certain(self) -> pl.Expr:
        return self.member.fill_null(False)

    def why_unsure(self) -> pl.Expr:
        missing = pl.concat_str([pl.when(fact.is_null()).then(pl.lit(label))
                                 for fact, label in self.facts], separator=", ",
                                ignore_nulls=True)
        return pl.when(self.member.is_null()).then(pl.lit("not recorded: ") + missing)


def _recorded_history() -> pl.Expr:
    history = c("cancer_history")
    return history.is_not_null() & (history != "unknown")


def _cancer(states: tuple[str, ...]) -> pl.Expr:
    """Whether the cancer state is one of `states` (kernel column `_cancer`, pathway.context):
    unknown while the cancer history is not recorded and the record does not settle it."""
    return (pl.when(c("_cancer").is_in(list(states))).then(True)
            .when(_recorded_history()).then(False))


def _neuro() -> pl.Expr:
    """Neurological features: present, recorded as none, or (null) not recorded."""
    features = c("presentation_neuro_features")
    return pl.when(features.is_not_null()).then(features.list.len() > 0)


def populations() -> dict[str, Population]:
    """Denominators over the scored registry (kernel columns, `_cancer` and `_pain` included).

    Facts that only narrow a population (age, fitness for any treatment, life expectancy, the
    primary) count as recorded when they are missing: an unknown age is kept as an adult.
    """
    adult = c("patient_age_years").is_null() | (c("patient_age_years") >= ADULT_YEARS)
    known, known_or_suspected = _cancer(("known",)), _cancer(("known", "suspected"))
    neuro, pain = _neuro(), c("_pain")
    history = (known_or_suspected, "cancer history")
    neurology = (neuro, "neurological features")
    suspected_mscc = adult & known_or_suspected & neuro
    # The urgent route stays open while pain or neurology is unrecorded (pathway.triage).
    route_open = (pain.fill_null(True) | c("presentation_neuro_features").is_null())
    high_grade = (c("escc_worst_group") == "high").fill_null(False)
    mscc = suspected_mscc | (adult & known & route_open & high_grade)
    fit = c("status_fit_for_surgery")
    not_for_surgery = ~fit | (c("status_life_expectancy_months") < MIN_SURGERY_MONTHS
                              ).fill_null(False)
    treatable = c("status_fit_for_any_treatment").fill_null(True)
    unknown_primary = (c("cancer_primary_site") == "unknown").fill_null(False) | (
        (c("cancer_history") == "suspected").fill_null(False)
        & (c("cancer_haematological") != "confirmed").fill_null(True))
    haem_suspected = (c("cancer_haematological") == "suspected").fill_null(False)
    return {
        "neuro_mscc": Population(suspected_mscc, (history, neurology)),
        "pain_no_neuro": Population(adult & known & pain & ~neuro,
                                    ((known, "cancer history"), (pain, "spinal pain"),
                                     neurology)),
        "mscc_not_for_surgery": Population(mscc & not_for_surgery & treatable,
                                           (history, neurology, (fit, "fitness for surgery"))),
        "neuro_mscc_treatable": Population(suspected_mscc & treatable, (history, neurology)),
        # Steroids are "discuss" before a biopsy when the primary is unknown (C-02, BX-002).
        "neuro_mscc_dexamethasone": Population(
            suspected_mscc & ~unknown_primary & ~haem_suspected, (history, neurology)),
    }


def outcomes(registry: pl.DataFrame, measure: Measure) -> pl.DataFrame:
    """One row per case the measure concerns: met, late, not recorded, unmeasurable or
    unclassified, with the reason for every outcome but met."""
    population = populations()[measure.population]
    start = c(f"events_{measure.start}")
    dones = [c(f"events_{name}") for name in measure.done]
    recorded = pl.all_horizontal([d.is_not_null() for d in dones])
    done_at = pl.max_horizontal(dones)
    hours = ((done_at - start).dt.total_microseconds() / HOURS).round(2)
    if measure.within_hours is None:
        due: pl.Expr = pl.lit(None, pl.Datetime("us", "UTC"))
        in_time = pl.lit(True)
        late = pl.lit(None, pl.String)
    else:
        due = start + pl.duration(microseconds=int(measure.within_hours * HOURS))
        in_time = done_at <= due
        late = pl.format(f"{{}} h after {measure.start}, due within {measure.within_hours:g} h",
                         hours)
    missing = pl.concat_str([pl.when(d.is_null()).then(pl.lit(name))
                             for d, name in zip(dones, measure.done, strict=True)],
                            separator=", ", ignore_nulls=True)
    early = pl.concat_str([pl.when(d < start).then(pl.lit(name))
                           for d, name in zip(dones, measure.done, strict=True)],
                          separator=", ", ignore_nulls=True)
    sure = population.certain()
    outcome = (pl.when(~sure).then(pl.lit("unclassified"))
               .when(start.is_null() | (early != "")).then(pl.lit("unmeasurable"))
               .when(~recorded).then(pl.lit("not recorded"))
               .when(in_time).then(pl.lit("met")).otherwise(pl.lit("late")))
    why = (pl.when(~sure).then(population.why_unsure())
           .when(start.is_null()).then(pl.lit(f"no {measure.start} time"))
           .when(early != "").then(early + pl.lit(f" before {measure.start}: check the times"))
           .when(~recorded).then(pl.lit("no time for: ") + missing)
           .when(~in_time).then(late))
    frame = registry.filter(population.member.is_null() | sure).select(
        pl.lit(measure.id).alias("measure"), c("row"), c("case_id"),
        start.dt.strftime("%Y-%m").alias("month"), start.alias("start"), due.alias("due"),
        pl.when(recorded).then(done_at).alias("done_at"),
        pl.when(recorded).then(hours).alias("hours"),
        outcome.alias("outcome"), why.alias("why"))
    return frame.select([c(k).cast(v) for k, v in OUTCOME_COLUMNS.items()])


def within(frame: pl.DataFrame, first: date | None, last: date | None) -> pl.DataFrame:
    """Cases whose start day lies between `first` and `last` (inclusive; None is open).

    A case without its start time cannot be placed in a period; it is kept, so every report
    lists it until the time is recorded.
    """
    day = pl.col("start").dt.date()
    if first is not None:
        frame = frame.filter(day.is_null() | (day >= first))
    if last is not None:
        frame = frame.filter(day.is_null() | (day <= last))
    return frame


def summarise(outcome_rows: pl.DataFrame, measures: tuple[Measure, ...]) -> pl.DataFrame:
    """Numerator, denominator and compliance per measure and month, and over the period, with
    the cases counted apart (unmeasurable, unclassified)."""
    counts = [
        c("outcome").is_in(["met", "late", "not recorded"]).sum().alias("denominator"),
        (c("outcome") == "met").sum().alias("numerator"),
        (c("outcome") == "late").sum().alias("late"),
        (c("outcome") == "not recorded").sum().alias("not_recorded"),
        (c("outcome") == "unmeasurable").sum().alias("unmeasurable"),
        (c("outcome") == "unclassified").sum().alias("unclassified"),
    ]
    monthly = outcome_rows.filter(c("month").is_not_null()).group_by("measure", "month").agg(
        counts)
    overall = outcome_rows.group_by("measure").agg(counts).with_columns(
        pl.lit("all").alias("month"))
    order = {m.id: i for i, m in enumerate(measures)}
    table = pl.concat([monthly, overall.select(monthly.columns)], how="vertical")
    base = pl.DataFrame({"measure": [m.id for m in measures], "title": [m.title for m in measures],
                         "target": [m.target for m in measures],
                         "source": [m.source for m in measures]})
    empty = base.select("measure", pl.lit("all").alias("month"))
    table = empty.join(table, on=["measure", "month"], how="full", coalesce=True)
    table = table.join(base, on="measure", how="left")
    numbers = ("denominator", "numerator", "late", "not_recorded", "unclassified")
    return (table.with_columns(
        *[c(name).fill_null(0).cast(pl.Int64) for name in numbers],
        # Cases without their start time belong to no month: counted over the period only.
        pl.when(c("month") == "all").then(c("unmeasurable").fill_null(0)).cast(pl.Int64)
        .alias("unmeasurable"),
        pl.when(c("denominator") > 0).then(c("numerator") / c("denominator")).alias("compliance"),
        c("measure").replace_strict(order, return_dtype=pl.Int64).alias("_order"))
        .sort("_order", pl.col("month") == "all", "month")
        .select("measure", "title", "month", "numerator", "denominator", "compliance", "target",
                "late", "not_recorded", "unmeasurable", "unclassified", "source"))
