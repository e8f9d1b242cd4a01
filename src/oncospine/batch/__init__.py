"""Registry mode: score many cases at once, the same way `assess()` scores one.

Modules: `schema` (the flat case form), `read` (batches of any input; Parquet there, CSV in
`read_csv`, JSON Lines in `read_jsonl`, the checks they share in `inputs`), `validate` (bulk
checks, the case model as final judge), `tables` and the `kernel` package (vectorised scores,
triage and NOMS roles), `run` (the `oncospine batch` command), `spark` (the same kernel on
PySpark), `commands` (the CLI commands). Nothing heavy is imported here, so the CLI stays quick
to start.

Public entry points: `oncospine.batch.run.run_batch(source, output, errors=None)` and
`oncospine.batch.kernel.score(cases)`; the column list is `kernel.OUTPUT_COLUMNS`.
"""
