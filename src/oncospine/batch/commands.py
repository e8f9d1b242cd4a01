"""Registry-mode commands of the CLI: `batch`, `audit` and `synth`.

Only Typer and the standard library are imported here, so registering the commands costs the
other commands nothing; Polars, Arrow, Spark and matplotlib load inside the command that needs
them. A problem with the input prints one clear message on stderr and exits with status 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from oncospine.errors import OncospineError


class Engine(StrEnum):
    polars = "polars"
    spark = "spark"


class Version(StrEnum):
    v2023 = "2023"
    v2014 = "2014"


def _fail(message: str) -> None:
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(2)


@contextmanager
def _progress(total: int | None, label: str) -> Iterator[Callable[[int], None] | None]:
    """A Rich progress bar on a terminal; nothing when stderr is a file or a pipe."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


def batch(
    source: Annotated[Path, typer.Argument(metavar="INPUT",
                                           help="cases as .jsonl, .csv or .parquet")],
    out: Annotated[Path, typer.Option("--out", "-o", help="results: .parquet or .csv")],
    errors: Annotated[Path | None, typer.Option(
        "--errors", help="rejected rows (CSV); default OUT with .errors.csv")] = None,
    engine: Annotated[Engine, typer.Option(help="polars (this machine) or spark")] =
        Engine.polars,
    master: Annotated[str, typer.Option(help="Spark master URL, e.g. spark://host:7077")] =
        "local[*]",
    batch_rows: Annotated[int, typer.Option(min=1, help="rows per batch")] = 100_000,
) -> None:
    """Score a registry: every score, worst SINS and ESCC, triage and NOMS choice per case."""
    try:
        if engine is Engine.spark:
            from oncospine.batch.spark import run_spark

            summary = run_spark(source, out, errors, master=master)
        else:
            from oncospine.batch.run import count_rows, run_batch

            with _progress(count_rows(source), "scoring") as tick:
                summary = run_batch(source, out, errors, batch_rows=batch_rows,
                                    on_progress=tick)
    except OncospineError as exc:
        _fail(str(exc))
        return
    except OSError as exc:
        _fail(f"{exc.filename or ''}: {exc.strerror or exc}")
        return
    sys.stderr.write(summary.text() + "\n")


def audit(
    source: Annotated[Path, typer.Argument(metavar="INPUT",
                                           help="cases as .jsonl, .csv or .parquet")],
    out: Annotated[Path, typer.Option("--out", "-o", help="folder for the audit report")],
    start: Annotated[str | None, typer.Option("--from", help="first day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--to", help="last day, YYYY-MM-DD")] = None,
    version: Annotated[Version, typer.Option(help="NICE QS56 version")] = Version.v2023,
) -> None:
    """Measure pathway timeliness against NICE QS56, by month, with the cases that missed."""
    try:
        first = _day(start, "--from")
        last = _day(end, "--to")
        from oncospine.audit import run_audit

        report = run_audit(source, out, first=first, last=last, version=version.value)
    except OncospineError as exc:
        _fail(str(exc))
        return
    except OSError as exc:
        _fail(f"{exc.filename or ''}: {exc.strerror or exc}")
        return
    sys.stderr.write(report.text() + "\n")


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise OncospineError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def synth(
    n: Annotated[int, typer.Option("--n", min=0, help="number of cases")],
    out: Annotated[Path, typer.Option("--out", "-o", help=".jsonl, .csv or .parquet")],
    seed: Annotated[int, typer.Option(help="random seed (same seed, same registry)")] = 0,
) -> None:
    """Write a synthetic registry of plausible cases, for demos and benchmarks."""
    try:
        from oncospine.synth import write_registry

        write_registry(out, n, seed)
    except OncospineError as exc:
        _fail(str(exc))
        return
    except OSError as exc:
        _fail(f"{exc.filename or ''}: {exc.strerror or exc}")
        return
    sys.stderr.write(f"{n:,} synthetic cases (seed {seed}) → {out}\n")


def register(app: typer.Typer) -> None:
    """Add the registry-mode commands to the `oncospine` CLI."""
    app.command()(batch)
    app.command()(audit)
    app.command()(synth)
