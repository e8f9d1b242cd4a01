"""The kernel's driver: runs the stages in order over a frame of validated rows.

References: docs/batch.md "How it works".
"""

from __future__ import annotations

import polars as pl

from oncospine.batch import tables
from oncospine.batch.kernel.common import Codes, c
from oncospine.batch.kernel.lesions import (
    compression_areas,
    escc_worst,
    lesion_columns,
    worst_columns,
    worst_details,
)
from oncospine.batch.kernel.noms import cebrt_dose, noms_columns
from oncospine.batch.kernel.output import OUTPUT_SCHEMA, SCORES
from oncospine.batch.kernel.scores import (
    enneking,
    nesms_score,
    prognostic_parts,
    prognostic_scores,
)
from oncospine.batch.kernel.triage import context_columns, triage_clocks, triage_columns
from oncospine.batch.validate import typed_schema


def lesion_slots(frame: pl.DataFrame | pl.LazyFrame) -> int:
    """How many numbered lesion slots the frame has columns for."""
    names = frame.collect_schema().names()
    return sum(1 for name in names if name.startswith("lesion") and name.endswith("_level"))


def warm() -> None:
    """Build every lookup table now (once per process), before batches run in threads."""
    for name in SCORES:
        tables.prognostic(name)
    tables.sins_groups()
    tables.nesms_bauer_points()
    tables.enneking_table()
    tables.performance_table()
    tables.cebrt_dose_table()
    tables.supportive_cebrt_dose()


def score(cases: pl.DataFrame) -> pl.DataFrame:
    """Score validated rows (canonical flat columns, see `validate.typed_schema`)."""
    slots = lesion_slots(cases)
    wanted = typed_schema({"lesions": slots, "imaging": 0})
    cases = cases.with_columns(pl.col(name).cast(dtype) for name, dtype in wanted.items()
                               if name in cases.columns and cases.schema[name] != dtype)
    most = cases.get_column("lesion_count").max() if cases.height else 0
    needed = most if isinstance(most, int) else 0
    if needed > slots:  # entries counted but with no column recorded: every field unknown
        cases = cases.with_columns(
            pl.lit(None, dtype).alias(name) for name, dtype in
            typed_schema({"lesions": needed}).items()
            if name.startswith("lesion") and name not in cases.columns)
        slots = needed
    perf = tables.performance_table()
    codes = Codes()
    # Eager stages, each reading the columns the one before wrote: a single lazy plan this wide
    # takes the optimiser far longer than the work itself.
    stages: list[list[pl.Expr]] = [
        [*lesion_columns(codes, slots), *context_columns(), *prognostic_parts(codes),
         *enneking(codes), perf.lookup("ok", codes.of(perf), pl.Boolean()).alias("_performance")],
        [*prognostic_scores(), *worst_columns(slots), *triage_columns()],
        nesms_score(),
        [*worst_details(slots), *escc_worst(), *triage_clocks(),
         compression_areas(slots).alias("_areas")],
        [c("escc_worst_group").alias("_escc_group")],
        noms_columns(),
        [cebrt_dose(codes)],
    ]
    stages = [list(codes.axes.values()), list(codes.combinations.values()), *stages]
    frame = cases
    for exprs in stages:
        frame = frame.with_columns(exprs)
    return frame.select([c(name).cast(dtype).alias(name) for name, dtype in OUTPUT_SCHEMA.items()])
