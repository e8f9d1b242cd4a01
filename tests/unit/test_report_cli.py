"""`oncospine report CASE --format html|pdf|patient-html|patient-pdf [-o FILE] [--paper …]`.

Bad input exits with status 2 and a message, never a traceback; a PDF is never poured into a
terminal. Most tests drive the Typer app in-process; the terminal test runs the installed
command on a real pseudo-terminal.

References: DESIGN.md principle 4 (errors as data).
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_report_common import EXAMPLES
from test_report_pdf import pdf_info
from typer.testing import CliRunner

from oncospine.cli import app

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".venv" / "bin" / "oncospine"
CASE = str(EXAMPLES / "mscc-emergency.yaml")
runner = CliRunner()


def invoke(*args: str, input: str | None = None) -> Any:
    result = runner.invoke(app, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{type(result.exception).__name__}: {result.exception}"
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_the_clinician_report_is_html_on_standard_output_by_default():
    result = invoke("report", CASE)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert "<title>Clinician report: demo-mscc-emergency</title>" in result.stdout


def test_the_patient_summary_reads_the_case_from_standard_input():
    result = invoke("report", "-", "--format", "patient-html",
                    input=Path(CASE).read_text("utf-8"))
    assert result.exit_code == 0, result.stderr
    assert "Get help at once if you notice any of these" in result.stdout


@pytest.mark.parametrize(("fmt", "start"), [("html", b"<!DOCTYPE html>"), ("pdf", b"%PDF-"),
                                            ("patient-html", b"<!DOCTYPE html>"),
                                            ("patient-pdf", b"%PDF-")])
def test_each_format_can_be_written_to_a_file(fmt, start, tmp_path):
    out = tmp_path / f"report.{fmt}"
    result = invoke("report", CASE, "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert out.read_bytes().startswith(start)


def test_letter_paper_prints_on_letter(tmp_path):
    out = tmp_path / "letter.pdf"
    result = invoke("report", CASE, "-f", "patient-pdf", "--paper", "letter", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert pdf_info(out.read_bytes(), tmp_path)["Page size"] == "612 x 792 pts (letter)"


def test_a_pdf_may_go_to_a_pipe():
    result = runner.invoke(app, ["report", CASE, "-f", "pdf"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(b"%PDF-")


def test_a_pdf_is_never_written_to_a_terminal():
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "oncospine"]
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([*command, "report", CASE, "-f", "pdf"], stdout=follower,
                              stderr=subprocess.PIPE, text=True, timeout=120, cwd=ROOT,
                              env={**os.environ, "NO_COLOR": "1"})
    finally:
        os.close(follower)
        os.close(leader)
    assert proc.returncode == 2
    assert "a PDF is binary; write it to a file with -o FILE" in proc.stderr


def test_an_invalid_case_exits_2_naming_the_field(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "oncospine-case/1", "status": {"ecog": 9}}), "utf-8")
    result = invoke("report", str(bad))
    assert result.exit_code == 2
    assert "status.ecog" in result.stderr
    assert result.stdout == ""


def test_a_missing_case_file_exits_2():
    result = invoke("report", "no-such-case.yaml")
    assert result.exit_code == 2
    assert "cannot read case file no-such-case.yaml" in result.stderr


@pytest.mark.parametrize(("option", "value"), [("--format", "docx"), ("--paper", "a5")])
def test_an_unknown_format_or_paper_exits_2(option, value):
    result = invoke("report", CASE, option, value)
    assert result.exit_code == 2
    assert value in result.stderr


def test_an_unwritable_output_exits_2_with_the_reason(tmp_path):
    result = invoke("report", CASE, "-o", str(tmp_path / "no" / "such" / "dir" / "r.html"))
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
    assert "No such file or directory" in result.stderr


def test_the_help_lists_every_format_and_paper():
    result = invoke("report", "--help")
    assert result.exit_code == 0
    flat = " ".join(result.stdout.split())
    for word in ("html", "pdf", "patient-html", "patient-", "a4", "letter", "--output"):
        assert word in flat
