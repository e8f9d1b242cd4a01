"""The `oncospine` command line: assess, score, schema, rules, example.

Invalid input prints what is wrong on stderr and exits with status 2, never a traceback.
Heavy imports (Rich) happen only for the human-readable formats, so JSON output starts fast.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer

from oncospine.errors import CaseValidationError, Issue, OncospineError, UnknownNameError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Decision support for the spinal tumour pathway.")


class Fmt(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _fail(exc: OncospineError) -> None:
    if isinstance(exc, CaseValidationError):
        sys.stderr.write(exc.summary() + "\n")
    else:
        sys.stderr.write(f"error: {exc}\n")
    raise typer.Exit(2)


def _console() -> Any:
    from rich.console import Console

    return Console(width=120 if not sys.stdout.isatty() else None)


@app.command()
def assess(
    case: Annotated[str, typer.Argument(help="case file (JSON or YAML), or - for stdin")],
    format: Annotated[Fmt, typer.Option("--format", "-f", help="output format")] = Fmt.text,
) -> None:
    """Assess a case: triage, scores, work-up, plan, prognosis."""
    from oncospine.assessment import assess as run
    from oncospine.case import load_case

    try:
        result = run(load_case(case))
    except OncospineError as exc:
        _fail(exc)
        return
    if format is Fmt.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    elif format is Fmt.markdown:
        from oncospine.render.markdown import assessment_markdown

        sys.stdout.write(assessment_markdown(result))
    else:
        from oncospine.render.text import render

        render(result, _console())


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def score(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="score name, e.g. sins")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """One calculator, e.g. `oncospine score sins --level T12 --pain mechanical …`."""
    from oncospine.calculators import CALCULATORS, calculate

    try:
        if name not in CALCULATORS:
            raise UnknownNameError("score", name, CALCULATORS)
        result = calculate(name, _pairs(ctx.args))
    except OncospineError as exc:
        _fail(exc)
        return
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        from oncospine.render.text import render_score

        render_score(result, _console())


def _pairs(args: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--"):
            raise CaseValidationError([_arg_issue(arg, "expected --field value")])
        key, _, value = arg[2:].partition("=")
        if not value:
            if i + 1 >= len(args):
                raise CaseValidationError([_arg_issue(arg, "missing a value")])
            value, i = args[i + 1], i + 1
        out[key] = value
        i += 1
    return out


def _arg_issue(arg: str, message: str) -> Issue:
    return Issue(arg, message, arg)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the case format oncospine-case/1."""
    from oncospine.case import case_json_schema

    sys.stdout.write(json.dumps(case_json_schema(), indent=2) + "\n")


