"""Pathway audit: NICE QS56 timeliness measures from a registry's `events`, by month.

`run_audit(source, out_dir, first=None, last=None, version="2023")` reads a registry (the same
inputs as `oncospine batch`), scores it with the batch kernel (for triage), computes every
measure of the chosen QS56 version and writes to `out_dir`:

- `measures.csv`: numerator, denominator and compliance per measure and month, and overall;
- `misses.csv`: every case that missed a measure (late or not recorded), with its times;
- `unmeasurable.csv`: cases counted apart, with the reason: in a population but without the
  start time (unmeasurable), or perhaps in it but missing a fact that decides (unclassified);
- `compliance.png`, `time_to_mri.png`: the plots; `summary.md` and `summary.html`;
- `errors.csv`: rows the case model rejected (not audited).

References: pathway.md §10; docs/audit.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncospine.errors import OncospineError

if TYPE_CHECKING:
    import polars as pl


@dataclass(slots=True)
class AuditReport:
    folder: Path
    version: str
    cases: int = 0
    rejected: int = 0
    files: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def text(self) -> str:
        head = (f"QS56 ({self.version}) audit of {self.cases:,} cases"
                + (f", {self.rejected:,} row{'s' if self.rejected != 1 else ''} rejected"
                   if self.rejected else "")
                + f" → {self.folder}")
        return "\n".join([head, *self.lines])


def scored_registry(source: str | Path) -> tuple[pl.DataFrame | None, list[dict[str, Any]]]:
    """The valid rows of a registry with the columns the measures read (triage, worst ESCC
    group, cancer state and spinal pain as the kernel derives them), and the rejected rows."""
    import polars as pl

    from oncospine.batch import kernel
    from oncospine.batch.kernel.triage import context_columns
    from oncospine.batch.read import read_batches
    from oncospine.batch.validate import prepare

    parts: list[pl.DataFrame] = []
    problems: list[dict[str, Any]] = []
    kernel.warm()
    facts = [e for e in context_columns() if e.meta.output_name() in ("_cancer", "_pain")]
    for batch in read_batches(source):
        problems.extend(batch.errors)
        prepared = batch.prepared or (prepare(batch.raw, batch.original)
                                      if batch.raw is not None else None)
        if prepared is None:
            continue
        problems.extend(prepared.errors)
        if prepared.cases.height:
            scored = kernel.score(prepared.cases).select(
                "row", "triage_level", "triage_pathway", "escc_worst_group")
            parts.append(prepared.cases.with_columns(facts).join(scored, on="row"))
    return (pl.concat(parts, how="diagonal_relaxed") if parts else None), problems


def run_audit(source: str | Path, out_dir: str | Path, *, first: date | None = None,
              last: date | None = None, version: str = "2023") -> AuditReport:
    """Audit a registry file; see the module docstring for what is written."""
    import polars as pl

    from oncospine.audit.measures import MEASURES, OUTCOME_COLUMNS, outcomes, summarise, within
    from oncospine.audit.report import write_report
    from oncospine.batch.run import write_errors

    if version not in MEASURES:
        raise OncospineError(f"unknown QS56 version {version!r}; use 2014 or 2023")
    if first and last and first > last:
        raise OncospineError(f"--from {first} is after --to {last}")
    measures = MEASURES[version]
    registry, problems = scored_registry(source)  # a file that cannot be read stops here
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    rows = [within(outcomes(registry, m), first, last) for m in measures] if registry is not None \
        else []
    outcome_rows = pl.concat(rows) if rows else pl.DataFrame(schema=OUTCOME_COLUMNS)
    summary = summarise(outcome_rows, measures)
    write_errors(folder / "errors.csv", problems)
    report = AuditReport(folder, version, cases=registry.height if registry is not None else 0,
                         rejected=len({p["row"] for p in problems}))
    report.files = write_report(folder, summary, outcome_rows, registry, measures, version,
                                first, last, report)
    for record in summary.filter(pl.col("month") == "all").iter_rows(named=True):
        share = "—" if record["compliance"] is None else f"{record['compliance']:.0%}"
        apart = [f"{record[key]:,} {key}" for key in ("unmeasurable", "unclassified")
                 if record[key]]
        report.lines.append(f"  {record['measure']}: {record['numerator']}/"
                            f"{record['denominator']} ({share}) {record['title']}"
                            + (f"; {', '.join(apart)}" if apart else ""))
    return report


__all__ = ["AuditReport", "run_audit", "scored_registry"]
