"""The columns the kernel writes, in order, with their types.

One schema for every engine and writer: the Polars engine, the Spark result schema and the
documentation table (docs/batch.md "Output", kept equal by a test) all read it from here.

References: assessment-format.md (score blocks, triage, plan roles).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from oncospine.scores.bauer import BAUER_BANDS, MODIFIED_BANDS
from oncospine.scores.nesms import BANDS as NESMS_BANDS
from oncospine.scores.tokuhashi import ORIGINAL_BANDS, REVISED_BANDS
from oncospine.scores.tomita import BANDS as TOMITA_BANDS

Band = tuple[int, int, str]
PROGNOSTIC_BANDS: dict[str, Sequence[Band]] = {
    "tomita": TOMITA_BANDS,
    "tokuhashi_revised": REVISED_BANDS,
    "tokuhashi_original": ORIGINAL_BANDS,
    "bauer": BAUER_BANDS,
    "modified_bauer": MODIFIED_BANDS,
    "nesms": NESMS_BANDS,
}
SCORES = tuple(PROGNOSTIC_BANDS)
NOMS_OPTIONS = ("cebrt", "sbrt", "separation_surgery", "stabilisation")


def _schema() -> dict[str, pl.DataType]:
    schema: dict[str, pl.DataType] = {"case_id": pl.String()}
    for score in SCORES:
        schema.update({f"{score}_status": pl.String(), f"{score}_total": pl.Int64(),
                       f"{score}_range_low": pl.Int64(), f"{score}_range_high": pl.Int64(),
                       f"{score}_band": pl.String()})
    schema.update({
        "sins_worst_total": pl.Int64(), "sins_worst_band": pl.String(),
        "escc_worst_grade": pl.String(), "escc_worst_group": pl.String(),
        "triage_level": pl.String(), "triage_pathway": pl.String(),
        "sins_worst_status": pl.String(), "sins_worst_range_low": pl.Int64(),
        "sins_worst_range_high": pl.Int64(), "sins_worst_level": pl.String(),
        "escc_status": pl.String(), "escc_worst_level": pl.String(),
        "enneking_status": pl.String(), "enneking_stage": pl.String(),
        "wbb_status": pl.String(),
        "triage_mri_within_hours": pl.Int64(),
        "triage_coordinator_contact_within_hours": pl.Int64(),
        **{f"noms_{name}": pl.String() for name in NOMS_OPTIONS},
        "noms_cebrt_dose": pl.String(),
        "lesion_count": pl.Int64(), "assessed_at": pl.Datetime("us", "UTC"), "row": pl.Int64(),
    })
    return schema


OUTPUT_SCHEMA: dict[str, pl.DataType] = _schema()
OUTPUT_COLUMNS = tuple(OUTPUT_SCHEMA)