class RulesFmt(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


@app.command()
def rules(
    format: Annotated[RulesFmt, typer.Option("--format", "-f")] = RulesFmt.text,
) -> None:
    """Print the rule catalogue (id, title, sources, evidence, decision)."""
    from oncospine.knowledge import load
    from oncospine.render.markdown import rules_markdown

    if format is RulesFmt.json:
        sys.stdout.write(json.dumps(load("rules"), ensure_ascii=False, indent=2) + "\n")
    elif format is RulesFmt.markdown:
        sys.stdout.write(rules_markdown())
    else:
        from rich.table import Table

        table = Table(title="oncospine rule catalogue", expand=True)
        for col in ("id", "title", "sources", "evidence", "decision"):
            table.add_column(col, overflow="fold")
        for rid, rule in load("rules")["rules"].items():
            table.add_row(rid, rule["title"], ", ".join(rule["sources"]), rule["evidence"],
                          rule.get("decision", ""))
        _console().print(table)


def example_names() -> list[str]:
    folder = resources.files("oncospine") / "examples"
    return sorted(Path(str(p)).stem for p in folder.iterdir() if str(p).endswith(".yaml"))


@app.command()
def example(
    name: Annotated[str | None, typer.Argument(help="demo case name; omit to list them")] = None,
) -> None:
    """List the demo cases, or print one (YAML) to pipe into `oncospine assess -`."""
    names = example_names()
    if name is None:
        sys.stdout.write("\n".join(names) + "\n")
        return
    if name not in names:
        _fail(UnknownNameError("example", name, names))
    text = (resources.files("oncospine") / "examples" / f"{name}.yaml").read_text("utf-8")
    sys.stdout.write(text)


# Store and web application: serve, seed, user, token, cds-issuer.
from oncospine.web.commands import register as _register_web  # noqa: E402

_register_web(app)


class ReportFmt(StrEnum):
    html = "html"
    pdf = "pdf"
    patient_html = "patient-html"
    patient_pdf = "patient-pdf"


class Paper(StrEnum):
    a4 = "a4"
    letter = "letter"


@app.command()
def report(
    case: Annotated[str, typer.Argument(help="case file (JSON or YAML), or - for stdin")],
    format: Annotated[ReportFmt, typer.Option("--format", "-f", help="report kind")] = (
        ReportFmt.html),
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file to write")] = None,
    paper: Annotated[Paper, typer.Option("--paper", help="page size")] = Paper.a4,
) -> None:
    """Clinician report or patient summary of a case, as self-contained HTML or PDF."""
    from oncospine.assessment import assess as run
    from oncospine.case import load_case
    from oncospine.reports import render_report

    try:
        loaded = load_case(case)
        data = render_report(loaded, run(loaded), format.value, paper=paper.value)
    except OncospineError as exc:
        _fail(exc)
        return
    if output is not None:
        try:
            output.write_bytes(data)
        except OSError as exc:
            sys.stderr.write(f"error: cannot write {output}: {exc.strerror or exc}\n")
            raise typer.Exit(2) from None
    elif format.value.endswith("pdf") and sys.stdout.isatty():
        sys.stderr.write("error: a PDF is binary; write it to a file with -o FILE\n")
        raise typer.Exit(2)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


# FHIR R4 import and export (fhir.resources is loaded only inside the commands).
fhir_app = typer.Typer(no_args_is_help=True,
                       help="FHIR R4: a Bundle to a case, a case to a Bundle.")
app.add_typer(fhir_app, name="fhir")


class CaseFmt(StrEnum):
    json = "json"
    yaml = "yaml"


@fhir_app.command("import")
def fhir_import(
    bundle: Annotated[str, typer.Argument(help="FHIR R4 Bundle (JSON), or - for stdin")],
    format: Annotated[CaseFmt, typer.Option("--format", "-f", help="case output")] = CaseFmt.json,
) -> None:
    """Read a Bundle as an oncospine case; what could not be mapped goes to stderr."""
    from oncospine.fhir import FhirMappingError, case_from_bundle

    try:
        text = sys.stdin.read() if bundle == "-" else Path(bundle).read_text(encoding="utf-8")
        result = case_from_bundle(json.loads(text))
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"error: cannot read {bundle} as JSON: {exc}\n")
        raise typer.Exit(2) from None
    except FhirMappingError as exc:
        _fail(exc)
        return
    if format is CaseFmt.yaml:
        import yaml

        sys.stdout.write(yaml.safe_dump(result.case, sort_keys=False, allow_unicode=True))
    else:
        sys.stdout.write(json.dumps(result.case, ensure_ascii=False, indent=2) + "\n")
    for title, notes in (("not mapped", result.unmapped), ("notes", result.notes)):
        if notes:
            sys.stderr.write(f"{title} ({len(notes)}):\n")
            sys.stderr.write("".join(f"  - {note}\n" for note in notes))


@fhir_app.command("export")
def fhir_export(
    case: Annotated[str, typer.Argument(help="case file (JSON or YAML), or - for stdin")],
) -> None:
    """Assess a case and print it as a FHIR R4 Bundle (inputs and results)."""
    from oncospine.assessment import assess as run
    from oncospine.case import load_case
    from oncospine.fhir import bundle_from_assessment

    try:
        loaded = load_case(case)
        bundle = bundle_from_assessment(loaded, run(loaded))
    except OncospineError as exc:
        _fail(exc)
        return
    sys.stdout.write(json.dumps(bundle, ensure_ascii=False, indent=2) + "\n")


# Registry mode: batch scoring, pathway audit, synthetic registry (heavy imports stay inside).
from oncospine.batch.commands import register as _register_registry  # noqa: E402

_register_registry(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
