"""The batch scoring kernel: validated flat rows in, one row of results per case out.

Everything here is a Polars expression over whole columns: no Python runs per row. Scores are
sums of group lookups learnt from the core (`oncospine.batch.tables`); triage and the NOMS
radiotherapy and surgery roles repeat the decision rules of `pathway.triage`, `pathway.noms` and
`pathway.plan` as column expressions, reading their constants from those modules. The property
test `tests/property/test_batch_sameness.py` proves the result equals `assess()` field by field.

Modules, in the order the driver runs them:
- `output`: the output columns and their types (`OUTPUT_SCHEMA`, `OUTPUT_COLUMNS`);
- `common`: lookup codes, sums of group tables, the status/total/range/band block of a score;
- `lesions`: SINS, ESCC and WBB per lesion slot, the worst lesion, areas of compression;
- `scores`: Tomita, Tokuhashi, Bauer, modified Bauer, NESMS and Enneking;
- `triage`: case facts, triage level, pathway and clocks;
- `noms`: the roles of cEBRT, SBRT, separation surgery and stabilisation, the cEBRT dose;
- `driver`: `score(cases)`, `warm()`, `lesion_slots(frame)`.

References: assessment-format.md; pathway.md §1.2, §5.3; scores.md §6.
"""

from oncospine.batch.kernel.driver import lesion_slots, score, warm
from oncospine.batch.kernel.output import (
    NOMS_OPTIONS,
    OUTPUT_COLUMNS,
    OUTPUT_SCHEMA,
    PROGNOSTIC_BANDS,
    SCORES,
)

__all__ = ["NOMS_OPTIONS", "OUTPUT_COLUMNS", "OUTPUT_SCHEMA", "PROGNOSTIC_BANDS", "SCORES",
           "lesion_slots", "score", "warm"]
